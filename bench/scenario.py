"""One measured scenario against one server: connect N students and a teacher, push, answer all at once.

Every socket lives in this one process, so every time is read from one clock (`time.perf_counter`): a push is timed
from the moment the teacher's frame is written to the moment the last of the N students has received the question.
"""

import asyncio
import gc
import json
import os
import statistics
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from bench.servers import Database, Process
from bench.wsclient import OP_TEXT, WebSocket, mask_frame, open_socket

CONNECT_CONCURRENCY = 50
PUSH_TIMEOUT = 30.0
FAN_IN_TIMEOUT = 60.0
PUSH_GAP = 0.1  # seconds of quiet between pushes, so each push starts from an idle server
# Each run times this many bursts of N answers, each to a question of its own, and reports the median burst: one
# burst is a single number, and on a shared machine one slow burst swung a run's ratio by half.
ANSWER_BURSTS = 3
BURST_GAP = 1.0  # seconds of quiet before each further burst's question: the last burst's results are out


@dataclass
class Target:
    """A server to measure, and how to speak to it."""

    name: str
    dialect: str  # "json": one JSON object per frame (Quizcast and two peers); "socketio": Engine.IO v4 packets
    processes: list[Process]
    student_path: str
    teacher_path: str
    question_ids: list[int]
    database: Database | None = None
    student_cookies: list[str] = field(default_factory=list)
    teacher_cookie: str | None = None

    @property
    def ports(self) -> list[int]:
        return [process.port for process in self.processes if process.port]

    def rss_kib(self) -> int:
        return sum(process.rss_kib() for process in self.processes)

    def cpu_s(self) -> float:
        return sum(process.cpu_s() for process in self.processes)


class StudentRecord:
    __slots__ = ("acks", "errors", "others", "push_seen", "questions", "snapshot")

    def __init__(self):
        self.snapshot: bytes | None = None
        self.questions: list[bytes] = []
        self.acks: list[bytes] = []
        self.errors: list[bytes] = []
        self.push_seen = -1
        self.others = 0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = share * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


