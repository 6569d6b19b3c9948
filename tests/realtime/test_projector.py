"""The projector's socket shows only what the room may see: how many answered while a question is open, every
count once it closes (or at once with live results on), never a text the teacher hid, never the key early."""

import pytest
from channels.db import database_sync_to_async

from quizzes.models import Question
from tests.realtime.helpers import answer_message, choice_ids, open_question, push, question_of_type
from tests.realtime.sockets import connect

pytestmark = [pytest.mark.django_db(transaction=True)]


async def results_with(socket, answered: int) -> dict:
    """The next `results.updated` that counts `answered` answers (earlier ones may still be on their way)."""
    while True:
        frame = await socket.receive_type("results.updated")
        if frame["results"]["answered"] == answered:
            return frame["results"]


async def test_the_projector_sees_only_the_answer_count_while_a_question_is_open_and_every_count_after_the_close(
    live_session, teacher, enrolled_students
):
    question = await question_of_type(live_session)
    correct, wrong = await choice_ids(question)
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    projector, snapshot = await connect(teacher, live_session, "projector")
    assert snapshot["role"] == "projector"
    first, second = [(await connect(student, live_session))[0] for student in enrolled_students[:2]]

    round_id = await push(teacher_socket, question)
    opened = await projector.receive_type("round.opened")
    assert opened["round"]["id"] == round_id
    assert "answer_key" not in opened["round"]["question"]
    for_teacher = next(frame for frame in teacher_socket.frames if frame["type"] == "round.opened")
    assert for_teacher["round"]["question"]["answer_key"]["correct_choices"] == [correct]
    await first.request(answer_message(round_id, {"choice": correct}))
    await second.request(answer_message(round_id, {"choice": wrong}, "client-2"))

    for_teacher = await results_with(teacher_socket, 2)
    assert (for_teacher["choice_counts"][str(correct)], for_teacher["choice_counts"][str(wrong)]) == (1, 1)
    assert await results_with(projector, 2) == {"round_id": round_id, "answered": 2, "counts_only": True}

    await teacher_socket.send({"type": "round.close", "round_id": round_id})
    await projector.receive_type("round.closed")
    after_close = (await projector.receive_type("results.updated"))["results"]
    assert after_close["answered"] == 2
    assert after_close["choice_counts"][str(correct)] == 1
    assert after_close["choice_counts"][str(wrong)] == 1
    assert "answered_ids" not in after_close


async def results_where(socket, wanted) -> dict:
    """The next `results` for which `wanted(results)` holds: throttled live results may come first."""
    while True:
        results = (await socket.receive_type("results.updated"))["results"]
        if wanted(results):
            return results


@database_sync_to_async
def choice_keys(question: Question) -> list[str]:
    return [str(choice.pk) for choice in question.choices.all()]


async def test_a_projector_that_connects_mid_question_gets_the_count_only_and_no_answer_key(
    live_session, teacher, enrolled_students
):
    opened = await open_question(live_session, teacher, enrolled_students[0])
    round_id = opened.round_id
    await opened.student_socket.request(answer_message(round_id, {"choice": opened.correct}))

    _projector, snapshot = await connect(teacher, live_session, "projector")

    assert snapshot["round"]["id"] == round_id
    assert "answer_key" not in snapshot["round"]["question"]
    assert snapshot["results"] == {"round_id": round_id, "answered": 1, "counts_only": True}
    assert "roster" not in snapshot and "questions" not in snapshot


async def test_with_live_results_on_the_projector_sees_the_choice_counts_while_the_question_is_open(
    live_session, teacher, enrolled_students
):
    question = await question_of_type(live_session, Question.Type.POLL)
    first_choice = (await choice_keys(question))[0]
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    projector, snapshot = await connect(teacher, live_session, "projector")
    assert snapshot["session"]["live_results"] is False
    student, _ = await connect(enrolled_students[0], live_session)
    round_id = await push(teacher_socket, question)
    await student.request(answer_message(round_id, {"choice": int(first_choice)}))
    assert "choice_counts" not in await results_with(projector, 1)

    await teacher_socket.send({"type": "session.update", "live_results": True})

    assert (await teacher_socket.receive_type("session.updated"))["session"]["live_results"] is True
    assert (await projector.receive_type("session.updated"))["session"]["live_results"] is True
    shown = (await projector.receive_type("results.updated"))["results"]
    assert shown["choice_counts"][first_choice] == 1
    _again, snapshot = await connect(teacher, live_session, "projector")
    assert snapshot["results"]["choice_counts"][first_choice] == 1

    await teacher_socket.send({"type": "session.update", "live_results": False})
    await projector.receive_type("session.updated")
    assert (await projector.receive_type("results.updated"))["results"]["counts_only"] is True


