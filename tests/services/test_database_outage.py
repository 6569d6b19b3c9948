"""PostgreSQL restarts under idle workers, restarts during a live round, then stops for a few seconds: no answer
is lost and nobody is left hanging.

The test runs a PostgreSQL cluster of its own on a port of 15432-15439 (the rest of the suite keeps using the one
at 5432) and two workers on it, one with a connection pool and one without. Students are WebSocket clients that
resend an answer refused with `unavailable` as the student page does. While the database is down pages answer a
short 503 page and sockets stay open; once it answers again every worker serves pages within 2 s, and every answer
given meanwhile is stored exactly once without anyone clicking again. The measured seconds are printed
(`pytest -s`) and recorded as test properties.
"""

import asyncio
import re
import secrets
import time

import psycopg
import pytest

from tests.services.harness import (
    Database,
    LiveClient,
    PostgresCluster,
    Stack,
    Worker,
    load_page,
    postgres_bin,
    serving,
)

PRIVATE_POSTGRES_PORTS = range(15432, 15440)
# docs/operations.md, "Database outage": every worker serves again this soon after PostgreSQL answers.
SERVE_AGAIN_WITHIN = 2.0
OUTAGE_SECONDS = 4.0
SHORT_TIME_LIMIT = 3
POOL_SIZE = "4"


@pytest.fixture(scope="module")
def private_postgres(services):
    try:
        postgres_bin()
    except FileNotFoundError as error:
        pytest.skip(f"needs PostgreSQL's server programs to run a cluster of its own: {error}")
    cluster = PostgresCluster(PRIVATE_POSTGRES_PORTS)
    try:
        cluster.create()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="module")
def outage_stack(private_postgres, tmp_path_factory):
    database = Database("quizcast_outage", server=private_postgres.server_url)
    database.create()
    # The last question has a short time limit: its deadline passes while the database is down.
    stack = Stack.prepare(
        database,
        tmp_path_factory.mktemp("outage-logs"),
        sessions=2,
        static_files=True,
        seed_options=("--last-time-limit", str(SHORT_TIME_LIMIT)),
    )
    yield stack
    stack.stop_seeding()


@pytest.fixture(scope="module")
def outage_workers(outage_stack):
    """One worker with a pool of connections, one opening a connection per unit of work (CONN_MAX_AGE=0), on the
    shared Redis under a database number of their own."""
    redis_url = f"redis://127.0.0.1:6379/{2 + secrets.randbelow(13)}"
    pooled = Worker(
        "pooled",
        {**outage_stack.environment(redis_url=redis_url), "DATABASE_POOL_SIZE": POOL_SIZE},
        outage_stack.logs,
    )
    unpooled = Worker(
        "unpooled",
        {**outage_stack.environment(redis_url=redis_url), "DATABASE_POOL_SIZE": "0"},
        outage_stack.logs,
    )
    yield from serving(outage_stack, [pooled, unpooled])


async def load_pages(
    stack: Stack, workers: list[Worker], count_per_worker: int = 1
) -> list[tuple[int, dict, str, float]]:
    """A student's home page (it reads the session and the student's classes) on every worker at once,
    `count_per_worker` times each: (status, headers, text, seconds) per page."""
    students = stack.students

    def load(index: int, worker: Worker):
        started = time.monotonic()
        cookie = stack.cookies[students[index % len(students)]["username"]]
        status, headers, text = load_page(worker.port, "/me/", cookie=cookie)
        return status, headers, text, time.monotonic() - started

    return await asyncio.gather(
        *(asyncio.to_thread(load, index, worker) for worker in workers for index in range(count_per_worker))
    )


async def assert_first_pages_served(stack: Stack, workers: list[Worker], after: str) -> None:
    for worker, (status, _headers, text, seconds) in zip(workers, await load_pages(stack, workers), strict=True):
        assert status == 200, f"the first page load on {worker.name} after {after}: {status}\n{text[:500]}"
        assert seconds < SERVE_AGAIN_WITHIN, f"the first page load on {worker.name} after {after}: {seconds:.2f} s"


async def serving_again(stack: Stack, worker: Worker, since: float, give_up_after: float = 15) -> float:
    """Seconds from `since` until this worker's page loads answer 200."""
    while True:
        ((status, _headers, _text, _seconds),) = await load_pages(stack, [worker])
        if status == 200:
            return time.monotonic() - since
        assert time.monotonic() - since < give_up_after, f"worker {worker.name} still answers {status}"
        await asyncio.sleep(0.05)


def answers_of(stack: Stack, round_id: int) -> list[tuple[int, str]]:
    with psycopg.connect(stack.database.url, connect_timeout=5) as connection:
        rows = connection.execute(
            "SELECT student_id, client_id FROM classroom_answer WHERE round_id = %s ORDER BY student_id", (round_id,)
        ).fetchall()
    return [(student_id, client_id) for student_id, client_id in rows]


