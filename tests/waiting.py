"""Waiting in tests for something to become true, up to a deadline, instead of sleeping a fixed time that a busy
2-core machine may outrun (the test flakes) or that a quiet one wastes.

Prefer awaiting the event itself (a frame received, a task done); these are for state that announces nothing.
"""

import asyncio
import time
from collections.abc import Callable

# Short enough not to add measurable latency, long enough not to spin.
POLL_INTERVAL = 0.005


async def wait_until(condition: Callable[[], object], *, timeout: float = 5.0, what: str = "the condition") -> None:
    """Return as soon as `condition()` is true, checking between the event loop's other work; fail after `timeout`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} did not hold within {timeout} s")
        await asyncio.sleep(POLL_INTERVAL)


async def let_ready_tasks_run(rounds: int = 50) -> None:
    """Give every task that can run without waiting (for time, a socket, an event not set) its turn, then return: to
    check that something is still waiting. No clock involved."""
    for _ in range(rounds):
        await asyncio.sleep(0)


def wait_until_blocking(
    condition: Callable[[], object], *, timeout: float = 5.0, what: str = "the condition", interval: float = 0.02
) -> None:
    """`wait_until` for code without an event loop (a server in another process or thread)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not hold within {timeout} s")
        time.sleep(interval)