class Load:
    def __init__(self, target: Target, n: int):
        self.target = target
        self.n = n
        self.socketio = target.dialect == "socketio"
        self.students: list[WebSocket] = []
        self.teacher: WebSocket | None = None
        # connecting
        self.connected = 0
        self.all_connected = asyncio.Event()
        # pushes
        self.push_index = 0
        self.push_count = 0
        self.push_last = 0.0
        self.push_done = asyncio.Event()
        # answers
        self.ack_count = 0
        self.error_count = 0
        self.ack_last = 0.0
        self.acks_done = asyncio.Event()
        self.fan_in_round: int | None = None
        self.results_at: float | None = None
        self.results_best = 0
        self.results_done = asyncio.Event()
        # teacher
        self.teacher_ready = asyncio.Event()
        self.teacher_types: Counter = Counter()
        self.teacher_errors: list[dict] = []
        self.rounds: list[int] = []
        self.round_opened = asyncio.Event()

    # --- the wire format --------------------------------------------------------------------------------------
    def encode(self, message: dict) -> bytes:
        text = json.dumps(message, separators=(",", ":"))
        if self.socketio:
            text = f'42["message",{text}]'
        return text.encode()

    def decode(self, payload: bytes) -> dict | None:
        if self.socketio:
            if not payload.startswith(b"42"):
                return None
            event = json.loads(payload[2:])
            return event[1] if len(event) > 1 and isinstance(event[1], dict) else None
        return json.loads(payload)

    def _engine_io(self, socket: WebSocket, payload: bytes) -> bool:
        """Engine.IO's own packets: open (answer with a namespace connect) and ping (answer with pong)."""
        if payload[:1] == b"0":
            socket.send_text(b"40")
            return True
        if payload == b"2":
            socket.send_text(b"3")
            return True
        return payload[:2] in (b"40", b"41", b"44")

    # --- receiving --------------------------------------------------------------------------------------------
    def on_student_text(self, socket: WebSocket, payload: bytes, now: float) -> None:
        record: StudentRecord = socket.user
        if b'"question.pushed"' in payload:
            record.questions.append(payload)
            if record.push_seen != self.push_index:
                record.push_seen = self.push_index
                self.push_count += 1
                if self.push_count >= self.n:
                    self.push_last = now
                    self.push_done.set()
        elif b'"answer.accepted"' in payload:
            record.acks.append(payload)
            self.ack_count += 1
            self.ack_last = now
            if self.ack_count + self.error_count >= self.n:
                self.acks_done.set()
        elif b'"error"' in payload:
            record.errors.append(payload)
            self.error_count += 1
            if self.ack_count + self.error_count >= self.n:
                self.acks_done.set()
        elif b'"session.snapshot"' in payload:
            if record.snapshot is None:
                record.snapshot = payload
                self.connected += 1
                if self.connected >= self.n:
                    self.all_connected.set()
        elif not (self.socketio and self._engine_io(socket, payload)):
            record.others += 1

    def on_teacher_text(self, socket: WebSocket, payload: bytes, now: float) -> None:
        if self.socketio and self._engine_io(socket, payload):
            return
        message = self.decode(payload)
        if message is None:
            return
        kind = message.get("type")
        self.teacher_types[kind] += 1
        if kind == "session.snapshot":
            self.teacher_ready.set()
        elif kind == "round.opened":
            self.rounds.append(message["round"]["id"])
            self.round_opened.set()
        elif kind == "results.updated":
            results = message["results"]
            if results.get("round_id") == self.fan_in_round:
                self.results_best = max(self.results_best, results["answered"])
                if results["answered"] >= self.n and self.results_at is None:
                    self.results_at = now
                    self.results_done.set()
        elif kind == "error":
            self.teacher_errors.append(message)

    # --- connecting -------------------------------------------------------------------------------------------
    def _origin(self, port: int) -> str:
        return f"http://127.0.0.1:{port}"

    async def connect_teacher(self) -> None:
        port = self.target.ports[0]
        self.teacher = await open_socket(
            host="127.0.0.1",
            port=port,
            path=self.target.teacher_path,
            origin=self._origin(port),
            cookie=self.target.teacher_cookie,
            on_text=self.on_teacher_text,
        )
        await asyncio.wait_for(self.teacher_ready.wait(), 30)

    async def connect_students(self) -> float:
        """Open N student sockets (at most CONNECT_CONCURRENCY handshakes at a time); seconds until all have
        their snapshot."""
        ports = self.target.ports
        cookies = self.target.student_cookies
        limit = asyncio.Semaphore(CONNECT_CONCURRENCY)
        sockets: list[WebSocket | None] = [None] * self.n

        async def one(index: int) -> None:
            port = ports[index % len(ports)]
            async with limit:
                sockets[index] = await open_socket(
                    host="127.0.0.1",
                    port=port,
                    path=self.target.student_path,
                    origin=self._origin(port),
                    cookie=cookies[index] if cookies else None,
                    on_text=self.on_student_text,
                    index=index,
                    user=StudentRecord(),
                    timeout=60,
                )

        started = time.perf_counter()
        await asyncio.gather(*(one(index) for index in range(self.n)))
        self.students = sockets  # type: ignore[assignment]
        await asyncio.wait_for(self.all_connected.wait(), 120)
        return time.perf_counter() - started

    # --- pushing ----------------------------------------------------------------------------------------------
    async def push(self, question_id: int) -> tuple[float | None, float]:
        """One push; (seconds until the last student had it or None on timeout, client CPU seconds meanwhile)."""
        self.push_index += 1
        self.push_count = 0
        self.push_done.clear()
        self.round_opened.clear()
        frame = mask_frame(OP_TEXT, self.encode({"type": "round.push", "question_id": question_id, "ref": "p"}))
        cpu_started = time.process_time()
        started = time.perf_counter()
        self.teacher.write_prepared(frame)
        try:
            await asyncio.wait_for(self.push_done.wait(), PUSH_TIMEOUT)
        except TimeoutError:
            return None, time.process_time() - cpu_started
        latency = self.push_last - started
        cpu = time.process_time() - cpu_started
        await asyncio.wait_for(self.round_opened.wait(), PUSH_TIMEOUT)
        return latency, cpu

    def check_deliveries(self) -> dict:
        """Count missing and duplicate question frames per socket, against the rounds the teacher saw opened."""
        expected = set(self.rounds)
        missing = duplicates = unexpected = 0
        for socket in self.students:
            ids = [self.decode(payload)["round"]["id"] for payload in socket.user.questions]
            seen = set(ids)
            missing += len(expected - seen)
            duplicates += len(ids) - len(seen)
            unexpected += len(seen - expected)
        return {"missing": missing, "duplicates": duplicates, "unexpected": unexpected, "rounds": len(expected)}

    # --- answering --------------------------------------------------------------------------------------------
    async def answer_all(self) -> dict:
        round_id = self.rounds[-1]
        last_question = self.decode(self.students[0].user.questions[-1])
        choice_id = last_question["round"]["question"]["choices"][0]["id"]
        frames = [
            mask_frame(
                OP_TEXT,
                self.encode(
                    {
                        "type": "answer.submit",
                        "round_id": round_id,
                        "client_id": f"{index}-{uuid.uuid4().hex}",
                        "answer": {"choice": choice_id},
                        "ref": f"a{index}",
                    }
                ),
            )
            for index in range(self.n)
        ]
        self.fan_in_round = round_id
        for socket in self.students:  # what each student got back, counted per burst
            socket.user.acks.clear()
            socket.user.errors.clear()
        self.results_best = 0
        self.ack_count = self.error_count = 0
        self.acks_done.clear()
        self.results_at = None
        self.results_done.clear()
        cpu_started = time.process_time()
        server_cpu_started = self.target.cpu_s()
        started = time.perf_counter()
        for socket, frame in zip(self.students, frames, strict=True):
            socket.write_prepared(frame)
        acked = results = None
        try:
            await asyncio.wait_for(self.acks_done.wait(), FAN_IN_TIMEOUT)
            acked = self.ack_last - started
        except TimeoutError:
            pass
        # The servers' CPU time until the last acknowledgement (in the kernel's ticks, 10 ms on most machines).
        server_cpu = self.target.cpu_s() - server_cpu_started
        try:
            await asyncio.wait_for(self.results_done.wait(), FAN_IN_TIMEOUT)
            results = self.results_at - started
        except TimeoutError:
            pass
        cpu = time.process_time() - cpu_started
        ack_counts = Counter(len(socket.user.acks) for socket in self.students)
        error_codes = Counter(json.loads(p).get("code") for s in self.students for p in s.user.errors)
        stored = self.target.database.answers_stored(round_id) if self.target.database else None
        return {
            "round_id": round_id,
            "acknowledged": self.ack_count,
            "errors": self.error_count,
            "error_codes": dict(error_codes) if not self.socketio else {},
            "students_without_ack": ack_counts.get(0, 0),
            "students_with_several_acks": sum(count for acks, count in ack_counts.items() if acks > 1),
            "all_acknowledged_s": acked,
            "teacher_results_complete_s": results,
            "teacher_results_best": self.results_best,
            "stored": stored,
            "client_cpu_s": cpu,
            "server_cpu_s": server_cpu,
        }

    def close(self) -> None:
        for socket in [*self.students, self.teacher]:
            if socket is not None:
                socket.close()


