"""Reading and grading a student's response, for every question type."""

from decimal import Decimal

import pytest

from quizzes.grading import InvalidResponse, normalize_text, response_grade, response_parse
from quizzes.models import Question
from tests.factories import QuizFactory, make_question

pytestmark = pytest.mark.django_db
Type = Question.Type


def grade(question, raw):
    return response_grade(question=question, response=response_parse(question=question, raw=raw)).is_correct


def ids(question, *, correct):
    return [c.pk for c in question.choices.all() if c.is_correct == correct]


def test_single_choice_is_correct_only_for_the_correct_choice():
    question = make_question(QuizFactory(), Type.SINGLE)
    assert grade(question, {"choice": ids(question, correct=True)[0]}) is True
    assert grade(question, {"choice": ids(question, correct=False)[0]}) is False


def test_multiple_select_needs_exactly_the_set_of_correct_choices():
    question = make_question(QuizFactory(), Type.MULTIPLE)
    right, wrong = ids(question, correct=True), ids(question, correct=False)
    assert grade(question, {"choices": list(reversed(right))}) is True
    assert grade(question, {"choices": right[:-1]}) is False
    assert grade(question, {"choices": right + wrong}) is False


def test_true_false_is_graded_by_its_correct_choice():
    question = make_question(QuizFactory(), Type.TRUE_FALSE)
    assert grade(question, {"choice": ids(question, correct=True)[0]}) is True
    assert grade(question, {"choice": ids(question, correct=False)[0]}) is False


@pytest.mark.parametrize(
    ("value", "correct"), [(3.14, True), ("3,145", True), ("3.15", True), ("3.16", False), (3, False)]
)
def test_numeric_answers_count_within_the_tolerance(value, correct):
    question = make_question(
        QuizFactory(), Type.NUMERIC, numeric_target=Decimal("3.14"), numeric_tolerance=Decimal("0.01")
    )
    assert grade(question, {"value": value}) is correct


def test_numeric_exact_answers_need_the_exact_value():
    question = make_question(QuizFactory(), Type.NUMERIC, numeric_target=Decimal("42"), numeric_tolerance=Decimal("0"))
    assert grade(question, {"value": "42.0"}) is True
    assert grade(question, {"value": 41.999}) is False


@pytest.mark.parametrize("text", ["Paris", "  paris ", "PARIS", "Páris", "parís"])
def test_short_text_matches_ignoring_case_accents_and_surrounding_spaces(text):
    question = make_question(QuizFactory(), Type.TEXT, accepted_answers="Paris")
    assert grade(question, {"text": text}) is True


def test_short_text_does_not_match_other_words():
    question = make_question(QuizFactory(), Type.TEXT, accepted_answers="Paris")
    assert grade(question, {"text": "Lyon"}) is False


def test_a_poll_has_no_correct_answer():
    question = make_question(QuizFactory(), Type.POLL)
    assert grade(question, {"choice": question.choices.first().pk}) is None


def test_normalize_text_folds_width_case_accents_and_spaces():
    assert normalize_text("  Ｃafé   AU lait ") == "cafe au lait"


@pytest.mark.parametrize(
    ("question_type", "raw"),
    [
        (Type.SINGLE, {"choice": "1"}),
        (Type.SINGLE, {"choice": True}),
        (Type.SINGLE, {"choice": 10**9}),
        (Type.SINGLE, {"choices": [1]}),
        (Type.MULTIPLE, {"choices": []}),
        (Type.MULTIPLE, {"choices": "1,2"}),
        (Type.MULTIPLE, {"choices": [10**9]}),
        (Type.NUMERIC, {"value": "three"}),
        (Type.NUMERIC, {"value": "NaN"}),
        (Type.NUMERIC, {"value": "Infinity"}),
        (Type.NUMERIC, {"value": True}),
        (Type.NUMERIC, {"value": "1e400"}),
        (Type.TEXT, {"text": "   "}),
        (Type.TEXT, {"text": "x" * 201}),
        (Type.TEXT, {"text": 5}),
        (Type.POLL, {}),
    ],
)
def test_a_response_that_does_not_fit_the_question_is_invalid(question_type, raw):
    question = make_question(QuizFactory(), question_type)
    with pytest.raises(InvalidResponse):
        response_parse(question=question, raw=raw)


def test_responses_are_stored_in_a_canonical_form():
    multiple = make_question(QuizFactory(), Type.MULTIPLE)
    right = ids(multiple, correct=True)
    assert response_parse(question=multiple, raw={"choices": [right[1], right[0], right[1]]}) == {
        "choices": sorted({right[0], right[1]})
    }
    numeric = make_question(QuizFactory(), Type.NUMERIC)
    assert response_parse(question=numeric, raw={"value": " 3,140 "}) == {"value": "3.14"}
    text = make_question(QuizFactory(), Type.TEXT)
    assert response_parse(question=text, raw={"text": "  New   York "}) == {"text": "New York"}


@pytest.mark.parametrize(
    ("typed", "stored"), [(1440, "1440"), ("1440.00", "1440"), ("1e3", "1000"), ("-0", "0"), (0.5, "0.5")]
)
def test_numbers_are_stored_as_people_write_them(typed, stored):
    question = make_question(QuizFactory(), Type.NUMERIC, numeric_target=Decimal("1440"))
    assert response_parse(question=question, raw={"value": typed}) == {"value": stored}


def test_the_answer_key_writes_numbers_without_exponents():
    from quizzes.payloads import answer_key

    question = make_question(
        QuizFactory(), Type.NUMERIC, numeric_target=Decimal("1440"), numeric_tolerance=Decimal("10")
    )
    assert answer_key(question) | {"explanation": ""} == {
        "explanation": "",
        "numeric_target": "1440",
        "numeric_tolerance": "10",
    }
