"""What of a question may be shown, and to whom.

`question_for_student` is the only shape of a question that ever reaches a student before the reveal: it carries
no correctness, no accepted answers, no numeric target and no explanation. `answer_key` is what the reveal adds.
"""

from quizzes.grading import plain_decimal
from quizzes.models import Question


def question_for_student(question: Question) -> dict:
    payload = {
        "id": question.id,
        "type": question.type,
        "prompt": question.prompt,
        "points": question.points,
        "time_limit": question.time_limit,
        "image": question.image.url if question.image else None,
        "image_alt": question.image_alt,
    }
    if question.uses_choices:
        payload["choices"] = [{"id": choice.id, "text": choice.text} for choice in question.choices.all()]
    return payload


def answer_key(question: Question) -> dict:
    key: dict = {"explanation": question.explanation}
    if question.type == Question.Type.POLL:
        return key
    if question.uses_choices:
        key["correct_choices"] = [choice.id for choice in question.choices.all() if choice.is_correct]
    elif question.type == Question.Type.NUMERIC:
        key["numeric_target"] = plain_decimal(question.numeric_target)
        key["numeric_tolerance"] = plain_decimal(question.numeric_tolerance)
    elif question.type == Question.Type.TEXT:
        key["accepted_answers"] = question.accepted_answer_list
    return key


def question_for_teacher(question: Question) -> dict:
    return {**question_for_student(question), "answer_key": answer_key(question)}
