"""Every bad frame gets an error with a code, the socket stays open, and nothing changes."""

import pytest
from channels.db import database_sync_to_async

from classroom.models import Round
from realtime.protocol import CLOSE_MESSAGE_TOO_BIG
from tests.realtime.sockets import connect

pytestmark = [pytest.mark.django_db(transaction=True)]


async def assert_still_open(socket):
    pong = await socket.request({"type": "ping"})
    assert pong["type"] == "pong"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("{not json", "malformed_json"),
        ("   ", "malformed_json"),
        ("[1, 2, 3]", "invalid_message"),
        ('"a string"', "invalid_message"),
        ("{}", "invalid_message"),
        ('{"type": 42}', "invalid_message"),
        ('{"type": "__init__"}', "unknown_type"),
        ('{"type": "websocket.disconnect"}', "unknown_type"),
        ('{"type": "answer.submit"}', "invalid_message"),
        ('{"type": "answer.submit", "round_id": "1", "client_id": "x", "answer": {}}', "invalid_message"),
        ('{"type": "answer.submit", "round_id": true, "client_id": "x", "answer": {}}', "invalid_message"),
        ('{"type": "answer.submit", "round_id": 1, "client_id": "", "answer": {}}', "invalid_message"),
        ('{"type": "answer.submit", "round_id": 1, "client_id": "x", "answer": [1]}', "invalid_message"),
    ],
)
async def test_a_bad_frame_gets_an_error_and_the_socket_stays_open(text, code, live_session, enrolled_students):
    socket, _ = await connect(enrolled_students[0], live_session)
    await socket.communicator.send_to(text_data=text)
    error = await socket.receive_type("error")
    assert error["code"] == code
    assert error["message"]
    await assert_still_open(socket)


async def test_a_binary_frame_gets_an_error_and_the_socket_stays_open(live_session, enrolled_students):
    socket, _ = await connect(enrolled_students[0], live_session)
    await socket.communicator.send_to(bytes_data=b"\x00\x01")
    error = await socket.receive_type("error")
    assert error["code"] == "binary_not_supported"
    await assert_still_open(socket)


async def test_the_reply_to_a_bad_message_carries_its_ref(live_session, enrolled_students):
    socket, _ = await connect(enrolled_students[0], live_session)
    error = await socket.request({"type": "no.such.thing", "ref": "r-17"})
    assert error == {"type": "error", "code": "unknown_type", "message": error["message"], "ref": "r-17"}


async def test_a_frame_over_the_size_cap_closes_the_socket_with_1009(live_session, enrolled_students, settings):
    socket, _ = await connect(enrolled_students[0], live_session)
    await socket.send({"type": "ping", "padding": "x" * settings.WEBSOCKET_MAX_MESSAGE_BYTES})
    closed = await socket.communicator.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": CLOSE_MESSAGE_TOO_BIG}


@pytest.mark.parametrize(
    "message",
    [
        {"type": "round.push", "question_id": 1},
        {"type": "round.close", "round_id": 1},
        {"type": "round.reveal", "round_id": 1},
        {"type": "session.end"},
        {"type": "results.refresh"},
        {"type": "participant.remove", "student_id": 1},
    ],
)
async def test_a_student_sending_a_teacher_message_is_forbidden_and_nothing_changes(
    message, live_session, enrolled_students
):
    socket, _ = await connect(enrolled_students[0], live_session)
    if "question_id" in message:
        message = {
            **message,
            "question_id": await database_sync_to_async(lambda: live_session.quiz.questions.first().pk)(),
        }
    error = await socket.request(message)
    assert error["code"] == "forbidden"
    await live_session.arefresh_from_db()
    assert live_session.state == "lobby"
    assert await Round.objects.filter(session=live_session).acount() == 0
    await assert_still_open(socket)


async def test_a_teacher_cannot_submit_answers(live_session, teacher):
    socket, _ = await connect(teacher, live_session, "teacher")
    error = await socket.request({"type": "answer.submit", "round_id": 1, "client_id": "x", "answer": {"choice": 1}})
    assert error["code"] == "forbidden"
