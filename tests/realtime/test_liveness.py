"""A worker's liveness watch, without sockets: a clock the test moves by hand, and sockets that only say whether they
are busy."""

import asyncio

from realtime.liveness import Liveness


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeSocket:
    def __init__(self, name: str):
        self.name = name
        self.busy = False
        self.silenced = 0
        self.told = asyncio.Event()

    async def went_silent(self) -> None:
        self.silenced += 1
        self.told.set()

    def __repr__(self) -> str:
        return self.name


def watch_with_clock(**options) -> tuple[Liveness, Clock]:
    clock = Clock()
    return Liveness(silent_after=3.5, sweep_interval=0.5, clock=clock, **options), clock


def sweeps(liveness: Liveness, clock: Clock, seconds: float) -> list:
    """Sweep every half second for `seconds`, as the worker's task does; every socket found silent, in order."""
    found = []
    for _ in range(round(seconds / 0.5)):
        clock.advance(0.5)
        found += liveness.sweep()
    return found


def test_a_socket_that_never_sent_a_heartbeat_is_not_watched():
    liveness, clock = watch_with_clock()
    quiet = FakeSocket("quiet")

    liveness.heard(quiet)  # an ordinary frame of a client that sends no heartbeats

    assert quiet not in liveness
    assert sweeps(liveness, clock, 60) == []


def test_a_socket_sending_heartbeats_every_two_seconds_is_never_found_silent():
    liveness, clock = watch_with_clock()
    steady = FakeSocket("steady")
    liveness.heartbeat(steady)

    found = []
    for _ in range(30):
        found += sweeps(liveness, clock, 2.0)
        liveness.heartbeat(steady)

    assert found == []
    assert steady in liveness


def test_a_heartbeat_arriving_late_by_a_second_and_a_half_is_still_in_time():
    liveness, clock = watch_with_clock()
    late = FakeSocket("late")
    liveness.heartbeat(late)

    assert sweeps(liveness, clock, 3.5) == []
    liveness.heartbeat(late)
    assert sweeps(liveness, clock, 2.0) == []


def test_a_socket_silent_for_longer_than_the_limit_is_found_within_the_next_sweep_and_then_forgotten():
    liveness, clock = watch_with_clock()
    gone, staying = FakeSocket("gone"), FakeSocket("staying")
    liveness.heartbeat(gone)
    liveness.heartbeat(staying)

    found_at = None
    for tick in range(1, 20):
        clock.advance(0.5)
        if tick % 4 == 0:
            liveness.heartbeat(staying)
        if gone in liveness.sweep():
            found_at = tick * 0.5
            break

    assert found_at is not None and 3.5 < found_at <= 4.0
    assert gone not in liveness and staying in liveness
    assert sweeps(liveness, clock, 1.0) == [], "found once only"


def test_a_socket_busy_with_a_frame_of_its_own_is_not_judged_until_it_is_done():
    liveness, clock = watch_with_clock()
    answering = FakeSocket("answering")
    liveness.heartbeat(answering)
    answering.busy = True  # an answer waits for a slow database; the heartbeats after it wait to be read

    assert sweeps(liveness, clock, 10) == []

    answering.busy = False
    liveness.heard(answering)  # done: the heartbeats queued behind the answer are read next
    assert sweeps(liveness, clock, 3.0) == []
    assert sweeps(liveness, clock, 1.0) == [answering]


def test_a_sweep_that_runs_late_judges_no_one_and_leaves_that_to_the_next():
    liveness, clock = watch_with_clock()
    waiting = FakeSocket("waiting")
    liveness.heartbeat(waiting)
    liveness.sweep()

    clock.advance(5.0)  # the loop was busy for 5 s: the socket's heartbeats of that time have not been read yet
    assert liveness.sweep() == []
    liveness.heartbeat(waiting)  # read now

    assert sweeps(liveness, clock, 3.0) == []


def test_a_forgotten_socket_is_never_found_silent():
    liveness, clock = watch_with_clock()
    left = FakeSocket("left")
    liveness.heartbeat(left)

    liveness.forget(left)

    assert sweeps(liveness, clock, 10) == []


async def test_the_worker_task_tells_each_silent_socket_once():
    liveness = Liveness(silent_after=0.05, sweep_interval=0.01)
    gone, later = FakeSocket("gone"), FakeSocket("later")
    liveness.heartbeat(gone)
    liveness.ensure_running()
    try:
        async with asyncio.timeout(5):
            await gone.told.wait()
            liveness.heartbeat(later)  # found silent several sweeps later: `gone` had as many chances to be told again
            await later.told.wait()
    finally:
        await liveness.stop()

    assert (gone.silenced, later.silenced) == (1, 1)
    assert len(liveness) == 0
