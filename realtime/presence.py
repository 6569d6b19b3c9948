"""Presence: which students are connected, per session, on every worker.

Each worker's tracker counts the sockets of each student connected to it and reports the session's list to the
session's teachers (a `Presence` message, on every worker), when it changes, every few seconds, and at once when a
new teacher socket asks (a `PresenceRequest`). A teacher's socket merges the reports of all workers. The tracker
knows nothing of sockets beyond what `PresentSocket` names, nor of the layer: it publishes through the callable it
is given (the hub's one publish path).
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from realtime import groups
from realtime.messages import GroupMessage, Hello, Presence, PresenceRequest

logger = logging.getLogger(__name__)

PRESENCE_DEBOUNCE = 0.2
# Each report carries a session's whole list of students here, and the teacher's page gets the whole roster of who
# is connected each time. While a big class connects, reports are spaced so that no more than this many entries a
# second are sent: 0.2 s apart for a class, 1 s for 2,000 students, 2.5 s for 5,000.
PRESENCE_ENTRIES_PER_SECOND = 2000
PRESENCE_MAX_DELAY = 3.0
PRESENCE_REFRESH = 5.0
# A worker not heard from for this long (no hello, no presence) is taken to be gone.
WORKER_EXPIRY = 15.0

Publish = Callable[[GroupMessage], Awaitable[bool]]


class PresentSocket(Protocol):
    user_id: int
    role: str
    session_id: int


@dataclass
class _Student:
    name: str
    guest: bool
    sockets: int = 0


class PresenceTracker:
    def __init__(
        self,
        *,
        worker_id: str,
        publish: Publish,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self.worker_id = worker_id
        self.publish = publish
        self.clock = clock
        self.sleep = sleep
        # session id -> {student id: the student and how many of their sockets are connected here}
        self.students_here: dict[int, dict[int, _Student]] = {}
        self._arrived: set[PresentSocket] = set()
        self._pending: set[int] = set()
        self._report_task: asyncio.Task[None] | None = None
        self._workers_seen: dict[str, float] = {}  # other workers' hubs -> when last heard from
        self._requests = 0

    # --- who is here -------------------------------------------------------------------------------------------
    def arrive(self, socket: PresentSocket, *, name: str, guest: bool) -> None:
        """An admitted student's socket: its student counts as connected here, for the session's teachers."""
        if socket.role != "student" or socket in self._arrived:
            return
        self._arrived.add(socket)
        here = self.students_here.setdefault(socket.session_id, {})
        student = here.setdefault(socket.user_id, _Student(name=name, guest=guest))
        student.sockets += 1
        if student.sockets == 1:
            self.changed(socket.session_id)

    def depart(self, socket: PresentSocket) -> None:
        if socket not in self._arrived:
            return
        self._arrived.discard(socket)
        here = self.students_here.get(socket.session_id, {})
        student = here.get(socket.user_id)
        if student is None:
            return
        student.sockets -= 1
        if student.sockets <= 0:
            del here[socket.user_id]
            if not here:
                del self.students_here[socket.session_id]
            self.changed(socket.session_id)

    def report(self, session_id: int, *, request: str | None = None) -> Presence:
        here = self.students_here.get(session_id, {})
        return Presence(
            group=groups.session_teachers(session_id),
            worker=self.worker_id,
            session_id=session_id,
            students=tuple((student_id, student.name, student.guest) for student_id, student in here.items()),
            request=request,
        )

    # --- reporting ---------------------------------------------------------------------------------------------
    def changed(self, session_id: int) -> None:
        """Report the session soon: debounced, and spaced out while a big class connects."""
        self._pending.add(session_id)
        if self._report_task is None or self._report_task.done():
            self._report_task = asyncio.create_task(self._report_soon(), name="presence-report")

    def changed_everywhere(self) -> None:
        """Report every session with students here (live updates resumed: what was sent meanwhile may be lost)."""
        for session_id in list(self.students_here):
            self.changed(session_id)

    async def _report_soon(self) -> None:
        # Changes made while a report is being published are reported by this task's next turn: `changed` starts
        # no second task while this one runs.
        while self._pending:
            students = sum(len(here) for here in self.students_here.values())
            await self.sleep(min(PRESENCE_MAX_DELAY, max(PRESENCE_DEBOUNCE, students / PRESENCE_ENTRIES_PER_SECOND)))
            pending, self._pending = self._pending, set()
            for session_id in pending:
                await self.publish(self.report(session_id))

    async def refresh_forever(self) -> None:
        """Say hello and report every session here every PRESENCE_REFRESH seconds: a report that was lost, or a
        teacher's socket on a worker that missed it, is made good within that time."""
        while True:
            await self.sleep(PRESENCE_REFRESH)
            await self.hello()
            for session_id in list(self.students_here):
                await self.publish(self.report(session_id))

    async def request(self, session_id: int) -> str:
        """Ask every worker to report the session's students connected to it, at once and even if none are (a
        teacher just connected). Returns the request's id, which each report carries."""
        self._requests += 1
        request = f"{self.worker_id}-{self._requests}"
        await self.publish(
            PresenceRequest(group=groups.hubs(), worker=self.worker_id, session_id=session_id, request=request)
        )
        return request

    # --- other workers -----------------------------------------------------------------------------------------
    async def hello(self) -> None:
        await self.publish(Hello(group=groups.hubs(), worker=self.worker_id))

    def known_workers(self) -> set[str]:
        """The workers whose hubs are known to be running: this one and those heard from lately."""
        now = self.clock()
        alive = {worker for worker, seen in self._workers_seen.items() if now - seen <= WORKER_EXPIRY}
        return {self.worker_id, *alive}

    async def on_hub_message(self, message: Hello | PresenceRequest) -> None:
        if message.worker != self.worker_id:
            new = message.worker not in self._workers_seen
            self._workers_seen[message.worker] = self.clock()
            if new and isinstance(message, Hello):
                await self.hello()  # so that a worker that just started knows this one at once
        if isinstance(message, PresenceRequest):
            await self.publish(self.report(message.session_id, request=message.request))

    async def stop(self) -> None:
        if self._report_task is not None:
            self._report_task.cancel()