async def test_a_text_the_teacher_hides_leaves_the_projector_and_stays_hidden_after_a_reload(
    live_session, teacher, enrolled_students
):
    question = await question_of_type(live_session, Question.Type.TEXT)
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    projector, _ = await connect(teacher, live_session, "projector")
    first, second = [(await connect(student, live_session))[0] for student in enrolled_students[:2]]
    round_id = await push(teacher_socket, question)
    await first.request(answer_message(round_id, {"text": "Paris"}))
    await second.request(answer_message(round_id, {"text": "Something rude"}, "client-2"))
    await teacher_socket.send({"type": "round.close", "round_id": round_id})
    await projector.receive_type("round.closed")
    shown = (await projector.receive_type("results.updated"))["results"]
    assert sorted(group["text"] for group in shown["texts"]) == ["Paris", "Something rude"]

    await teacher_socket.send({"type": "round.hide_text", "round_id": round_id, "text": "something RUDE"})

    for_teacher = await results_where(teacher_socket, lambda results: any(g["hidden"] for g in results["texts"]))
    assert {group["text"]: group["hidden"] for group in for_teacher["texts"]} == {
        "Paris": False,
        "Something rude": True,
    }
    for_room = await results_where(projector, lambda results: len(results["texts"]) == 1)
    assert [group["text"] for group in for_room["texts"]] == ["Paris"]
    _reloaded, snapshot = await connect(teacher, live_session, "projector")
    assert [group["text"] for group in snapshot["results"]["texts"]] == ["Paris"]

    await teacher_socket.send({"type": "round.reveal", "round_id": round_id})
    revealed = await projector.receive_type("round.revealed")
    assert [group["text"] for group in revealed["results"]["texts"]] == ["Paris"]

    await teacher_socket.send(
        {"type": "round.hide_text", "round_id": round_id, "text": "Something rude", "hidden": False}
    )
    # An update the throttle scheduled while the text was hidden may come first; the one after it shows both.
    again = await results_where(projector, lambda results: len(results["texts"]) == 2)
    assert sorted(group["text"] for group in again["texts"]) == ["Paris", "Something rude"]


async def test_hiding_a_text_nobody_wrote_is_refused_with_not_found(live_session, teacher, enrolled_students):
    question = await question_of_type(live_session, Question.Type.TEXT)
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    round_id = await push(teacher_socket, question)

    reply = await teacher_socket.request({"type": "round.hide_text", "round_id": round_id, "text": "Nobody"})

    assert reply["type"] == "error"
    assert reply["code"] == "not_found"


async def test_only_free_text_answers_can_be_hidden(live_session, teacher):
    question = await question_of_type(live_session)
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    round_id = await push(teacher_socket, question)

    reply = await teacher_socket.request({"type": "round.hide_text", "round_id": round_id, "text": "Red"})

    assert (reply["type"], reply["code"]) == ("error", "not_found")


async def test_the_projector_sends_no_command(live_session, teacher):
    question = await question_of_type(live_session)
    projector, _ = await connect(teacher, live_session, "projector")

    for message in (
        {"type": "round.push", "question_id": question.pk},
        {"type": "session.end"},
        {"type": "session.update", "live_results": True},
    ):
        reply = await projector.request(message)
        assert (reply["type"], reply["code"]) == ("error", "forbidden")


async def test_a_student_may_not_open_the_projector_socket(live_session, enrolled_students):
    from tests.realtime.sockets import open_socket

    connected, _socket = await open_socket(enrolled_students[0], live_session, "projector")
    assert not connected


async def test_every_round_says_which_question_of_the_quiz_it_is(live_session, teacher, enrolled_students):
    question = await question_of_type(live_session, Question.Type.TRUE_FALSE)  # the third of every type
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    projector, _ = await connect(teacher, live_session, "projector")
    student, _ = await connect(enrolled_students[0], live_session)

    await push(teacher_socket, question)

    for socket, message_type in ((student, "question.pushed"), (projector, "round.opened")):
        round_ = (await socket.receive_type(message_type))["round"]
        assert (round_["question_number"], round_["question_count"]) == (3, len(Question.Type.values))
    _student, snapshot = await connect(enrolled_students[0], live_session)
    assert (snapshot["round"]["question_number"], snapshot["round"]["question_count"]) == (3, len(Question.Type.values))
