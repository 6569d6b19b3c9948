"""realtime.runtime.DatabaseBatch: many callers, a few calls of the database function, each caller its own result."""

import asyncio
import threading

import pytest

from realtime.runtime import DatabaseBatch


class Recorder:
    """A database function that records its batches, may be held, and counts how many run at once."""

    def __init__(self, *, fail_on=None):
        self.batches: list[list[int]] = []
        self.release = threading.Event()
        self.release.set()
        self.running = 0
        self.most_at_once = 0
        self.started = threading.Semaphore(0)
        self.fail_on = fail_on
        self._lock = threading.Lock()

    def __call__(self, items: list[int]) -> list[int]:
        with self._lock:
            self.batches.append(items)
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        self.started.release()
        try:
            self.release.wait(10)
            if self.fail_on in items:
                raise RuntimeError("the database said no")
            return [item * 10 for item in items]
        finally:
            with self._lock:
                self.running -= 1


async def started(recorder: Recorder, count: int = 1) -> None:
    for _ in range(count):
        assert await asyncio.to_thread(recorder.started.acquire, True, 10)


async def test_callers_arriving_while_a_batch_runs_go_together_in_the_next_one():
    recorder = Recorder()
    recorder.release.clear()
    batch = DatabaseBatch(recorder, max_size=100, name="test")
    first = asyncio.ensure_future(batch.call(1))
    await started(recorder)
    rest = [asyncio.ensure_future(batch.call(item)) for item in range(2, 6)]
    await asyncio.sleep(0)
    recorder.release.set()
    assert await asyncio.gather(first, *rest) == [10, 20, 30, 40, 50]
    assert recorder.batches == [[1], [2, 3, 4, 5]]


async def test_a_batch_holds_at_most_max_size_items():
    recorder = Recorder()
    recorder.release.clear()
    batch = DatabaseBatch(recorder, max_size=2, name="test")
    calls = [asyncio.ensure_future(batch.call(item)) for item in range(1, 6)]
    await started(recorder)
    recorder.release.set()
    assert await asyncio.gather(*calls) == [10, 20, 30, 40, 50]
    assert recorder.batches == [[1, 2], [3, 4], [5]]


async def test_a_failed_batch_fails_its_callers_only_and_the_next_batch_runs():
    recorder = Recorder(fail_on=2)
    recorder.release.clear()
    batch = DatabaseBatch(recorder, max_size=2, name="test")
    calls = [asyncio.ensure_future(batch.call(item)) for item in range(1, 5)]
    await started(recorder)
    recorder.release.set()
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    assert [type(outcome) for outcome in outcomes[:2]] == [RuntimeError, RuntimeError]
    assert outcomes[2:] == [30, 40]


@pytest.mark.parametrize("threads", [1, 2])
async def test_with_threads_of_its_own_that_many_batches_run_at_once_and_no_more(threads):
    recorder = Recorder()
    recorder.release.clear()
    batch = DatabaseBatch(recorder, max_size=1, name="test", own_threads=threads)
    try:
        calls = [asyncio.ensure_future(batch.call(item)) for item in range(1, 6)]
        await started(recorder, threads)  # held: each started batch waits for the release
        await asyncio.sleep(0.05)
        assert recorder.running == threads
        recorder.release.set()
        assert await asyncio.gather(*calls) == [10, 20, 30, 40, 50]
        assert recorder.most_at_once == threads
        assert sorted(item for items in recorder.batches for item in items) == [1, 2, 3, 4, 5]
    finally:
        recorder.release.set()
        await batch.stop()


async def test_callers_that_do_not_wait_are_called_back_with_their_result_in_the_same_batches_as_waiting_ones():
    recorder = Recorder()
    recorder.release.clear()
    batch = DatabaseBatch(recorder, max_size=100, name="test")
    results: list[tuple[str, int]] = []
    batch.submit(1, then=lambda result: results.append(("then", result)), failed=pytest.fail)
    await started(recorder)
    waiting = asyncio.ensure_future(batch.call(2))
    batch.submit(3, then=lambda result: results.append(("then", result)), failed=pytest.fail)
    await asyncio.sleep(0)
    assert results == []  # nothing is called back before its batch is done
    recorder.release.set()
    assert await waiting == 20
    assert results == [("then", 10), ("then", 30)]
    assert [sorted(items) for items in recorder.batches] == [[1], [2, 3]]


async def test_a_failed_batch_calls_back_its_callers_that_do_not_wait_with_its_exception():
    recorder = Recorder(fail_on=2)
    batch = DatabaseBatch(recorder, max_size=2, name="test")
    failures: list[Exception] = []
    results: list[int] = []
    for item in (1, 2, 3):
        batch.submit(item, then=results.append, failed=failures.append)
    await started(recorder, 2)
    await wait_until(lambda: len(failures) + len(results) == 3)
    assert [str(error) for error in failures] == ["the database said no"] * 2
    assert results == [30]


async def test_a_callback_that_raises_does_not_keep_the_others_of_its_batch_from_theirs(caplog):
    batch = DatabaseBatch(Recorder(), max_size=10, name="test")
    results: list[int] = []

    def broken(result: int) -> None:
        raise ValueError("a socket's reply failed")

    batch.submit(1, then=results.append, failed=pytest.fail)
    batch.submit(2, then=broken, failed=pytest.fail)
    batch.submit(3, then=results.append, failed=pytest.fail)
    await wait_until(lambda: len(results) == 2)
    assert results == [10, 30]
    assert "handing a result over failed" in caplog.text


async def wait_until(condition, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)
