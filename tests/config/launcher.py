"""Start the classroom server the way `make run` does: the Makefile's own command, as a real process."""

import contextlib
import http.client
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.services.harness import APP_VARIABLES, free_port, stop

ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = (ROOT / "Makefile").read_text()
START_TIMEOUT = 180  # migrate, collectstatic and the demo data on a fresh SQLite file, on a busy machine


@dataclass
class ClassroomServer:
    port: int
    output: Path
    started_output: str


def launcher_command(port: int) -> list[str]:
    """What `make run` runs, read from the Makefile so that the two cannot drift apart."""
    recipe = re.search(r"^run: install\n\t\$\(BIN\)/python (.+)$", MAKEFILE, flags=re.MULTILINE)
    assert recipe, "the Makefile's run target no longer runs the launcher with the virtualenv's python"
    defaults = dict(re.findall(r"^(HOST|PORT) \?= (\S+)$", MAKEFILE, flags=re.MULTILINE))
    arguments = recipe.group(1).replace("$(HOST)", defaults["HOST"]).replace("$(PORT)", str(port)).split()
    return [sys.executable, *arguments]


def launcher_environment(workdir: Path, **extra: str) -> dict:
    """Nothing but a fresh SQLite file and the in-memory layer, as on a teacher's laptop. The key is given so that
    no .env is left in the checkout (tests/config/test_secret_key_file.py covers writing it)."""
    env = {key: value for key, value in os.environ.items() if key not in {*APP_VARIABLES, "HOST", "PORT"}}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'classroom.sqlite3'}",
            "MEDIA_ROOT": str(workdir / "media"),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


def _wait_until_listening(process: subprocess.Popen, port: int, output: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the launcher exited with {process.returncode}:\n{output.read_text()}")
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listened on {port} within {START_TIMEOUT} s:\n{output.read_text()}")


@contextlib.contextmanager
def classroom_server(workdir: Path, **env: str) -> Iterator[ClassroomServer]:
    port = free_port()
    output = workdir / "output.txt"
    with output.open("w") as sink:
        process = subprocess.Popen(
            launcher_command(port),
            cwd=ROOT,
            env=launcher_environment(workdir, **env),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_listening(process, port, output)
        yield ClassroomServer(port=port, output=output, started_output=output.read_text())
    finally:
        stop(process)
