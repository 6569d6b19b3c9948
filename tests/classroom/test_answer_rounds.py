"""On PostgreSQL a batch of answers reads its rounds, after its lock, in one hand-written statement
(classroom.services.rounds_for_answers_postgresql) instead of the ORM's rounds and choices. Both must hand the grading
the same rounds: every column of the round, its session and its question, and the question's choices in their
order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from classroom import services
from classroom.models import LiveSession, Round
from quizzes.models import Question
from tests.classroom.instances import HAND_WRITTEN_READ, columns, question_as_read
from tests.factories import LiveSessionFactory, RoundFactory, make_question

pytestmark = [pytest.mark.django_db, HAND_WRITTEN_READ]


def as_read(round_: Round) -> dict:
    """Everything of a round that answering it looks at, as plain values."""
    return {"round": columns(round_), "session": columns(round_.session), **question_as_read(round_.question)}


@pytest.fixture
def rounds(live_session):
    """Rounds of every question type in one session, one of them closed with answers hidden, and a round of
    another session paced by its students."""
    now = timezone.now()
    made = [
        RoundFactory(session=live_session, question=question, number=number, opened_at=now)
        for number, question in enumerate(live_session.quiz.questions.order_by("order"), start=1)
    ]
    made[0].closed_at, made[0].deadline, made[0].hidden_texts = now, now - timedelta(seconds=1), ["paris", "lyon"]
    made[0].save()
    other = LiveSessionFactory(pacing=LiveSession.Pacing.STUDENT, speed_bonus=True)
    made.append(RoundFactory(session=other, question=make_question(other.quiz, Question.Type.ORDERING)))
    return made


def test_the_one_statement_reads_every_round_as_the_orm_does(rounds):
    wanted = {round_.pk for round_ in rounds} | {999_999}  # and one that does not exist
    through_the_orm = {pk: as_read(round_) for pk, round_ in services._rounds_for_answers_orm(wanted).items()}
    in_one_statement = {pk: as_read(round_) for pk, round_ in services.rounds_for_answers_postgresql(wanted).items()}
    assert in_one_statement == through_the_orm
    assert set(in_one_statement) == {round_.pk for round_ in rounds}
    assert in_one_statement[rounds[0].pk]["round"]["hidden_texts"] == ["paris", "lyon"]
    assert all(read["choices"] for read in in_one_statement.values() if read["question"]["type"] == "single")
