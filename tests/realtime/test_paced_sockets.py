"""Student-paced sessions over real sockets: one question at a time, results with the key only once allowed,
resuming on another device, the teacher's grid, the closing time and its extension."""

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from classroom import services
from classroom.models import LiveSession, PacedAttempt
from realtime.runtime import running_runtime, stop_current_runtime
from tests.realtime.sockets import connect

pytestmark = [pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def start_paced(classroom, quiz, teacher, **options):
    return services.session_start(
        classroom=classroom, quiz=quiz, started_by=teacher, pacing=LiveSession.Pacing.STUDENT, **options
    )


@database_sync_to_async
def correct_choice(round_id: int) -> int:
    from classroom.models import Round

    return Round.objects.get(pk=round_id).question.choices.get(is_correct=True).pk


@database_sync_to_async
def expire_attempt(round_id: int, student) -> None:
    PacedAttempt.objects.filter(round_id=round_id, student=student).update(deadline=timezone.now())


@database_sync_to_async
def time_limit_the_first_question(quiz, *, seconds: int) -> None:
    quiz.questions.filter(pk=quiz.questions.order_by("order").values("pk")[:1]).update(time_limit=seconds)


async def answer(socket, round_id: int, choice: int, client_id: str = "c1") -> dict:
    return await socket.request(
        {"type": "answer.submit", "round_id": round_id, "client_id": client_id, "answer": {"choice": choice}}
    )


async def test_a_student_gets_one_question_at_a_time_and_the_key_only_after_answering(
    classroom, quiz, teacher, enrolled_students
):
    session = await start_paced(classroom, quiz, teacher)
    socket, snapshot = await connect(enrolled_students[0], session)
    assert snapshot["session"]["pacing"] == "student"
    assert snapshot["round"] is None
    assert snapshot["paced"]["question"] is None
    assert snapshot["paced"]["count"] == await database_sync_to_async(quiz.questions.count)()

    first = await socket.request({"type": "paced.next"})
    assert first["type"] == "paced.question"
    assert first["position"] == 1
    assert "answer_key" not in first["question"]
    assert all("is_correct" not in choice for choice in first["question"]["choices"])
    assert 0 < first["time_left_ms"] <= 30_000

    again = await socket.request({"type": "paced.next"})
    assert (again["round_id"], again["deadline"]) == (first["round_id"], first["deadline"])

    choice = await correct_choice(first["round_id"])
    ack = await answer(socket, first["round_id"], choice)
    assert ack["type"] == "answer.accepted"
    result = await socket.receive_type("paced.result")
    assert (result["answered"], result["correct"], result["points"]) == (True, True, 100)
    assert result["answer_key"]["correct_choices"] == [choice]

    second = await socket.request({"type": "paced.next"})
    assert second["position"] == 2
    await socket.close()


async def test_a_question_not_reached_is_refused_and_its_key_never_sent(classroom, quiz, teacher, enrolled_students):
    session = await start_paced(classroom, quiz, teacher)
    socket, _snapshot = await connect(enrolled_students[0], session)
    first = await socket.request({"type": "paced.next"})

    refused = await answer(socket, first["round_id"] + 1, 1)

    assert (refused["type"], refused["code"]) == ("error", "not_found")
    assert all(frame.get("answer_key") is None for frame in socket.frames if frame["type"] != "paced.question")
    await socket.close()


async def test_a_timed_out_question_is_refused_then_its_result_comes_before_the_next(
    classroom, quiz, teacher, enrolled_students
):
    student = enrolled_students[0]
    session = await start_paced(classroom, quiz, teacher)
    socket, _snapshot = await connect(student, session)
    first = await socket.request({"type": "paced.next"})
    await expire_attempt(first["round_id"], student)

    late = await answer(socket, first["round_id"], await correct_choice(first["round_id"]))
    assert late["code"] == "round_closed"

    await socket.send({"type": "paced.next", "ref": "after-timeout"})
    result = await socket.receive()
    following = await socket.receive()
    assert (result["type"], result["round_id"], result["timed_out"], result["answered"]) == (
        "paced.result",
        first["round_id"],
        True,
        False,
    )
    assert result["answer_key"] is not None
    assert (following["type"], following["position"]) == ("paced.question", 2)
    await socket.close()


async def test_another_device_resumes_at_the_same_question_with_the_time_left(
    classroom, quiz, teacher, enrolled_students
):
    student = enrolled_students[0]
    session = await start_paced(classroom, quiz, teacher)
    phone, _snapshot = await connect(student, session)
    first = await phone.request({"type": "paced.next"})
    await phone.close()

    laptop, snapshot = await connect(student, session)

    current = snapshot["paced"]["question"]
    assert (current["round_id"], current["deadline"]) == (first["round_id"], first["deadline"])
    assert current["time_left_ms"] <= first["time_left_ms"]
    assert snapshot["paced"]["result"] is None
    await laptop.close()


async def test_the_teacher_sees_the_grid_change_as_students_answer(classroom, quiz, teacher, enrolled_students):
    session = await start_paced(classroom, quiz, teacher)
    teacher_socket, teacher_snapshot = await connect(teacher, session, "teacher")
    assert set(teacher_snapshot["grid"]["students"][0]["cells"]) == {"."}
    socket, _snapshot = await connect(enrolled_students[0], session)
    first = await socket.request({"type": "paced.next"})
    await answer(socket, first["round_id"], await correct_choice(first["round_id"]))

    while True:
        grid = (await teacher_socket.receive_type("grid.delta"))["grid"]
        row = next(s for s in grid["students"] if s["id"] == enrolled_students[0].pk)
        if row["cells"].startswith("r"):
            break
    assert (row["done"], row["points"]) == (1, 100)
    assert grid["questions"][0]["accuracy"] == 1.0
    assert grid["questions"][0]["answered"] == 1
    await socket.close()
    await teacher_socket.close()


async def test_a_grid_delta_carries_only_the_rows_that_changed(classroom, quiz, teacher, enrolled_students):
    session = await start_paced(classroom, quiz, teacher)
    teacher_socket, snapshot = await connect(teacher, session, "teacher")
    assert {row["id"] for row in snapshot["grid"]["students"]} == {s.pk for s in enrolled_students}
    socket, _snapshot = await connect(enrolled_students[1], session)

    await socket.request({"type": "paced.next"})

    delta = (await teacher_socket.receive_type("grid.delta"))["grid"]
    assert [row["id"] for row in delta["students"]] == [enrolled_students[1].pk]
    [row] = delta["students"]
    assert (row["cells"][0], row["done"], row["v"]) == ("o", 0, 1)
    assert delta["version"] > snapshot["grid"]["version"]
    assert len(delta["questions"]) == len(snapshot["grid"]["questions"])
    await socket.close()
    await teacher_socket.close()


async def test_a_question_that_times_out_shows_on_the_grid_without_the_student_asking(
    classroom, quiz, teacher, enrolled_students
):
    await time_limit_the_first_question(quiz, seconds=5)
    session = await start_paced(classroom, quiz, teacher)
    teacher_socket, _snapshot = await connect(teacher, session, "teacher")
    socket, _snapshot = await connect(enrolled_students[0], session)

    await socket.request({"type": "paced.next"})

    cells = []
    while not cells or cells[-1] != "x":
        delta = (await teacher_socket.receive_type("grid.delta", timeout=8))["grid"]
        cells.append(delta["students"][0]["cells"][0])
    assert cells[0] == "o"
    await socket.close()
    await teacher_socket.close()


async def test_a_question_timing_out_after_the_worker_stopped_starts_nothing_again(
    classroom, quiz, teacher, enrolled_students
):
    await time_limit_the_first_question(quiz, seconds=1)
    session = await start_paced(classroom, quiz, teacher)
    socket, _snapshot = await connect(enrolled_students[0], session)
    await socket.request({"type": "paced.next"})
    await socket.close()
    await stop_current_runtime()

    await asyncio.sleep(1.2)  # past the question's time limit, when the grid would be told it timed out

    assert running_runtime() is None


async def test_the_projector_shows_progress_without_names_until_the_teacher_allows_them(
    classroom, quiz, teacher, enrolled_students
):
    session = await start_paced(classroom, quiz, teacher)
    projector, snapshot = await connect(teacher, session, "projector")
    teacher_socket, _snapshot = await connect(teacher, session, "teacher")
    assert snapshot["leaderboard"] == []
    assert snapshot["session"]["projector_names"] is False
    assert all(set(row) == {"id", "done", "v"} for row in snapshot["grid"]["students"])
    assert all(set(question) == {"number", "answered"} for question in snapshot["grid"]["questions"])
    socket, _snapshot = await connect(enrolled_students[0], session)
    first = await socket.request({"type": "paced.next"})
    await answer(socket, first["round_id"], await correct_choice(first["round_id"]))

    delta = (await projector.receive_type("grid.delta"))["grid"]
    assert "name" not in delta["students"][0] and "cells" not in delta["students"][0]

    await teacher_socket.send({"type": "paced.projector_names", "names": True})

    grid = (await projector.receive_type("grid.updated"))["grid"]
    names = {row["id"]: row.get("name") for row in grid["students"]}
    assert names[enrolled_students[0].pk] == enrolled_students[0].name
    [updated] = [frame for frame in projector.frames if frame["type"] == "session.updated"]
    assert updated["session"]["projector_names"] is True
    await socket.close()
    await teacher_socket.close()
    await projector.close()


async def test_the_teacher_extends_the_closing_time_and_everyone_hears_of_it(
    classroom, quiz, teacher, enrolled_students
):
    session = await start_paced(classroom, quiz, teacher, closes_at=timezone.now() + timedelta(hours=1))
    teacher_socket, _snapshot = await connect(teacher, session, "teacher")
    socket, _snapshot = await connect(enrolled_students[0], session)
    later = (timezone.now() + timedelta(days=2)).isoformat()

    await teacher_socket.send({"type": "session.extend", "closes_at": later})

    for receiver in (teacher_socket, socket):
        updated = await receiver.receive_type("session.updated")
        assert updated["session"]["closes_at"] == later
    refused = await teacher_socket.request({"type": "session.extend", "closes_at": "next friday"})
    assert refused["code"] == "invalid_closing_time"
    await socket.close()
    await teacher_socket.close()


async def test_the_teacher_closes_the_session_early_and_the_student_is_finished(
    classroom, quiz, teacher, enrolled_students
):
    session = await start_paced(classroom, quiz, teacher)
    teacher_socket, _snapshot = await connect(teacher, session, "teacher")
    socket, _snapshot = await connect(enrolled_students[0], session)
    await socket.request({"type": "paced.next"})

    await teacher_socket.send({"type": "session.end"})
    await socket.receive_type("session.ended")

    refused = await socket.request({"type": "paced.next"})
    assert refused["code"] == "session_ended"
    await socket.close()
    _socket, snapshot = await connect(enrolled_students[0], session)
    assert snapshot["paced"]["finished"] is True
    await _socket.close()
    await teacher_socket.close()


async def test_teacher_paced_commands_are_refused_in_a_student_paced_session(
    classroom, quiz, teacher, enrolled_students
):
    session = await start_paced(classroom, quiz, teacher)
    teacher_socket, snapshot = await connect(teacher, session, "teacher")

    refused = await teacher_socket.request({"type": "round.push", "question_id": snapshot["questions"][0]["id"]})

    assert refused["code"] == "student_paced"
    await teacher_socket.close()


async def test_paced_next_in_a_teacher_paced_session_is_refused(live_session, enrolled_students):
    socket, _snapshot = await connect(enrolled_students[0], live_session)

    refused = await socket.request({"type": "paced.next"})

    assert refused["code"] == "not_student_paced"
    await socket.close()
