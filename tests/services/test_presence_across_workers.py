"""Presence across two real workers: a teacher's snapshot already lists the students of every worker, and a student
whose connection drops on the other worker leaves the list within two seconds."""

import asyncio
import time

from tests.services.harness import LiveClient


async def test_presence_covers_every_worker_at_once_and_a_dropped_socket_leaves_it(stack, workers):
    session_id = stack.take_session()
    students = []
    try:
        for index, student in enumerate(stack.students):
            worker = workers["A" if index % 2 == 0 else "B"]
            cookie = stack.cookies[student["username"]]
            students.append(await LiveClient.student(student, worker=worker, session_id=session_id, cookie=cookie))
        # Let both workers' hubs take the students in (their own bookkeeping, not a report to anyone yet).
        for client in students:
            await client.ping()

        teacher = await LiveClient.open(
            "teacher", worker=workers["A"], session_id=session_id, role="teacher", cookie=stack.cookies["teacher"]
        )
        students.append(teacher)
        snapshot = await teacher.receive_type("session.snapshot")
        everyone = sorted(student["id"] for student in stack.students)
        assert snapshot["presence"]["connected"] == everyone
        assert snapshot["presence"]["complete"] is True

        # A student on B: the connection drops without a close frame (a phone losing its network).
        dropped = students[1]
        assert dropped.port == workers["B"].port
        started = time.monotonic()
        dropped.connection.transport.abort()
        remaining = sorted(set(everyone) - {stack.students[1]["id"]})
        await teacher.receive_type("presence.updated", where=lambda frame: frame["connected"] == remaining, timeout=5)
        assert time.monotonic() - started < 2.0

        # A frame Python's parser would choke on, sent to B: the socket answers and stays open.
        survivor = students[3]
        assert survivor.port == workers["B"].port
        await survivor.connection.send("[" * 3000)
        refused = await survivor.receive_type("error")
        assert refused["code"] == "invalid_message"
        await survivor.ping()
    finally:
        await asyncio.gather(*(client.close() for client in students), return_exceptions=True)
