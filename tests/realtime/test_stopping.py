"""A worker's long-lived tasks stop when they are told to, whatever they are doing at that moment, and in particular
just as what they wait for arrives: a task that outlived its stop would hold a worker's shutdown (and a test's
teardown) for ever. On Python 3.11, a task waiting with asyncio.wait_for and cancelled just as the awaited thing
finished was not cancelled at all; the deadline sweeper, woken by a round's deadline at that moment, kept sweeping.
"""

import asyncio
import threading
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, transaction
from django.utils import timezone

from classroom import services
from classroom.models import LiveSession, Round
from realtime import hub as hub_module
from realtime import tasks as tasks_module
from realtime.hub import LocalHub
from realtime.runtime import DatabaseBatch, DeadlineSweeper, current_runtime, running_runtime, stop_current_runtime
from realtime.tasks import finish_tasks, stop_tasks
from tests.realtime.layers import GatedLayer
from tests.realtime.sockets import connect
from tests.waiting import let_ready_tasks_run

# How many turns of the event loop pass between what the task waited for arriving and its stop: 0 is the same turn.
# The window in which wait_for lost a cancellation is a few turns wide; these cover it.
TURNS = range(4)
STOP_WITHIN = 1.0  # seconds; a stop that works takes a few turns of the loop


@pytest.fixture(autouse=True)
def stop_within(monkeypatch):
    """A task still running this long after its stop is left behind (and the test sees it)."""
    monkeypatch.setattr(tasks_module, "STOP_TIMEOUT", STOP_WITHIN)


def running_tasks_named(prefix: str) -> list[asyncio.Task]:
    return [task for task in asyncio.all_tasks() if task.get_name().startswith(prefix) and not task.done()]


class NoSockets:
    """A hub with no sockets: the sweeper wakes and finds nothing to sweep."""

    members: dict = {}


class OneSocket:
    """A hub with a socket: the sweeper sweeps, and what it publishes is kept."""

    def __init__(self) -> None:
        self.members = {"student": object()}
        self.published: list = []

    async def publish(self, broadcast) -> bool:
        self.published.append(broadcast)
        return True


@pytest.mark.parametrize("turns", TURNS)
async def test_the_deadline_sweeper_stops_when_stopped_just_as_a_deadline_wakes_it(turns):
    sweeper = DeadlineSweeper(NoSockets())  # type: ignore[arg-type]
    sweeper.ensure_running()
    await let_ready_tasks_run()  # it waits for its next sweep

    sweeper.wake()
    for _ in range(turns):
        await asyncio.sleep(0)
    await sweeper.stop()

    assert running_tasks_named("deadline-sweeper") == []


@pytest.mark.parametrize("turns", TURNS)
async def test_the_hub_stops_when_stopped_just_as_a_heartbeat_goes_out(turns, monkeypatch):
    monkeypatch.setattr(hub_module, "HEARTBEAT_INTERVAL", 0)
    layer = GatedLayer()
    hub = LocalHub(layer)  # type: ignore[arg-type]
    await hub.start()
    await layer.sending.wait()  # a heartbeat is on its way

    layer.gate.set()
    for _ in range(turns):
        await asyncio.sleep(0)
    await hub.stop()

    assert running_tasks_named("hub-") == []


async def test_a_task_that_will_not_stop_is_left_behind_with_a_warning_and_stopping_goes_on(caplog):
    released = asyncio.Event()

    async def stubborn():
        while True:
            try:
                await released.wait()
                return
            except asyncio.CancelledError:
                continue  # a task must never do this; stopping must survive one that does

    task = asyncio.create_task(stubborn())
    await let_ready_tasks_run()

    await stop_tasks([task], owner="test")

    assert not task.done()
    assert "1 task(s) of the test did not stop within" in caplog.text
    released.set()
    await task


async def test_stopping_takes_neither_a_tasks_failure_nor_its_cancellation_for_its_own():
    async def failing():
        raise ValueError("failed while stopping")

    async def waiting():
        await asyncio.Event().wait()

    failed, cancelled = asyncio.create_task(failing()), asyncio.create_task(waiting())
    await let_ready_tasks_run()

    await stop_tasks([failed, cancelled], owner="test")  # raises neither

    assert failed.done() and cancelled.cancelled()


async def test_whoever_stops_the_tasks_can_itself_still_be_cancelled():
    async def waiting_out_its_cancellation():
        try:
            await asyncio.Event().wait()
        finally:
            await asyncio.sleep(10)

    stubborn = asyncio.create_task(waiting_out_its_cancellation())
    await let_ready_tasks_run()
    stopping = asyncio.create_task(stop_tasks([stubborn], owner="test", timeout=30))
    await let_ready_tasks_run()

    stopping.cancel()
    await asyncio.wait({stopping})

    assert stopping.cancelled()
    stubborn.cancel()


@pytest.mark.django_db(transaction=True)
async def test_a_socket_that_leaves_after_its_worker_stopped_starts_nothing_again(live_session, enrolled_students):
    socket, _snapshot = await connect(enrolled_students[0], live_session)
    await stop_current_runtime()

    await socket.close()

    assert running_runtime() is None


