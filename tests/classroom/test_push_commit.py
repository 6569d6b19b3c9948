"""A push's commit does not wait for the disk (classroom/push.py), and nothing else's stops waiting: the setting is
the push's own transaction's, so what the connection commits next (a batch of answers on the same pooled
connection) waits as before, and so does a caller's transaction that a push runs inside.
`DATABASE_PUSH_SYNCHRONOUS_COMMIT` makes the push wait too, at whatever the database asks of every commit."""

import pytest
from django.db import connection, transaction

from classroom import push, services

pytestmark = [
    pytest.mark.django_db(transaction=True),  # each push commits, as in a worker
    pytest.mark.skipif(connection.vendor != "postgresql", reason="synchronous_commit is PostgreSQL's"),
]


def commit_waits() -> str:
    """What this connection's next commit does: `on` (or stricter) waits for the disk, `off` does not."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def push_first_question(session, teacher):
    question = session.quiz.questions.first()
    return services.session_push_question(session_id=session.pk, question_id=question.pk, pushed_by=teacher)


class PushWrites:
    """Watches the push's write: the commit mode it asks for and, when it runs in a transaction (the push took the
    session's lock first), the mode that transaction's commit has right after it."""

    def __init__(self) -> None:
        self.asked: list[str | None] = []
        self.in_effect: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql == push.WRITE:
            self.asked.append(params["synchronous_commit"])
            if connection.in_atomic_block:
                self.in_effect.append(commit_waits())
        return result


@pytest.fixture(params=["reading first", "locking first"])
def push_way(request, monkeypatch):
    """Both ways a push writes (classroom/push.py): a statement committing by itself, and inside the transaction
    that took the session's lock."""
    if request.param == "locking first":
        monkeypatch.setattr(push, "OVERTAKEN_ATTEMPTS", 0)
    return request.param


def test_a_push_s_commit_does_not_wait_for_the_disk(live_session, teacher, push_way):
    writes = PushWrites()
    with connection.execute_wrapper(writes):
        push_first_question(live_session, teacher)

    assert writes.asked == ["off"]
    if push_way == "locking first":
        assert writes.in_effect == ["off"]


def test_what_the_connection_commits_after_a_push_waits_as_before(live_session, teacher, push_way):
    before = commit_waits()
    push_first_question(live_session, teacher)

    assert commit_waits() == before
    with transaction.atomic():  # as a batch of answers stored next on this pooled connection
        assert commit_waits() == before


def test_a_push_inside_a_callers_transaction_leaves_that_transaction_s_commit_alone(live_session, teacher, push_way):
    before = commit_waits()
    writes = PushWrites()
    with transaction.atomic(), connection.execute_wrapper(writes):
        push_first_question(live_session, teacher)
        assert commit_waits() == before

    assert writes.asked == [None]


def test_with_the_setting_the_push_waits_as_the_database_says_every_commit_must(
    live_session, teacher, settings, monkeypatch
):
    settings.DATABASE_PUSH_SYNCHRONOUS_COMMIT = True
    monkeypatch.setattr(push, "OVERTAKEN_ATTEMPTS", 0)  # the write in a transaction, to look at its commit
    writes = PushWrites()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = remote_apply")  # stricter than on: the push keeps it
    try:
        with connection.execute_wrapper(writes):
            push_first_question(live_session, teacher)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")

    assert writes.asked == [None]
    assert writes.in_effect == ["remote_apply"]
