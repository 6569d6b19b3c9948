"""Which of this worker's sockets have gone silent: a client that sends heartbeats and stops is taken to be gone.

A connection can die without a word: Wi-Fi out of range, a phone in a lift. No TCP FIN, no close frame; the server
would keep the student on the teacher's roster until its transport's keepalive gave up, 20 s or more later. The
student pages therefore send a tiny `heartbeat` frame every 2 s (docs/protocol.md), and a socket that has sent one
is held to them: once it has been silent for `SILENT_AFTER`, it leaves the session's presence and is closed.

It costs a dictionary write per heartbeat and one sweep of the worker's watched sockets per `SWEEP_INTERVAL`, by a
single task for the whole worker: no timer per socket. A client that never sends a heartbeat (an older page, a
benchmark's client) is not watched and keeps relying on TCP.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Protocol

from realtime.tasks import stop_tasks

logger = logging.getLogger(__name__)

# The pages send a heartbeat every 2 s: one may come up to 1.5 s late (a busy phone) before its socket is judged.
SILENT_AFTER = 3.5
SWEEP_INTERVAL = 0.5
# A sweep that wakes this much later than planned ran on a loop that was busy: the heartbeats of that time may still
# wait to be read, so it judges no one and leaves that to the next sweep.
LATE_SWEEP = 2 * SWEEP_INTERVAL


class Watched(Protocol):
    # True while the socket is handling a frame of its own: frames after it (heartbeats too) wait to be read, so the
    # silence is the server's, not the client's.
    busy: bool

    async def went_silent(self) -> None: ...


class Liveness:
    """The last time each watched socket was heard from, and the sweep that finds those silent for too long."""

    def __init__(
        self,
        *,
        silent_after: float = SILENT_AFTER,
        sweep_interval: float = SWEEP_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.silent_after = silent_after
        self.sweep_interval = sweep_interval
        self.clock = clock
        self._last_heard: dict[Watched, float] = {}
        self._last_sweep: float | None = None
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._last_heard)

    def __contains__(self, socket: Watched) -> bool:
        return socket in self._last_heard

    def heartbeat(self, socket: Watched) -> None:
        """The socket sent a heartbeat: it is watched from now on (if it was not), and heard from now."""
        self._last_heard[socket] = self.clock()

    def heard(self, socket: Watched) -> None:
        """The socket was heard from now, if it is watched (a socket that never sent a heartbeat stays unwatched)."""
        if socket in self._last_heard:
            self._last_heard[socket] = self.clock()

    def forget(self, socket: Watched) -> None:
        """The socket is gone: no longer watched."""
        self._last_heard.pop(socket, None)

    def sweep(self) -> list[Watched]:
        """The watched sockets silent for longer than `silent_after`, no longer watched from here on."""
        now = self.clock()
        late = self._last_sweep is not None and now - self._last_sweep > self.sweep_interval + LATE_SWEEP
        self._last_sweep = now
        if late:
            return []
        deadline = now - self.silent_after
        silent = [socket for socket, heard in self._last_heard.items() if heard < deadline and not socket.busy]
        for socket in silent:
            del self._last_heard[socket]
        return silent

    # --- the worker's sweeping task -----------------------------------------------------------------------------
    def ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._sweep_forever(), name="liveness-sweep")

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_interval)
            for socket in self.sweep():
                try:
                    await socket.went_silent()
                except Exception:
                    logger.exception("could not take a silent socket out of its session")

    async def stop(self) -> None:
        if self._task is not None:
            await stop_tasks([self._task], owner="liveness sweep")
            self._task = None
