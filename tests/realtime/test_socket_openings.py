"""Opening sockets in bulk: a class connecting at once is admitted in shared database calls with a fixed number of
queries, and one session's failure refuses only its own sockets."""

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from classroom import services
from realtime import session_actions
from realtime.consumers import StudentConsumer
from realtime.runtime import current_runtime
from realtime.session_actions import SocketRequest, open_sockets
from tests.factories import EnrolmentFactory, LiveSessionFactory
from tests.realtime.sockets import connect


def session_key_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def student_requests(session, students) -> list[SocketRequest]:
    return [SocketRequest(role="student", session_id=session.pk, session_key=session_key_of(s)) for s in students]


@pytest.mark.django_db
def test_a_whole_class_opens_with_the_queries_of_one_student(live_session, enrolled_students):
    class_of_24 = enrolled_students + [EnrolmentFactory(classroom=live_session.classroom).student for _ in range(21)]
    one = student_requests(live_session, class_of_24[:1])
    everyone = student_requests(live_session, class_of_24)
    with CaptureQueriesContext(connection) as for_one:
        open_sockets(requests=one)
    with CaptureQueriesContext(connection) as for_everyone:
        openings = open_sockets(requests=everyone)

    assert [opening.refusal for opening in openings] == [None] * 24
    assert [opening.user.pk for opening in openings] == [s.pk for s in class_of_24]
    assert len(for_everyone.captured_queries) == len(for_one.captured_queries)


@pytest.mark.django_db
def test_each_socket_of_a_batch_gets_its_own_answer(live_session, enrolled_students, teacher):
    other_session = LiveSessionFactory(classroom=live_session.classroom, quiz=live_session.quiz, started_by=teacher)
    student = enrolled_students[0]
    requests = [
        SocketRequest(role="student", session_id=live_session.pk, session_key=session_key_of(student)),
        SocketRequest(role="student", session_id=live_session.pk, session_key="no-such-session"),
        SocketRequest(role="teacher", session_id=live_session.pk, session_key=session_key_of(student)),
        SocketRequest(role="teacher", session_id=live_session.pk, session_key=session_key_of(teacher)),
        SocketRequest(role="student", session_id=other_session.pk, session_key=session_key_of(student)),
        SocketRequest(role="student", session_id=999_999, session_key=session_key_of(student)),
    ]
    openings = open_sockets(requests=requests)
    assert [opening.refusal for opening in openings] == [
        None,
        "unauthenticated",
        "forbidden",
        None,
        None,  # the same classroom: enrolled students may join each of its sessions
        "not_found",
    ]
    assert '"role":"student"' in openings[0].snapshot
    assert '"role":"teacher"' in openings[3].snapshot


@pytest.mark.django_db
def test_one_session_failing_refuses_only_its_own_sockets(live_session, enrolled_students, teacher, monkeypatch):
    other_session = LiveSessionFactory(classroom=live_session.classroom, quiz=live_session.quiz, started_by=teacher)
    admit = services.participants_admit

    def failing_for_the_other_session(*, session, students):
        if session.pk == other_session.pk:
            raise RuntimeError("this session's rows are unreadable")
        return admit(session=session, students=students)

    monkeypatch.setattr(session_actions.services, "participants_admit", failing_for_the_other_session)
    openings = open_sockets(
        requests=student_requests(live_session, enrolled_students) + student_requests(other_session, enrolled_students)
    )
    assert [opening.refusal for opening in openings] == [None] * 3 + ["unavailable"] * 3


@pytest.mark.django_db(transaction=True)
async def test_students_connecting_at_once_share_database_calls(live_session, enrolled_students, monkeypatch):
    class_of_20 = (
        enrolled_students
        + await database_sync_to_async(
            lambda: [EnrolmentFactory(classroom=live_session.classroom).student for _ in range(17)]
        )()
    )
    batch_sizes = []

    def counting(requests):
        batch_sizes.append(len(requests))
        return open_sockets(requests=requests)

    monkeypatch.setattr(current_runtime().openings, "function", counting)
    opened = await asyncio.gather(*(connect(student, live_session) for student in class_of_20))

    assert [snapshot["you"]["id"] for _socket, snapshot in opened] == [s.pk for s in class_of_20]
    assert sum(batch_sizes) == 20
    assert len(batch_sizes) < 20


@pytest.mark.django_db(transaction=True)
async def test_a_socket_still_opening_when_live_updates_resume_reads_its_snapshot_again(
    live_session, enrolled_students, teacher, monkeypatch
):
    """The opening read the state before a push whose frame was lost in an outage; the socket must not show it."""
    opening_read = threading.Event()
    release = threading.Event()

    def slow(requests):
        openings = open_sockets(requests=requests)
        opening_read.set()
        release.wait(5)
        return openings

    monkeypatch.setattr(current_runtime().openings, "function", slow)
    student = enrolled_students[0]
    connecting = asyncio.create_task(connect(student, live_session))
    await sync_to_async(opening_read.wait, thread_sensitive=False)(5)

    def push_while_the_layer_is_down():
        try:
            question = live_session.quiz.questions.first()
            services.session_push_question(session_id=live_session.pk, question_id=question.pk, pushed_by=teacher)
        finally:
            connection.close()  # this thread's own connection

    await sync_to_async(push_while_the_layer_is_down, thread_sensitive=False)()
    members = list(current_runtime().hub.members[f"quizcast.session.{live_session.pk}.students"])
    await StudentConsumer.on_live_changed_many(members, True)
    release.set()

    _socket, snapshot = await connecting
    assert snapshot["round"] is not None
    assert snapshot["round"]["state"] == "open"
