"""Presence, without sockets: who is connected to this worker, reported to the session's teachers everywhere."""

import asyncio

import pytest

from realtime import groups
from realtime import presence as presence_module
from realtime.messages import Hello, Presence, PresenceRequest
from realtime.presence import PresenceTracker


class Student:
    def __init__(self, user_id: int, session_id: int = 7, role: str = "student"):
        self.user_id = user_id
        self.session_id = session_id
        self.role = role


class Recorder:
    """The publish path and the clock, as the tracker sees them; reports are counted as they are published."""

    def __init__(self):
        self.published: list = []
        self.delays: list[float] = []
        self.now = 500.0
        self.arrived = asyncio.Event()

    async def publish(self, message) -> bool:
        self.published.append(message)
        self.arrived.set()
        return True

    async def sleep(self, delay: float) -> None:
        self.delays.append(delay)

    def clock(self) -> float:
        return self.now

    async def next_report(self) -> Presence:
        async def report():
            while not any(isinstance(m, Presence) for m in self.published):
                self.arrived.clear()
                await self.arrived.wait()
            index = next(i for i, m in enumerate(self.published) if isinstance(m, Presence))
            return self.published.pop(index)

        return await asyncio.wait_for(report(), 5)


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def tracker(recorder):
    return PresenceTracker(worker_id="w1", publish=recorder.publish, clock=recorder.clock, sleep=recorder.sleep)


async def test_a_student_is_reported_once_however_many_of_their_sockets_connect(tracker, recorder):
    phone, laptop = Student(1), Student(1)
    tracker.arrive(phone, name="Ada", guest=False)
    tracker.arrive(laptop, name="Ada", guest=False)
    report = await recorder.next_report()
    assert report == Presence(
        group=groups.session_teachers(7), worker="w1", session_id=7, students=((1, "Ada", False),)
    )
    tracker.depart(phone)
    await asyncio.sleep(0)
    assert not any(isinstance(m, Presence) for m in recorder.published), "one socket left: still connected"
    tracker.depart(laptop)
    assert (await recorder.next_report()).students == ()
    assert tracker.students_here == {}


async def test_only_students_count(tracker, recorder):
    tracker.arrive(Student(2, role="teacher"), name="Teacher", guest=False)
    tracker.arrive(Student(3), name="Guest 3", guest=True)
    assert (await recorder.next_report()).students == ((3, "Guest 3", True),)


async def test_leaving_twice_or_without_arriving_changes_nothing(tracker, recorder):
    socket = Student(4)
    tracker.depart(socket)
    tracker.arrive(socket, name="Bo", guest=False)
    await recorder.next_report()
    tracker.depart(socket)
    tracker.depart(socket)
    assert (await recorder.next_report()).students == ()
    await asyncio.sleep(0)
    assert not any(isinstance(m, Presence) for m in recorder.published)


async def test_reports_are_spaced_out_while_a_big_class_connects(tracker, recorder):
    for user_id in range(1, 4001):
        tracker.arrive(Student(user_id), name=f"S{user_id}", guest=True)
    report = await recorder.next_report()
    assert len(report.students) == 4000, "one report for the whole class, not one per student"
    assert recorder.delays == [4000 / presence_module.PRESENCE_ENTRIES_PER_SECOND]


async def test_a_small_class_is_reported_after_the_debounce(tracker, recorder):
    tracker.arrive(Student(1), name="Ada", guest=False)
    await recorder.next_report()
    assert recorder.delays == [presence_module.PRESENCE_DEBOUNCE]


async def test_a_request_is_answered_at_once_with_its_id_even_with_nobody_here(tracker, recorder):
    await tracker.on_hub_message(PresenceRequest(group=groups.hubs(), worker="w2", session_id=9, request="w2-1"))
    assert recorder.published[-1] == Presence(
        group=groups.session_teachers(9), worker="w1", session_id=9, students=(), request="w2-1"
    )
    assert recorder.delays == [], "a request is not debounced"


async def test_a_new_worker_is_greeted_back_and_forgotten_once_silent(tracker, recorder):
    assert tracker.known_workers() == {"w1"}
    await tracker.on_hub_message(Hello(group=groups.hubs(), worker="w2"))
    assert recorder.published == [Hello(group=groups.hubs(), worker="w1")], "so that w2 knows this worker at once"
    assert tracker.known_workers() == {"w1", "w2"}

    await tracker.on_hub_message(Hello(group=groups.hubs(), worker="w2"))
    assert len(recorder.published) == 1, "a worker already known is not greeted again"

    recorder.now += presence_module.WORKER_EXPIRY + 1
    assert tracker.known_workers() == {"w1"}


async def test_its_own_hello_does_not_make_a_worker_known(tracker, recorder):
    await tracker.on_hub_message(Hello(group=groups.hubs(), worker="w1"))
    assert recorder.published == []
    assert tracker.known_workers() == {"w1"}


async def test_a_change_made_while_a_report_is_being_published_is_reported_too(recorder):
    leaving = Student(1)

    async def slow_publish(message) -> bool:
        if isinstance(message, Presence) and message.students:
            tracker.depart(leaving)  # the student leaves while their arrival is on its way to the layer
        return await recorder.publish(message)

    tracker = PresenceTracker(worker_id="w1", publish=slow_publish, clock=recorder.clock, sleep=recorder.sleep)
    tracker.arrive(leaving, name="Ada", guest=False)
    assert (await recorder.next_report()).students == ((1, "Ada", False),)
    assert (await recorder.next_report()).students == (), "the departure is not lost"
