"""However a socket ends, its student leaves the teachers' presence list within two seconds, and the hub forgets it.

The ways a socket ends: the client closes it, the connection drops without a close frame, something in the
consumer raises, or the server closes it (an oversized frame, a removal, a client that stopped reading).
"""

import pytest

from realtime import consumers, groups
from realtime.protocol import CLOSE_MESSAGE_TOO_BIG, CLOSE_UNAVAILABLE
from realtime.runtime import current_runtime
from tests.realtime.sockets import connect

pytestmark = [pytest.mark.django_db(transaction=True)]


async def connected_ids(teacher_socket, expected: list[int]) -> list[int]:
    frame = await teacher_socket.receive_type("presence.updated", timeout=2)
    while frame["connected"] != expected:
        frame = await teacher_socket.receive_type("presence.updated", timeout=2)
    return frame["connected"]


async def a_student_present(live_session, teacher, student):
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    student_socket, _ = await connect(student, live_session)
    await connected_ids(teacher_socket, [student.pk])
    return teacher_socket, student_socket


def assert_forgotten(live_session):
    hub = current_runtime().hub
    assert groups.session_students(live_session.pk) not in hub.members
    assert live_session.pk not in hub.presence.students_here


async def test_a_client_closing_its_socket_leaves_presence(live_session, teacher, enrolled_students):
    teacher_socket, student_socket = await a_student_present(live_session, teacher, enrolled_students[0])
    await student_socket.close()
    assert await connected_ids(teacher_socket, []) == []
    assert_forgotten(live_session)


async def test_a_connection_dropping_without_a_close_frame_leaves_presence(live_session, teacher, enrolled_students):
    teacher_socket, student_socket = await a_student_present(live_session, teacher, enrolled_students[0])
    await student_socket.communicator.send_input({"type": "websocket.disconnect", "code": 1006})
    assert await connected_ids(teacher_socket, []) == []
    assert_forgotten(live_session)


async def test_an_exception_in_the_consumer_closes_with_1011_and_leaves_presence(
    live_session, teacher, enrolled_students, monkeypatch
):
    teacher_socket, student_socket = await a_student_present(live_session, teacher, enrolled_students[0])

    async def broken(self, text_data=None, bytes_data=None):
        raise RuntimeError("a bug")

    monkeypatch.setattr(consumers.StudentConsumer, "receive", broken)
    await student_socket.send({"type": "ping"})
    closed = await student_socket.communicator.receive_output(timeout=2)
    assert closed == {"type": "websocket.close", "code": CLOSE_UNAVAILABLE}
    assert await connected_ids(teacher_socket, []) == []
    assert_forgotten(live_session)


async def test_an_exception_in_a_command_answers_internal_error_and_keeps_the_socket(
    live_session, teacher, enrolled_students, monkeypatch
):
    teacher_socket, student_socket = await a_student_present(live_session, teacher, enrolled_students[0])

    async def broken(self, message):
        raise RuntimeError("a bug")

    monkeypatch.setitem(consumers.StudentConsumer.commands, "answer.submit", broken)
    reply = await student_socket.request(
        {"type": "answer.submit", "round_id": 1, "client_id": "c", "answer": {"choice": 1}}
    )
    assert reply["code"] == "internal_error"
    assert (await student_socket.request({"type": "ping"}))["type"] == "pong"
    assert await teacher_socket.nothing_more(0.5), "the student is still there: presence does not change"


async def test_the_server_closing_a_socket_leaves_presence_without_waiting_for_the_client(
    live_session, teacher, enrolled_students, settings
):
    teacher_socket, student_socket = await a_student_present(live_session, teacher, enrolled_students[0])
    await student_socket.send({"type": "ping", "padding": "x" * settings.WEBSOCKET_MAX_MESSAGE_BYTES})
    closed = await student_socket.communicator.receive_output(timeout=2)
    assert closed == {"type": "websocket.close", "code": CLOSE_MESSAGE_TOO_BIG}
    # The test client never acknowledges the close: leaving must not wait for it.
    assert await connected_ids(teacher_socket, []) == []
    assert_forgotten(live_session)


async def test_a_student_with_two_sockets_stays_present_until_both_have_ended(live_session, teacher, enrolled_students):
    student = enrolled_students[0]
    teacher_socket, first = await a_student_present(live_session, teacher, student)
    second, _ = await connect(student, live_session)
    await first.communicator.send_input({"type": "websocket.disconnect", "code": 1006})
    assert await teacher_socket.nothing_more(0.6)
    await second.close()
    assert await connected_ids(teacher_socket, []) == []


async def test_a_teacher_connecting_after_the_students_finds_them_all_in_its_snapshot(
    live_session, teacher, enrolled_students
):
    student_sockets = [(await connect(student, live_session))[0] for student in enrolled_students]
    teacher_socket, snapshot = await connect(teacher, live_session, "teacher")
    expected = sorted(student.pk for student in enrolled_students)
    assert snapshot["presence"]["connected"] == expected
    assert snapshot["presence"]["complete"] is True
    assert {entry["id"] for entry in snapshot["presence"]["students"]} == set(expected)
    assert await teacher_socket.nothing_more(0.6), "the snapshot's presence was already complete"
    assert len(student_sockets) == len(enrolled_students)  # kept open until here
