"""Reading a student's response to a question and deciding whether it is correct.

Responses arrive as small JSON objects (docs/protocol.md, "Answer shapes"):
single, true_false, poll: {"choice": id}; multiple: {"choices": [id, ...]}; numeric: {"value": number};
text: {"text": "..."}.
"""

import math
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from quizzes.models import Question
from quizzes.numbers import number_parse

Type = Question.Type
MAX_TEXT_ANSWER_LENGTH = 200


class InvalidResponse(ValueError):
    """The response does not fit the question; `detail` says why, for the student."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class Grade:
    response: dict
    is_correct: bool | None  # None for a poll


def plain_decimal(number: Decimal) -> str:
    """A number as people write it: 1440 not 1.44E+3, 3.1 not 3.100, 0 not -0."""
    if number == 0:
        return "0"
    return format(number.normalize(), "f")


def normalize_text(text: str) -> str:
    """Fold case and accents and collapse spaces: 'Ｃafé  au lait ' == 'cafe au lait'."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(without_marks.casefold().split())


def _choice_ids(question: Question) -> set[int]:
    return {choice.id for choice in question.choices.all()}


def _correct_choice_ids(question: Question) -> set[int]:
    return {choice.id for choice in question.choices.all() if choice.is_correct}


def response_parse(*, question: Question, raw: object) -> dict:
    """Validate a raw response against the question and return its canonical form."""
    if not isinstance(raw, dict):
        raise InvalidResponse("answer must be an object")
    if question.type in (Type.SINGLE, Type.TRUE_FALSE, Type.POLL):
        choice = raw.get("choice")
        if not isinstance(choice, int) or isinstance(choice, bool):
            raise InvalidResponse("answer.choice must be a choice id")
        if choice not in _choice_ids(question):
            raise InvalidResponse("answer.choice is not a choice of this question")
        return {"choice": choice}
    if question.type == Type.MULTIPLE:
        choices = raw.get("choices")
        if not isinstance(choices, list) or not choices:
            raise InvalidResponse("answer.choices must be a non-empty list of choice ids")
        if not all(isinstance(c, int) and not isinstance(c, bool) for c in choices):
            raise InvalidResponse("answer.choices must be a non-empty list of choice ids")
        if not set(choices) <= _choice_ids(question):
            raise InvalidResponse("answer.choices has an id that is not a choice of this question")
        return {"choices": sorted(set(choices))}
    if question.type == Type.NUMERIC:
        value = raw.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise InvalidResponse("answer.value must be a number")
        language = raw.get("language")
        if language is not None and (not isinstance(language, str) or len(language) > 16):
            raise InvalidResponse("answer.language must be a language code such as it or pl")
        try:
            if not isinstance(value, str):
                number = Decimal(value)
            elif language:
                number = number_parse(value, language=language)
            else:
                number = Decimal(value.strip().replace(",", "."))
        except (InvalidOperation, ValueError):
            raise InvalidResponse("answer.value must be a number") from None
        if not number.is_finite() or (isinstance(value, float) and not math.isfinite(value)):
            raise InvalidResponse("answer.value must be a finite number")
        if abs(number) >= Decimal(10) ** 14:
            raise InvalidResponse("answer.value is too large")
        return {"value": plain_decimal(number)}
    if question.type == Type.TEXT:
        text = raw.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InvalidResponse("answer.text must be a non-empty string")
        if len(text) > MAX_TEXT_ANSWER_LENGTH:
            raise InvalidResponse(f"answer.text is longer than {MAX_TEXT_ANSWER_LENGTH} characters")
        return {"text": " ".join(text.split())}
    raise InvalidResponse("this question cannot be answered")


def response_grade(*, question: Question, response: dict) -> Grade:
    """Grade a canonical response (from response_parse)."""
    if question.type == Type.POLL:
        return Grade(response=response, is_correct=None)
    if question.type in (Type.SINGLE, Type.TRUE_FALSE):
        return Grade(response=response, is_correct=response["choice"] in _correct_choice_ids(question))
    if question.type == Type.MULTIPLE:
        return Grade(response=response, is_correct=set(response["choices"]) == _correct_choice_ids(question))
    if question.type == Type.NUMERIC:
        distance = abs(Decimal(response["value"]) - question.numeric_target)
        return Grade(response=response, is_correct=distance <= question.numeric_tolerance)
    if question.type == Type.TEXT:
        accepted = {normalize_text(text) for text in question.accepted_answer_list}
        return Grade(response=response, is_correct=normalize_text(response["text"]) in accepted)
    raise ValueError(f"unknown question type {question.type}")


def response_describe(*, question: Question, response: dict) -> str:
    """The response as a teacher reads it in an export: choice texts, the number, or the text."""
    choices = {choice.id: choice.text for choice in question.choices.all()}
    if "choice" in response:
        return choices.get(response["choice"], "?")
    if "choices" in response:
        return "; ".join(choices.get(choice_id, "?") for choice_id in response["choices"])
    if "value" in response:
        return response["value"]
    return response.get("text", "")
