"""Per-worker machinery around the hub: batched answer writes and socket openings, throttled results, the deadline
sweeper.

One `Runtime` exists per event loop (one per server process in production; one per test in the suite).
"""

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Generic, NamedTuple, TypeVar

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.utils import timezone

from classroom.errors import DomainError
from classroom.services import AnswerOutcome, AnswerSubmission
from config.database import log_failure
from realtime import groups
from realtime.hub import LocalHub
from realtime.liveness import Liveness
from realtime.messages import Results
from realtime.session_actions import (
    Broadcast,
    Opening,
    PacedNextRequest,
    PacedReply,
    SocketRequest,
    close_overdue_rounds,
    open_sockets,
    paced_grid_delta_broadcast,
    paced_next_many,
    results_texts,
    store_answers,
)
from realtime.tasks import finish_tasks, stop_tasks

logger = logging.getLogger(__name__)

ANSWER_BATCH_MAX = 500
# On PostgreSQL, batches of answers run on threads of their own, this many at once (classroom.services's
# answers_submit share-locks their sessions, so two batches of one session do not wait for each other).
ANSWER_THREADS = 2
OPEN_BATCH_MAX = 200
DEADLINE_SWEEP_INTERVAL = 0.5

Item = TypeVar("Item")
Result = TypeVar("Result")
Value = TypeVar("Value")


class Callbacks(NamedTuple, Generic[Result]):
    """What a caller that does not wait (`DatabaseBatch.submit`) is called back with: its result, or the exception
    its batch failed with."""

    then: Callable[[Result], None]
    failed: Callable[[Exception], None]


Waiter = asyncio.Future[Result] | Callbacks[Result]


