"""After more than 30 s of silence, a push still arrives: on the pub/sub layer and on the core layer.

redis-py 8's default 5 s socket timeout crashed idle consumers of the core layer (docs/operations.md); redis-py
health-checks a connection idle for 30 s before reusing it. Both layers idle side by side, so the test costs one
idle period, not two.
"""

import asyncio

from tests.services.harness import LiveClient

IDLE_SECONDS = 31


async def idle_then_push(stack, *, session_id, question, teacher_worker, student_workers, students) -> float:
    teacher = await LiveClient.open(
        "teacher", worker=teacher_worker, session_id=session_id, role="teacher", cookie=stack.cookies["teacher"]
    )
    clients = []
    try:
        await teacher.receive_type("session.snapshot")
        for student, worker in zip(students, student_workers, strict=True):
            cookie = stack.cookies[student["username"]]
            clients.append(await LiveClient.student(student, worker=worker, session_id=session_id, cookie=cookie))
        ids = sorted(student["id"] for student in students)
        await teacher.receive_type("presence.updated", where=lambda frame: frame["connected"] == ids)

        await asyncio.sleep(IDLE_SECONDS)

        started = asyncio.get_running_loop().time()
        await teacher.send({"type": "round.push", "question_id": question["id"]})
        round_id = (await teacher.receive_type("round.opened"))["round"]["id"]
        for client in clients:
            assert (await client.receive_type("question.pushed"))["round"]["id"] == round_id
        delivered = asyncio.get_running_loop().time() - started
        for client in clients:
            assert (await client.answer(round_id, question["correct"]))["type"] == "answer.accepted"
        results = await teacher.receive_type(
            "results.updated", where=lambda frame: frame["results"]["answered"] == len(clients)
        )
        assert results["results"]["answered_ids"] == ids
        for client in [teacher, *clients]:
            await client.ping()
        return delivered
    finally:
        await asyncio.gather(teacher.close(), *(client.close() for client in clients), return_exceptions=True)


async def test_a_push_after_a_long_idle_period_arrives_on_both_layers(stack, workers):
    question = stack.seed["questions"][0]
    students = stack.students
    pubsub, core = await asyncio.gather(
        idle_then_push(
            stack,
            session_id=stack.take_session(),
            question=question,
            teacher_worker=workers["A"],
            student_workers=[workers["A"], workers["B"]],
            students=students[:2],
        ),
        idle_then_push(
            stack,
            session_id=stack.take_session(),
            question=question,
            teacher_worker=workers["C"],
            student_workers=[workers["C"], workers["C"]],
            students=students[2:4],
        ),
    )
    assert pubsub < 2 and core < 2, f"push took {pubsub:.2f} s on pub/sub, {core:.2f} s on core"
