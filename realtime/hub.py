"""The worker's hub: the one reader of the channel layer in each server process.

Sockets do not get a layer channel each. The hub joins a session's group once for all of its local sockets, so a
broadcast costs one layer message per worker, and the hub hands the same pre-built text to every local socket.
Every message between workers goes through one path, `publish`: the hub hands a typed message (realtime.messages)
to its own sockets at once, then to the layer for the other workers, and skips its own when the layer brings it
back. The hub watches the layer's health with a heartbeat, telling its sockets when live updates are interrupted
and when they come back. Which students are connected (presence) is the PresenceTracker's job (realtime.presence).
"""

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any, Protocol, Self

from channels.layers import BaseChannelLayer, InMemoryChannelLayer

from realtime import groups
from realtime.direct_send import text_frame
from realtime.messages import (
    Frames,
    GroupMessage,
    Heartbeat,
    Hello,
    Presence,
    PresenceRequest,
    RelayMessage,
    Results,
    from_layer,
    to_layer,
)
from realtime.presence import PresenceTracker
from realtime.tasks import stop_tasks

logger = logging.getLogger(__name__)

# Shorter than the 1 s channels-redis waits before it resubscribes after a dropped pub/sub connection, so at least
# one numbered heartbeat falls in any such gap and the loss is noticed (see _on_heartbeat).
HEARTBEAT_INTERVAL = 0.5
HEARTBEAT_TIMEOUT = 3.0
# The longest the hub waits for the layer. A frozen or unreachable Redis (no refusal, no reset) would otherwise
# hold a publish, and the socket command waiting for it, until TCP gives up many minutes later.
LAYER_TIMEOUT = 2.0


class HubSocket(Protocol):
    user_id: int
    user_key: str
    role: str
    session_id: int

    def put_frame(self, text: str, frame: bytes | None = None, slot: str | None = None) -> None: ...
    async def on_relay(self, message: Results | Presence) -> None: ...
    async def remove(self) -> None: ...

    @classmethod
    async def on_live_changed_many(cls, sockets: list[Self], live: bool) -> None: ...


