"""A socket never goes silent or stale: failed snapshots close it cleanly, snapshots never go back in time, a
projector that stops reading holds up only itself, and a whole worker resyncs in a few queries."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer
from django.db import connection
from django.test.utils import CaptureQueriesContext

from realtime import session_actions
from realtime.consumers import StudentConsumer, TeacherConsumer
from realtime.hub import LocalHub
from realtime.outbox import Outbox
from realtime.protocol import CLOSE_UNAVAILABLE
from realtime.runtime import current_runtime
from tests.factories import EnrolmentFactory
from tests.realtime.sockets import connect, open_socket
from tests.waiting import let_ready_tasks_run


class RecordingSend:
    """Stands in for the server's send: records frames, and can hold them like a client that stopped reading."""

    def __init__(self):
        self.frames: list[str] = []
        self.reading = asyncio.Event()
        self.reading.set()

    async def __call__(self, message):
        await self.reading.wait()
        self.frames.append(message["text"])


def consumer_with(cls, send: RecordingSend):
    consumer = cls(session_id=1)
    consumer.base_send = send
    consumer.outbox = Outbox(send, stall_limit=5)
    return consumer


async def test_an_older_snapshot_finishing_after_a_newer_one_is_dropped():
    send = RecordingSend()
    consumer = consumer_with(StudentConsumer, send)
    older = consumer.begin_snapshot()
    await consumer.send_frame("held while the snapshots are read")
    newer = consumer.begin_snapshot()

    await consumer.finish_snapshot(newer, "new state")
    await consumer.finish_snapshot(older, "old state")

    await consumer.outbox.drain()
    assert send.frames == ["new state", "held while the snapshots are read"]


async def test_a_teacher_socket_that_stops_reading_holds_up_only_itself_and_skips_stale_results():
    send = RecordingSend()
    teacher = consumer_with(TeacherConsumer, send)
    send.reading.clear()  # the projector's laptop went to sleep

    for answered in range(1, 4):
        teacher.put_frame(f"results {answered}", slot="results")
        await asyncio.sleep(0)  # the caller (the hub) is never blocked

    send.reading.set()
    await teacher.outbox.drain()
    assert send.frames == ["results 1", "results 3"]


class SlowJoinLayer(InMemoryChannelLayer):
    """The in-memory layer, but joining a group takes until the test says so (a slow Redis SUBSCRIBE)."""

    def __init__(self):
        super().__init__()
        self.joined = asyncio.Event()
        self.joining = asyncio.Event()
        self.release = asyncio.Event()

    async def group_add(self, group, channel):
        self.joining.set()
        await self.release.wait()
        await super().group_add(group, channel)
        self.joined.set()


class PlainSocket:
    role = "teacher"
    user_id = 1
    user_key = "1"
    session_id = 1


async def test_a_socket_attaching_while_its_group_is_being_joined_waits_for_the_subscription():
    layer = SlowJoinLayer()
    hub = LocalHub(layer)
    first = asyncio.create_task(hub.attach(PlainSocket(), ["g"]))
    await layer.joining.wait()
    second = asyncio.create_task(hub.attach(PlainSocket(), ["g"]))
    await let_ready_tasks_run()
    assert not second.done(), "the second socket must not go on before the group is joined"
    layer.release.set()
    await asyncio.gather(first, second)
    assert layer.joined.is_set()
    await hub.stop()


@pytest.mark.django_db(transaction=True)
async def test_a_database_failure_while_opening_refuses_the_socket_with_1011_and_leaves_the_hub(
    live_session, enrolled_students, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(session_actions.services, "participants_admit", broken)
    connected, socket = await open_socket(enrolled_students[0], live_session)
    assert not connected
    assert socket.refused_with == CLOSE_UNAVAILABLE
    assert current_runtime().hub.members == {}
    assert current_runtime().hub.presence.students_here == {}

    monkeypatch.undo()
    _socket, snapshot = await connect(enrolled_students[0], live_session)  # and the next try opens
    assert snapshot["you"]["id"] == enrolled_students[0].pk


@pytest.mark.django_db(transaction=True)
async def test_a_snapshot_that_fails_when_live_updates_resume_closes_the_socket_with_1011(
    live_session, enrolled_students, monkeypatch
):
    socket, _snapshot = await connect(enrolled_students[0], live_session)

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(session_actions, "student_snapshot_texts", broken)
    consumers = list(current_runtime().hub.members[f"quizcast.session.{live_session.pk}.students"])
    await StudentConsumer.on_live_changed_many(consumers, True)
    closed = await socket.communicator.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": CLOSE_UNAVAILABLE}
    assert current_runtime().hub.members == {}
    assert current_runtime().hub.presence.students_here == {}


@pytest.mark.django_db(transaction=True)
async def test_when_live_updates_resume_every_student_gets_a_fresh_snapshot(live_session, teacher, enrolled_students):
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    student_sockets = [(await connect(student, live_session))[0] for student in enrolled_students]
    await teacher_socket.send(
        {
            "type": "round.push",
            "question_id": await database_sync_to_async(lambda: live_session.quiz.questions.first().pk)(),
        }
    )
    for socket in student_sockets:
        await socket.receive_type("question.pushed")

    consumers = [c for c in current_runtime().hub.members[f"quizcast.session.{live_session.pk}.students"]]
    await StudentConsumer.on_live_changed_many(consumers, True)

    for socket in student_sockets:
        snapshot = await socket.receive_type("session.snapshot")
        assert snapshot["round"]["state"] == "open"


@pytest.mark.django_db
def test_resyncing_a_whole_class_reads_the_database_a_fixed_number_of_times(live_session, enrolled_students):
    few = enrolled_students[:1]
    many = enrolled_students + [EnrolmentFactory(classroom=live_session.classroom).student for _ in range(20)]
    with CaptureQueriesContext(connection) as for_one:
        session_actions.student_snapshot_texts(session_id=live_session.pk, users=few)
    with CaptureQueriesContext(connection) as for_many:
        texts = session_actions.student_snapshot_texts(session_id=live_session.pk, users=many)
    assert len(texts) == len(many)
    assert len(for_many.captured_queries) == len(for_one.captured_queries)
