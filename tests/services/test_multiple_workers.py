"""Two real workers sharing PostgreSQL and Redis: a class split across them behaves as one.

The teacher is on worker A, the students are split across A and B. Pushes reach every student, answers from both
workers reach the teacher's live results, presence counts students on both, and a student who reconnects to the
other worker resumes where they were.
"""

import asyncio

from tests.services.harness import LiveClient


async def open_class(stack, workers, session_id):
    """The teacher on A; students alternately on A and B. Returns (teacher, students, snapshots by name)."""
    teacher = await LiveClient.open(
        "teacher", worker=workers["A"], session_id=session_id, role="teacher", cookie=stack.cookies["teacher"]
    )
    teacher_snapshot = await teacher.receive_type("session.snapshot")
    assert teacher_snapshot["role"] == "teacher"
    students = []
    for index, student in enumerate(stack.students):
        worker = workers["A" if index % 2 == 0 else "B"]
        cookie = stack.cookies[student["username"]]
        students.append(await LiveClient.student(student, worker=worker, session_id=session_id, cookie=cookie))
    return teacher, students


def everyone_present(stack):
    ids = sorted(student["id"] for student in stack.students)
    return lambda frame: frame["type"] == "presence.updated" and frame["connected"] == ids


async def test_a_class_split_across_two_workers_behaves_as_one(stack, workers):
    session_id = stack.take_session()
    question, second_question = stack.seed["questions"][0], stack.seed["questions"][1]
    teacher, students = await open_class(stack, workers, session_id)
    assert {client.port for client in students} == {workers["A"].port, workers["B"].port}
    try:
        presence = await teacher.receive_until(everyone_present(stack), timeout=5, what="presence of all students")
        assert {s["name"] for s in presence["students"]} == {s["name"] for s in stack.students}

        await teacher.send({"type": "round.push", "question_id": question["id"]})
        opened = await teacher.receive_type("round.opened")
        round_id = opened["round"]["id"]
        pushed = await asyncio.gather(*(client.receive_type("question.pushed") for client in students))
        assert {frame["round"]["id"] for frame in pushed} == {round_id}

        # Everyone answers at once, half of them through worker B.
        choices = [question["correct"] if index % 3 else question["wrong"] for index in range(len(students))]
        acks = await asyncio.gather(
            *(client.answer(round_id, choice) for client, choice in zip(students, choices, strict=True))
        )
        assert [ack["type"] for ack in acks] == ["answer.accepted"] * len(students)

        all_ids = sorted(student["id"] for student in stack.students)
        results = await teacher.receive_type(
            "results.updated", where=lambda frame: frame["results"]["answered"] == len(students), timeout=5
        )
        assert results["results"]["answered_ids"] == all_ids
        counts = results["results"]["choice_counts"]
        assert counts[str(question["correct"])] == choices.count(question["correct"])
        assert counts[str(question["wrong"])] == choices.count(question["wrong"])
        stored = stack.database.scalar("SELECT count(*) FROM classroom_answer WHERE round_id = %s", (round_id,))
        assert stored == len(students)

        # A student on A and a student on B each reconnect to the other worker and resume.
        for moving in (students[0], students[1]):
            other = workers["B"] if moving.port == workers["A"].port else workers["A"]
            await moving.close()
            moved = await LiveClient.open(
                moving.name,
                worker=other,
                session_id=session_id,
                role="student",
                cookie=stack.cookies[moving.name],
            )
            snapshot = await moved.receive_type("session.snapshot")
            resumed = snapshot["round"]
            assert resumed["id"] == round_id
            assert resumed["question"]["id"] == question["id"]
            assert resumed["state"] == "open"
            assert 0 < resumed["time_left_ms"] <= 120_000
            choice = choices[students.index(moving)]
            assert resumed["your_answer"]["client_id"] == f"{moving.name}-{round_id}"
            assert resumed["your_answer"]["answer"] == {"choice": choice}
            # Answering again after the move is the same answer, not a second one.
            again = await moved.answer(round_id, choice)
            assert again["type"] == "answer.accepted"
            moved.student = moving.student
            students[students.index(moving)] = moved
        assert {client.port for client in students[:2]} == {workers["A"].port, workers["B"].port}
        await teacher.receive_until(everyone_present(stack), timeout=8, what="presence after the moves")

        # Reveal and the next push reach every student, wherever they are now.
        await teacher.send({"type": "round.reveal", "round_id": round_id})
        await teacher.receive_type("round.revealed")
        for client, choice in zip(students, choices, strict=True):
            await client.receive_type("round.revealed")
            score = await client.receive_type("score.updated")
            assert score["correct"] is (choice == question["correct"]), client.name
        await teacher.send({"type": "round.push", "question_id": second_question["id"]})
        second_round = (await teacher.receive_type("round.opened"))["round"]["id"]
        pushed = await asyncio.gather(*(client.receive_type("question.pushed") for client in students))
        assert {frame["round"]["id"] for frame in pushed} == {second_round}
        assert stack.database.scalar("SELECT count(*) FROM classroom_answer WHERE round_id = %s", (round_id,)) == len(
            students
        )
    finally:
        await asyncio.gather(teacher.close(), *(client.close() for client in students), return_exceptions=True)