def median_burst(bursts: list[dict]) -> dict:
    """The bursts of answers as one: the median of their times (None if any burst timed out: that is a failure,
    not a slow burst), the worst of their counts, and every burst's own figures under `bursts`."""

    def median_time(key: str) -> float | None:
        times = [burst[key] for burst in bursts]
        return None if None in times else statistics.median(times)

    stored = [burst["stored"] for burst in bursts]
    combined = dict(bursts[-1])
    combined.update(
        {
            "acknowledged": min(burst["acknowledged"] for burst in bursts),
            "errors": sum(burst["errors"] for burst in bursts),
            "error_codes": dict(sum((Counter(burst["error_codes"]) for burst in bursts), Counter())),
            "students_without_ack": max(burst["students_without_ack"] for burst in bursts),
            "students_with_several_acks": max(burst["students_with_several_acks"] for burst in bursts),
            "all_acknowledged_s": median_time("all_acknowledged_s"),
            "teacher_results_complete_s": median_time("teacher_results_complete_s"),
            "server_cpu_s": statistics.median(burst["server_cpu_s"] for burst in bursts),
            "stored": None if None in stored else min(stored),
            "bursts": [
                {
                    key: burst[key]
                    for key in (
                        "all_acknowledged_s",
                        "teacher_results_complete_s",
                        "acknowledged",
                        "stored",
                        "server_cpu_s",
                    )
                }
                for burst in bursts
            ],
        }
    )
    return combined


def summarize(latencies: list[float | None]) -> dict:
    done = [value for value in latencies if value is not None]
    return {
        "pushes": len(latencies),
        "timed_out": len(latencies) - len(done),
        "p50_ms": percentile(done, 0.50) * 1000,
        "p95_ms": percentile(done, 0.95) * 1000,
        "p99_ms": percentile(done, 0.99) * 1000,
        "max_ms": max(done) * 1000 if done else float("nan"),
        "mean_ms": statistics.fmean(done) * 1000 if done else float("nan"),
        "all_ms": [round(value * 1000, 3) for value in done],
    }


