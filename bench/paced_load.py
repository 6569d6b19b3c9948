"""N students working through a student-paced quiz at once, each answering every `--interval` seconds.

    python -m bench.paced_load --students 1000 --questions 10 --interval 2

A fresh PostgreSQL database and a private Redis, the app's own setup (bench.setup_data --pacing student), guests
joining over HTTP, then one Quizcast worker (uvicorn), N student sockets and the teacher's (watching the grid)
from this process. Each student asks for a question (`paced.next`), answers it `--interval` seconds after their
previous answer (first answers spread over the first interval), waits for `answer.accepted` (the acknowledgement
time measured) and `paced.result`, and asks for the next (the time from `paced.next` to the question measured
too), until `paced.finished`. At the end the database must hold exactly N x questions answers.
Prints the figures, with the load average, as JSON, and writes them to bench/results/<date>-paced.json.
"""

import argparse
import asyncio
import datetime
import json
import os
import random
import statistics
import time

from bench import servers
from bench.run import raise_open_files, sign_everyone_in
from bench.scenario import start_profiler, stop_profiler
from bench.wsclient import open_socket

RESULTS = servers.ROOT / "bench" / "results"


class Student:
    """One student's socket and the frames it waits for."""

    def __init__(self):
        self.frames: asyncio.Queue = asyncio.Queue()
        self.socket = None
        self.acks: list[float] = []
        self.steps: list[float] = []  # from paced.next to the next question
        self.errors: list[str] = []

    def on_text(self, _socket, payload: bytes, now: float) -> None:
        self.frames.put_nowait((json.loads(payload), now))

    async def expect(self, *types: str, timeout: float = 30.0) -> tuple[dict, float]:
        while True:
            frame, now = await asyncio.wait_for(self.frames.get(), timeout)
            if frame["type"] in types:
                return frame, now
            if frame["type"] == "error":
                self.errors.append(frame["code"])
                return frame, now

    def send(self, message: dict) -> float:
        self.socket.send_text(json.dumps(message))
        return time.perf_counter()


async def work_through(student: Student, index: int, interval: float) -> None:
    student.send({"type": "paced.next", "ref": "n0"})
    frame, _now = await student.expect("paced.question", "paced.finished")
    next_answer = time.perf_counter() + random.uniform(0, interval)  # first answers spread over one interval
    step = 0
    while frame["type"] == "paced.question":
        await asyncio.sleep(max(0.0, next_answer - time.perf_counter()))
        next_answer += interval
        choices = frame["question"]["choices"]
        sent = student.send(
            {
                "type": "answer.submit",
                "round_id": frame["round_id"],
                "client_id": f"s{index}-q{step}",
                "answer": {"choice": choices[(index + step) % len(choices)]["id"]},
                "ref": f"a{step}",
            }
        )
        ack, received = await student.expect("answer.accepted")
        if ack["type"] == "answer.accepted":
            student.acks.append(received - sent)
        await student.expect("paced.result")
        step += 1
        asked = student.send({"type": "paced.next", "ref": f"n{step}"})
        frame, received = await student.expect("paced.question", "paced.finished")
        if frame["type"] == "paced.question":
            student.steps.append(received - asked)


def percentiles_ms(times: list[float]) -> dict:
    """p50, p95, p99 and the worst of these sorted times (seconds), in milliseconds."""
    if not times:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    return {
        "p50": round(statistics.median(times) * 1000, 1),
        "p95": round(times[int(len(times) * 0.95)] * 1000, 1),
        "p99": round(times[int(len(times) * 0.99)] * 1000, 1),
        "max": round(times[-1] * 1000, 1),
    }


def count_answers(database: servers.Database, session_id: int) -> int:
    import psycopg

    with psycopg.connect(database.url.replace("postgres://", "postgresql://")) as connection:
        query = (
            "SELECT COUNT(*) FROM classroom_answer a JOIN classroom_round r ON r.id = a.round_id"
            " WHERE r.session_id = %s"
        )
        return connection.execute(query, (session_id,)).fetchone()[0]


