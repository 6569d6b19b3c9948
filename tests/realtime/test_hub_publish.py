"""The hub's one publish path: its own sockets get a message at once, other workers' through the layer, and
nobody gets one twice."""

import asyncio

from channels.layers import InMemoryChannelLayer

from realtime.hub import LocalHub
from realtime.messages import Frames, Results


class Socket:
    user_key = "1"
    user_id = 1
    session_id = 1

    def __init__(self, role: str = "student"):
        self.role = role
        self.frames: list[str] = []
        self.relayed: list = []
        self.got = asyncio.Event()

    def put_frame(self, text, frame=None, slot=None):
        self.frames.append(text)
        self.got.set()

    async def on_relay(self, message):
        self.relayed.append(message)
        self.got.set()

    async def remove(self):
        pass

    @classmethod
    async def on_live_changed_many(cls, sockets, live):
        pass

    async def wait_for(self, count: int) -> None:
        async def enough():
            while len(self.frames) + len(self.relayed) < count:
                self.got.clear()
                await self.got.wait()

        await asyncio.wait_for(enough(), 5)


class UnreachableLayer(InMemoryChannelLayer):
    async def group_send(self, group, message):
        raise ConnectionError("Redis is gone")


async def test_a_published_frame_reaches_this_workers_sockets_before_the_layer_is_asked():
    hub = LocalHub(UnreachableLayer())
    socket = Socket()
    await hub.attach(socket, ["g"])
    try:
        delivered = await hub.publish(Frames(group="g", text="one"))
        assert socket.frames == ["one"], "no wait for the layer, and no loss when it is down"
        assert delivered is False, "the caller learns that other workers may have missed it"
    finally:
        await hub.stop()


async def test_a_hub_skips_its_own_messages_when_the_layer_brings_them_back():
    layer = InMemoryChannelLayer()
    here, there = LocalHub(layer), LocalHub(layer)
    socket = Socket()
    await here.attach(socket, ["g"])
    await there.start()
    try:
        assert await here.publish(Frames(group="g", text="from here"))
        assert await there.publish(Frames(group="g", text="from there"))
        await socket.wait_for(2)
        await asyncio.sleep(0)
        assert socket.frames == ["from here", "from there"], "the layer delivers in order, and this hub's once"
    finally:
        await here.stop()
        await there.stop()


async def test_results_reach_the_sockets_of_every_worker_typed():
    layer = InMemoryChannelLayer()
    here, there = LocalHub(layer), LocalHub(layer)
    local, remote = Socket("teacher"), Socket("teacher")
    await here.attach(local, ["teachers"])
    await there.attach(remote, ["teachers"])
    results = Results(group="teachers", round_id=3, answered=10, text="{}")
    try:
        await here.publish(results)
        await remote.wait_for(1)
        assert local.relayed == [results]
        assert remote.relayed == [results]
    finally:
        await here.stop()
        await there.stop()


async def test_a_role_with_its_own_version_gets_only_that_version():
    hub = LocalHub(InMemoryChannelLayer())
    teacher, projector = Socket("teacher"), Socket("projector")
    await hub.attach(teacher, ["g"])
    await hub.attach(projector, ["g"])
    try:
        await hub.publish(Frames(group="g", text="full", by_role={"projector": "counts only"}))
        assert teacher.frames == ["full"]
        assert projector.frames == ["counts only"]
    finally:
        await hub.stop()
