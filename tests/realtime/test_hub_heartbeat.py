"""The hub's heartbeats: a lost one means the layer lost messages, and every socket is resynced."""

import asyncio

from channels.layers import InMemoryChannelLayer

from realtime import hub as hub_module
from realtime.hub import LocalHub


class LossyLayer:
    """A channel layer (not the in-memory one, so the hub watches it) that can silently drop what is sent."""

    def __init__(self):
        self.inner = InMemoryChannelLayer()
        self.dropping = False

    async def new_channel(self):
        return await self.inner.new_channel()

    async def receive(self, channel):
        return await self.inner.receive(channel)

    async def send(self, channel, message):
        if not self.dropping:
            await self.inner.send(channel, message)

    async def group_add(self, group, channel):
        await self.inner.group_add(group, channel)

    async def group_discard(self, group, channel):
        await self.inner.group_discard(group, channel)

    async def group_send(self, group, message):
        if not self.dropping:
            await self.inner.group_send(group, message)


class RecordingSocket:
    user_id = 1
    user_key = "1"
    role = "teacher"
    session_id = 1

    def __init__(self):
        self.live_changes: list[bool] = []

    def put_frame(self, text, frame=None, slot=None):
        pass

    async def on_relay(self, message):
        pass

    @classmethod
    async def on_live_changed_many(cls, sockets, live):
        for socket in sockets:
            socket.live_changes.append(live)


async def test_a_silently_lost_heartbeat_resyncs_every_socket(monkeypatch):
    monkeypatch.setattr(hub_module, "HEARTBEAT_INTERVAL", 0.02)
    layer = LossyLayer()
    hub = LocalHub(layer)
    socket = RecordingSocket()
    await hub.attach(socket, ["group"])
    try:
        await asyncio.sleep(0.15)
        assert socket.live_changes == [], "heartbeats that all arrive change nothing"

        layer.dropping = True  # every send "succeeds", nothing arrives: a dropped subscription
        await asyncio.sleep(0.06)
        layer.dropping = False
        await asyncio.sleep(0.15)

        assert socket.live_changes == [False, True], "interrupted, then live again with a fresh snapshot"
        assert hub.live
    finally:
        await hub.stop()
