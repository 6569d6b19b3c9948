"""Only the right people open a session's sockets; everyone else is refused before accept."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session

from classroom import services
from classroom.models import Participant
from realtime.protocol import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, CLOSE_UNAUTHENTICATED
from realtime.runtime import current_runtime
from tests.factories import ClassroomFactory, EnrolmentFactory, LiveSessionFactory, StudentFactory, TeacherFactory
from tests.realtime.sockets import connect, open_socket, open_socket_with_cookie, session_cookie_for

pytestmark = [pytest.mark.django_db(transaction=True)]


async def test_an_anonymous_visitor_is_refused(live_session):
    connected, socket = await open_socket(None, live_session, cookie=False)
    assert not connected
    assert socket.refused_with == CLOSE_UNAUTHENTICATED


async def test_a_student_not_in_the_classroom_is_refused(live_session):
    outsider = await database_sync_to_async(StudentFactory)()
    connected, socket = await open_socket(outsider, live_session)
    assert not connected
    assert socket.refused_with == CLOSE_FORBIDDEN


async def test_a_student_of_another_classroom_is_refused(live_session):
    other = await database_sync_to_async(lambda: EnrolmentFactory(classroom=ClassroomFactory()).student)()
    connected, socket = await open_socket(other, live_session)
    assert not connected
    assert socket.refused_with == CLOSE_FORBIDDEN


async def test_a_student_cannot_open_the_teacher_socket(live_session, enrolled_students):
    connected, socket = await open_socket(enrolled_students[0], live_session, "teacher")
    assert not connected
    assert socket.refused_with == CLOSE_FORBIDDEN


async def test_a_teacher_of_another_classroom_is_refused(live_session):
    stranger = await database_sync_to_async(TeacherFactory)()
    connected, socket = await open_socket(stranger, live_session, "teacher")
    assert not connected
    assert socket.refused_with == CLOSE_FORBIDDEN


async def test_a_co_teacher_is_admitted(live_session):
    co_teacher = await database_sync_to_async(TeacherFactory)()
    await database_sync_to_async(live_session.classroom.co_teachers.add)(co_teacher)
    _socket, snapshot = await connect(co_teacher, live_session, "teacher")
    assert snapshot["role"] == "teacher"


async def test_a_missing_session_is_refused(enrolled_students):
    connected, socket = await open_socket(enrolled_students[0], 999_999)
    assert not connected
    assert socket.refused_with == CLOSE_NOT_FOUND


@pytest.mark.parametrize("origin", [None, b"null", b"http://evil.example", b"https://testserver.evil.example"])
async def test_a_socket_from_another_origin_is_refused(origin, live_session, enrolled_students):
    connected, _ = await open_socket(enrolled_students[0], live_session, origin=origin)
    assert not connected


async def test_a_configured_extra_origin_is_admitted(live_session, enrolled_students, settings):
    settings.WEBSOCKET_ALLOWED_ORIGINS = ["https://quiz.school.example"]
    connected, _ = await open_socket(enrolled_students[0], live_session, origin=b"https://quiz.school.example")
    assert connected


async def test_a_guest_who_joined_with_the_code_is_admitted_to_that_session_only(teacher, classroom, quiz):
    session = await database_sync_to_async(LiveSessionFactory)(
        classroom=classroom, quiz=quiz, started_by=teacher, allow_guests=True
    )
    other_session = await database_sync_to_async(LiveSessionFactory)(classroom=classroom, quiz=quiz, started_by=teacher)
    _session, guest = await database_sync_to_async(services.session_join_as_guest)(
        code=session.code, display_name="Zoë"
    )
    _socket, snapshot = await connect(guest, session)
    assert snapshot["you"]["name"] == "Zoë"
    connected, _ = await open_socket(guest, other_session)
    assert not connected


async def test_a_teacher_removes_a_guest_whose_sockets_close_for_good(teacher, classroom, quiz):
    from realtime.protocol import CLOSE_REMOVED

    session = await database_sync_to_async(LiveSessionFactory)(
        classroom=classroom, quiz=quiz, started_by=teacher, allow_guests=True
    )
    _session, guest = await database_sync_to_async(services.session_join_as_guest)(
        code=session.code, display_name="Prank"
    )
    teacher_socket, snapshot = await connect(teacher, session, "teacher")
    assert {"id": guest.pk, "name": "Prank", "guest": True, "removed": False} in snapshot["roster"]
    guest_socket, _ = await connect(guest, session)
    presence = await teacher_socket.receive_type("presence.updated")
    assert presence["students"] == [{"id": guest.pk, "name": "Prank", "guest": True}]

    await teacher_socket.send({"type": "participant.remove", "student_id": guest.pk})

    removed = await teacher_socket.receive_type("participant.removed")
    assert removed["student_id"] == guest.pk
    closed = await guest_socket.communicator.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": CLOSE_REMOVED}
    await guest.arefresh_from_db()
    assert not guest.is_active
    connected, _ = await open_socket(guest, session)
    assert not connected


async def test_a_student_neither_enrolled_nor_in_the_session_cannot_be_removed(live_session, teacher, student):
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    refused = await teacher_socket.request({"type": "participant.remove", "student_id": student.pk})
    assert refused["code"] == "not_found"


def sign_out(student, session_key):
    Session.objects.filter(session_key=session_key).delete()


def change_password(student, session_key):
    student.set_password("a new and different password")
    student.save()


def deactivate(student, session_key):
    type(student).objects.filter(pk=student.pk).update(is_active=False)


@pytest.mark.parametrize("what_happened", [sign_out, change_password, deactivate])
async def test_a_cookie_whose_sign_in_no_longer_holds_is_refused(what_happened, live_session, enrolled_students):
    student = enrolled_students[0]
    cookie = await session_cookie_for(student)
    await database_sync_to_async(what_happened)(student, cookie.decode().split("=", 1)[1])
    connected, socket = await open_socket_with_cookie(cookie, live_session)
    assert not connected
    assert socket.refused_with == CLOSE_UNAUTHENTICATED


async def test_a_refused_socket_leaves_nothing_behind_in_the_worker(live_session):
    outsider = await database_sync_to_async(StudentFactory)()
    connected, _socket = await open_socket(outsider, live_session)
    assert not connected
    assert current_runtime().hub.members == {}
    assert current_runtime().hub.presence.students_here == {}


async def test_an_enrolled_student_becomes_a_participant_on_first_connect(live_session, enrolled_students):
    student = enrolled_students[0]
    await connect(student, live_session)
    await connect(student, live_session)  # a second tab: still one participant
    participants = await database_sync_to_async(
        lambda: list(Participant.objects.filter(session=live_session).values_list("student_id", flat=True))
    )()
    assert participants == [student.pk]
