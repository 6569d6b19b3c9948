"""The worker's hub: the one reader of the channel layer in each server process.

Sockets do not get a layer channel each. The hub joins a session's group once for all of its local sockets, so a
broadcast costs one layer message per worker, and the hub hands the same pre-built text to every local socket.
It also keeps track of which students are connected here (presence) and watches the layer's health with a
heartbeat, telling its sockets when live updates are interrupted and when they come back.
"""

import asyncio
import logging
import time
import uuid
from collections.abc import Iterable
from typing import Protocol

from channels.layers import InMemoryChannelLayer

from realtime import groups
from realtime.direct_send import text_frame

logger = logging.getLogger(__name__)

RELAY = "quizcast.relay"  # the `type` of every layer message the hub sends and reads
# Shorter than the 1 s channels-redis waits before it resubscribes after a dropped pub/sub connection, so at least
# one numbered heartbeat falls in any such gap and the loss is noticed (see _deliver).
HEARTBEAT_INTERVAL = 0.5
HEARTBEAT_TIMEOUT = 3.0
# How long stopping waits for the hub's tasks to finish once cancelled. channels-redis' pub/sub layer unsubscribes
# from Redis inside a cancelled receive, and that call can wait on a connection that will never answer.
STOP_TIMEOUT = 5.0
# The longest the hub waits for the layer. A frozen or unreachable Redis (no refusal, no reset) would otherwise
# hold a publish, and the socket command waiting for it, until TCP gives up many minutes later.
LAYER_TIMEOUT = 2.0
PRESENCE_DEBOUNCE = 0.2
# Each presence update carries a session's whole list of students here, and the teacher's page gets the whole
# roster of who is connected each time. While a big class connects, updates are spaced so that no more than this
# many entries a second are sent: 0.2 s apart for a class, 1 s for 2,000 students, 2.5 s for 5,000.
PRESENCE_ENTRIES_PER_SECOND = 2000
PRESENCE_MAX_DELAY = 3.0
PRESENCE_REFRESH = 5.0
# A worker not heard from for this long (no hello, no presence) is taken to be gone.
WORKER_EXPIRY = 15.0


class HubSocket(Protocol):
    user_id: int
    user_key: str
    role: str
    session_id: int

    def put_frame(self, text: str, frame: bytes | None = None, slot: str | None = None) -> None: ...
    async def on_relay(self, message: dict) -> None: ...
    async def remove(self) -> None: ...

    @classmethod
    async def on_live_changed_many(cls, sockets: list, live: bool) -> None: ...