class DatabaseBatch(Generic[Item, Result]):
    """Calls a database function for many callers at once: while one batch runs, the next one gathers.

    `function` takes a list of items and returns one result per item, in order. Each caller awaits its own result
    (or the batch's exception) with `call`, or is called back with it (`submit`). A thousand students answering,
    or connecting, at once become a few database calls instead of a thousand, each with its handful of queries.

    By default a batch runs on the worker's shared database thread. With `own_threads`, batches run on threads
    (and database connections) of their own, that many at once: while one waits for the database, another builds
    its rows.
    """

    def __init__(
        self,
        function: Callable[[list[Item]], Sequence[Result]],
        *,
        max_size: int,
        name: str,
        own_threads: int = 0,
    ) -> None:
        self.function = function
        self.max_size = max_size
        self.name = name
        self._executors = [ThreadPoolExecutor(1, thread_name_prefix=f"db-{name}-{lane}") for lane in range(own_threads)]
        self._free_lanes = list(range(max(1, own_threads)))
        self._queue: list[tuple[Item, Waiter[Result]]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def call(self, item: Item) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._enqueue(item, future)
        return await future

    def submit(self, item: Item, *, then: Callable[[Result], None], failed: Callable[[Exception], None]) -> None:
        """`call` without waiting: `then` gets the item's result, or `failed` the exception its batch failed with,
        called from the event loop as soon as the batch is done. A burst of answers is a thousand callers: each
        waiting on a future of its own costs the loop one more task switch per answer than a call made from here."""
        self._enqueue(item, Callbacks(then, failed))

    def _enqueue(self, item: Item, waiter: Waiter[Result]) -> None:
        self._queue.append((item, waiter))
        if self._free_lanes:
            task = asyncio.create_task(self._drain(self._free_lanes.pop()), name=f"batch-{self.name}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _drain(self, lane: int) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue[: self.max_size], self._queue[self.max_size :]
                try:
                    results = await self._run(lane, [item for item, _w in batch])
                except Exception as error:
                    log_failure(logger, error, "%s: a batch of %d failed", self.name, len(batch))
                    for _item, waiter in batch:
                        if isinstance(waiter, Callbacks):
                            self._hand_over(waiter.failed, error)
                        elif not waiter.done():
                            waiter.set_exception(error)
                    continue
                for (_item, waiter), result in zip(batch, results, strict=True):
                    if isinstance(waiter, Callbacks):
                        self._hand_over(waiter.then, result)
                    elif not waiter.done():
                        waiter.set_result(result)
        finally:
            self._free_lanes.append(lane)

    def _hand_over(self, callback: Callable[[Value], None], value: Value) -> None:
        try:
            callback(value)
        except Exception:  # one caller's failure is its own: the others of the batch still get theirs
            logger.exception("%s: handing a result over failed", self.name)

    async def stop(self) -> None:
        """Let the batches under way and those queued behind them finish (`finish_tasks`), then close the database
        connections of the batch's own threads, if it has any, and end those threads."""
        await finish_tasks(list(self._tasks), owner=f"{self.name} batches")
        loop = asyncio.get_running_loop()
        for executor in self._executors:
            await loop.run_in_executor(executor, connections.close_all)
            executor.shutdown(wait=False)

    def _run(self, lane: int, items: list[Item]) -> Awaitable[Sequence[Result]]:
        if not self._executors:
            return database_sync_to_async(self.function)(items)
        executor = self._executors[lane]
        return database_sync_to_async(self.function, thread_sensitive=False, executor=executor)(items)


def answer_writer() -> DatabaseBatch[AnswerSubmission, AnswerOutcome]:
    """Stores answers in batches: a few multi-row inserts instead of a transaction per answer. Each caller still
    gets its own outcome, and exactly-once is still the database constraint's job."""
    return DatabaseBatch(
        lambda submissions: store_answers(submissions=submissions),
        max_size=ANSWER_BATCH_MAX,
        name="answers",
        own_threads=ANSWER_THREADS if connection.vendor == "postgresql" else 0,
    )


def paced_stepper() -> DatabaseBatch[PacedNextRequest, PacedReply | DomainError]:
    """Hands students of student-paced sessions their next questions in batches (classroom.pacing)."""
    return DatabaseBatch(lambda requests: paced_next_many(requests=requests), max_size=ANSWER_BATCH_MAX, name="paced")


def socket_opener() -> DatabaseBatch[SocketRequest, Opening]:
    """Authenticates, admits and reads the first snapshot of the sockets connecting meanwhile, in one call."""
    return DatabaseBatch(lambda requests: open_sockets(requests=requests), max_size=OPEN_BATCH_MAX, name="openings")


class ResultsPublisher:
    """Sends a session's live results to its teachers at most once per interval, computed from the database.

    Whichever worker stored answers publishes; the teacher's socket keeps only the most complete results it saw.
    In a student-paced session, the students whose rows changed on this worker are gathered meanwhile and only
    their rows go out (`grid.delta`).
    """

    def __init__(self, hub: LocalHub, interval: float):
        self.hub = hub
        self.interval = interval
        self._scheduled: dict[int, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()  # scheduled or publishing
        self._last: dict[int, float] = {}
        self._changed: dict[int, set[int]] = {}
        self._stopping = False

    def mark_dirty(self, session_id: int, *, interval: float | None = None, student_id: int | None = None) -> None:
        """Publish the session's results once `interval` (default: the publisher's) has passed since the last;
        `student_id`: the student-paced row of this student changed."""
        if self._stopping:
            return
        if student_id is not None:
            self._changed.setdefault(session_id, set()).add(student_id)
        if session_id in self._scheduled:
            return
        now = time.monotonic()
        if len(self._last) > 1000:  # forget sessions not published within the interval: they wait for nothing
            self._last = {sid: at for sid, at in self._last.items() if now - at < self.interval}
        delay = max(0.0, self._last.get(session_id, 0.0) + (interval or self.interval) - now)
        task = self._scheduled[session_id] = asyncio.create_task(
            self._publish_after(session_id, delay), name=f"results-{session_id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        """Publish no more: a publish waiting for its interval is dropped, and one reading the database is waited
        for (a cancelled `database_sync_to_async` call still ends in its thread), so that nothing of it is still
        reading once the worker's connections close or the database is emptied behind it."""
        self._stopping = True
        sleeping = list(self._scheduled.values())
        await stop_tasks(sleeping, owner="results publisher")
        await finish_tasks([task for task in self._tasks if task not in sleeping], owner="results publisher")

    async def _publish_after(self, session_id: int, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
        finally:
            # Answers stored from here on schedule a new publish.
            self._scheduled.pop(session_id, None)
        self._last[session_id] = time.monotonic()
        try:
            await self.publish_now(session_id)
        except Exception as error:
            log_failure(logger, error, "could not publish results of session %s", session_id)

    async def publish_now(self, session_id: int) -> None:
        changed = self._changed.pop(session_id, None)
        if changed:
            try:
                broadcast = await database_sync_to_async(paced_grid_delta_broadcast)(
                    session_id=session_id, student_ids=changed
                )
            except Exception:
                self._changed.setdefault(session_id, set()).update(changed)  # they go with the next change
                raise
            await publish([broadcast], hub=self.hub)
            return
        results = await database_sync_to_async(results_texts)(session_id=session_id)
        if results.text is None or results.round_id is None:  # no round yet: nothing to publish
            return
        await self.hub.publish(
            Results(
                group=groups.session_teachers(session_id),
                round_id=results.round_id,
                answered=results.answered,
                text=results.text,
                projector_text=results.projector_text,
            )
        )


class DeadlineSweeper:
    """Closes rounds whose deadline passed, whether or not the teacher's browser is still there.

    Every worker with sockets sweeps twice a second; a push also wakes it at the round's deadline. Closing is a
    conditional update, so when several workers sweep only one announces the close.
    """

    def __init__(self, hub: LocalHub):
        self.hub = hub
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def ensure_running(self) -> None:
        if self._stopping:
            return
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._sweep_forever(), name="deadline-sweeper")

    def wake_at(self, deadline: datetime) -> None:
        delay = max(0.0, (deadline - timezone.now()).total_seconds())
        asyncio.get_running_loop().call_later(delay + 0.01, self.wake)

    def wake(self) -> None:
        """Sweep now rather than at the next interval."""
        self._wake.set()

    async def _sweep_forever(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(DEADLINE_SWEEP_INTERVAL):
                    await self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            if not self.hub.members:
                continue
            try:
                broadcasts = await database_sync_to_async(close_overdue_rounds)()
            except Exception as error:
                log_failure(logger, error, "closing overdue rounds failed")
                continue
            await publish(broadcasts, hub=self.hub)

    async def stop(self) -> None:
        """End the sweeps: one under way writes its closes and announces them first (`finish_tasks`)."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await finish_tasks([self._task], owner="deadline sweeper")


class Runtime:
    def __init__(self) -> None:
        layer = get_channel_layer()
        if layer is None:
            raise ImproperlyConfigured("realtime needs a channel layer: CHANNEL_LAYERS has no 'default'")
        self.hub = LocalHub(layer)
        self.answers = answer_writer()
        self.paced_steps = paced_stepper()
        self.openings = socket_opener()
        self.results = ResultsPublisher(self.hub, settings.RESULTS_PUBLISH_INTERVAL)
        self.deadlines = DeadlineSweeper(self.hub)
        self.liveness = Liveness()

    async def stop(self) -> None:
        await self.deadlines.stop()
        await self.results.stop()
        await self.liveness.stop()
        await self.hub.stop()
        for batches in (self.answers, self.paced_steps, self.openings):
            await batches.stop()


_runtimes: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Runtime]" = weakref.WeakKeyDictionary()
# The runtime asked for last, with its loop: a worker has one loop, and every answer asks (a weak dictionary's
# lookup is Python code, ~1 µs). Only read while that loop is running, so it is the loop's entry of `_runtimes`.
_latest: tuple[asyncio.AbstractEventLoop, Runtime] | None = None


def current_runtime() -> Runtime:
    global _latest
    loop = asyncio.get_running_loop()
    latest = _latest
    if latest is not None and latest[0] is loop:
        return latest[1]
    runtime = _runtimes.get(loop)
    if runtime is None:
        runtime = _runtimes[loop] = Runtime()
    _latest = (loop, runtime)
    return runtime


def running_runtime() -> Runtime | None:
    """This event loop's runtime if it has one that was not stopped; unlike `current_runtime`, never starts one."""
    return _runtimes.get(asyncio.get_running_loop())


async def stop_current_runtime() -> None:
    global _latest
    loop = asyncio.get_running_loop()
    if _latest is not None and _latest[0] is loop:
        _latest = None
    runtime = _runtimes.pop(loop, None)
    if runtime is not None:
        await runtime.stop()


async def publish(broadcasts: list[Broadcast], *, hub: LocalHub | None = None) -> bool:
    """realtime's one broadcast function: hand committed events to every worker. False if any was lost."""
    hub = hub or current_runtime().hub
    delivered = True
    for broadcast in broadcasts:
        delivered = await hub.publish(broadcast) and delivered
    return delivered