async def main_async(args) -> dict:
    raise_open_files()
    database = servers.fresh_database("postgresql")
    stack = servers.Stack()
    load_before = os.getloadavg()
    try:
        redis_url = await servers.start_redis(stack, cpus=None)
        env = servers.quizcast_env(database=database, redis_url=redis_url, server="uvicorn")
        env["JOIN_RATE_LIMIT"] = f"{args.students * 2}/60"  # every guest joins from this one address
        setup = servers.prepare_app(env, ("--pacing", "student", "--questions", str(args.questions)))
        signin = servers.Stack()
        with servers.fast_commits(database):
            try:
                workers = await servers.start_quizcast(signin, env=env, workers=2, cpus=None, label="sign-in")
                people = await sign_everyone_in(
                    [f"http://127.0.0.1:{w.port}" for w in workers], setup, max(0, args.students - 5)
                )
            finally:
                signin.stop()
        [worker] = await servers.start_quizcast(stack, env=env, workers=1, cpus=None, label="paced")
        students = [Student() for _ in range(args.students)]
        cookies = [browser.header() for browser in people["students"]][: args.students]
        limit = asyncio.Semaphore(64)

        async def connect(index: int) -> None:
            async with limit:
                student = students[index]
                student.socket = await open_socket(
                    host="127.0.0.1",
                    port=worker.port,
                    path=f"/ws/sessions/{setup['session_id']}/student/",
                    origin=f"http://127.0.0.1:{worker.port}",
                    cookie=cookies[index],
                    on_text=student.on_text,
                    index=index,
                    timeout=60,
                )
                await student.expect("session.snapshot", timeout=60)

        started = time.perf_counter()
        await asyncio.gather(*(connect(index) for index in range(args.students)))
        connect_s = time.perf_counter() - started
        # The teacher watches the grid meanwhile, as in class: its deltas are computed and sent as they would be.
        teacher = Student()
        teacher.socket = await open_socket(
            host="127.0.0.1",
            port=worker.port,
            path=f"/ws/sessions/{setup['session_id']}/teacher/",
            origin=f"http://127.0.0.1:{worker.port}",
            cookie=people["teacher"].header(),
            on_text=teacher.on_text,
            index=args.students,
            timeout=60,
        )
        await teacher.expect("session.snapshot", timeout=60)
        load_start = os.getloadavg()
        profiler = start_profiler(worker.pid, f"quizcast-{args.students}", "paced")
        started = time.perf_counter()
        outcomes = await asyncio.gather(
            *(work_through(student, index, args.interval) for index, student in enumerate(students)),
            return_exceptions=True,
        )
        work_s = time.perf_counter() - started
        stop_profiler(profiler)
        load_end = os.getloadavg()
        for student in [*students, teacher]:
            student.socket.close()
        grid_deltas = sum(1 for frame, _at in teacher.frames._queue if frame["type"] == "grid.delta")
        acks = sorted(ack for student in students for ack in student.acks)
        steps = sorted(step for student in students for step in student.steps)
        stored = count_answers(database, setup["session_id"])
        expected = args.students * args.questions
        return {
            "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "students": args.students,
            "questions": args.questions,
            "interval_s": args.interval,
            "connect_s": round(connect_s, 2),
            "work_s": round(work_s, 2),
            "acks": len(acks),
            "expected_answers": expected,
            "stored_answers": stored,
            "lost": expected - stored,
            "errors": sorted({code for student in students for code in student.errors}),
            "failures": sum(1 for outcome in outcomes if isinstance(outcome, BaseException)),
            "ack_ms": percentiles_ms(acks),
            "next_question_ms": percentiles_ms(steps),
            "answers_per_s": round(len(acks) / work_s, 1) if work_s else None,
            "grid_deltas_to_the_teacher": grid_deltas,
            "server_cpu_s": round(worker.cpu_s(), 1),
            "cpu_count": os.cpu_count(),
            "load_average": {
                "before": [round(v, 2) for v in load_before],
                "start": [round(v, 2) for v in load_start],
                "end": [round(v, 2) for v in load_end],
            },
        }
    finally:
        stack.stop()
        servers.drop_database(database)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--output", help="where to write the JSON (default bench/results/<date>-paced.json)")
    args = parser.parse_args(argv)
    result = asyncio.run(main_async(args))
    output = servers.Path(args.output) if args.output else RESULTS / f"{datetime.date.today().isoformat()}-paced.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