class LocalHub:
    def __init__(self, layer):
        self.layer = layer
        self.worker_id = uuid.uuid4().hex[:12]
        self.channel_name: str | None = None
        self.members: dict[str, set[HubSocket]] = {}
        # session id -> {student id: [name, sockets, guest]} for the students connected to this worker
        self.students_here: dict[int, dict[int, list]] = {}
        self._arrived: set[HubSocket] = set()
        self.live = True
        self._last_heartbeat = time.monotonic()
        # Heartbeats are numbered: one that never arrives means the layer lost messages (a dropped subscription,
        # a Redis restart) even if every send looked fine, and the sockets must be resynced.
        self._heartbeats_sent = 0
        self._heartbeat_seen = 0
        self._tasks: list[asyncio.Task] = []
        self._live_notices: asyncio.Queue[bool] = asyncio.Queue()
        self._notice_task: asyncio.Task | None = None
        # group -> the join in flight, so a socket attaching meanwhile waits for the subscription it relies on
        self._joining: dict[str, asyncio.Future] = {}
        self._presence_pending: set[int] = set()
        self._presence_task: asyncio.Task | None = None
        self._workers_seen: dict[str, float] = {}  # other workers' hubs -> when last heard from
        self._presence_requests = 0
        self._start_lock = asyncio.Lock()

    @property
    def started(self) -> bool:
        return self.channel_name is not None

    async def start(self) -> None:
        async with self._start_lock:
            if self.started:
                return
            self.channel_name = await self.layer.new_channel()
            await self._group_add(groups.hubs())
            await self._hello()
            self._tasks.append(asyncio.create_task(self._receive_forever(), name="hub-receive"))
            self._tasks.append(asyncio.create_task(self._presence_refresh_forever(), name="hub-presence"))
            if not isinstance(self.layer, InMemoryChannelLayer):
                self._tasks.append(asyncio.create_task(self._heartbeat_forever(), name="hub-heartbeat"))

    async def stop(self) -> None:
        extra = [task for task in (self._notice_task, self._presence_task) if task is not None]
        tasks = [*self._tasks, *extra]
        for task in tasks:
            task.cancel()
        if tasks:
            done, pending = await asyncio.wait(tasks, timeout=STOP_TIMEOUT)
            for task in done:
                if not task.cancelled():
                    task.exception()  # retrieved: a task that failed while stopping has nothing left to say
            if pending:
                logger.warning("%d hub task(s) did not stop within %g s; left behind", len(pending), STOP_TIMEOUT)
        self._tasks.clear()

    # --- membership -----------------------------------------------------------------------------------------
    async def attach(self, socket: HubSocket, group_names: Iterable[str]) -> None:
        """From here on the socket is handed every frame sent to these groups, on any worker."""
        await self.start()
        for group in group_names:
            sockets = self.members.get(group)
            if sockets is None:
                sockets = self.members[group] = set()
                joined = self._joining[group] = asyncio.get_running_loop().create_future()
                try:
                    await self._group_add(group)
                finally:
                    del self._joining[group]
                    joined.set_result(None)
            elif group in self._joining:
                await asyncio.shield(self._joining[group])
            sockets.add(socket)

    def arrive(self, socket: HubSocket, *, name: str, guest: bool) -> None:
        """An admitted student's socket: its student counts as connected here, for the session's teachers."""
        if socket.role != "student" or socket in self._arrived:
            return
        self._arrived.add(socket)
        here = self.students_here.setdefault(socket.session_id, {})
        entry = here.setdefault(socket.user_id, [name, 0, guest])
        entry[1] += 1
        if entry[1] == 1:
            self._presence_changed(socket.session_id)

    async def detach(self, socket: HubSocket, group_names: Iterable[str]) -> None:
        """The socket is gone: it leaves presence at once, then its groups (left on the layer if it was the last)."""
        self.depart(socket)
        for group in group_names:
            sockets = self.members.get(group)
            if sockets is None:
                continue
            sockets.discard(socket)
            if not sockets:
                del self.members[group]
                try:
                    await asyncio.wait_for(self.layer.group_discard(group, self.channel_name), LAYER_TIMEOUT)
                except Exception:
                    logger.debug("could not leave group %s; the layer is unreachable", group)

    def depart(self, socket: HubSocket) -> None:
        if socket in self._arrived:
            self._arrived.discard(socket)
            here = self.students_here.get(socket.session_id, {})
            entry = here.get(socket.user_id)
            if entry is not None:
                entry[1] -= 1
                if entry[1] <= 0:
                    del here[socket.user_id]
                    if not here:
                        del self.students_here[socket.session_id]
                    self._presence_changed(socket.session_id)

    async def _group_add(self, group: str) -> None:
        try:
            await asyncio.wait_for(self.layer.group_add(group, self.channel_name), LAYER_TIMEOUT)
        except Exception:
            logger.debug("could not join group %s; will rejoin when the layer is back", group)
            await self._set_live(False)

    # --- sending --------------------------------------------------------------------------------------------
    async def group_send(self, group: str, message: dict) -> bool:
        """Send one relay message to a group on every worker. False if the layer is unreachable."""
        try:
            await asyncio.wait_for(
                self.layer.group_send(group, {"type": RELAY, "group": group, **message}), LAYER_TIMEOUT
            )
        except Exception:
            logger.debug("live update to %s lost: the channel layer is unreachable", group)
            await self._set_live(False)
            return False
        return True

    # --- receiving ------------------------------------------------------------------------------------------
    async def _receive_forever(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.debug("reading from the channel layer failed; retrying")
                await self._set_live(False)
                await asyncio.sleep(1)
                continue
            try:
                await self._deliver(message)
            except Exception:
                logger.exception("could not deliver a relay message")

    async def _deliver(self, message: dict) -> None:
        kind = message.get("kind")
        if kind == "heartbeat":
            self._last_heartbeat = time.monotonic()
            number = message.get("number", 0)
            if number <= self._heartbeat_seen:
                return  # a late one, sent before a reconnect and delivered after it
            missed = number != self._heartbeat_seen + 1
            self._heartbeat_seen = number
            if missed and self.live:
                logger.debug("a heartbeat went missing: the channel layer lost messages; resyncing")
                await self._set_live(False)
            if not self.live:
                await self._restore()
            return
        group = message.get("group")
        if group == groups.hubs():
            await self._from_another_hub(message)
            return
        sockets = self.members.get(group)
        if not sockets:
            return
        targets = list(sockets)
        if kind == "frames":
            by_role = message.get("by_role") or {}
            common = [socket for socket in targets if socket.role not in by_role] if by_role else targets
            self._send_text(common, message.get("text"))
            for role, text in by_role.items():  # a role that sees another version of the event (the projector)
                self._send_text([socket for socket in targets if socket.role == role], text)
            personal = message.get("personal")
            if personal:
                for socket in targets:
                    own = personal.get(socket.user_key)
                    if own is not None:
                        socket.put_frame(own)
            for user_key in message.get("close_users") or ():
                for socket in targets:
                    if socket.user_key == user_key:
                        await socket.remove()
        else:
            for socket in targets:
                await socket.on_relay(message)

    @staticmethod
    def _send_text(sockets: list[HubSocket], text: str | None) -> None:
        """Framed once for every socket; a socket's outbox writes it at once or queues it, never waiting."""
        if text is None or not sockets:
            return
        frame = text_frame(text.encode())
        for socket in sockets:
            socket.put_frame(text, frame)

    # --- health ---------------------------------------------------------------------------------------------
    async def _heartbeat_forever(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_INTERVAL)
            self._heartbeats_sent += 1
            try:
                await asyncio.wait_for(
                    self.layer.send(
                        self.channel_name, {"type": RELAY, "kind": "heartbeat", "number": self._heartbeats_sent}
                    ),
                    HEARTBEAT_TIMEOUT,
                )
            except asyncio.CancelledError:
                raise
            except Exception:
                await self._set_live(False)
                continue
            if time.monotonic() - self._last_heartbeat > HEARTBEAT_TIMEOUT:
                await self._set_live(False)

    async def _set_live(self, live: bool) -> None:
        if self.live == live:
            return
        self.live = live
        # One warning each way per outage; the failures in between are logged at DEBUG only.
        if live:
            logger.warning("channel layer reachable again; live updates resumed")
        else:
            logger.warning("channel layer unreachable or lost messages; live updates interrupted")
        # Resyncing every socket reads the database; done here it would stop this loop from reading heartbeats
        # and broadcasts for as long as it takes. Notices are queued in order and sent by a task of their own.
        self._live_notices.put_nowait(live)
        if self._notice_task is None or self._notice_task.done():
            self._notice_task = asyncio.create_task(self._send_live_notices(), name="hub-live-notices")

    async def _send_live_notices(self) -> None:
        while not self._live_notices.empty():
            live = self._live_notices.get_nowait()
            by_session: dict[tuple[type, int], list[HubSocket]] = {}
            for socket in {s for sockets in self.members.values() for s in sockets}:
                by_session.setdefault((type(socket), socket.session_id), []).append(socket)
            for (socket_class, _session_id), sockets in by_session.items():
                try:
                    await socket_class.on_live_changed_many(sockets, live)
                except Exception:
                    logger.exception("could not tell sockets about the live state")

    async def _restore(self) -> None:
        for group in [groups.hubs(), *self.members]:
            try:
                await asyncio.wait_for(self.layer.group_add(group, self.channel_name), LAYER_TIMEOUT)
            except Exception:
                return  # still down; the next heartbeat tries again
        for session_id in list(self.students_here):
            self._presence_changed(session_id)
        await self._set_live(True)

    # --- presence -------------------------------------------------------------------------------------------
    def _presence_changed(self, session_id: int) -> None:
        self._presence_pending.add(session_id)
        if self._presence_task is None or self._presence_task.done():
            self._presence_task = asyncio.create_task(self._publish_presence_soon())

    async def _publish_presence_soon(self) -> None:
        students = sum(len(here) for here in self.students_here.values())
        await asyncio.sleep(min(PRESENCE_MAX_DELAY, max(PRESENCE_DEBOUNCE, students / PRESENCE_ENTRIES_PER_SECOND)))
        pending, self._presence_pending = self._presence_pending, set()
        for session_id in pending:
            await self._publish_presence(session_id)

    async def _publish_presence(self, session_id: int, request: str | None = None) -> None:
        here = self.students_here.get(session_id, {})
        await self.group_send(
            groups.session_teachers(session_id),
            {
                "kind": "presence",
                "worker": self.worker_id,
                "session_id": session_id,
                "students": [[student_id, entry[0], entry[2]] for student_id, entry in here.items()],
                "request": request,
            },
        )

    async def _presence_refresh_forever(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_REFRESH)
            await self._hello()
            for session_id in list(self.students_here):
                await self._publish_presence(session_id)

    async def request_presence(self, session_id: int) -> str:
        """Ask every worker's hub to report the session's students connected to it, at once and even if none are
        (a teacher just connected). Returns the request's id, which each report carries."""
        self._presence_requests += 1
        request = f"{self.worker_id}-{self._presence_requests}"
        await self.group_send(
            groups.hubs(),
            {"kind": "presence_request", "session_id": session_id, "request": request, "worker": self.worker_id},
        )
        return request

    def known_workers(self) -> set[str]:
        """The workers whose hubs are known to be running: this one and those heard from lately."""
        now = time.monotonic()
        alive = {worker for worker, seen in self._workers_seen.items() if now - seen <= WORKER_EXPIRY}
        return {self.worker_id, *alive}

    async def _hello(self) -> None:
        await self.group_send(groups.hubs(), {"kind": "hello", "worker": self.worker_id})

    async def _from_another_hub(self, message: dict) -> None:
        worker = message.get("worker")
        if worker and worker != self.worker_id:
            new = worker not in self._workers_seen
            self._workers_seen[worker] = time.monotonic()
            if new and message.get("kind") == "hello":
                await self._hello()  # so that a worker that just started knows this one at once
        if message.get("kind") == "presence_request":
            await self._publish_presence(message["session_id"], request=message["request"])
