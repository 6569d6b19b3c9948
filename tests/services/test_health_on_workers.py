"""/health/ and the container probe on real server processes: healthy on the real services, a prompt 503 and a
failing probe without them."""

import os
import subprocess
import time

from config.health import DATABASE_TIMEOUT
from tests.services.harness import PYTHON, ROOT, Worker, free_port, http_get, worker_environment


def probe(worker: Worker) -> subprocess.CompletedProcess:
    """What docker-compose.yml's web healthcheck runs inside the container."""
    return subprocess.run(
        [PYTHON, "-m", "config.healthcheck", "--port", str(worker.port)],
        cwd=ROOT,
        env={**os.environ, "ALLOWED_HOSTS": worker.env["ALLOWED_HOSTS"]},
        capture_output=True,
        text=True,
        timeout=15,
        check=False,
    )


def test_workers_on_the_real_services_report_healthy(workers):
    for worker in workers.values():
        status, body = http_get(worker.port, "/health/")
        assert (status, body) == (200, {"database": "ok", "channel_layer": "ok"}), worker.name
    assert probe(workers["A"]).returncode == 0


def test_a_worker_without_its_database_and_redis_answers_503_promptly(tmp_path):
    env = worker_environment(
        database_url=f"postgres://postgres@127.0.0.1:{free_port()}/nowhere",
        redis_url=f"redis://127.0.0.1:{free_port()}/0",
    )
    worker = Worker("no-services", env, tmp_path).start()
    try:
        worker.wait_ready()
        started = time.monotonic()
        status, body = http_get(worker.port, "/health/", timeout=DATABASE_TIMEOUT + 2)
        elapsed = time.monotonic() - started
        probed = probe(worker)
    finally:
        worker.stop()
    assert status == 503
    assert body["database"].startswith("error: ")
    assert body["channel_layer"].startswith("error: ")
    # Refused connections fail at once; a connection pool may keep retrying, but never past the check's bound.
    assert elapsed < DATABASE_TIMEOUT + 0.5
    assert probed.returncode == 1
    assert "503" in probed.stdout
