"""Fixtures for tests on the real services: PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379, as on CI.

Without them these tests skip, saying what is missing. The fresh database, its data and the shared workers are made
once per test run; each test takes a live session of its own.
"""

import json
import os
import secrets
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.services.harness import (
    POSTGRES,
    PYTHON,
    REDIS,
    ROOT,
    Database,
    Worker,
    reachable,
    run_manage,
    sign_in,
    start_workers,
    stop,
    worker_environment,
)


@pytest.fixture(scope="session")
def services():
    if os.environ.get("QUIZCAST_TEST_SERVICES") == "off":
        pytest.skip("QUIZCAST_TEST_SERVICES=off: the suite runs without PostgreSQL and Redis")
    missing = [
        f"{name} at {host}:{port}"
        for name, (host, port) in (("PostgreSQL", POSTGRES), ("Redis", REDIS))
        if not reachable((host, port))
    ]
    if missing:
        pytest.skip(f"needs {' and '.join(missing)}: start them (.ci/run does) to run the service tests")


@pytest.fixture(scope="session")
def redis_server_binary():
    if shutil.which("redis-server") is None:
        pytest.skip("needs the redis-server program to stop and start a Redis of its own (apt-get install redis)")


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


@pytest.fixture(scope="session")
def stack(services, tmp_path_factory):
    database = Database("quizcast_services")
    database.create()
    try:
        env = worker_environment(database_url=database.url, redis_url="")
        run_manage(env, "manage.py", "migrate", "--noinput", "-v0")
        # Seeding runs while the workers start.
        seeding = subprocess.Popen(
            [PYTHON, "-m", "tests.services.seed", "--students", "6", "--sessions", "10"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        yield Stack(database, seeding, tmp_path_factory.mktemp("worker-logs"))
        stop(seeding)
    finally:
        database.drop()


@pytest.fixture(scope="session")
def workers(stack):
    """Two workers on the pub/sub layer and one on the core layer, sharing the database and the Redis at :6379.

    Each layer gets a Redis database number of its own (the channel prefix carries it); session ids start at a
    random offset (tests/services/seed.py), so other test runs on the same Redis never share a group.
    """
    first_db = 2 + secrets.randbelow(13)
    pubsub_url = f"redis://127.0.0.1:6379/{first_db}"
    core_url = f"redis://127.0.0.1:6379/{first_db + 1}"
    started = [
        Worker("A", stack.environment(redis_url=pubsub_url), stack.logs),
        Worker("B", stack.environment(redis_url=pubsub_url), stack.logs),
        Worker("C", stack.environment(redis_url=core_url, layer="core"), stack.logs),
    ]
    try:
        start_workers(started)
        stack.sign_everyone_in(started)
        yield {worker.name: worker for worker in started}
    finally:
        for worker in started:
            worker.stop()
