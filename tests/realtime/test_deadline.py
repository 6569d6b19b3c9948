"""A round with a time limit closes at its deadline on the server clock, even with no teacher connected."""

import pytest
from channels.db import database_sync_to_async

from classroom.models import Answer, Round
from tests.realtime.helpers import answer_message, choice_ids, open_question, push, question_of_type
from tests.realtime.sockets import connect

pytestmark = [pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def shorten(question, seconds):
    question.time_limit = seconds
    question.save(update_fields=["time_limit"])


async def test_the_round_closes_at_the_deadline_after_the_teacher_left(live_session, teacher, enrolled_students):
    question = await question_of_type(live_session)
    await shorten(question, 1)
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    student_socket, _ = await connect(enrolled_students[0], live_session)
    round_id = await push(teacher_socket, question)
    await teacher_socket.close()

    pushed = await student_socket.receive_type("question.pushed")
    assert pushed["round"]["time_left_ms"] <= 1000
    closed = await student_socket.receive_type("round.closed", timeout=4)

    assert closed["round_id"] == round_id
    round_ = await Round.objects.aget(pk=round_id)
    assert round_.closed_at == round_.deadline
    await live_session.arefresh_from_db()
    assert live_session.state == "question_closed"


async def test_an_answer_after_the_deadline_is_refused_even_before_the_round_is_marked_closed(
    live_session, teacher, enrolled_students
):
    opened = await open_question(live_session, teacher, enrolled_students[0])
    round_id = opened.round_id
    await Round.objects.filter(pk=round_id).aupdate(deadline=(await Round.objects.aget(pk=round_id)).opened_at)

    reply = await opened.student_socket.request(answer_message(round_id, {"choice": opened.correct}))

    assert reply["code"] == "round_closed"
    assert await Answer.objects.filter(round_id=round_id).acount() == 0


async def test_an_answer_to_a_previous_round_is_refused(live_session, teacher, enrolled_students):
    opened = await open_question(live_session, teacher, enrolled_students[0])
    await push(opened.teacher_socket, opened.question)  # pushing again opens a new round and closes the old one

    reply = await opened.student_socket.request(answer_message(opened.round_id, {"choice": opened.correct}))

    assert reply["code"] == "round_closed"


async def test_an_answer_to_another_sessions_round_is_not_found(live_session, teacher, enrolled_students):
    from tests.factories import LiveSessionFactory

    other = await database_sync_to_async(LiveSessionFactory)(
        classroom=live_session.classroom, quiz=live_session.quiz, started_by=teacher
    )
    question = await question_of_type(live_session)
    correct, _wrong = await choice_ids(question)
    other_teacher_socket, _ = await connect(teacher, other, "teacher")
    foreign_round = await push(other_teacher_socket, question)
    student_socket, _ = await connect(enrolled_students[0], live_session)

    reply = await student_socket.request(answer_message(foreign_round, {"choice": correct}))

    assert reply["code"] == "not_found"
    assert await Answer.objects.filter(round_id=foreign_round).acount() == 0


async def test_an_answer_that_does_not_fit_the_question_is_refused(live_session, teacher, enrolled_students):
    opened = await open_question(live_session, teacher, enrolled_students[0])

    reply = await opened.student_socket.request(answer_message(opened.round_id, {"choice": 987654}))

    assert reply["code"] == "invalid_answer"
    assert await Answer.objects.filter(round_id=opened.round_id).acount() == 0
