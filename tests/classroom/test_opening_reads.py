"""What a batch of students' sockets opening reads besides the session: who of them is in the session, their
answers to the current round, and whether a round was revealed (their standing shows from then on). On PostgreSQL
each is a prepared statement instead of an ORM query; both must read the same."""

from datetime import timedelta

import pytest
from django.utils import timezone

from classroom import selectors
from classroom.models import Answer, LiveSession, Participant
from tests.classroom.instances import HAND_WRITTEN_READ, columns, read_both_ways
from tests.factories import AnswerFactory, LiveSessionFactory, RoundFactory, StudentFactory

pytestmark = [pytest.mark.django_db, HAND_WRITTEN_READ]


@pytest.fixture
def round_(live_session):
    questions = list(live_session.quiz.questions.order_by("order"))
    opened = RoundFactory(session=live_session, question=questions[0], number=1)
    live_session.current_round = opened
    live_session.state = LiveSession.State.QUESTION_OPEN
    live_session.save()
    return opened


def test_the_students_answers_read_as_the_orm_reads_them(round_, enrolled_students):
    answering, _silent, elsewhere = enrolled_students
    answer = AnswerFactory(round=round_, student=answering, points=7, is_correct=True)
    AnswerFactory(round=RoundFactory(session=round_.session, question=round_.question, number=2), student=elsewhere)
    wanted = [student.pk for student in enrolled_students]

    read, through_orm = read_both_ways(
        lambda: selectors.students_answers(round_id=round_.pk, student_ids=wanted), selectors.STUDENTS_ANSWERS
    )

    assert {pk: columns(a) for pk, a in read.items()} == {pk: columns(a) for pk, a in through_orm.items()}
    assert list(read) == [answering.pk]  # an answer to another round is not this round's
    assert columns(read[answering.pk]) == columns(Answer.objects.get(pk=answer.pk))
    assert read[answering.pk].response == answer.response  # the JSON comes back decoded


def test_whether_a_round_was_revealed_reads_as_the_orm_reads_it(round_):
    def revealed():
        return selectors.any_round_revealed(session_id=round_.session_id)

    before, before_through_orm = read_both_ways(revealed, selectors.ANY_ROUND_REVEALED)
    round_.revealed_at = timezone.now()
    round_.save()
    after, after_through_orm = read_both_ways(revealed, selectors.ANY_ROUND_REVEALED)

    assert (before, after) == (before_through_orm, after_through_orm) == (False, True)


def test_who_is_in_the_session_reads_as_the_orm_reads_it(live_session):
    present, removed, elsewhere = StudentFactory(), StudentFactory(), StudentFactory()
    removed_at = timezone.now() - timedelta(minutes=3)
    Participant.objects.create(session=live_session, student=present)
    Participant.objects.create(session=live_session, student=removed, removed_at=removed_at)
    Participant.objects.create(session=LiveSessionFactory(), student=elsewhere)  # in another session only
    wanted = {present.pk, removed.pk, elsewhere.pk, StudentFactory().pk}

    read, through_orm = read_both_ways(
        lambda: selectors.students_participation(session_id=live_session.pk, student_ids=wanted),
        selectors.PARTICIPATION,
    )

    assert read == through_orm == {present.pk: None, removed.pk: removed_at}


def test_nobody_to_read_for_asks_the_database_nothing(round_, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.students_answers(round_id=round_.pk, student_ids=[]) == {}
        assert selectors.students_participation(session_id=round_.session_id, student_ids=[]) == {}
