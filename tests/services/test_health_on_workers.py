"""The health checks and the container probe on real server processes: ready on the real services; without them a
prompt 503 from readiness while liveness, and so the container probe, still says the process answers."""

import os
import subprocess
import time

from config.health import DATABASE_TIMEOUT
from config.healthcheck import READINESS
from tests.services.harness import PYTHON, ROOT, Worker, free_port, http_get, worker_environment


def probe(worker: Worker, *options: str) -> subprocess.CompletedProcess:
    """What docker-compose.yml's web healthcheck runs inside the container (liveness unless `options` say)."""
    return subprocess.run(
        [PYTHON, "-m", "config.healthcheck", "--port", str(worker.port), *options],
        cwd=ROOT,
        env={**os.environ, "ALLOWED_HOSTS": worker.env["ALLOWED_HOSTS"]},
        capture_output=True,
        text=True,
        timeout=15,
        check=False,
    )


def test_workers_on_the_real_services_report_healthy(workers):
    for worker in workers.values():
        for path in ("/health/", "/health/ready/"):
            status, body = http_get(worker.port, path)
            assert (status, body) == (200, {"database": "ok", "channel_layer": "ok"}), (worker.name, path)
        assert http_get(worker.port, "/health/live/") == (200, {"status": "ok"})
    assert probe(workers["A"]).returncode == 0
    assert probe(workers["A"], "--path", READINESS).returncode == 0


def test_a_worker_without_its_database_and_redis_is_live_but_not_ready(tmp_path):
    env = worker_environment(
        database_url=f"postgres://postgres@127.0.0.1:{free_port()}/nowhere",
        redis_url=f"redis://127.0.0.1:{free_port()}/0",
    )
    worker = Worker("no-services", env, tmp_path).start()
    try:
        worker.wait_ready()
        started = time.monotonic()
        status, body = http_get(worker.port, "/health/ready/", timeout=DATABASE_TIMEOUT + 2)
        elapsed = time.monotonic() - started
        live = http_get(worker.port, "/health/live/", timeout=2)
        probed, probed_ready = probe(worker), probe(worker, "--path", READINESS)
    finally:
        worker.stop()
    assert status == 503
    assert body["database"].startswith("error: ")
    assert body["channel_layer"].startswith("error: ")
    # Refused connections fail at once; a connection pool may keep retrying, but never past the check's bound.
    assert elapsed < DATABASE_TIMEOUT + 0.5
    # The container stays up (nothing a restart would fix); the proxy's readiness check sees it is not ready.
    assert live == (200, {"status": "ok"})
    assert probed.returncode == 0
    assert probed_ready.returncode == 1
    assert "503" in probed_ready.stdout


def test_each_worker_says_at_start_that_its_frames_are_written_straight_to_uvicorn(workers):
    for worker in workers.values():
        lines = [line for line in worker.log.read_text(errors="replace").splitlines() if "send path:" in line]
        assert len(lines) == 1, (worker.name, worker.log_tail())
        assert "frames are written straight to uvicorn" in lines[0], lines[0]