async def test_a_stopped_runtime_is_not_handed_out_again():
    first = current_runtime()
    assert current_runtime() is first  # one per event loop, asked for on every answer

    await stop_current_runtime()

    assert running_runtime() is None
    second = current_runtime()
    assert second is not first
    assert running_runtime() is second
    await stop_current_runtime()


class TableLocked:
    """Another connection holds an exclusive lock on a model's table (as the TRUNCATE of a test's teardown does)
    until the block ends: whatever reads or writes that table meanwhile waits."""

    def __init__(self, model) -> None:
        self.table = model._meta.db_table
        self.locked, self.released = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, name=f"{self.table}-locked")

    def _hold(self) -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {self.table} IN ACCESS EXCLUSIVE MODE")
                self.locked.set()
                self.released.wait(timeout=10)
        finally:
            connection.close()

    def __enter__(self) -> "TableLocked":
        self.thread.start()
        assert self.locked.wait(timeout=5), f"{self.table} could not be locked"
        return self

    def __exit__(self, *exc_info) -> None:
        self.released.set()
        self.thread.join(timeout=10)


@sync_to_async(thread_sensitive=False)
def statements_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        (count,) = cursor.fetchone()
    connection.close()
    return count


async def until_a_statement_waits_for_a_lock(timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not await statements_waiting_for_a_lock():
            await asyncio.sleep(0.01)


@pytest.fixture
def stopping_waits_past_the_lock(monkeypatch):
    """Stopping waits well past the lock's release, so a stop that ends early is the code's, never a busy machine's."""
    monkeypatch.setattr(tasks_module, "STOP_TIMEOUT", 10.0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="locks a table, which SQLite cannot")
async def test_a_worker_that_stops_waits_for_the_live_results_it_is_reading_and_schedules_no_more(
    live_session, stopping_waits_past_the_lock, caplog
):
    """A publish of the teacher's results still reading when its worker stopped went on reading while the test's
    teardown emptied the database: the two deadlocked."""
    results = current_runtime().results
    with TableLocked(LiveSession):
        results.mark_dirty(live_session.pk)  # published at once: the read waits for the lock
        await until_a_statement_waits_for_a_lock()
        stopping = asyncio.create_task(stop_current_runtime())
        await asyncio.sleep(0.3)
        assert not stopping.done(), "the worker stopped while its results were still being read"

    await asyncio.wait_for(stopping, timeout=15)
    assert "did not finish" not in caplog.text  # the read ended by itself, not cancelled
    assert running_tasks_named("results-") == []
    assert await statements_waiting_for_a_lock() == 0

    results.mark_dirty(live_session.pk)  # an answer stored as the worker stops
    assert running_tasks_named("results-") == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="locks a table, which SQLite cannot")
async def test_a_sweep_under_way_when_the_worker_stops_closes_its_round_and_announces_it_first(
    live_session, teacher, stopping_waits_past_the_lock
):
    question = await sync_to_async(live_session.quiz.questions.first)()
    round_ = await sync_to_async(services.session_push_question)(
        session_id=live_session.pk, question_id=question.pk, pushed_by=teacher
    )
    await Round.objects.filter(pk=round_.pk).aupdate(deadline=timezone.now() - timedelta(seconds=1))
    hub = OneSocket()
    sweeper = DeadlineSweeper(hub)  # type: ignore[arg-type]
    with TableLocked(Round):
        sweeper.ensure_running()
        sweeper.wake()
        await until_a_statement_waits_for_a_lock()
        stopping = asyncio.create_task(sweeper.stop())
        await asyncio.sleep(0.3)
        assert not stopping.done(), "the sweeper stopped while its sweep was still writing"

    await asyncio.wait_for(stopping, timeout=15)
    closed = await Round.objects.aget(pk=round_.pk)
    assert closed.closed_at is not None
    assert hub.published, "the close was written but not announced"
    assert running_tasks_named("deadline-sweeper") == []
    sweeper.ensure_running()
    assert running_tasks_named("deadline-sweeper") == []


async def test_finishing_lets_a_task_end_by_itself_and_stops_one_that_overruns(caplog):
    quick = asyncio.create_task(asyncio.sleep(0.05, result="finished"))
    slow = asyncio.create_task(asyncio.sleep(60))

    await finish_tasks([quick, slow], owner="test", timeout=0.3)

    assert quick.result() == "finished"
    assert slow.cancelled()
    assert "1 task(s) of the test did not finish within 0.3 s" in caplog.text


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="locks a table, which SQLite cannot")
async def test_batches_under_way_when_the_worker_stops_finish_and_their_callers_get_their_results(
    live_session, stopping_waits_past_the_lock
):
    def sessions_counted(items: list[int]) -> list[int]:
        count = LiveSession.objects.count()
        return [count for _item in items]

    batches = DatabaseBatch(sessions_counted, max_size=10, name="counting")
    with TableLocked(LiveSession):
        callers = [asyncio.create_task(batches.call(item)) for item in range(3)]
        await until_a_statement_waits_for_a_lock()
        stopping = asyncio.create_task(batches.stop())
        await asyncio.sleep(0.3)
        assert not stopping.done(), "the batches stopped while one was still reading"

    await asyncio.wait_for(stopping, timeout=15)
    assert [caller.result() for caller in callers] == [1, 1, 1]
