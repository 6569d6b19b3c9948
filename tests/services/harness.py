"""Real services for the tests in this folder: Quizcast workers as subprocesses (the production command and
settings), a private redis-server that a test may stop and start, a fresh PostgreSQL database, HTTP sign-in and
WebSocket clients that check every frame they receive against docs/protocol.md.
"""

import asyncio
import contextlib
import ctypes
import http.client
import itertools
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from websockets.asyncio.client import ClientConnection, connect

from config.health import DATABASE_TIMEOUT
from tests.protocol_check import check_server_frame

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/{name}"
# Environment variables of the app that the test process may carry; workers get exactly the ones a test gives.
APP_VARIABLES = (
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "REDIS_CHANNEL_LAYER",
    "WEBSOCKET_ALLOWED_ORIGINS",
    "QUIZCAST_SERVER",
    "QUIZCAST_TEST_SERVICES",
    "SECURE_COOKIES",
    "DEBUG",
)


def worker_command(*, port: int, host: str = "127.0.0.1", python: str = PYTHON) -> list[str]:
    """The one command that runs a worker; docker-compose.yml's web service runs the same (tests/deploy)."""
    return [python, "-m", "config.serve", "--host", host, "--port", str(port)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reachable(address: tuple[str, int], timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection(address, timeout=timeout):
            return True
    except OSError:
        return False


_libc = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _die_with_the_test_run() -> None:
    # PR_SET_PDEATHSIG: a worker whose test run was killed outright does not live on.
    if _libc is not None:
        _libc.prctl(1, signal.SIGTERM)


def spawn(command: list[str], *, env: dict, log: Path) -> subprocess.Popen:
    with open(log, "ab") as output:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_the_test_run,
        )


def stop(process: subprocess.Popen | None, grace: float = 5) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait(5)


# --- PostgreSQL -----------------------------------------------------------------------------------------------
class Database:
    """A database of its own on the local PostgreSQL (or on `server`, a URL with `{name}`), dropped at the end."""

    def __init__(self, prefix: str, server: str = POSTGRES_URL):
        self.name = f"{prefix}_{secrets.token_hex(4)}"
        self.server = server
        self.url = server.format(name=self.name)

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(self.server.format(name="postgres"), autocommit=True, connect_timeout=5)

    def create(self) -> None:
        with self._admin() as connection:
            connection.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        with self._admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def scalar(self, sql: str, params: tuple = ()):
        with psycopg.connect(self.url, connect_timeout=5) as connection:
            return connection.execute(sql, params).fetchone()[0]


class PostgresCluster:
    """A PostgreSQL server of a test's own on a free port of `ports`, which the test may stop, start and restart
    without touching the one the rest of the suite uses.

    `initdb` and `postgres` refuse to run as root (CI runs as root): as root, the cluster runs as an unprivileged
    user, created once if missing (`CLUSTER_USER`; .ci/run creates it too), in a directory of its own under /tmp
    whose parents it can traverse.
    """

    CLUSTER_USER = "quizcast-pg"

    def __init__(self, ports: range):
        self.bin = postgres_bin()
        self.port = free_port_in(ports)
        self.directory = Path(tempfile.mkdtemp(prefix="quizcast-pg-"))
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"
        self.user = ensure_cluster_user(self.CLUSTER_USER) if os.geteuid() == 0 else None
        self.directory.chmod(0o755)
        if self.user is not None:
            shutil.chown(self.directory, self.user, self.user)

    @property
    def server_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{{name}}"

    def url(self, name: str) -> str:
        return self.server_url.format(name=name)

    def _run(self, program: str, *arguments: str, timeout: float = 60) -> None:
        command = [str(self.bin / program), *arguments]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{program} {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}\n{log}")

    def create(self) -> "PostgresCluster":
        # No fsync: the cluster lives as long as the test, and a restart that loses nothing is all it must survive.
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        return self

    def _pg_ctl(self, action: str, *arguments: str) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", action, "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "-o", options, *arguments
        )

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self) -> None:
        """Fast shutdown: open connections are cut, as in a restart by an operator or an upgrade."""
        self._pg_ctl("stop", "-m", "fast")

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")

    def answers(self) -> bool:
        try:
            with psycopg.connect(self.url("postgres"), connect_timeout=1):
                return True
        except psycopg.OperationalError:
            return False

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
        shutil.rmtree(self.directory, ignore_errors=True)