def start_profiler(pid: int, label: str, phase: str):
    """Development aid: py-spy samples a server process (`pid`) during one phase: BENCH_PROFILE=push (or 1: the
    pushes and answers), BENCH_PROFILE=answers (the bursts of answers), BENCH_PROFILE=connect (the students
    connecting) or BENCH_PROFILE=paced (bench.paced_load's students working through the quiz); it writes
    bench/out/profile-<label>-<phase>.txt, each stack under its thread's name. py-spy pauses the process for each
    sample, which slows a run about threefold; with BENCH_PROFILE_NONBLOCKING=1 it reads the stacks without pausing
    (a sample may then be inexact). With BENCH_PROFILE_GIL=1 it samples only the thread holding the interpreter
    lock: where the CPU goes, not the waits."""
    import os
    import shutil
    import subprocess
    import sys

    wanted = os.environ.get("BENCH_PROFILE", "")
    if wanted != phase and not (wanted == "1" and phase == "push"):
        return None
    py_spy = shutil.which("py-spy") or os.path.join(os.path.dirname(sys.executable), "py-spy")
    output = f"bench/out/profile-{label}-{phase}.txt"
    nonblocking = ["--nonblocking"] if os.environ.get("BENCH_PROFILE_NONBLOCKING") == "1" else []
    gil = ["--gil"] if os.environ.get("BENCH_PROFILE_GIL") == "1" else []
    return subprocess.Popen(
        [
            py_spy,
            "record",
            "-p",
            str(pid),
            "-o",
            output,
            "--format",
            "raw",
            "-r",
            "500",
            "--threads",
            *nonblocking,
            *gil,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_profiler(profiler) -> None:
    if profiler is not None:
        import signal

        profiler.send_signal(signal.SIGINT)
        profiler.wait(30)


async def run_scenario(
    target: Target, *, n: int, warmup: int, pushes: int, settle: float = 1.0, bursts_of_answers: int = ANSWER_BURSTS
) -> dict:
    # The client's own garbage collector would stop every socket of this process for tens of milliseconds whenever a
    # full collection came due, and show up as a slow push of whichever server is measured. It is off for the
    # scenario (the client allocates a few megabytes in it) and collects afterwards.
    gc.collect()
    gc.disable()
    try:
        return await _run_scenario(
            target, n=n, warmup=warmup, pushes=pushes, settle=settle, bursts_of_answers=bursts_of_answers
        )
    finally:
        gc.enable()
        gc.collect()


async def _run_scenario(
    target: Target, *, n: int, warmup: int, pushes: int, settle: float, bursts_of_answers: int
) -> dict:
    load = Load(target, n)
    # Other work on the machine shows here (the load average counts runnable processes on both CPUs).
    result: dict = {"server": target.name, "n": n, "workers": len(target.processes), "loadavg_start": os.getloadavg()}
    try:
        await load.connect_teacher()
        await asyncio.sleep(0.3)
        rss_before = target.rss_kib()
        profiler = start_profiler(target.processes[0].pid, f"{target.name}-{n}", "connect")
        cpu_before = target.cpu_s()
        result["connect_s"] = await load.connect_students()
        # Server CPU time per socket while connecting (every server process, the database and Redis not included).
        result["connect_server_cpu_ms_per_socket"] = (target.cpu_s() - cpu_before) / n * 1000
        stop_profiler(profiler)
        await asyncio.sleep(settle)
        rss_after = target.rss_kib()
        result["rss_before_kib"] = rss_before
        result["rss_connected_kib"] = rss_after
        result["kib_per_socket"] = (rss_after - rss_before) / n
        result["compressed_sockets"] = sum(1 for socket in load.students if socket.compressed)

        latencies, client_cpu = [], []
        profiler = start_profiler(target.processes[0].pid, f"{target.name}-{n}", "push")
        for index in range(warmup + pushes):
            latency, cpu = await load.push(target.question_ids[index % len(target.question_ids)])
            if index >= warmup:
                latencies.append(latency)
                client_cpu.append(cpu)
            await asyncio.sleep(PUSH_GAP)
        result["push"] = summarize(latencies)
        result["push"]["warmup"] = warmup
        result["push"]["client_cpu_us_per_frame"] = statistics.fmean(client_cpu) / n * 1e6
        result["push"]["client_cpu_ms_p50"] = percentile(client_cpu, 0.5) * 1000
        bursts = []
        answers_profiler = start_profiler(target.processes[0].pid, f"{target.name}-{n}", "answers")
        for burst in range(bursts_of_answers):
            if burst:
                await asyncio.sleep(BURST_GAP)
                await load.push(target.question_ids[(warmup + pushes + burst) % len(target.question_ids)])
                await asyncio.sleep(PUSH_GAP)
            bursts.append(await load.answer_all())
        stop_profiler(answers_profiler)
        result["fan_in"] = median_burst(bursts)
        result["deliveries"] = load.check_deliveries()
        stop_profiler(profiler)
        result["rss_end_kib"] = target.rss_kib()
        result["closed_by_server"] = sum(1 for socket in load.students if socket.close_code is not None)
        result["teacher_frames"] = dict(load.teacher_types)
        result["teacher_errors"] = load.teacher_errors[:5]
    finally:
        load.close()
        await asyncio.sleep(0.5)
    result["loadavg_end"] = os.getloadavg()
    return result
