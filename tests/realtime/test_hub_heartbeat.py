"""The hub's heartbeats: a lost one means the layer lost messages, and every socket is resynced."""

import asyncio

from realtime import hub as hub_module
from realtime.hub import LocalHub
from tests.realtime.layers import LossyLayer


class RecordingSocket:
    user_id = 1
    user_key = "1"
    role = "teacher"
    session_id = 1

    def __init__(self):
        self.live_changes: list[bool] = []
        self.changed = asyncio.Event()

    def put_frame(self, text, frame=None, slot=None):
        pass

    async def on_relay(self, message):
        pass

    @classmethod
    async def on_live_changed_many(cls, sockets, live):
        for socket in sockets:
            socket.live_changes.append(live)
            socket.changed.set()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


async def wait_for_changes(socket: RecordingSocket, count: int) -> None:
    async def changes():
        while len(socket.live_changes) < count:
            socket.changed.clear()
            await socket.changed.wait()

    await asyncio.wait_for(changes(), 10)


async def heartbeat_delivered(hub: LocalHub) -> None:
    """Beat once and wait until the hub has read that heartbeat back from the layer."""
    number = hub._heartbeats_sent + 1
    await hub.beat()

    async def read_back():
        while hub._heartbeat_seen < number:
            await asyncio.sleep(0)

    await asyncio.wait_for(read_back(), 10)


async def test_heartbeats_that_all_arrive_change_nothing():
    hub = LocalHub(LossyLayer(), clock=Clock())
    socket = RecordingSocket()
    await hub.start(heartbeat=False)
    await hub.attach(socket, ["group"])
    try:
        for _ in range(5):
            await heartbeat_delivered(hub)
        assert socket.live_changes == []
        assert hub.live
    finally:
        await hub.stop()


async def test_a_silently_lost_heartbeat_resyncs_every_socket():
    layer = LossyLayer()
    hub = LocalHub(layer, clock=Clock())
    socket = RecordingSocket()
    await hub.start(heartbeat=False)
    await hub.attach(socket, ["group"])
    try:
        await heartbeat_delivered(hub)
        layer.dropping = True  # every send "succeeds", nothing arrives: a dropped subscription
        await hub.beat()
        layer.dropping = False
        await heartbeat_delivered(hub)  # number 3 after number 1: one went missing

        await wait_for_changes(socket, 2)
        assert socket.live_changes == [False, True], "interrupted, then live again with a fresh snapshot"
        assert hub.live
    finally:
        await hub.stop()


async def test_no_heartbeat_back_for_longer_than_the_timeout_interrupts_live_updates():
    layer = LossyLayer()
    clock = Clock()
    hub = LocalHub(layer, clock=clock)
    socket = RecordingSocket()
    await hub.start(heartbeat=False)
    await hub.attach(socket, ["group"])
    try:
        await heartbeat_delivered(hub)
        layer.dropping = True
        clock.now += hub_module.HEARTBEAT_TIMEOUT + 0.1
        await hub.beat()

        await wait_for_changes(socket, 1)
        assert socket.live_changes == [False]
        assert not hub.live
    finally:
        await hub.stop()
