"""A worker's long-lived tasks stop when they are told to, whatever they are doing at that moment, and in particular
just as what they wait for arrives: a task that outlived its stop would hold a worker's shutdown (and a test's
teardown) for ever. On Python 3.11, a task waiting with asyncio.wait_for and cancelled just as the awaited thing
finished was not cancelled at all; the deadline sweeper, woken by a round's deadline at that moment, kept sweeping.
"""

import asyncio

import pytest

from realtime import hub as hub_module
from realtime import tasks as tasks_module
from realtime.hub import LocalHub
from realtime.runtime import DeadlineSweeper, running_runtime, stop_current_runtime
from realtime.tasks import stop_tasks
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
