"""Every connect starts with a snapshot, so a reload, a reconnect or a late join loses nothing."""

import pytest

from tests.realtime.helpers import answer_message, choice_ids, push, question_of_type
from tests.realtime.sockets import connect

pytestmark = [pytest.mark.django_db(transaction=True)]


async def test_a_student_who_reloads_mid_question_sees_the_question_and_their_answer(
    live_session, teacher, enrolled_students
):
    question = await question_of_type(live_session)
    correct, _wrong = await choice_ids(question)
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    student_socket, _ = await connect(enrolled_students[0], live_session)
    round_id = await push(teacher_socket, question)
    ack = await student_socket.request(answer_message(round_id, {"choice": correct}, "kept"))
    await student_socket.close()

    _socket, snapshot = await connect(enrolled_students[0], live_session)

    assert snapshot["session"]["state"] == "question_open"
    assert snapshot["round"]["id"] == round_id
    assert snapshot["round"]["state"] == "open"
    assert snapshot["round"]["question"]["prompt"] == question.prompt
    assert 0 < snapshot["round"]["time_left_ms"] <= question.time_limit * 1000
    assert snapshot["round"]["your_answer"] == {
        "client_id": "kept",
        "answer": {"choice": correct},
        "submitted_at": ack["submitted_at"],
    }


async def test_a_late_joiner_catches_up_with_the_open_question(live_session, teacher, enrolled_students):
    question = await question_of_type(live_session)
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    round_id = await push(teacher_socket, question)

    _socket, snapshot = await connect(enrolled_students[1], live_session)

    assert snapshot["round"]["id"] == round_id
    assert snapshot["round"]["your_answer"] is None


async def test_a_teacher_who_reloads_sees_the_live_results_as_they_were(live_session, teacher, enrolled_students):
    question = await question_of_type(live_session)
    correct, wrong = await choice_ids(question)
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    round_id = await push(teacher_socket, question)
    for student, choice in zip(enrolled_students[:2], [correct, wrong], strict=True):
        socket, _ = await connect(student, live_session)
        await socket.request(answer_message(round_id, {"choice": choice}, f"c{student.pk}"))
    await teacher_socket.close()

    _socket, snapshot = await connect(teacher, live_session, "teacher")

    assert snapshot["round"]["id"] == round_id
    assert snapshot["round"]["question"]["answer_key"]["correct_choices"] == [correct]
    assert snapshot["results"]["answered"] == 2
    assert snapshot["results"]["choice_counts"][str(correct)] == 1
    assert snapshot["results"]["choice_counts"][str(wrong)] == 1
    assert {s["id"] for s in snapshot["roster"]} == {s.pk for s in enrolled_students}


async def test_after_the_reveal_a_reconnecting_student_sees_the_answer_their_result_and_standing(
    live_session, teacher, enrolled_students
):
    question = await question_of_type(live_session)
    correct, _wrong = await choice_ids(question)
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    student_socket, _ = await connect(enrolled_students[0], live_session)
    round_id = await push(teacher_socket, question)
    await student_socket.request(answer_message(round_id, {"choice": correct}))
    await teacher_socket.send({"type": "round.reveal", "round_id": round_id})
    await student_socket.receive_type("score.updated")
    await student_socket.close()

    _socket, snapshot = await connect(enrolled_students[0], live_session)

    assert snapshot["round"]["state"] == "revealed"
    assert snapshot["round"]["reveal"]["answer_key"]["correct_choices"] == [correct]
    assert snapshot["round"]["your_result"] == {"correct": True, "points": 100}
    assert snapshot["score"] == {"total": 100, "rank": 1, "of": 1}  # only students who answered are ranked
