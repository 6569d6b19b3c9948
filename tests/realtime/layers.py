"""Channel layers for the hub's tests: the in-memory layer behind a class that is not it, so that the hub watches it
with heartbeats as it watches Redis. Subclasses change what sending does."""

import asyncio

from channels.layers import InMemoryChannelLayer


class WatchedLayer:
    def __init__(self):
        self.inner = InMemoryChannelLayer()

    async def new_channel(self):
        return await self.inner.new_channel()

    async def receive(self, channel):
        return await self.inner.receive(channel)

    async def send(self, channel, message):
        await self.inner.send(channel, message)

    async def group_add(self, group, channel):
        await self.inner.group_add(group, channel)

    async def group_discard(self, group, channel):
        await self.inner.group_discard(group, channel)

    async def group_send(self, group, message):
        await self.inner.group_send(group, message)


class LossyLayer(WatchedLayer):
    """Can silently drop what is sent (a Redis subscription that dropped)."""

    def __init__(self):
        super().__init__()
        self.dropping = False

    async def send(self, channel, message):
        if not self.dropping:
            await super().send(channel, message)

    async def group_send(self, group, message):
        if not self.dropping:
            await super().group_send(group, message)


class GatedLayer(WatchedLayer):
    """Its sends wait for the test to open the gate; `sending` is set once one has begun."""

    def __init__(self):
        super().__init__()
        self.sending = asyncio.Event()
        self.gate = asyncio.Event()

    async def send(self, channel, message):
        self.sending.set()
        await self.gate.wait()
        await super().send(channel, message)
