"""A socket's output: every frame the server sends to one client goes through its outbox, and no caller ever waits.

The outbox holds frames while the socket's snapshot is being read and sends them after it; writes a frame straight
to the connection when the connection takes data at once (realtime.direct_send) and nothing is queued before it;
queues it otherwise, for a writer task of its own that sends through ASGI in order. Results and presence go into
newest-wins slots: a newer one replaces the one still waiting, so a socket that reads slowly skips what it missed.

A client that stops reading (a phone asleep, bad Wi-Fi) therefore holds up only its own writer, never the hub that
hands the same broadcast to every other socket. The queue is bounded, and a socket that stays unwritable for longer
than its limit (`WEBSOCKET_SLOW_READER_LIMIT`) is closed with 1013: the client reconnects and resumes by snapshot.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, TypedDict

from realtime.direct_send import DirectWrite, text_frame
from realtime.protocol import CLOSE_TRY_AGAIN_LATER

logger = logging.getLogger(__name__)

# Ordinary frames (not counting those in slots) a socket may have waiting; a few questions' worth of pushes,
# reveals and scores. A client this far behind resumes faster from a snapshot.
MAX_QUEUED_FRAMES = 64


class TextFrame(TypedDict):
    type: Literal["websocket.send"]
    text: str


class CloseFrame(TypedDict):
    type: Literal["websocket.close"]
    code: int


# The ASGI events an outbox sends. asgiref.typing's versions also require the keys the ASGI spec makes optional
# (`bytes`, `reason`), which these leave out, so a server's `send` is handed over as a `Send` (see the consumers).
OutboxEvent = TextFrame | CloseFrame
Send = Callable[[OutboxEvent], Awaitable[None]]
CloseNow = Callable[[int], bool]


@dataclass(slots=True)
class _Entry:
    text: str | None  # None: dropped (replaced in its slot), or a snapshot barrier not filled yet
    slot: str | None = None
    barrier: bool = False
    close_code: int | None = None


class Outbox:
    """The frames on their way to one client, in order. `put` and `close` never wait.

    `send` is the ASGI send. `direct_write` (optional) writes a ready-made frame at once and says whether it did.
    `close_now` (optional) closes the connection with a code without waiting for it to be writable; without it, a
    stalled socket's close goes through `send` too. `on_stalled` is called once when the socket is given up.
    """

    __slots__ = (
        "barrier",
        "close_now",
        "closing",
        "direct_write",
        "in_flight",
        "max_frames",
        "name",
        "on_stalled",
        "queue",
        "queued",
        "send",
        "slots",
        "snapshots",
        "stall_limit",
        "stalled",
        "writer",
    )

    def __init__(
        self,
        send: Send,
        *,
        stall_limit: float,
        direct_write: DirectWrite | None = None,
        close_now: CloseNow | None = None,
        on_stalled: Callable[[], Awaitable[None]] | None = None,
        max_frames: int = MAX_QUEUED_FRAMES,
        name: str = "socket",
    ):
        self.send = send
        self.stall_limit = stall_limit
        self.direct_write = direct_write
        self.close_now = close_now
        self.on_stalled = on_stalled
        self.max_frames = max_frames
        self.name = name
        # A list, not a deque: it rarely holds more than a frame or two, and an empty deque costs ~600 bytes more
        # for each of thousands of sockets.
        self.queue: list[_Entry] = []
        self.slots: dict[str, _Entry] = {}
        self.queued = 0  # ordinary frames waiting in `queue`
        self.barrier: _Entry | None = None
        self.snapshots = 0  # snapshot reads begun (`hold`)
        self.closing = False  # a close is queued or sent: nothing more goes out
        self.stalled = False
        self.writer: asyncio.Task[None] | None = None
        self.in_flight = False  # the writer is sending a frame it took off the queue

    # --- putting -----------------------------------------------------------------------------------------------
    def put(self, text: str, *, frame: bytes | None = None, slot: str | None = None) -> None:
        """Send `text` after everything put before it. `frame`: its ready-made wire bytes, when the caller has them
        (a broadcast framed once for every socket). `slot`: a newer frame of the slot replaces one still waiting."""
        if self.closing:
            return
        if not self.queue and not self.in_flight and self.direct_write is not None:
            if frame is None:
                frame = text_frame(text.encode())
            if frame is not None and self.direct_write(frame):
                return
        if slot is not None:
            waiting = self.slots.get(slot)
            if waiting is not None:
                waiting.text = None
            entry = self.slots[slot] = _Entry(text, slot=slot)
        else:
            if self.queued >= self.max_frames:
                self._give_up(f"more than {self.max_frames} frames waiting")
                return
            self.queued += 1
            entry = _Entry(text)
        self.queue.append(entry)
        self._wake()

    def put_all(self, texts: list[str]) -> None:
        """`put` each text, in order; written together (one write to the socket) when they can go at once."""
        if not self.closing and not self.queue and not self.in_flight and self.direct_write is not None:
            frames = [text_frame(text.encode()) for text in texts]
            if all(frame is not None for frame in frames) and self.direct_write(b"".join(frames)):  # type: ignore[arg-type]
                return
        for text in texts:
            self.put(text)

    def hold(self) -> int:
        """Frames put from here on wait until `release`: the socket's snapshot is being read. Returns the number
        of this read: when several overlap (live updates resumed while one was being read), only the newest counts."""
        self._barrier()
        self.snapshots += 1
        return self.snapshots

    def _barrier(self) -> _Entry:
        """The entry held frames wait behind, queued now if there is none yet."""
        if self.barrier is None:
            self.barrier = _Entry(None, barrier=True)
            self.queue.append(self.barrier)
        return self.barrier

    def is_current(self, snapshot: int) -> bool:
        """Whether the read numbered `snapshot` is the newest: an older one's text must not be sent."""
        return snapshot == self.snapshots

    @property
    def holding(self) -> bool:
        return self.barrier is not None

    def release(self, snapshot: str) -> None:
        """Send the snapshot, then the frames held while it was read (newer, so they apply on top of it)."""
        if self.barrier is None:
            self.hold()
        self._barrier().text = snapshot
        self.barrier = None
        if not self._write_queued_at_once():
            self._wake()

    def close(self, code: int) -> None:
        """Close the connection with `code` after the frames already put."""
        if self.closing:
            return
        if self.barrier is not None:  # no snapshot is coming: what was held is dropped
            self.barrier.barrier = False
            self.barrier = None
        self.closing = True
        self.queue.append(_Entry(None, close_code=code))
        self._wake()

    def discard(self) -> None:
        """The connection is gone: drop whatever waits and stop the writer."""
        self.closing = True
        self.queue.clear()
        self.slots.clear()
        self.queued = 0
        self.barrier = None
        if self.writer is not None and not self.writer.done() and self.writer is not _current_task():
            self.writer.cancel()

    async def drain(self) -> None:
        """Wait until what was put is written (a close included), for at most the slow-reader limit."""
        writer = self.writer
        if writer is not None and not writer.done() and writer is not _current_task():
            # asyncio.wait, not awaiting the task: a writer cancelled by `discard` must not cancel the caller.
            await asyncio.wait({writer}, timeout=self.stall_limit)

    # --- writing -----------------------------------------------------------------------------------------------
    def _write_queued_at_once(self) -> bool:
        """Write everything queued in one direct write, when it is all frames (no close, no snapshot still being
        read) and nothing is on its way through the writer: a socket's snapshot and what was held behind it, as it
        connects, without a writer task and an ASGI send for each of a class of sockets. False when it did not."""
        # The writer awaits only inside a send (`in_flight`): one that is started but has not run yet finds the
        # queue empty and ends.
        if self.in_flight or self.direct_write is None:
            return False
        if any(entry.close_code is not None or (entry.barrier and entry.text is None) for entry in self.queue):
            return False
        frames = [text_frame(entry.text.encode()) for entry in self.queue if entry.text is not None]
        if not all(frame is not None for frame in frames) or not self.direct_write(b"".join(frames)):  # type: ignore[arg-type]
            return False
        self.queue.clear()
        self.slots.clear()
        self.queued = 0
        return True

    def _wake(self) -> None:
        if self.writer is None or self.writer.done():
            self.writer = asyncio.get_running_loop().create_task(self._write(), name=f"outbox-{self.name}")
            self.writer.add_done_callback(self._writer_done)

    def _writer_done(self, writer: "asyncio.Task[None]") -> None:
        if self.writer is writer:
            self.writer = None  # a finished task kept for each of thousands of sockets is ~600 bytes each

    async def _write(self) -> None:
        while self.queue:
            entry = self.queue[0]
            if entry.barrier and entry.text is None:
                return  # held until the snapshot is released; release() wakes the writer again
            del self.queue[0]
            if entry.slot is not None and self.slots.get(entry.slot) is entry:
                del self.slots[entry.slot]
            elif entry.slot is None and not entry.barrier and entry.close_code is None:
                self.queued -= 1
            message: OutboxEvent
            if entry.close_code is not None:
                message = {"type": "websocket.close", "code": entry.close_code}
            elif entry.text is not None:
                message = {"type": "websocket.send", "text": entry.text}
            else:
                continue  # replaced by a newer frame of its slot
            self.in_flight = True
            try:
                async with asyncio.timeout(self.stall_limit):
                    await self.send(message)
            except TimeoutError:
                self._give_up(f"unwritable for {self.stall_limit:g} s")
                return
            except Exception as error:
                # Usually the client just left; but a frame the server refuses (daphne's size cap) would otherwise
                # leave a socket that silently never updates again.
                logger.warning("could not send to %s: %r", self.name, error)
                self.discard()
                return
            finally:
                self.in_flight = False
            if entry.close_code is not None:
                self.discard()
                return

    def _give_up(self, why: str) -> None:
        if self.stalled:
            return
        self.stalled = True
        logger.warning("closing %s with 1013: the client stopped reading (%s)", self.name, why)
        self.discard()
        asyncio.get_running_loop().create_task(self._close_stalled(), name=f"outbox-close-{self.name}")

    async def _close_stalled(self) -> None:
        # Out of the session first: closing may itself wait for the client (through ASGI) up to the limit again.
        if self.on_stalled is not None:
            try:
                await self.on_stalled()
            except Exception:
                logger.exception("could not take %s out of its session", self.name)
        closed = False
        if self.close_now is not None:
            with contextlib.suppress(Exception):
                closed = self.close_now(CLOSE_TRY_AGAIN_LATER)
        if not closed:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(self.stall_limit):
                    await self.send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER})


def _current_task() -> asyncio.Task[object] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None
