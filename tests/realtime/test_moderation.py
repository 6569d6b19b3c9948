"""A teacher moderates who is in a session: removes an enrolled student (their sockets close with 4430, their answers
kept unless the teacher deletes them) and lets them back in; locks joining; removes the guests who never answered."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from classroom import services
from classroom.models import Answer
from realtime.protocol import CLOSE_FORBIDDEN, CLOSE_REMOVED
from tests.factories import EnrolmentFactory
from tests.realtime.helpers import answer_message, choice_ids, push, question_of_type
from tests.realtime.sockets import connect, open_socket

pytestmark = [pytest.mark.django_db(transaction=True)]


async def an_answer_from(student_socket, teacher_socket, live_session) -> int:
    question = await question_of_type(live_session)
    correct, _wrong = await choice_ids(question)
    round_id = await push(teacher_socket, question)
    await student_socket.receive_type("question.pushed")
    assert (await student_socket.request(answer_message(round_id, {"choice": correct})))["type"] == "answer.accepted"
    return round_id


async def command(teacher_socket, message: dict, reply_type: str) -> dict:
    """Send a teacher command and return what it broadcast to the teachers (or the error it got)."""
    await teacher_socket.send(message)
    while True:
        frame = await teacher_socket.receive()
        if frame["type"] in (reply_type, "error"):
            return frame


async def close_code(socket) -> int:
    """The code the server closed this socket with, after whatever frames it sent before."""
    while True:
        output = await socket.communicator.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            return output["code"]


@database_sync_to_async
def answers_of(student, live_session) -> int:
    return Answer.objects.filter(student=student, round__session=live_session).count()


@database_sync_to_async
def page_status(student, live_session) -> int:
    client = Client()
    client.force_login(student)
    return client.get(f"/s/{live_session.code}/").status_code


@pytest.mark.parametrize("delete_answers", [False, True])
async def test_removing_an_enrolled_student_closes_their_sockets_with_4430(
    delete_answers, live_session, teacher, enrolled_students
):
    student = enrolled_students[0]
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    student_socket, _ = await connect(student, live_session)
    await an_answer_from(student_socket, teacher_socket, live_session)

    await teacher_socket.send(
        {"type": "participant.remove", "student_id": student.pk, "delete_answers": delete_answers}
    )

    removed = await teacher_socket.receive_type("participant.removed")
    assert removed == {
        "type": "participant.removed",
        "student_id": student.pk,
        "guest": False,
        "answers_deleted": delete_answers,
    }
    assert await close_code(student_socket) == CLOSE_REMOVED
    assert await answers_of(student, live_session) == (0 if delete_answers else 1)


async def test_a_removed_student_is_refused_until_let_back_in(live_session, teacher, enrolled_students):
    student = enrolled_students[0]
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    removed = await command(
        teacher_socket, {"type": "participant.remove", "student_id": student.pk}, "participant.removed"
    )
    assert removed["type"] == "participant.removed"

    connected, refused = await open_socket(student, live_session)
    assert not connected
    assert refused.refused_with == CLOSE_FORBIDDEN
    assert await page_status(student, live_session) == 403
    _socket, snapshot = await connect(teacher, live_session, "teacher")
    assert {"id": student.pk, "name": student.name, "guest": False, "removed": True} in snapshot["roster"]

    readmitted = await command(
        teacher_socket, {"type": "participant.readmit", "student_id": student.pk}, "participant.readmitted"
    )
    assert readmitted == {"type": "participant.readmitted", "student_id": student.pk}
    _socket, snapshot = await connect(student, live_session)
    assert snapshot["you"]["id"] == student.pk
    assert await page_status(student, live_session) == 200


async def test_letting_back_in_a_student_who_was_not_removed_is_not_found(live_session, teacher, enrolled_students):
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    refused = await teacher_socket.request({"type": "participant.readmit", "student_id": enrolled_students[0].pk})
    assert refused["code"] == "not_found"


async def test_a_student_removed_before_ever_connecting_is_refused_too(live_session, teacher, enrolled_students):
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    await command(
        teacher_socket, {"type": "participant.remove", "student_id": enrolled_students[1].pk}, "participant.removed"
    )
    connected, _socket = await open_socket(enrolled_students[1], live_session)
    assert not connected


async def test_a_locked_session_keeps_new_students_and_guests_out_and_those_in_stay(
    live_session, teacher, enrolled_students
):
    inside, newcomer = enrolled_students[0], enrolled_students[1]
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    inside_socket, _ = await connect(inside, live_session)
    await database_sync_to_async(_allow_guests)(live_session)

    locked = await command(teacher_socket, {"type": "session.lock", "locked": True}, "joining.changed")
    assert locked == {"type": "joining.changed", "locked": True}

    connected, refused = await open_socket(newcomer, live_session)
    assert (connected, refused.refused_with) == (False, CLOSE_FORBIDDEN)
    assert await page_status(newcomer, live_session) == 403
    with pytest.raises(services.DomainError) as guest_refused:
        await database_sync_to_async(services.session_join_as_guest)(code=live_session.code, display_name="Late")
    assert guest_refused.value.code == "joining_locked"
    assert (await inside_socket.request({"type": "ping"}))["type"] == "pong"
    await inside_socket.close()
    _again, snapshot = await connect(inside, live_session)  # those already in may reconnect
    assert snapshot["session"]["joining_locked"] is True

    unlocked = await command(teacher_socket, {"type": "session.lock", "locked": False}, "joining.changed")
    assert unlocked == {"type": "joining.changed", "locked": False}
    _socket, snapshot = await connect(newcomer, live_session)
    assert snapshot["you"]["id"] == newcomer.pk


def _allow_guests(live_session):
    live_session.allow_guests = True
    live_session.save(update_fields=["allow_guests"])


def _guest(live_session, name):
    return services.session_join_as_guest(code=live_session.code, display_name=name)[1]


async def test_removing_the_guests_who_have_not_answered_closes_their_sockets_and_keeps_the_others(
    live_session, teacher, enrolled_students
):
    await database_sync_to_async(_allow_guests)(live_session)
    silent = await database_sync_to_async(_guest)(live_session, "Silent")
    talkative = await database_sync_to_async(_guest)(live_session, "Talkative")
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    silent_socket, _ = await connect(silent, live_session)
    talkative_socket, _ = await connect(talkative, live_session)
    student_socket, _ = await connect(enrolled_students[0], live_session)
    await an_answer_from(talkative_socket, teacher_socket, live_session)

    removed = await command(teacher_socket, {"type": "guests.remove_unanswered"}, "guests.removed")

    assert removed == {"type": "guests.removed", "student_ids": [silent.pk]}
    assert await close_code(silent_socket) == CLOSE_REMOVED
    for still_in in (talkative_socket, student_socket):
        assert (await still_in.request({"type": "ping"}))["type"] == "pong"
    await silent.arefresh_from_db()
    assert not silent.is_active
    assert await answers_of(talkative, live_session) == 1


async def test_removing_unanswered_guests_when_there_are_none_answers_an_empty_list(live_session, teacher):
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    assert await command(teacher_socket, {"type": "guests.remove_unanswered"}, "guests.removed") == {
        "type": "guests.removed",
        "student_ids": [],
    }


async def test_a_student_enrolled_later_while_joining_is_locked_cannot_join(live_session, teacher):
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    await command(teacher_socket, {"type": "session.lock", "locked": True}, "joining.changed")
    late = await database_sync_to_async(lambda: EnrolmentFactory(classroom=live_session.classroom).student)()
    connected, _socket = await open_socket(late, live_session)
    assert not connected