def postgres_bin() -> Path:
    """The newest PostgreSQL's programs (Debian keeps them out of PATH)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise FileNotFoundError("initdb: install PostgreSQL's server programs")
    return Path(initdb).parent


def ensure_cluster_user(name: str) -> str:
    if subprocess.run(["id", name], capture_output=True, check=False).returncode != 0:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
    return name


def free_port_in(ports: range) -> int:
    for port in ports:
        if reachable(("127.0.0.1", port), timeout=0.2):
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


# --- Redis ----------------------------------------------------------------------------------------------------
class RedisServer:
    """A private redis-server on a free port that a test may stop and start again on the same port."""

    def __init__(self, log: Path):
        self.port = free_port()
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 5) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = spawn([*command, "--daemonize", "no"], env=dict(os.environ), log=self.log)
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}: see {self.log}")
            time.sleep(0.02)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as probe:
                probe.sendall(b"PING\r\n")
                return probe.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        stop(self.process)
        self.process = None


# --- workers --------------------------------------------------------------------------------------------------
# Workers of one deployment share their secret key: a session cookie signed by one is valid on every other.
DEPLOYMENT_SECRET_KEY = secrets.token_urlsafe(48)


def worker_environment(*, database_url: str, redis_url: str, layer: str = "pubsub", **extra: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in APP_VARIABLES}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": DEPLOYMENT_SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "REDIS_CHANNEL_LAYER": layer,
            "SECURE_COOKIES": "false",  # plain HTTP on loopback: a Secure cookie would never be sent back
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def http_get(port: int, path: str, timeout: float = 5) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
        response = connection.getresponse()
        body = response.read()
        return response.status, json.loads(body) if response.getheader("Content-Type") == "application/json" else {}
    finally:
        connection.close()


def load_page(port: int, path: str, *, cookie: str = "", timeout: float = 10) -> tuple[int, dict, str]:
    """GET a page as a signed-in browser would: its status, headers (lower-case names) and text."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Host": f"127.0.0.1:{port}", "Accept": "text/html"}
        if cookie:
            headers["Cookie"] = cookie
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        return response.status, {name.lower(): value for name, value in response.getheaders()}, text
    finally:
        connection.close()


class Worker:
    """One server process started with the production command and settings."""

    def __init__(self, name: str, env: dict, log_dir: Path, port: int | None = None):
        self.name = name
        self.port = port or free_port()
        self.env = env
        self.log = log_dir / f"worker-{name}-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Worker":
        self.process = spawn(worker_command(port=self.port), env=self.env, log=self.log)
        return self

    def wait_ready(self, timeout: float = 30) -> "Worker":
        """Until the worker answers its liveness check (readiness may well say 503 in a test about outages)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                http_get(self.port, "/health/live/", timeout=DATABASE_TIMEOUT + 2)
                return self
            except OSError:
                if time.monotonic() > deadline:
                    message = f"worker {self.name} did not answer in {timeout} s:\n{self.log_tail()}"
                    raise RuntimeError(message) from None
                time.sleep(0.1)

    def stop(self) -> None:
        stop(self.process)

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def log_since(self, offset: int) -> str:
        """What the worker logged after its log had `offset` bytes (log_size)."""
        with open(self.log, "rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def start_workers(workers: list[Worker]) -> list[Worker]:
    """Start every worker at once, then wait for each: startup costs one worker's time, not the sum."""
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.wait_ready()
    return workers


def run_manage(env: dict, *arguments: str, timeout: float = 120) -> str:
    result = subprocess.run(
        [PYTHON, *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# --- signing in -----------------------------------------------------------------------------------------------
def sign_in(port: int, username: str, password: str) -> str:
    """Sign in through the login form over HTTP and return the Cookie header a browser would send afterwards.

    A browser gets its CSRF cookie from the login page; Django accepts any well-formed secret a client holds as
    long as the form sends the same one, so the test makes its own and skips rendering the page.
    """
    csrf = secrets.token_hex(16)
    body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": csrf})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={
                "Host": f"127.0.0.1:{port}",
                "Origin": f"http://127.0.0.1:{port}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf}",
            },
        )
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 302, f"signing in {username} gave HTTP {response.status}"
    cookies = [header.split(";", 1)[0] for name, header in response.getheaders() if name.lower() == "set-cookie"]
    session = [cookie for cookie in cookies if cookie.startswith("sessionid=")]
    assert session, f"signing in {username} set no session cookie: {cookies}"
    return session[0]


