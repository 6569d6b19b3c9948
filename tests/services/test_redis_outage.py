"""Redis goes away during a live round and comes back: nothing is lost and nobody is left hanging.

The tests run their own redis-server on a free port and pairs of workers on it, sharing the test run's PostgreSQL.
The database is the source of truth: answers are stored and acknowledged without Redis; the teacher is told that
live updates are interrupted; when Redis is back every socket gets a fresh snapshot from the database on its own.
The measured seconds are printed (`pytest -s`) and recorded as test properties.
"""

import asyncio
import os
import signal
import time

import pytest

from realtime.hub import LAYER_TIMEOUT
from tests.services.harness import LiveClient, RedisServer, Worker, serving

# What an operator may expect (docs/operations.md): the hub sends a heartbeat every 0.5 s and gives up on one
# after 3 s, so an outage shows within about a second and recovery within a couple of seconds of Redis's return.
DETECT_WITHIN = 4.0
RECOVER_WITHIN = 6.0


@pytest.fixture(scope="module")
def private_redis(redis_server_binary, stack):
    server = RedisServer(stack.logs / "redis-private.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def redis_running(request):
    """Whatever a test did to the private Redis, the next one starts with it up."""
    yield
    if "private_redis" in request.fixturenames:
        server = request.getfixturevalue("private_redis")
        if server.process is not None and server.process.poll() is None:
            os.kill(server.process.pid, signal.SIGCONT)
        if not server.answers():
            server.stop()
            server.start()


def start_pair(stack, redis: RedisServer, layer: str):
    env = stack.environment(redis_url=redis.url, layer=layer)
    yield from serving(stack, [Worker(f"{layer}-{name}", env, stack.logs) for name in "DE"])


@pytest.fixture(scope="module")
def pubsub_pair(stack, private_redis):
    yield from start_pair(stack, private_redis, "pubsub")


@pytest.fixture(scope="module")
def core_pair(stack, private_redis):
    yield from start_pair(stack, private_redis, "core")


@pytest.fixture(params=["pubsub", "core"])
def outage(request, private_redis):
    return request.param, request.getfixturevalue(f"{request.param}_pair"), private_redis


async def open_class(stack, session_id, workers, count=4):
    """The teacher on the first worker; `count` students alternately on each worker."""
    teacher = await LiveClient.open(
        "teacher", worker=workers[0], session_id=session_id, role="teacher", cookie=stack.cookies["teacher"]
    )
    await teacher.receive_type("session.snapshot")
    students = []
    for index, student in enumerate(stack.students[:count]):
        client = await LiveClient.open(
            student["username"],
            worker=workers[index % len(workers)],
            session_id=session_id,
            role="student",
            cookie=stack.cookies[student["username"]],
        )
        await client.receive_type("session.snapshot")
        students.append(client)
    ids = sorted(student["id"] for student in stack.students[:count])
    await teacher.receive_type("presence.updated", where=lambda frame: frame["connected"] == ids, timeout=5)
    return teacher, students, ids


def answers_stored(stack, round_id: int) -> int:
    return stack.database.scalar("SELECT count(*) FROM classroom_answer WHERE round_id = %s", (round_id,))


async def test_answers_are_kept_through_a_redis_outage_and_live_updates_resume(stack, outage, record_property):
    layer, workers, redis = outage
    first, second = stack.seed["questions"][0], stack.seed["questions"][1]
    session_id = stack.take_session()
    teacher, students, ids = await open_class(stack, session_id, workers)
    logged_before = [worker.log_size() for worker in workers]
    try:
        await teacher.send({"type": "round.push", "question_id": first["id"]})
        round_id = (await teacher.receive_type("round.opened"))["round"]["id"]
        for client in students:
            await client.receive_type("question.pushed")
        before, during = students[::2], students[1::2]  # each half has a student on each worker
        for client in before:
            assert (await client.answer(round_id, first["correct"]))["type"] == "answer.accepted"
        await teacher.receive_type("results.updated", where=lambda frame: frame["results"]["answered"] == 2)

        stopped = time.monotonic()
        redis.stop()
        await teacher.receive_type("live.status", where=lambda frame: frame["state"] == "interrupted", timeout=8)
        detected = time.monotonic() - stopped

        # Without Redis: answers are stored and acknowledged, every socket still answers.
        for client in during:
            assert (await client.answer(round_id, first["wrong"]))["type"] == "answer.accepted"
        for client in [teacher, *students]:
            await client.ping()
        assert answers_stored(stack, round_id) == 4
        # A student on the second worker leaves while Redis is away.
        leaving = students.pop()
        assert leaving.port == workers[1].port
        await leaving.close()
        left_at = len(teacher.frames)

        restarted = time.monotonic()
        redis.start()
        await teacher.receive_type("live.status", where=lambda frame: frame["state"] == "live", timeout=10)
        recovered = time.monotonic() - restarted
        snapshot = await teacher.receive_type("session.snapshot")
        assert snapshot["results"]["answered"] == 4
        assert snapshot["results"]["answered_ids"] == ids
        for client in students:
            resumed = await client.receive_type("session.snapshot", timeout=10)
            assert resumed["round"]["id"] == round_id
            assert resumed["round"]["your_answer"]["client_id"] == f"{client.name}-{round_id}"
        students_resynced = time.monotonic() - restarted
        staying = sorted(set(ids) - {stack.students[3]["id"]})
        # Its worker reports the departure as soon as Redis is back, which may be before or after the resync (the
        # teacher's snapshot then carries it).
        await teacher.seen_or_receive(
            lambda frame: (
                (frame["type"] == "presence.updated" and frame["connected"] == staying)
                or (frame["type"] == "session.snapshot" and frame["presence"]["connected"] == staying)
            ),
            since=left_at,
            timeout=8,
            what="presence without the student who left",
        )

        # The student who left comes back through the other worker and finds their answer.
        returning = await LiveClient.open(
            leaving.name, worker=workers[0], session_id=session_id, role="student", cookie=stack.cookies[leaving.name]
        )
        resumed = (await returning.receive_type("session.snapshot"))["round"]
        assert resumed["your_answer"]["answer"] == {"choice": first["wrong"]}
        assert resumed["time_left_ms"] > 0
        students.append(returning)
        await teacher.receive_type("presence.updated", where=lambda frame: frame["connected"] == ids, timeout=8)

        # Live again across both workers: the reveal, the next push and its answers.
        await teacher.send({"type": "round.reveal", "round_id": round_id})
        revealed = await teacher.receive_type("round.revealed")
        assert revealed["results"]["answered"] == 4
        for client in students:
            await client.receive_type("round.revealed")
            await client.receive_type("score.updated")
        await teacher.send({"type": "round.push", "question_id": second["id"]})
        next_round = (await teacher.receive_type("round.opened"))["round"]["id"]
        for client in students:
            assert (await client.receive_type("question.pushed"))["round"]["id"] == next_round
        assert (await students[1].answer(next_round, second["correct"]))["type"] == "answer.accepted"
        await teacher.receive_type("results.updated", where=lambda frame: frame["results"]["answered"] == 1)
        for client in [teacher, *students]:
            await client.ping()
        assert answers_stored(stack, round_id) == 4
    finally:
        await asyncio.gather(teacher.close(), *(client.close() for client in students), return_exceptions=True)

    # Each worker says once that live updates stopped and once that they resumed: no traceback a second meanwhile.
    for worker, offset in zip(workers, logged_before, strict=True):
        log = worker.log_since(offset)
        assert "Traceback" not in log, f"{worker.name} logged a traceback:\n{log[-3000:]}"
        assert log.count("live updates interrupted") == 1, f"{worker.name}:\n{log[-3000:]}"
        assert log.count("live updates resumed") == 1, f"{worker.name}:\n{log[-3000:]}"
        warnings = [line for line in log.splitlines() if " WARNING " in line or " ERROR " in line]
        assert len(warnings) == 2, f"{worker.name} warned {len(warnings)} times: {warnings}"

    for name, seconds in (("detected", detected), ("recovered", recovered), ("students_resynced", students_resynced)):
        record_property(f"{layer}_{name}_seconds", round(seconds, 2))
    print(
        f"\n{layer}: outage shown to the teacher after {detected:.2f} s; live again {recovered:.2f} s after Redis "
        f"returned; every student resynced after {students_resynced:.2f} s"
    )
    assert detected < DETECT_WITHIN
    assert recovered < RECOVER_WITHIN


async def test_a_quick_redis_restart_is_noticed_and_every_socket_resyncs(stack, pubsub_pair, private_redis):
    """A restart too short for any send to fail still drops the pub/sub subscriptions for about a second, and
    the messages of that second. The numbered heartbeats notice; every socket gets a fresh snapshot."""
    workers = pubsub_pair
    question = stack.seed["questions"][0]
    teacher, students, _ids = await open_class(stack, stack.take_session(), workers)
    try:
        await teacher.send({"type": "round.push", "question_id": question["id"]})
        round_id = (await teacher.receive_type("round.opened"))["round"]["id"]
        for client in students:
            await client.receive_type("question.pushed")

        private_redis.stop()
        private_redis.start()
        restarted = time.monotonic()
        await teacher.receive_type("live.status", where=lambda frame: frame["state"] == "live", timeout=8)
        snapshot = await teacher.receive_type("session.snapshot")
        assert snapshot["round"]["id"] == round_id
        for client in students:
            assert (await client.receive_type("session.snapshot", timeout=8))["round"]["id"] == round_id
        resynced = time.monotonic() - restarted
        print(f"\nquick restart: every socket resynced {resynced:.2f} s after Redis returned")

        assert (await students[1].answer(round_id, question["correct"]))["type"] == "answer.accepted"
        await teacher.receive_type("results.updated", where=lambda frame: frame["results"]["answered"] == 1)
        await teacher.send({"type": "round.close", "round_id": round_id})
        for client in students:
            await client.receive_type("round.closed")
    finally:
        await asyncio.gather(teacher.close(), *(client.close() for client in students), return_exceptions=True)


async def test_a_frozen_redis_leaves_no_socket_hanging(stack, pubsub_pair, private_redis, record_property):
    """SIGSTOP: connections stay open and nothing answers, as with a network partition or a paused machine.
    Nothing is refused or reset, so only timeouts can tell; every wait on the layer is bounded."""
    workers = pubsub_pair
    question = stack.seed["questions"][0]
    teacher, students, _ids = await open_class(stack, stack.take_session(), workers)
    try:
        await teacher.send({"type": "round.push", "question_id": question["id"]})
        round_id = (await teacher.receive_type("round.opened"))["round"]["id"]
        for client in students:
            await client.receive_type("question.pushed")

        frozen = time.monotonic()
        os.kill(private_redis.process.pid, signal.SIGSTOP)
        await teacher.receive_type("live.status", where=lambda frame: frame["state"] == "interrupted", timeout=8)
        detected = time.monotonic() - frozen
        for client in students:
            assert (await client.answer(round_id, question["correct"]))["type"] == "answer.accepted"
        # A command is saved, and its broadcasts give up instead of holding the teacher's socket.
        await teacher.send({"type": "round.close", "round_id": round_id})
        refused = await teacher.receive_type("error", timeout=2 * LAYER_TIMEOUT + 3)
        assert refused["code"] == "live_interrupted"
        for client in [teacher, *students]:
            await client.ping()

        thawed = time.monotonic()
        os.kill(private_redis.process.pid, signal.SIGCONT)
        await teacher.receive_type("live.status", where=lambda frame: frame["state"] == "live", timeout=8)
        snapshot = await teacher.receive_type("session.snapshot")
        assert snapshot["results"]["answered"] == len(students)
        for client in students:
            resumed = await client.seen_or_receive(
                lambda frame: frame["type"] == "session.snapshot" and (frame["round"] or {}).get("state") == "closed",
                since=0,
                timeout=8,
                what="a snapshot with the round closed",
            )
            assert resumed["round"]["your_answer"]["answer"] == {"choice": question["correct"]}
        recovered = time.monotonic() - thawed
        assert answers_stored(stack, round_id) == len(students)
    finally:
        await asyncio.gather(teacher.close(), *(client.close() for client in students), return_exceptions=True)

    record_property("frozen_detected_seconds", round(detected, 2))
    record_property("frozen_recovered_seconds", round(recovered, 2))
    print(f"\nfrozen Redis: shown after {detected:.2f} s; every socket resynced {recovered:.2f} s after the thaw")
    assert detected < DETECT_WITHIN
    assert recovered < RECOVER_WITHIN
