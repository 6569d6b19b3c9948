"""The rules a question of each type must satisfy, in one place for the admin, imports and services."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from quizzes.models import Question

Type = Question.Type


@dataclass
class QuestionErrors:
    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, field_name: str, message: str) -> None:
        self.by_field.setdefault(field_name, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def question_field_errors(*, question: Question) -> QuestionErrors:
    """Rules on the question's own fields (not its choices)."""
    errors = QuestionErrors()
    if question.type == Type.NUMERIC and question.numeric_target is None:
        errors.add("numeric_target", _("A numeric question needs a numeric answer."))
    if question.type == Type.TEXT and not question.accepted_answer_list:
        errors.add("accepted_answers", _("A short-text question needs at least one accepted answer."))
    if question.image and not question.image_alt.strip():
        errors.add("image_alt", _("Describe the image for students who cannot see it."))
    if question.type != Type.NUMERIC and question.numeric_target is not None:
        errors.add("numeric_target", _("Only numeric questions have a numeric answer; clear this field."))
    if question.type != Type.TEXT and question.accepted_answer_list:
        errors.add(
            "accepted_answers",
            _("Only short-text questions have accepted answers; clear this field."),
        )
    return errors


def choice_errors(*, question_type: str, choices: list[tuple[str, bool]]) -> list[str]:
    """Rules on a question's choices, given as (text, is_correct) pairs in order."""
    count = len(choices)
    correct = sum(1 for _text, is_correct in choices if is_correct)
    texts = [text.strip().casefold() for text, _is_correct in choices]
    errors: list[str] = []
    if question_type not in Question.CHOICE_TYPES:
        if count:
            errors.append(_("This type of question has no choices; remove them."))
        return errors
    if len(set(texts)) != len(texts):
        errors.append(_("Two choices have the same text."))
    if question_type == Type.TRUE_FALSE:
        if count != 2:
            errors.append(_("A true/false question needs exactly two choices (True and False)."))
        if correct != 1:
            errors.append(_("Mark exactly one of the two choices as correct."))
        return errors
    if count < 2:
        errors.append(_("Add at least two choices."))
    if count > 8:
        errors.append(_("A question can have at most eight choices."))
    if question_type == Type.SINGLE and correct != 1:
        errors.append(_("A single-choice question needs exactly one correct choice."))
    if question_type == Type.MULTIPLE and correct < 1:
        errors.append(_("A multiple-select question needs at least one correct choice."))
    if question_type == Type.POLL and correct:
        errors.append(_("A poll has no correct answer: untick every choice."))
    return errors
