"""A push's commit does not wait for the disk (classroom/push.py), and nothing else's does not: the setting is the
push's transaction's own, so an answer stored next on the same connection is acknowledged only once on disk.
`DATABASE_PUSH_SYNCHRONOUS_COMMIT` makes the push wait as well, at whatever the database asks of every commit."""

import pytest
from django.db import connection, transaction

from classroom import push, services

pytestmark = [
    pytest.mark.django_db(transaction=True),  # each push commits, as in a worker
    pytest.mark.skipif(connection.vendor != "postgresql", reason="synchronous_commit is PostgreSQL's"),
]


def commit_waits() -> str:
    """What PostgreSQL's next commit on this connection will do: `on` waits for the disk, `off` does not."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def push_first_question(session, teacher):
    question = session.quiz.questions.first()
    return services.session_push_question(session_id=session.pk, question_id=question.pk, pushed_by=teacher)


@pytest.fixture(params=["reading first", "locking first"])
def push_way(request, monkeypatch):
    """Both ways a push writes (classroom/push.py): on its own, and inside the transaction that took the lock."""
    if request.param == "locking first":
        monkeypatch.setattr(push, "OVERTAKEN_ATTEMPTS", 0)


def test_the_push_s_own_commit_does_not_wait_for_the_disk(live_session, teacher, push_way):
    with transaction.atomic():  # to look at the transaction before it commits
        push_first_question(live_session, teacher)
        assert commit_waits() == "off"


def test_what_the_connection_commits_after_a_push_waits_for_the_disk_again(live_session, teacher, push_way):
    assert commit_waits() == "on"
    push_first_question(live_session, teacher)

    assert commit_waits() == "on"
    with transaction.atomic():  # as a batch of answers stored next on this pooled connection
        assert commit_waits() == "on"


def test_with_the_setting_the_push_waits_as_the_database_says_every_commit_must(live_session, teacher, settings):
    settings.DATABASE_PUSH_SYNCHRONOUS_COMMIT = True
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = remote_apply")  # stricter than on: the push keeps it
    try:
        with transaction.atomic():
            push_first_question(live_session, teacher)
            assert commit_waits() == "remote_apply"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")
