"""Fixtures for tests on the real services: PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379, as on CI.

Without them these tests skip, saying what is missing; with CI set they fail instead (tests/ci.py). The fresh
database, its data and the shared workers are made once per test run; each test takes a live session of its own.
"""

import os
import secrets
import shutil
from pathlib import Path

import pytest

from tests.ci import pytest_runtest_makereport  # noqa: F401 (on CI, a skip here is a failure)
from tests.services.harness import (
    POSTGRES,
    REDIS,
    Database,
    Stack,
    Worker,
    reachable,
    start_workers,
)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.services)


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


@pytest.fixture(scope="session")
def stack(services, tmp_path_factory):
    database = Database("quizcast_services")
    database.create()
    try:
        stack = Stack.prepare(database, tmp_path_factory.mktemp("worker-logs"), sessions=10)
        yield stack
        stack.stop_seeding()
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
