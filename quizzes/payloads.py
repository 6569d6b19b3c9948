"""What of a question may be shown, and to whom.

`question_for_student` is the only shape of a question that ever reaches a student before the reveal: it carries
no correctness, no accepted answers, no numeric target, no correct order and no explanation. `answer_key` is what
the reveal adds. Both take the round: an ordering question's items are shown, and answered, in the round's own
shuffled order (quizzes.ordering); `round_id=None` is the admin's preview.
"""

from quizzes.grading import plain_decimal
from quizzes.models import Question
from quizzes.ordering import correct_item_order, shown_items

Type = Question.Type


def _file_url(file) -> str | None:
    return file.url if file else None


def question_for_student(question: Question, *, round_id: int | None = None) -> dict:
    payload = {
        "id": question.id,
        "type": question.type,
        "prompt": question.prompt,
        "points": question.points,
        "time_limit": question.time_limit,
        "image": _file_url(question.image),
        "image_alt": question.image_alt,
    }
    if question.uses_choices:
        payload["choices"] = [
            {"id": choice.id, "text": choice.text, "image": _file_url(choice.image), "image_alt": choice.image_alt}
            for choice in question.choices.all()
        ]
    elif question.type == Type.ORDERING:
        items = shown_items(question, round_id=round_id)
        payload["items"] = [{"id": item.id, "text": item.choice.text} for item in items]
    elif question.type == Type.WORDCLOUD:
        payload["max_words"] = question.max_words
    elif question.type == Type.SCALE:
        payload["scale"] = {
            "min": question.scale_min,
            "max": question.scale_max,
            "min_label": question.scale_min_label,
            "max_label": question.scale_max_label,
        }
    return payload


def answer_key(question: Question, *, round_id: int | None = None) -> dict:
    key: dict = {"explanation": question.explanation}
    if not question.is_graded:
        return key
    if question.uses_choices:
        key["correct_choices"] = [choice.id for choice in question.choices.all() if choice.is_correct]
    elif question.type == Type.NUMERIC:
        assert question.numeric_target is not None and question.numeric_tolerance is not None  # the type requires them
        key["numeric_target"] = plain_decimal(question.numeric_target)
        key["numeric_tolerance"] = plain_decimal(question.numeric_tolerance)
    elif question.type == Type.TEXT:
        key["accepted_answers"] = question.accepted_answer_list
    elif question.type == Type.ORDERING:
        key["correct_order"] = correct_item_order(question, round_id=round_id)
        key["partial_credit"] = question.partial_credit
    return key


def question_for_teacher(question: Question, *, round_id: int | None = None) -> dict:
    return {**question_for_student(question, round_id=round_id), "answer_key": answer_key(question, round_id=round_id)}
