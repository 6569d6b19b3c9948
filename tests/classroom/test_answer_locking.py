"""Batches of answers and the teacher's commands on PostgreSQL: answers of one session are stored side by side, and
a close (like a reveal, a push or an end) waits for every batch still storing answers, so none slips in after it.

Each test holds a batch's transaction open on a thread of its own, as a worker's answer thread does while it waits
for the database, and sets a lock timeout so that a statement which would wait fails at once instead.
"""

import threading
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from classroom import services
from classroom.models import Answer
from quizzes.models import Question
from tests.classroom.concurrency import one_after_the_other

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the shared lock of a batch is PostgreSQL's"),
]


def submission(session, round_, student):
    q = round_.question
    return services.AnswerSubmission(
        session_id=session.pk,
        round_id=round_.pk,
        student_id=student.pk,
        client_id=f"c-{student.pk}",
        raw_response={"choice": q.choices.get(is_correct=True).pk},
        received_at=timezone.now(),
    )


@contextmanager
def batch_in_progress(submissions):
    """A batch that stored its answers and holds its transaction open until the block ends."""
    stored, finish, failure = threading.Event(), threading.Event(), []

    def run():
        try:
            with transaction.atomic():
                services.answers_submit(submissions=submissions)
                stored.set()
                finish.wait(30)
        except Exception as error:  # pragma: no cover - reported by the assertion below
            failure.append(error)
            stored.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert stored.wait(30) and not failure, failure
        yield
    finally:
        finish.set()
        thread.join(30)


@contextmanager
def lock_timeout(milliseconds):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = {int(milliseconds)}")
        yield


@pytest.fixture
def open_round(live_session, teacher):
    question = live_session.quiz.questions.get(type=Question.Type.SINGLE)
    return services.session_push_question(session_id=live_session.pk, question_id=question.pk, pushed_by=teacher)


def test_two_batches_of_one_session_store_their_answers_side_by_side(live_session, open_round, enrolled_students):
    first, second = enrolled_students[:2]
    with batch_in_progress([submission(live_session, open_round, first)]):
        with lock_timeout(2000):
            [outcome] = services.answers_submit(submissions=[submission(live_session, open_round, second)])
        assert outcome.answer is not None
    assert Answer.objects.filter(round=open_round).count() == 2


def test_a_close_waits_for_a_batch_still_storing_answers(live_session, open_round, enrolled_students):
    storing = batch_in_progress([submission(live_session, open_round, enrolled_students[0])])
    with storing, pytest.raises(OperationalError, match="lock timeout"), lock_timeout(300):
        services.round_close(session_id=live_session.pk, round_id=open_round.pk)
    assert services.round_close(session_id=live_session.pk, round_id=open_round.pk) is not None
    assert Answer.objects.filter(round=open_round).count() == 1


def test_answers_sent_again_while_their_first_batch_is_still_storing_them_are_stored_once(
    live_session, open_round, enrolled_students
):
    sent = [submission(live_session, open_round, student) for student in enrolled_students[:3]]
    outcomes = []

    def send_again():
        try:
            outcomes.extend(services.answers_submit(submissions=list(reversed(sent))))
        finally:
            connections.close_all()

    with batch_in_progress(sent):
        again = threading.Thread(target=send_again)
        again.start()
        again.join(0.5)
        assert again.is_alive()  # waits for the first batch to commit, or to roll back
    again.join(30)
    assert [outcome.duplicate for outcome in outcomes] == [True, True, True]
    assert Answer.objects.filter(round=open_round).count() == 3


def test_a_batch_that_waited_for_a_reveal_reads_the_round_as_revealed(
    live_session, open_round, enrolled_students, teacher
):
    """The batch waits on the session's lock while the reveal commits; it must then read the round as it is now
    (revealed), not as it was when the batch began waiting, and refuse the answer."""
    _revealed, outcomes = one_after_the_other(
        lambda: services.round_reveal(session_id=live_session.pk, round_id=open_round.pk, revealed_by=teacher),
        lambda: services.answers_submit(submissions=[submission(live_session, open_round, enrolled_students[0])]),
    )
    assert [outcome.error_code for outcome in outcomes] == ["round_closed"]
    assert not Answer.objects.filter(round=open_round).exists()