async def test_no_answer_is_lost_when_the_database_restarts_or_stops(
    outage_stack, outage_workers, private_postgres, record_property
):
    stack, workers, postgres = outage_stack, outage_workers, private_postgres
    pooled = workers[0]
    question, short_question = stack.seed["questions"][0], stack.seed["questions"][-1]

    # --- a restart under idle workers: the pooled one holds several idle connections, which it breaks all at once
    assert all(status == 200 for status, *_rest in await load_pages(stack, [pooled], count_per_worker=6))
    postgres.restart()
    await assert_first_pages_served(stack, workers, "a restart under idle workers")

    session_id = stack.take_session()
    teacher = await LiveClient.open(
        "teacher", worker=pooled, session_id=session_id, role="teacher", cookie=stack.cookies["teacher"]
    )
    await teacher.receive_type("session.snapshot")
    students = []
    for index, student in enumerate(stack.students):
        client = await LiveClient.open(
            student["username"],
            worker=workers[index % 2],
            session_id=session_id,
            role="student",
            cookie=stack.cookies[student["username"]],
        )
        await client.receive_type("session.snapshot")
        students.append(client)
    try:
        await teacher.send({"type": "round.push", "question_id": question["id"]})
        round_id = (await teacher.receive_type("round.opened"))["round"]["id"]
        for client in students:
            await client.receive_type("question.pushed")
        after_restart, during_stop = students[:2], students[2:]

        # --- a restart during the round: the first page load on every worker after it succeeds, and so do answers
        assert all(status == 200 for status, *_rest in await load_pages(stack, [pooled], count_per_worker=6))
        postgres.restart()
        restarted = time.monotonic()
        await assert_first_pages_served(stack, workers, "a restart during a round")
        for client in after_restart:
            reply, _sends = await client.answer_until_stored(round_id, question["correct"])
            assert reply["round_id"] == round_id
        restart_served = time.monotonic() - restarted

        # --- stopped just after a push: pages answer 503, sockets answer `unavailable` and stay open, clients keep
        # resending; the question's deadline passes meanwhile, but the answers arrived before it
        await teacher.send({"type": "round.push", "question_id": short_question["id"]})
        short_round_id = (await teacher.receive_type("round.opened"))["round"]["id"]
        for client in during_stop:
            await client.receive_type("question.pushed")
        postgres.stop()
        stopped = time.monotonic()
        resending = [
            asyncio.create_task(client.answer_until_stored(short_round_id, short_question["wrong"]))
            for client in during_stop
        ]
        down_loads = await load_pages(stack, workers)
        for worker, (status, headers, text, seconds) in zip(workers, down_loads, strict=True):
            assert status == 503, f"{worker.name} answered {status} without its database"
            assert headers["retry-after"].isdigit()
            assert headers["content-type"].startswith("text/html")
            assert "Back in a moment" in text and "Traceback" not in text
            # A pooled worker waits for a connection as long as its pool allows; neither hangs.
            assert seconds < 3 + 1.5, f"{worker.name} took {seconds:.2f} s to answer 503"
        refused = await teacher.request({"type": "results.refresh"}, timeout=8)
        assert refused["type"] == "error" and refused["code"] == "unavailable"
        for client in [teacher, *after_restart]:  # the others are busy resending, which shows their sockets answer
            await client.ping()
        await asyncio.sleep(max(0.0, max(OUTAGE_SECONDS, SHORT_TIME_LIMIT + 0.5) - (time.monotonic() - stopped)))
        assert not any(task.done() for task in resending), "an answer was acknowledged without its database"

        # --- back: every worker serves within 2 s, every answer given meanwhile is stored once, by itself
        postgres.start()
        back = time.monotonic()
        served = await asyncio.gather(*(serving_again(stack, worker, back) for worker in workers))
        stored = await asyncio.wait_for(asyncio.gather(*resending), timeout=30)
        all_stored = time.monotonic() - back
        for client, (reply, sends) in zip(during_stop, stored, strict=True):
            assert reply["client_id"] == f"{client.name}-{short_round_id}"
            assert sends > 1, f"{client.name} was never refused while the database was down"
        await teacher.receive_type(
            "results.updated", where=lambda frame: frame["results"]["answered"] == len(during_stop), timeout=10
        )
        for client in [teacher, *students]:
            await client.ping()
            assert client.connection.close_code is None, f"{client.name} was disconnected"
    finally:
        await asyncio.gather(teacher.close(), *(client.close() for client in students), return_exceptions=True)

    for answered, answered_round in ((stack.students[:2], round_id), (stack.students[2:], short_round_id)):
        assert answers_of(stack, answered_round) == sorted(
            (student["id"], f"{student['username']}-{answered_round}") for student in answered
        )
    for worker in workers:
        log = worker.log.read_text(errors="replace")
        assert "Traceback" not in log, f"{worker.name} logged a traceback:\n{worker.log_tail(60)}"
        went, came = len(re.findall("database unreachable", log)), len(re.findall("database reachable again", log))
        assert went == came >= 1, f"{worker.name}: {went} outage warnings, {came} recoveries:\n{worker.log_tail(60)}"

    for name, seconds in zip(("pooled", "unpooled"), served, strict=True):
        record_property(f"{name}_serving_again_seconds", round(seconds, 2))
    record_property("restart_answers_seconds", round(restart_served, 2))
    record_property("outage_answers_stored_seconds", round(all_stored, 2))
    print(
        f"\nrestart: pages and answers served {restart_served:.2f} s after it; stop of {OUTAGE_SECONDS:g} s: pages "
        f"again after {served[0]:.2f} s (pooled) and {served[1]:.2f} s (unpooled), every answer stored "
        f"{all_stored:.2f} s after PostgreSQL returned"
    )
    assert max(served) < SERVE_AGAIN_WITHIN