class LocalHub:
    def __init__(self, layer: BaseChannelLayer, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.layer = layer
        self.clock = clock
        self.worker_id = uuid.uuid4().hex[:12]
        self.channel_name: str | None = None
        self.members: dict[str, set[HubSocket]] = {}
        self.presence = PresenceTracker(worker_id=self.worker_id, publish=self.publish, clock=clock)
        self.live = True
        self._last_heartbeat = clock()
        # Heartbeats are numbered: one that never arrives means the layer lost messages (a dropped subscription,
        # a Redis restart) even if every send looked fine, and the sockets must be resynced.
        self._heartbeats_sent = 0
        self._heartbeat_seen = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._live_notices: asyncio.Queue[bool] = asyncio.Queue()
        self._notice_task: asyncio.Task[None] | None = None
        # group -> the join in flight, so a socket attaching meanwhile waits for the subscription it relies on
        self._joining: dict[str, asyncio.Future[None]] = {}
        self._start_lock = asyncio.Lock()

    @property
    def started(self) -> bool:
        return self.channel_name is not None

    @property
    def _channel(self) -> str:
        """The hub's own layer channel, which it has from `start` on."""
        if self.channel_name is None:
            raise RuntimeError("the hub has not started")
        return self.channel_name

    @property
    def watches_layer(self) -> bool:
        """The in-memory layer cannot lose messages; any other is watched with heartbeats."""
        return not isinstance(self.layer, InMemoryChannelLayer)

    async def start(self, *, heartbeat: bool = True) -> None:
        async with self._start_lock:
            if self.started:
                return
            self.channel_name = await self.layer.new_channel()
            await self._group_add(groups.hubs())
            await self.presence.hello()
            self._tasks.append(asyncio.create_task(self._receive_forever(), name="hub-receive"))
            self._tasks.append(asyncio.create_task(self.presence.refresh_forever(), name="hub-presence"))
            if heartbeat and self.watches_layer:
                self._tasks.append(asyncio.create_task(self._heartbeat_forever(), name="hub-heartbeat"))

    async def stop(self) -> None:
        await self.presence.stop()
        extra = [task for task in (self._notice_task,) if task is not None]
        await stop_tasks([*self._tasks, *extra], owner="hub")
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
        self.presence.arrive(socket, name=name, guest=guest)

    async def detach(self, socket: HubSocket, group_names: Iterable[str]) -> None:
        """The socket is gone: it leaves presence at once, then its groups (left on the layer if it was the last)."""
        self.presence.depart(socket)
        for group in group_names:
            sockets = self.members.get(group)
            if sockets is None:
                continue
            sockets.discard(socket)
            if not sockets:
                del self.members[group]
                try:
                    async with asyncio.timeout(LAYER_TIMEOUT):
                        await self.layer.group_discard(group, self._channel)
                except Exception:
                    logger.debug("could not leave group %s; the layer is unreachable", group)

    async def _group_add(self, group: str) -> None:
        try:
            async with asyncio.timeout(LAYER_TIMEOUT):
                await self.layer.group_add(group, self._channel)
        except Exception:
            logger.debug("could not join group %s; will rejoin when the layer is back", group)
            await self._set_live(False)

    # --- the one publish path ------------------------------------------------------------------------------
    async def publish(self, message: GroupMessage) -> bool:
        """Hand `message` to this worker's sockets at once, then to every other worker through the layer.
        False if the layer is unreachable (this worker's sockets still got it)."""
        await self._deliver(message)
        return await self._send_to_layer(message)

    async def _send_to_layer(self, message: GroupMessage) -> bool:
        try:
            async with asyncio.timeout(LAYER_TIMEOUT):
                await self.layer.group_send(message.group, to_layer(message, origin=self.worker_id))
        except Exception:
            logger.debug("live update to %s lost: the channel layer is unreachable", message.group)
            await self._set_live(False)
            return False
        return True

    # --- receiving ------------------------------------------------------------------------------------------
    async def _receive_forever(self) -> None:
        while True:
            try:
                payload = await self.layer.receive(self._channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.debug("reading from the channel layer failed; retrying")
                await self._set_live(False)
                await asyncio.sleep(1)
                continue
            try:
                await self._from_layer(payload)
            except Exception:
                logger.exception("could not deliver a relay message")

    async def _from_layer(self, payload: dict[str, Any]) -> None:
        decoded = from_layer(payload)
        if decoded is None:
            logger.debug("ignoring a relay message of unknown kind %r", payload.get("kind"))
            return
        message, origin = decoded
        if isinstance(message, Heartbeat):
            await self._on_heartbeat(message)
        elif origin != self.worker_id:  # this hub's own messages reached its sockets when published
            await self._deliver(message)

    async def _deliver(self, message: RelayMessage) -> None:
        if isinstance(message, Hello | PresenceRequest):
            await self.presence.on_hub_message(message)
            return
        if isinstance(message, Heartbeat):
            return
        sockets = self.members.get(message.group)
        if not sockets:
            return
        targets = list(sockets)
        if isinstance(message, Frames):
            await self._fan_out(message, targets)
        else:
            for socket in targets:
                await socket.on_relay(message)

    async def _fan_out(self, message: Frames, targets: list[HubSocket]) -> None:
        by_role = message.by_role
        common = [socket for socket in targets if socket.role not in by_role] if by_role else targets
        self._send_text(common, message.text)
        for role, text in by_role.items():  # a role that sees another version of the event (the projector)
            self._send_text([socket for socket in targets if socket.role == role], text)
        if message.personal:
            for socket in targets:
                own = message.personal.get(socket.user_key)
                if own is not None:
                    socket.put_frame(own)
        for user_key in message.close_users:
            for socket in targets:
                if socket.user_key == user_key:
                    await socket.remove()

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
            await self.beat()

    async def beat(self) -> None:
        """Send the next numbered heartbeat through the layer, and notice if the last ones did not come back."""
        self._heartbeats_sent += 1
        try:
            async with asyncio.timeout(HEARTBEAT_TIMEOUT):
                await self.layer.send(self._channel, to_layer(Heartbeat(number=self._heartbeats_sent)))
        except asyncio.CancelledError:
            raise
        except Exception:
            await self._set_live(False)
            return
        if self.clock() - self._last_heartbeat > HEARTBEAT_TIMEOUT:
            await self._set_live(False)

    async def _on_heartbeat(self, heartbeat: Heartbeat) -> None:
        self._last_heartbeat = self.clock()
        if heartbeat.number <= self._heartbeat_seen:
            return  # a late one, sent before a reconnect and delivered after it
        missed = heartbeat.number != self._heartbeat_seen + 1
        self._heartbeat_seen = heartbeat.number
        if missed and self.live:
            logger.debug("a heartbeat went missing: the channel layer lost messages; resyncing")
            await self._set_live(False)
        if not self.live:
            await self._restore()

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
            by_session: dict[tuple[type[HubSocket], int], list[HubSocket]] = {}
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
                async with asyncio.timeout(LAYER_TIMEOUT):
                    await self.layer.group_add(group, self._channel)
            except Exception:
                return  # still down; the next heartbeat tries again
        self.presence.changed_everywhere()
        await self._set_live(True)

    # --- presence, for the teachers' sockets ----------------------------------------------------------------
    async def request_presence(self, session_id: int) -> str:
        return await self.presence.request(session_id)

    def known_workers(self) -> set[str]:
        return self.presence.known_workers()
