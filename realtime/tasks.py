"""Stopping a worker's tasks: the long-lived ones (the hub's, the deadline sweeper, the liveness sweep), and those
whose database work must end before the worker's connections close (the results' publishes, the database batches,
a sweep under way)."""

import asyncio
import logging
from collections.abc import Collection
from typing import Any

logger = logging.getLogger(__name__)

# How long stopping waits for tasks to end once cancelled. A cancelled task normally ends at its next await; one
# that does not (channels-redis' pub/sub layer unsubscribes from Redis inside a cancelled receive, and that call can
# wait on a connection that will never answer) must not hold up a worker's shutdown for ever.
STOP_TIMEOUT = 5.0


async def stop_tasks(tasks: Collection["asyncio.Task[Any]"], *, owner: str, timeout: float | None = None) -> None:
    """Cancel `tasks` and wait, up to `timeout` seconds (STOP_TIMEOUT), until they have ended; one still running
    then is left behind with a warning. How a task ended (cancelled, failed) is its own, never the caller's, while
    the caller's own cancellation still reaches the caller."""
    timeout = STOP_TIMEOUT if timeout is None else timeout
    for task in tasks:
        task.cancel()
    if not tasks:
        return
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in done:
        if not task.cancelled():
            task.exception()  # retrieved: a task that failed while stopping has nothing left to say
    if pending:
        logger.warning("%d task(s) of the %s did not stop within %g s; left behind", len(pending), owner, timeout)


async def finish_tasks(tasks: Collection["asyncio.Task[Any]"], *, owner: str, timeout: float | None = None) -> None:
    """Let `tasks` end by themselves, up to `timeout` seconds (STOP_TIMEOUT), then stop those still running.

    For a task inside a `database_sync_to_async` call: cancelling it ends the task at once, while its function goes
    on in its thread and holds its database connection, reading or writing, after its worker believes it stopped."""
    timeout = STOP_TIMEOUT if timeout is None else timeout
    if not tasks:
        return
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in done:
        if not task.cancelled() and (error := task.exception()) is not None:
            logger.warning("a task of the %s failed as it finished", owner, exc_info=error)
    if pending:
        logger.warning(
            "%d task(s) of the %s did not finish within %g s; cancelled, though a database call of theirs may go on"
            " in its thread",
            len(pending),
            owner,
            timeout,
        )
        await stop_tasks(pending, owner=owner)