# --- a deployment's data --------------------------------------------------------------------------------------
class Stack:
    """A fresh database with seeded users, a quiz and live sessions; where worker logs go."""

    def __init__(self, database: Database, seeding: subprocess.Popen, logs: Path):
        self.database = database
        self.logs = logs
        self.cookies: dict[str, str] = {}
        self._seeding = seeding
        self._seed: dict | None = None
        self._next_session = 0

    @property
    def seed(self) -> dict:
        if self._seed is None:
            output, errors = self._seeding.communicate(timeout=60)
            assert self._seeding.returncode == 0, f"seeding the database failed:\n{errors}"
            self._seed = json.loads(output)
        return self._seed

    @classmethod
    def prepare(
        cls,
        database: Database,
        logs: Path,
        *,
        sessions: int = 10,
        static_files: bool = False,
        seed_options: tuple[str, ...] = (),
    ) -> "Stack":
        """Migrate the database, collect the static files if asked (pages link them by the manifest's hashed names,
        as in production), and start seeding it: seeding runs while the workers start."""
        env = worker_environment(database_url=database.url, redis_url="")
        run_manage(env, "manage.py", "migrate", "--noinput", "-v0")
        if static_files:
            run_manage(env, "manage.py", "collectstatic", "--noinput", "-v0")
        seeding = subprocess.Popen(
            [PYTHON, "-m", "tests.services.seed", "--students", "6", "--sessions", str(sessions), *seed_options],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return cls(database, seeding, logs)

    def stop_seeding(self) -> None:
        stop(self._seeding)

    def take_session(self) -> int:
        session_id = self.seed["sessions"][self._next_session]
        self._next_session += 1
        return session_id

    @property
    def teacher(self) -> dict:
        return self.seed["teacher"]

    @property
    def students(self) -> list[dict]:
        return self.seed["students"]

    def environment(self, *, redis_url: str, layer: str = "pubsub") -> dict:
        return worker_environment(database_url=self.database.url, redis_url=redis_url, layer=layer)

    def sign_everyone_in(self, workers: list[Worker]) -> None:
        """Through the login form, spread over the workers: password hashing is slow on purpose."""
        if self.cookies:
            return
        people = [("teacher", self.teacher["username"], self.teacher["password"])]
        people += [(s["username"], s["username"], self.seed["student_password"]) for s in self.students]

        def sign(numbered: tuple[int, tuple[str, str, str]]) -> str:
            number, (_key, username, password) = numbered
            return sign_in(workers[number % len(workers)].port, username, password)

        with ThreadPoolExecutor(max_workers=len(workers)) as pool:
            cookies = list(pool.map(sign, enumerate(people)))
        self.cookies = {key: cookie for (key, _username, _password), cookie in zip(people, cookies, strict=True)}


def serving(stack: Stack, workers: list[Worker]):
    """For a fixture: start the workers, sign everyone in through them, yield them, stop them at the end."""
    try:
        start_workers(workers)
        stack.sign_everyone_in(workers)
        yield workers
    finally:
        for worker in workers:
            worker.stop()


# --- WebSocket clients ----------------------------------------------------------------------------------------
def page_constant_ms(name: str) -> float:
    """A constant of static/js/live-socket.js, in seconds: the test clients wait as the pages do."""
    text = (ROOT / "static" / "js" / "live-socket.js").read_text()
    match = re.search(rf"^const {name} = ([\d_]+);", text, flags=re.MULTILINE)
    assert match, f"{name} is not in static/js/live-socket.js"
    return int(match.group(1).replace("_", "")) / 1000


# The student page's resend backoff: the first wait, and the most it grows to.
RESEND_FIRST = page_constant_ms("RESEND_FIRST_MS")
RESEND_MAX = page_constant_ms("RESEND_MAX_MS")


class LiveClient:
    """A browser-like WebSocket client of one worker. Every frame it receives is checked against the protocol."""

    def __init__(self, name: str, connection: ClientConnection, port: int):
        self.name = name
        self.connection = connection
        self.port = port
        self.frames: list[dict] = []
        self._refs = 0

    @classmethod
    async def open(cls, name: str, *, worker: Worker, session_id: int, role: str, cookie: str) -> "LiveClient":
        connection = await connect(
            f"ws://127.0.0.1:{worker.port}/ws/sessions/{session_id}/{role}/",
            origin=worker.origin,
            additional_headers={"Cookie": cookie},
            open_timeout=10,
        )
        return cls(name, connection, worker.port)

    @classmethod
    async def student(cls, student: dict, *, worker: Worker, session_id: int, cookie: str) -> "LiveClient":
        """A student's client (named by their username), connected and past its snapshot (kept in `frames`)."""
        client = await cls.open(
            student["username"], worker=worker, session_id=session_id, role="student", cookie=cookie
        )
        snapshot = await client.receive_type("session.snapshot")
        assert snapshot["you"]["id"] == student["id"], snapshot["you"]
        client.student = student
        return client

    async def receive(self, timeout: float = 5) -> dict:
        try:
            text = await asyncio.wait_for(self.connection.recv(), timeout)
        except TimeoutError:
            seen = [frame["type"] for frame in self.frames[-8:]]
            raise AssertionError(f"{self.name}: nothing within {timeout} s (last frames: {seen})") from None
        frame = json.loads(text)
        check_server_frame(frame)
        self.frames.append(frame)
        return frame

    async def receive_until(self, match: Callable[[dict], bool], timeout: float = 5, what: str = "") -> dict:
        """Receive until a frame matches; frames before it are kept in self.frames."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                seen = [frame["type"] for frame in self.frames[-8:]]
                raise AssertionError(f"{self.name}: no {what or 'matching frame'} within {timeout} s (last: {seen})")
            try:
                frame = await self.receive(timeout=left)
            except AssertionError:
                seen = [frame["type"] for frame in self.frames[-8:]]
                raise AssertionError(
                    f"{self.name}: no {what or 'matching frame'} within {timeout} s (last: {seen})"
                ) from None
            if match(frame):
                return frame

    async def seen_or_receive(self, match: Callable[[dict], bool], *, since: int, timeout: float = 5, what=""):
        """The first frame received from index `since` on that matches, else the next one that does."""
        for frame in self.frames[since:]:
            if match(frame):
                return frame
        return await self.receive_until(match, timeout, what)

    async def receive_type(self, message_type: str, timeout: float = 5, where=lambda frame: True) -> dict:
        return await self.receive_until(
            lambda frame: frame["type"] == message_type and where(frame), timeout, what=message_type
        )

    async def send(self, message: dict) -> None:
        await self.connection.send(json.dumps(message))

    async def request(self, message: dict, timeout: float = 5) -> dict:
        """Send a message and return the reply that carries its ref."""
        self._refs += 1
        ref = f"{self.name}-{self._refs}"
        await self.send({**message, "ref": ref})
        return await self.receive_until(lambda frame: frame.get("ref") == ref, timeout, what=f"reply to {ref}")

    async def ping(self, timeout: float = 5) -> dict:
        reply = await self.request({"type": "ping"}, timeout)
        assert reply["type"] == "pong", f"{self.name}: {reply}"
        return reply

    async def answer(self, round_id: int, choice: int, timeout: float = 5) -> dict:
        return await self.request(
            {
                "type": "answer.submit",
                "round_id": round_id,
                "client_id": f"{self.name}-{round_id}",
                "answer": {"choice": choice},
            },
            timeout,
        )

    async def answer_until_stored(self, round_id: int, choice: int, *, give_up_after: float = 30) -> tuple[dict, int]:
        """Answer as the student page does: the same `client_id` every time, sent again after an `unavailable`
        error with exponential backoff and jitter (static/js/live-socket.js, `backoffDelay`) until it is
        acknowledged. Any other refusal fails the test. Returns the acknowledgement and how many sends it took."""
        deadline = time.monotonic() + give_up_after
        for attempt in itertools.count():
            reply = await self.answer(round_id, choice, timeout=max(0.1, deadline - time.monotonic()))
            if reply["type"] == "answer.accepted":
                return reply, attempt + 1
            assert reply["code"] == "unavailable", f"{self.name}: {reply}"
            ceiling = min(RESEND_MAX, RESEND_FIRST * 2**attempt)
            delay = ceiling / 2 + random.random() * ceiling / 2
            assert time.monotonic() + delay < deadline, f"{self.name}: still refused after {give_up_after} s"
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def close(self) -> None:
        await self.connection.close()
