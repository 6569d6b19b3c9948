"""One answer per student per round: retries are idempotent, second opinions are refused."""

import pytest
from channels.db import database_sync_to_async
from django.db import IntegrityError, transaction

from classroom.models import Answer
from tests.factories import AnswerFactory
from tests.realtime.helpers import answer_message, choice_ids, open_question, push, question_of_type
from tests.realtime.sockets import connect

pytestmark = [pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def stored_answers(round_id: int) -> list[Answer]:
    return list(Answer.objects.filter(round_id=round_id))


async def test_a_retry_with_the_same_client_id_gets_the_same_acknowledgement(live_session, teacher, enrolled_students):
    opened = await open_question(live_session, teacher, enrolled_students[0])
    student_socket, round_id = opened.student_socket, opened.round_id

    first = await student_socket.request(answer_message(round_id, {"choice": opened.correct}, "same-id"))
    retry = await student_socket.request(answer_message(round_id, {"choice": opened.correct}, "same-id"))

    assert first["type"] == retry["type"] == "answer.accepted"
    assert {k: v for k, v in first.items() if k != "ref"} == {k: v for k, v in retry.items() if k != "ref"}
    assert len(await stored_answers(round_id)) == 1


async def test_a_different_second_answer_is_refused_with_already_answered(live_session, teacher, enrolled_students):
    opened = await open_question(live_session, teacher, enrolled_students[0])
    student_socket, round_id = opened.student_socket, opened.round_id

    await student_socket.request(answer_message(round_id, {"choice": opened.wrong}, "first"))
    second = await student_socket.request(answer_message(round_id, {"choice": opened.correct}, "second"))

    assert second["type"] == "error"
    assert second["code"] == "already_answered"
    [answer] = await stored_answers(round_id)
    assert answer.response == {"choice": opened.wrong}


async def test_two_sockets_of_one_student_answering_at_once_store_one_answer(live_session, teacher, enrolled_students):
    question = await question_of_type(live_session)
    correct, wrong = await choice_ids(question)
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    phone, _ = await connect(enrolled_students[0], live_session)
    laptop, _ = await connect(enrolled_students[0], live_session)
    round_id = await push(teacher_socket, question)

    await phone.send({**answer_message(round_id, {"choice": correct}, "phone"), "ref": "p"})
    await laptop.send({**answer_message(round_id, {"choice": wrong}, "laptop"), "ref": "l"})
    phone_reply = await _reply(phone, "p")
    laptop_reply = await _reply(laptop, "l")

    assert sorted([phone_reply["type"], laptop_reply["type"]]) == ["answer.accepted", "error"]
    refused = phone_reply if phone_reply["type"] == "error" else laptop_reply
    assert refused["code"] == "already_answered"
    assert len(await stored_answers(round_id)) == 1


async def _reply(socket, ref):
    while True:
        frame = await socket.receive()
        if frame.get("ref") == ref:
            return frame


def test_the_database_refuses_a_second_answer_row(db):
    answer = AnswerFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AnswerFactory(round=answer.round, student=answer.student, client_id="another")
