"""Starting and stopping what a run measures: Quizcast workers, the peer servers, a private Redis, a fresh database.

Servers run as real subprocesses pinned with `taskset` to the server core; the load client pins itself to the other.
"""

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable


def cpu_count() -> int:
    return len(os.sched_getaffinity(0))


def pinned(command: list[str], cpus: str | None) -> list[str]:
    if cpus is None or shutil.which("taskset") is None:
        return command
    return ["taskset", "-c", cpus, *command]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    port: int | None = None
    log: Path | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def rss_kib(self) -> int:
        """Resident memory of the process (VmRSS from /proc/<pid>/status), in KiB."""
        try:
            with open(f"/proc/{self.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except FileNotFoundError:
            pass
        return 0

    def cpu_s(self) -> float:
        """CPU time the process used so far, user and system (from /proc/<pid>/stat), in seconds."""
        try:
            with open(f"/proc/{self.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.popen.send_signal(signal.SIGINT)
        try:
            self.popen.wait(8)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                self.popen.kill()
            self.popen.wait(5)

    def tail(self, lines: int = 30) -> str:
        if self.log is None or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Stack:
    """Every process started for one measured configuration; stopped together."""

    processes: list[Process] = field(default_factory=list)

    def add(self, process: Process) -> Process:
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()


def spawn(name: str, command: list[str], *, env: dict, cpus: str | None, port: int | None = None) -> Process:
    OUT.mkdir(parents=True, exist_ok=True)
    log = OUT / f"{name}.log"
    handle = open(log, "w")  # noqa: SIM115 - kept open for the process's lifetime
    popen = subprocess.Popen(
        pinned(command, cpus),
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Process(name=name, popen=popen, port=port, log=log)


async def wait_for_port(process: Process, port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited with {process.popen.returncode}:\n{process.tail()}")
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
        return
    raise RuntimeError(f"{process.name} did not listen on {port} within {timeout}s:\n{process.tail()}")


# --- Redis --------------------------------------------------------------------------------------------------------
async def start_redis(stack: Stack, *, cpus: str | None) -> str:
    port = free_port()
    process = stack.add(
        spawn(
            "redis",
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            env=dict(os.environ),
            cpus=cpus,
            port=port,
        )
    )
    await wait_for_port(process, port)
    return f"redis://127.0.0.1:{port}/0"


# --- Quizcast -----------------------------------------------------------------------------------------------------
@dataclass
class Database:
    url: str
    kind: str  # "postgresql" or "sqlite"
    name: str

    def answers_stored(self, round_id: int) -> int:
        query = "SELECT COUNT(*) FROM classroom_answer WHERE round_id = %s"
        if self.kind == "sqlite":
            import sqlite3

            with contextlib.closing(sqlite3.connect(self.name)) as connection:
                return connection.execute(query.replace("%s", "?"), (round_id,)).fetchone()[0]
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://")) as connection:
            return connection.execute(query, (round_id,)).fetchone()[0]


def settle_database(database: Database | None) -> None:
    """VACUUM ANALYZE, so that autovacuum does not wake up in the middle of a measurement to process the rows the
    previous one wrote (a thousand answers and 25 rounds per Quizcast run)."""
    if database is None or database.kind != "postgresql":
        return
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-d", database.name, "-qc", "VACUUM ANALYZE"],
        check=True,
    )


@contextlib.contextmanager
def fast_commits(database: Database):
    """Setting up only (the joins of thousands of guests): PostgreSQL does not wait for the WAL flush of each commit.
    New connections pick the setting up; it is reset before anything is measured."""
    if database.kind != "postgresql":
        yield
        return
    common = ["psql", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-d", database.name, "-qc"]
    subprocess.run([*common, f"ALTER DATABASE {database.name} SET synchronous_commit = off"], check=True)
    try:
        yield
    finally:
        subprocess.run([*common, f"ALTER DATABASE {database.name} RESET synchronous_commit"], check=True)
        settle_database(database)  # thousands of new users and sessions


def fresh_database(kind: str) -> Database:
    if kind == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"bench-{os.getpid()}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return Database(url=f"sqlite:///{path}", kind="sqlite", name=str(path))
    name = "quizcast_bench"
    common = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
    subprocess.run(["dropdb", *common, "--if-exists", "--force", name], check=True, capture_output=True)
    subprocess.run(["createdb", *common, name], check=True, capture_output=True)
    return Database(url=f"postgres://postgres@127.0.0.1:5432/{name}", kind="postgresql", name=name)


def drop_database(database: Database) -> None:
    if database.kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database.name}{suffix}").unlink(missing_ok=True)
        return
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "--if-exists", "--force", database.name],
        check=False,
        capture_output=True,
    )


def quizcast_env(
    *, database: Database, redis_url: str | None, server: str, layer: str = "pubsub", pool: int = 8
) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "QUIZCAST_SERVER"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": "quizcast-benchmark-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database.url,
            # The benchmark speaks plain HTTP on loopback, where a browser would not send Secure cookies back.
            "SECURE_COOKIES": "false",
            "QUIZCAST_SERVER": server,
            "LOG_LEVEL": "WARNING",
            # A connection pool per worker (config/settings/base.py); docs/performance.md compares it with none.
            "DATABASE_POOL_SIZE": str(pool),
            # One session takes every student of the run (the default cap is for classrooms, not lecture halls).
            "MAX_GUESTS_PER_SESSION": "20000",
            # Every benchmark guest joins from this one address; a classroom's limit would refuse most of them.
            "JOIN_RATE_LIMIT": "100000/60",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["REDIS_CHANNEL_LAYER"] = layer
    return env


def prepare_app(env: dict, setup_args: tuple[str, ...] = ()) -> dict:
    """Migrate, collect static files, create the teacher, classroom, quiz and session (bench.setup_data with
    `setup_args`). Returns the setup JSON."""
    import json

    for command in (["manage.py", "migrate", "--noinput", "-v0"], ["manage.py", "collectstatic", "--noinput", "-v0"]):
        result = subprocess.run([PYTHON, *command], cwd=ROOT, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    result = subprocess.run(
        [PYTHON, "-m", "bench.setup_data", *setup_args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench.setup_data failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


async def start_quizcast(stack: Stack, *, env: dict, workers: int, cpus: str | None, label: str) -> list[Process]:
    processes = []
    for index in range(workers):
        port = free_port()
        processes.append(
            stack.add(
                spawn(
                    f"{label}-worker{index + 1}",
                    [PYTHON, "-m", "config.serve", "--port", str(port)],
                    env=env,
                    cpus=cpus,
                    port=port,
                )
            )
        )
    for process in processes:
        await wait_for_port(process, process.port, timeout=60)
    return processes


# --- peers --------------------------------------------------------------------------------------------------------
def peer_env(redis_url: str | None) -> dict:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


async def start_peer(stack: Stack, *, kind: str, redis_url: str | None, cpus: str | None) -> list[Process]:
    port = free_port()
    if kind == "plain":
        command = [PYTHON, "-m", "bench.peers.plain_websockets", "--port", str(port)]
    elif kind == "socketio":
        command = [PYTHON, "-m", "bench.peers.socketio_redis", "--port", str(port)]
    elif kind == "channels":
        command = [PYTHON, "-m", "bench.peers.channels_tutorial", "--port", str(port)]
    else:
        raise ValueError(kind)
    process = stack.add(spawn(f"peer-{kind}", command, env=peer_env(redis_url), cpus=cpus, port=port))
    await wait_for_port(process, port, timeout=60)
    return [process]
