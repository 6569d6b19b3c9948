"""Reading a student's response to a question and deciding whether it is correct.

Responses arrive as small JSON objects (docs/protocol.md, "Answer shapes"):
single, true_false, poll: {"choice": id}; multiple: {"choices": [id, ...]}; numeric: {"value": number};
text: {"text": "..."}; wordcloud: {"words": ["...", ...]}; ordering: {"order": [item id, ...]} (the item ids of
quizzes.ordering, which depend on the round); scale: {"value": integer}.
"""

import math
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TypeGuard

from quizzes.models import Question
from quizzes.numbers import number_parse
from quizzes.ordering import correct_item_order, shown_items

Type = Question.Type
MAX_TEXT_ANSWER_LENGTH = 200
MAX_WORD_LENGTH = 40


class InvalidResponse(ValueError):
    """The response does not fit the question; `detail` says why, for the student."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class Grade:
    response: dict
    is_correct: bool | None  # None for the ungraded types (poll, word cloud, scale)
    share: float | None = None  # an ordering's share of items in the right place, for partial credit


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
    return _choice_id_sets(question)[0]


def _correct_choice_ids(question: Question) -> set[int]:
    return _choice_id_sets(question)[1]


def _choice_id_sets(question: Question) -> tuple[set[int], set[int]]:
    """The question's choice ids and its correct ones. With the choices prefetched (a batch of answers to one
    round shares one question) they are worked out once per prefetch, not once per answer."""
    prefetched = getattr(question, "_prefetched_objects_cache", {}).get("choices")
    cached = question.__dict__.get("_choice_id_sets")
    if prefetched is not None and cached is not None and cached[0] is prefetched:
        return cached[1]
    choices = list(question.choices.all())
    sets = ({choice.id for choice in choices}, {choice.id for choice in choices if choice.is_correct})
    if prefetched is not None:
        question.__dict__["_choice_id_sets"] = (prefetched, sets)
    return sets


def _is_integer(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_words(question: Question, raw: dict) -> dict:
    words = raw.get("words")
    if not isinstance(words, list) or not words or not all(isinstance(word, str) for word in words):
        raise InvalidResponse("answer.words must be a non-empty list of words")
    if len(words) > question.max_words:
        raise InvalidResponse(f"answer.words has more than {question.max_words} words")
    kept: dict[str, str] = {}
    for word in words:
        word = " ".join(word.split())
        if not word:
            raise InvalidResponse("answer.words has an empty word")
        if len(word) > MAX_WORD_LENGTH:
            raise InvalidResponse(f"answer.words has a word longer than {MAX_WORD_LENGTH} characters")
        kept.setdefault(normalize_text(word), word)  # the same word twice counts once
    return {"words": list(kept.values())}


def _parse_order(question: Question, raw: dict, round_id: int | None) -> dict:
    order = raw.get("order")
    ids = {item.id for item in shown_items(question, round_id=round_id)}
    if not isinstance(order, list) or not all(_is_integer(item) for item in order):
        raise InvalidResponse("answer.order must be a list of item ids")
    if len(order) != len(ids) or set(order) != ids:
        raise InvalidResponse("answer.order must list every item id of this question exactly once")
    return {"order": order}


def _parse_scale(question: Question, raw: dict) -> dict:
    value = raw.get("value")
    if not _is_integer(value):
        raise InvalidResponse("answer.value must be a whole number")
    assert question.scale_min is not None and question.scale_max is not None  # a scale question has both
    if not question.scale_min <= value <= question.scale_max:
        raise InvalidResponse(f"answer.value must be from {question.scale_min} to {question.scale_max}")
    return {"value": value}


def response_parse(*, question: Question, raw: object, round_id: int | None = None) -> dict:
    """Validate a raw response against the question and return its canonical form. `round_id` is the round it
    answers: an ordering's item ids belong to their round."""
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
    if question.type == Type.WORDCLOUD:
        return _parse_words(question, raw)
    if question.type == Type.ORDERING:
        return _parse_order(question, raw, round_id)
    if question.type == Type.SCALE:
        return _parse_scale(question, raw)
    raise InvalidResponse("this question cannot be answered")


def response_grade(*, question: Question, response: dict, round_id: int | None = None) -> Grade:
    """Grade a canonical response (from response_parse, for the same round)."""
    if not question.is_graded:
        return Grade(response=response, is_correct=None)
    if question.type == Type.ORDERING:
        correct = correct_item_order(question, round_id=round_id)
        in_place = sum(1 for given, right in zip(response["order"], correct, strict=True) if given == right)
        return Grade(response=response, is_correct=in_place == len(correct), share=in_place / len(correct))
    if question.type in (Type.SINGLE, Type.TRUE_FALSE):
        return Grade(response=response, is_correct=response["choice"] in _correct_choice_ids(question))
    if question.type == Type.MULTIPLE:
        return Grade(response=response, is_correct=set(response["choices"]) == _correct_choice_ids(question))
    if question.type == Type.NUMERIC:
        assert question.numeric_target is not None and question.numeric_tolerance is not None  # the type requires them
        distance = abs(Decimal(response["value"]) - question.numeric_target)
        return Grade(response=response, is_correct=distance <= question.numeric_tolerance)
    if question.type == Type.TEXT:
        accepted = {normalize_text(text) for text in question.accepted_answer_list}
        return Grade(response=response, is_correct=normalize_text(response["text"]) in accepted)
    raise ValueError(f"unknown question type {question.type}")


def response_describe(*, question: Question, response: dict, round_id: int | None = None) -> str:
    """The response as a teacher reads it in an export: choice texts, the number, the text, the words, or the
    items in the order given ("Egg > Larva > Pupa")."""
    choices = {choice.id: choice.text or choice.image_alt for choice in question.choices.all()}
    if "choice" in response:
        return choices.get(response["choice"], "?")
    if "choices" in response:
        return "; ".join(choices.get(choice_id, "?") for choice_id in response["choices"])
    if "order" in response:
        items = {item.id: item.choice.text for item in shown_items(question, round_id=round_id)}
        return " > ".join(items.get(item_id, "?") for item_id in response["order"])
    if "words" in response:
        return "; ".join(response["words"])
    if "value" in response:
        return str(response["value"])
    return response.get("text", "")
