"""Two teachers' commands at the same moment on PostgreSQL: the second waits for the first to commit, then acts on
what the first did. A push waits at its write (and reads again) or, once it takes the session's lock before
reading (classroom/push.py), at that lock: both ways are run."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from classroom import push, services
from classroom.models import Round
from tests.classroom.concurrency import one_after_the_other

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the two-statement push is PostgreSQL's"),
]


@pytest.fixture(autouse=True, params=["reading first", "locking first"])
def push_way(request, monkeypatch):
    if request.param == "locking first":
        monkeypatch.setattr(push, "OVERTAKEN_ATTEMPTS", 0)


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


def test_a_push_overtaken_as_often_as_it_may_be_takes_the_session_lock_and_then_opens_its_round(
    live_session, teacher, monkeypatch
):
    monkeypatch.setattr(push, "OVERTAKEN_ATTEMPTS", 1)
    first, second = live_session.quiz.questions.all()[:2]
    statements = []

    def push_watched():
        with CaptureQueriesContext(connection) as captured:
            pushed = services.session_push_question(
                session_id=live_session.pk, question_id=second.pk, pushed_by=teacher
            )
        statements.extend(query["sql"] for query in captured.captured_queries)
        return pushed

    overtaking, pushed = one_after_the_other(
        lambda: services.session_push_question(session_id=live_session.pk, question_id=first.pk, pushed_by=teacher),
        push_watched,
    )
    assert isinstance(pushed, Round) and pushed.number == 2, (overtaking, pushed)
    lock = re.escape(push.LOCK).replace(re.escape("%(session)s"), str(live_session.pk))
    assert [
        "lock" if re.fullmatch(lock, sql) else sql if sql in ("BEGIN", "COMMIT") else kind(sql) for sql in statements
    ] == ["read", "write", "BEGIN", "lock", "read", "write", "COMMIT"]  # overtaken, it wrote nothing; then locked
    live_session.refresh_from_db()
    assert live_session.current_round_id == pushed.pk


def kind(sql: str) -> str:
    """Which of the push's statements `sql` (as executed, its values in place) is."""
    return "write" if sql.lstrip().startswith("WITH as_read") else "read"
