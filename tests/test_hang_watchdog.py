"""A hung test ends the run, with where every thread was, even when the test failed first and its teardown hangs."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HANGS_IN_ITS_BODY = """
import threading

def test_hangs():
    threading.Event().wait()
"""

FAILS_THEN_HANGS_IN_TEARDOWN = """
import threading
import pytest

@pytest.fixture
def hangs_on_teardown():
    yield
    threading.Event().wait()

def test_fails(hangs_on_teardown):
    assert False, "failed first"

def test_never_reached():
    pass
"""


def run_pytest(tmp_path: Path, source: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_hanging.py").write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-c", "/dev/null", "-p", "tests.hang_watchdog", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "QUIZCAST_TEST_HUNG_AFTER": "1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_test_that_hangs_ends_the_run_with_every_threads_stack(tmp_path):
    run = run_pytest(tmp_path, HANGS_IN_ITS_BODY)

    assert run.returncode == 3
    assert "test_hanging.py::test_hangs is still running after 1 s: it hung" in run.stderr
    assert 'File "' in run.stderr and "test_hanging.py" in run.stderr and "in test_hangs" in run.stderr


def test_a_teardown_that_hangs_after_the_test_failed_ends_the_run_too(tmp_path):
    run = run_pytest(tmp_path, FAILS_THEN_HANGS_IN_TEARDOWN)

    assert run.returncode == 3
    assert "test_hanging.py::test_fails is still running after 1 s: it hung" in run.stderr
    assert "in hangs_on_teardown" in run.stderr
    assert "test_never_reached" not in run.stdout + run.stderr
