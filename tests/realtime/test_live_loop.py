"""The live loop over real sockets: push, answer, live results, close, reveal, end."""

import pytest

from classroom.models import Answer
from quizzes.models import Question
from tests.realtime.sockets import connect

pytestmark = [pytest.mark.django_db(transaction=True)]


def first_question(live_session, question_type=Question.Type.SINGLE) -> Question:
    return live_session.quiz.questions.get(type=question_type)


def correct_choice_id(question) -> int:
    return question.choices.get(is_correct=True).pk


def wrong_choice_id(question) -> int:
    return question.choices.filter(is_correct=False).first().pk


async def test_a_pushed_question_reaches_every_student_and_answers_reach_the_teacher(
    live_session, teacher, enrolled_students
):
    question = await first_question_async(live_session)
    teacher_socket, teacher_snapshot = await connect(teacher, live_session, "teacher")
    assert teacher_snapshot["round"] is None
    students = [await connect(student, live_session) for student in enrolled_students]
    for _socket, snapshot in students:
        assert snapshot["session"]["state"] == "lobby"
        assert snapshot["round"] is None

    await teacher_socket.send({"type": "round.push", "question_id": question.pk})
    opened = await teacher_socket.receive_type("round.opened")
    round_id = opened["round"]["id"]
    assert opened["round"]["question"]["answer_key"]["correct_choices"] == [question.correct_id]

    for socket, _snapshot in students:
        pushed = await socket.receive_type("question.pushed")
        assert pushed["round"]["id"] == round_id
        assert pushed["round"]["question"]["prompt"] == question.prompt
        assert [c["text"] for c in pushed["round"]["question"]["choices"]] == question.choice_texts

    choices = [question.correct_id, question.correct_id, question.wrong_id]
    for (socket, _snapshot), choice in zip(students, choices, strict=True):
        ack = await socket.request(
            {
                "type": "answer.submit",
                "round_id": round_id,
                "client_id": f"c-{choice}-{id(socket)}",
                "answer": {"choice": choice},
            }
        )
        assert ack["type"] == "answer.accepted"
        assert ack["answer"] == {"choice": choice}

    results = await teacher_socket.receive_type("results.updated")
    while results["results"]["answered"] < 3:
        results = await teacher_socket.receive_type("results.updated")
    assert results["results"]["choice_counts"][str(question.correct_id)] == 2
    assert results["results"]["choice_counts"][str(question.wrong_id)] == 1
    assert results["results"]["answered_ids"] == sorted(s.pk for s in enrolled_students)

    await teacher_socket.send({"type": "round.reveal", "round_id": round_id})
    revealed = await teacher_socket.receive_type("round.revealed")
    assert revealed["leaderboard"][0]["points"] == 100
    for (socket, _snapshot), choice in zip(students, choices, strict=True):
        revealed = await socket.receive_type("round.revealed")
        assert revealed["answer_key"]["correct_choices"] == [question.correct_id]
        score = await socket.receive_type("score.updated")
        assert score["correct"] is (choice == question.correct_id)
        assert score["points"] == (100 if choice == question.correct_id else 0)
        assert score["of"] == 3

    await teacher_socket.send({"type": "session.end"})
    for socket, _snapshot in [*students, (teacher_socket, None)]:
        ended = await socket.receive_type("session.ended")
        assert len(ended["leaderboard"]) == 3
        await socket.close()


async def test_closing_a_round_reaches_students_and_later_answers_are_refused(live_session, teacher, enrolled_students):
    question = await first_question_async(live_session)
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    student_socket, _ = await connect(enrolled_students[0], live_session)
    await teacher_socket.send({"type": "round.push", "question_id": question.pk})
    round_id = (await student_socket.receive_type("question.pushed"))["round"]["id"]

    await teacher_socket.send({"type": "round.close", "round_id": round_id})
    closed = await student_socket.receive_type("round.closed")
    assert closed["round_id"] == round_id

    reply = await student_socket.request(
        {
            "type": "answer.submit",
            "round_id": round_id,
            "client_id": "late",
            "answer": {"choice": question.correct_id},
        }
    )
    assert reply["type"] == "error"
    assert reply["code"] == "round_closed"
    assert await Answer.objects.filter(round_id=round_id).acount() == 0


async def first_question_async(live_session, question_type=Question.Type.SINGLE):
    from channels.db import database_sync_to_async

    @database_sync_to_async
    def load():
        question = first_question(live_session, question_type)
        if question.uses_choices:
            question.correct_id = correct_choice_id(question) if question_type != Question.Type.POLL else None
            question.wrong_id = wrong_choice_id(question)
            question.choice_texts = [c.text for c in question.choices.all()]
        return question

    return await load()
