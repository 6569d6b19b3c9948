"""Two teachers' commands at the same moment on PostgreSQL: the second waits for the first to commit, then acts on
what the first did. Each test holds the first command's transaction open on a thread of its own."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from classroom import services
from classroom.models import Round

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the three-statement push is PostgreSQL's"),
]


def one_after_the_other(first: Callable[[], object], second: Callable[[], object]) -> list[object]:
    """Run `first` in a transaction held open until `second`, started meanwhile, is seen waiting; then commit it.
    What each returned (or raised), in order."""
    done, commit, outcomes = threading.Event(), threading.Event(), {}

    def run_first():
        try:
            with transaction.atomic():
                outcomes["first"] = first()
                done.set()
                commit.wait(30)
        except Exception as error:  # pragma: no cover - reported by the assertions below
            outcomes["first"] = error
            done.set()
        finally:
            connections.close_all()

    def run_second():
        try:
            outcomes["second"] = second()
        except Exception as error:
            outcomes["second"] = error
        finally:
            connections.close_all()

    holding, waiting = threading.Thread(target=run_first), threading.Thread(target=run_second)
    holding.start()
    assert done.wait(30)
    waiting.start()
    waiting.join(0.5)
    assert waiting.is_alive()  # the second waits for the session's lock
    commit.set()
    holding.join(30)
    waiting.join(30)
    return [outcomes["first"], outcomes["second"]]


def test_a_push_that_waited_for_another_push_opens_the_next_round(live_session, teacher):
    first, second, third = live_session.quiz.questions.all()[:3]
    services.session_push_question(session_id=live_session.pk, question_id=first.pk, pushed_by=teacher)

    def push(question):
        return lambda: services.session_push_question(
            session_id=live_session.pk, question_id=question.pk, pushed_by=teacher
        )

    outcomes = one_after_the_other(push(second), push(third))
    assert all(isinstance(outcome, Round) for outcome in outcomes), outcomes
    rounds = list(Round.objects.filter(session=live_session).order_by("number"))
    assert [(r.number, r.question_id) for r in rounds] == [(1, first.pk), (2, second.pk), (3, third.pk)]
    assert [r.closed_at is not None for r in rounds] == [True, True, False]
    live_session.refresh_from_db()
    assert live_session.current_round_id == rounds[-1].pk


def test_a_push_that_waited_for_a_close_opens_the_next_round_and_keeps_the_close(live_session, teacher):
    first, second = live_session.quiz.questions.all()[:2]
    opened = services.session_push_question(session_id=live_session.pk, question_id=first.pk, pushed_by=teacher)

    outcomes = one_after_the_other(
        lambda: services.round_close(session_id=live_session.pk, round_id=opened.pk, closed_by=teacher),
        lambda: services.session_push_question(session_id=live_session.pk, question_id=second.pk, pushed_by=teacher),
    )
    closed, pushed = outcomes
    assert isinstance(pushed, Round) and pushed.number == 2, outcomes
    opened.refresh_from_db()
    assert opened.closed_at == closed.closed_at  # closed by the teacher, not again by the push
    assert opened.close_cause == closed.close_cause
