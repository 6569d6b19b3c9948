"""A pytest plugin: a test still running after HUNG_AFTER seconds has hung, and the run ends there with the stack of
every thread, rather than sitting silent until CI gives up.

pytest's `faulthandler_timeout` and the pytest-timeout plugin both stand down as soon as a test fails, so a teardown
that hangs after a failure (a task that will not be cancelled, a lock nobody releases) would still hang silently.
This watchdog stays armed from a test's setup to the end of its teardown, failed or not. It is a thread of its own,
so it fires whichever thread is stuck, the main one included.
"""

import faulthandler
import os
import sys
import threading

import pytest

HUNG_AFTER = float(os.environ.get("QUIZCAST_TEST_HUNG_AFTER", "300"))

_terminal_fd: int | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _terminal_fd
    # Kept now: while a test runs, pytest captures file descriptor 2 and drops what it holds if the process ends.
    _terminal_fd = os.dup(sys.stderr.fileno())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    watchdog = threading.Timer(HUNG_AFTER, _hung, args=(item.nodeid,))
    watchdog.daemon = True
    watchdog.start()
    try:
        yield
    finally:
        watchdog.cancel()


def _hung(nodeid: str) -> None:
    assert _terminal_fd is not None
    with os.fdopen(os.dup(_terminal_fd), "w") as terminal:
        terminal.write(f"\n\n{nodeid} is still running after {HUNG_AFTER:g} s: it hung. Where each thread is:\n")
        terminal.flush()
        faulthandler.dump_traceback(file=terminal, all_threads=True)
    os._exit(3)
