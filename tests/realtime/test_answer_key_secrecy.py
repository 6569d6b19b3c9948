"""Correct choices, accepted texts, numeric targets and explanations never reach a student before the reveal."""

import json

import pytest
from channels.db import database_sync_to_async

from quizzes.grading import plain_decimal
from quizzes.models import Question
from tests.realtime.helpers import answer_message, push, question_of_type
from tests.realtime.sockets import connect

pytestmark = [pytest.mark.django_db(transaction=True)]

SECRET_KEYS = {"answer_key", "correct_choices", "accepted_answers", "numeric_target", "numeric_tolerance",
               "explanation", "is_correct", "correct", "answered_ids", "correct_order", "positions"}  # fmt: skip

ANSWERS = {
    Question.Type.NUMERIC: {"value": 3},
    Question.Type.TEXT: {"text": "London"},
    Question.Type.WORDCLOUD: {"words": ["sea", "salt"]},
    Question.Type.SCALE: {"value": 2},
}


def keys_in(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


@database_sync_to_async
def secrets_of(question: Question) -> list[str]:
    texts = [question.explanation, *question.accepted_answer_list]
    if question.numeric_target is not None:
        texts.append(plain_decimal(question.numeric_target))
    return [t for t in texts if t]


@database_sync_to_async
def some_answer(question: Question, shown: dict) -> dict:
    if question.type in ANSWERS:
        return ANSWERS[question.type]
    if question.type == Question.Type.ORDERING:
        return {"order": [item["id"] for item in shown["items"]]}
    first = question.choices.order_by("order").first().pk
    return {"choices": [first]} if question.type == Question.Type.MULTIPLE else {"choice": first}


@pytest.mark.parametrize("question_type", Question.Type.values)
async def test_no_student_frame_reveals_the_answer_before_the_reveal(
    question_type, live_session, teacher, enrolled_students
):
    question = await question_of_type(live_session, question_type)
    secrets = await secrets_of(question)
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    student_socket, lobby_snapshot = await connect(enrolled_students[0], live_session)
    round_id = await push(teacher_socket, question)
    pushed = await student_socket.receive_type("question.pushed")
    ack = await student_socket.request(
        answer_message(round_id, await some_answer(question, pushed["round"]["question"]))
    )
    assert ack["type"] == "answer.accepted"
    await student_socket.close()
    reconnected, resume_snapshot = await connect(enrolled_students[0], live_session)
    assert resume_snapshot["round"]["your_answer"]["answer"] == ack["answer"]
    await teacher_socket.send({"type": "round.close", "round_id": round_id})
    await reconnected.receive_type("round.closed")

    before_reveal = [lobby_snapshot, *student_socket.frames, resume_snapshot, *reconnected.frames]
    for frame in before_reveal:
        assert not keys_in(frame) & SECRET_KEYS, f"{frame['type']} leaks {keys_in(frame) & SECRET_KEYS}"
        text = json.dumps(frame, ensure_ascii=False)
        for secret in secrets:
            assert secret not in text, f"{frame['type']} contains {secret!r}"

    await teacher_socket.send({"type": "round.reveal", "round_id": round_id})
    revealed = await reconnected.receive_type("round.revealed")
    assert "answer_key" in revealed
    assert revealed["answer_key"]["explanation"] == question.explanation
