"""On PostgreSQL the live results count the choices in the database (classroom.selectors._choice_counts) instead of
decoding every answer's JSON. Both must count the same: each of a multiple-choice answer's choices, else its one
choice, and nothing for an answer that picked none."""

import pytest
from django.db import connection

from classroom.selectors import _choice_counts, choice_counts, round_results
from quizzes.models import Question
from tests.factories import AnswerFactory, RoundFactory, StudentFactory, make_question

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the count in the database is PostgreSQL's"),
]


def round_of(live_session, question_type: str):
    return RoundFactory(session=live_session, question=make_question(live_session.quiz, question_type))


def answer(round_, responses: list[dict]) -> None:
    for response in responses:
        AnswerFactory(round=round_, student=StudentFactory(), response=response)


@pytest.mark.parametrize("question_type", [Question.Type.SINGLE, Question.Type.TRUE_FALSE, Question.Type.POLL])
def test_one_choice_per_answer_is_counted_as_the_answers_say(live_session, question_type):
    round_ = round_of(live_session, question_type)
    first, second = list(round_.question.choices.values_list("pk", flat=True))[:2]
    responses = [{"choice": first}, {"choice": second}, {"choice": first}, {"choice": 999_999}]
    answer(round_, responses)
    assert _choice_counts(round_) == choice_counts(responses) == {first: 2, second: 1, 999_999: 1}


def test_every_choice_of_a_multiple_choice_answer_is_counted_and_an_empty_one_counts_none(live_session):
    round_ = round_of(live_session, Question.Type.MULTIPLE)
    a, b, c = list(round_.question.choices.values_list("pk", flat=True))[:3]
    responses = [{"choices": [a, b]}, {"choices": [b, c]}, {"choices": [c]}, {"choices": []}]
    answer(round_, responses)
    assert _choice_counts(round_) == choice_counts(responses) == {a: 1, b: 2, c: 2, None: 1}
    results = round_results(round_=round_)
    assert results["answered"] == 4
    assert {int(pk): count for pk, count in results["choice_counts"].items() if count} == {a: 1, b: 2, c: 2}


def test_a_round_without_answers_counts_nothing(live_session):
    round_ = round_of(live_session, Question.Type.SINGLE)
    assert _choice_counts(round_) == {}
    assert set(round_results(round_=round_)["choice_counts"].values()) == {0}
