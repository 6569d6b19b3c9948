"""Teacher commands and answers that cannot be carried out get the error the protocol documents, and nothing
changes."""

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from classroom.models import Answer, Round
from tests.factories import LiveSessionFactory
from tests.realtime.helpers import answer_message, choice_ids, push, question_of_type
from tests.realtime.sockets import connect

pytestmark = [pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def a_round_of_another_session(live_session) -> int:
    other = LiveSessionFactory(
        classroom=live_session.classroom, quiz=live_session.quiz, started_by=live_session.started_by
    )
    question = live_session.quiz.questions.first()
    return Round.objects.create(session=other, question=question, number=1, opened_at=timezone.now()).pk


@pytest.mark.parametrize("command", ["round.close", "round.reveal"])
async def test_closing_or_revealing_a_round_of_another_session_is_not_found(command, live_session, teacher):
    socket, _ = await connect(teacher, live_session, "teacher")
    round_id = await push(socket, await question_of_type(live_session))
    foreign = await a_round_of_another_session(live_session)

    refused = await socket.request({"type": command, "round_id": foreign})

    assert refused["code"] == "not_found"
    stored = await database_sync_to_async(Round.objects.get)(pk=foreign)
    assert (stored.closed_at, stored.revealed_at) == (None, None)
    current = await database_sync_to_async(Round.objects.get)(pk=round_id)
    assert current.closed_at is None


@pytest.mark.parametrize("command", ["round.close", "round.reveal"])
async def test_closing_or_revealing_an_earlier_round_of_this_session_is_not_current(command, live_session, teacher):
    socket, _ = await connect(teacher, live_session, "teacher")
    question = await question_of_type(live_session)
    earlier = await push(socket, question)
    await push(socket, question)
    assert (await socket.request({"type": command, "round_id": earlier}))["code"] == "not_current"


async def test_closing_a_revealed_round_is_refused_with_already_revealed(live_session, teacher):
    socket, _ = await connect(teacher, live_session, "teacher")
    round_id = await push(socket, await question_of_type(live_session))
    await socket.send({"type": "round.reveal", "round_id": round_id})
    await socket.receive_type("round.revealed")

    refused = await socket.request({"type": "round.close", "round_id": round_id})

    assert refused["code"] == "already_revealed"
    assert await socket.nothing_more()


async def test_closing_a_closed_round_again_is_refused_with_round_closed(live_session, teacher, enrolled_students):
    socket, _ = await connect(teacher, live_session, "teacher")
    student, _ = await connect(enrolled_students[0], live_session)
    round_id = await push(socket, await question_of_type(live_session))
    await socket.send({"type": "round.close", "round_id": round_id})
    await socket.receive_type("round.closed")
    await student.receive_type("round.closed")

    refused = await socket.request({"type": "round.close", "round_id": round_id})

    assert refused["code"] == "round_closed"
    assert await student.nothing_more(), "the students were told once"


async def an_ended_session_with_a_round(live_session, teacher, student_user, *, answer_first: bool):
    """The student's socket, the round and the answer message, after session.end (answered before it or not)."""
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    student, _ = await connect(student_user, live_session)
    question = await question_of_type(live_session)
    correct, _wrong = await choice_ids(question)
    round_id = await push(teacher_socket, question)
    message = answer_message(round_id, {"choice": correct})
    if answer_first:
        assert (await student.request(message))["type"] == "answer.accepted"
    await teacher_socket.send({"type": "session.end"})
    await student.receive_type("session.ended")
    return student, round_id, message


async def test_an_answer_after_the_session_ended_is_refused_with_session_ended(
    live_session, teacher, enrolled_students
):
    student, round_id, message = await an_ended_session_with_a_round(
        live_session, teacher, enrolled_students[0], answer_first=False
    )
    refused = await student.request(message)
    assert refused["code"] == "session_ended"
    assert not await database_sync_to_async(Answer.objects.filter(round_id=round_id).exists)()


async def test_a_retry_of_an_answer_stored_before_the_end_is_still_accepted(live_session, teacher, enrolled_students):
    student, _round_id, message = await an_ended_session_with_a_round(
        live_session, teacher, enrolled_students[0], answer_first=True
    )
    assert (await student.request(message))["type"] == "answer.accepted"
