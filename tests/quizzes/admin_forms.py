"""POST data for the question admin page, with its choice inline."""

from quizzes.models import Question


def question_form_data(*, quiz, type: str, choices: list[tuple[str, bool]] = (), existing_choices=(), **fields) -> dict:
    """The fields the question admin posts. `existing_choices` are Choice rows already saved (changed as given
    in `fields`, e.g. `{"choices-0-DELETE": "on"}`); `choices` are new rows after them."""
    data = {
        "quiz": quiz.pk,
        "order": 0,
        "type": type,
        "prompt": "What is it?",
        "points": 100,
        "time_limit": 30,
        "numeric_target": "",
        "numeric_tolerance": "0",
        "accepted_answers": "",
        "image_alt": "",
        "explanation": "Because.",
        "choices-TOTAL_FORMS": len(existing_choices) + len(choices),
        "choices-INITIAL_FORMS": len(existing_choices),
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
    }
    for index, choice in enumerate(existing_choices):
        data[f"choices-{index}-id"] = choice.pk
        data[f"choices-{index}-question"] = choice.question_id
        data[f"choices-{index}-text"] = choice.text
        data[f"choices-{index}-order"] = choice.order
        if choice.is_correct:
            data[f"choices-{index}-is_correct"] = "on"
    for offset, (text, is_correct) in enumerate(choices):
        index = len(existing_choices) + offset
        data[f"choices-{index}-text"] = text
        data[f"choices-{index}-order"] = index
        if is_correct:
            data[f"choices-{index}-is_correct"] = "on"
    data.update(fields)
    return data


def choice_formset_errors(response) -> list[str]:
    return list(response.context["inline_admin_formsets"][0].formset.non_form_errors())


def question_form_errors(response) -> dict:
    return response.context["adminform"].form.errors


Type = Question.Type
