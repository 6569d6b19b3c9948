"""One client that stops reading never holds up the room: on a real worker, 200 students keep getting every push on
time while a student whose phone went to sleep (a tiny receive window, never read) sits on the same worker; that
student is closed with 1013 once it has taken no data for the slow-reader limit, and leaves the presence list.

Loopback TCP absorbs some 2 MB for a client that does not read before the server's writes pause, so the sleeper
sits in a session of its own on the worker, with a few awake classmates, whose question is large (some 30 KB): its
pushes fill the sleeper's buffers within a minute without making the 200 parse megabytes. Every push of either
session goes through the same hub, which is what a stalled write used to hold up.
"""

import asyncio
import base64
import json
import os
import socket
import time

import pytest

from tests.processes import run_python
from tests.services.harness import LiveClient, Worker, start_workers

CROWD = 200
SLOW_READER_LIMIT = 3.0  # seconds; 10 by default (WEBSOCKET_SLOW_READER_LIMIT)
PUSHES = 100
AWAKE_IN_LARGE_SESSION = 5
ON_TIME = 3.0  # seconds from a push to its arrival at the last of the 200, on a busy two-core machine


@pytest.fixture(scope="module")
def crowd(stack):
    env = stack.environment(redis_url="")
    result = run_python("-m", "tests.services.crowd", "--students", str(CROWD + 1), env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def worker(stack, workers):
    """A worker of its own with a short slow-reader limit, on the shared workers' Redis and database."""
    redis_url = workers["A"].env["REDIS_URL"]
    env = {**stack.environment(redis_url=redis_url), "WEBSOCKET_SLOW_READER_LIMIT": str(SLOW_READER_LIMIT)}
    (started,) = start_workers([Worker("slow-reader", env, stack.logs)])
    yield started
    started.stop()


def open_sleeping_client(port: int, session_id: int, cookie: str) -> socket.socket:
    """A WebSocket client with a receive buffer of a few KiB that never reads a byte: a phone asleep."""
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    client.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    client.sendall(
        (
            f"GET /ws/sessions/{session_id}/student/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:{port}\r\nCookie: {cookie}\r\n\r\n"
        ).encode()
    )
    return client


async def open_students(worker, session_id: int, students: list[dict]) -> list[LiveClient]:
    clients = []
    for batch in range(0, len(students), 50):
        clients += await asyncio.gather(
            *(
                LiveClient.open(s["name"], worker=worker, session_id=session_id, role="student", cookie=s["cookie"])
                for s in students[batch : batch + 50]
            )
        )
    await asyncio.gather(*(client.receive_type("session.snapshot", timeout=30) for client in clients))
    return clients


async def push_and_time(teacher: LiveClient, question_id: int, students: list[LiveClient]) -> float:
    """Seconds from sending a push to its arrival at the last of `students`."""
    started = time.monotonic()
    await teacher.send({"type": "round.push", "question_id": question_id})
    round_id = (await teacher.receive_type("round.opened", timeout=15))["round"]["id"]
    await asyncio.gather(
        *(
            student.receive_type("question.pushed", where=lambda f: f["round"]["id"] == round_id, timeout=15)
            for student in students
        )
    )
    return time.monotonic() - started


async def test_a_client_that_stops_reading_holds_up_no_one_and_is_closed_with_1013(stack, crowd, worker):
    small, large = crowd["sessions"]["small"], crowd["sessions"]["large"]
    sleeper, *others = crowd["students"]
    teachers = {}
    crowd_clients: list[LiveClient] = []
    awake: list[LiveClient] = []
    sleeping = None
    try:
        for name, session in (("small", small), ("large", large)):
            teachers[name] = await LiveClient.open(
                f"teacher-{name}",
                worker=worker,
                session_id=session["id"],
                role="teacher",
                cookie=stack.cookies["teacher"],
            )
            await teachers[name].receive_type("session.snapshot")
        crowd_clients = await open_students(worker, small["id"], others)
        awake = await open_students(worker, large["id"], others[:AWAKE_IN_LARGE_SESSION])
        sleeping = open_sleeping_client(worker.port, large["id"], sleeper["cookie"])
        in_large = sorted(s["id"] for s in [sleeper, *others[:AWAKE_IN_LARGE_SESSION]])
        await teachers["large"].receive_type("presence.updated", where=lambda f: f["connected"] == in_large)

        since = len(teachers["large"].frames)
        small_delays, large_delays = [], []
        for _push in range(PUSHES):
            large_delays.append(await push_and_time(teachers["large"], large["question"], awake))
            small_delays.append(await push_and_time(teachers["small"], small["question"], crowd_clients))
        assert max(small_delays) < ON_TIME, f"pushes to the 200 took up to {max(small_delays):.2f} s: {small_delays}"
        assert max(large_delays) < ON_TIME, f"the sleeper's classmates waited up to {max(large_delays):.2f} s"

        # Some 3 MB of pushes have filled the sleeper's window and the server's buffers by now: it is given up after
        # the limit (during the pushes, or soon after), and leaves the presence list.
        still_here = sorted(s["id"] for s in others[:AWAKE_IN_LARGE_SESSION])
        await teachers["large"].seen_or_receive(
            lambda f: f["type"] == "presence.updated" and f["connected"] == still_here,
            since=since,
            timeout=SLOW_READER_LIMIT + 10,
            what="presence without the sleeper",
        )
        # The close code itself (1013, queued behind the unread frames, the connection cut 5 s later) is checked on
        # a client that wakes up in time, in tests/realtime/test_direct_send.py; here the worker says why it closed.
        assert "closing a student socket with 1013: the client stopped reading" in worker.log.read_text()
        for client in [*crowd_clients[:5], *awake]:
            await client.ping()
    finally:
        if sleeping is not None:
            sleeping.close()
        clients = [*teachers.values(), *crowd_clients, *awake]
        await asyncio.gather(*(client.close() for client in clients), return_exceptions=True)
