"""Redis goes away the moment the list-based layer ("core") has handed a message over.

After each message it receives, the layer removes that message's backup copy in a task nobody awaits. With
Redis gone, that task fails; a worker must not log it as "Task exception was never retrieved" in the middle of
an outage the hub already reports once, and the channel must carry messages again once Redis is back.
"""

import asyncio
import gc
import os
import signal

import pytest
from django.utils.module_loading import import_string

from config.settings.base import channel_layers_for
from tests.services.harness import RedisServer


@pytest.fixture
def redis(redis_server_binary, tmp_path):
    server = RedisServer(tmp_path / "redis.log")
    server.start()
    yield server
    server.stop()


def configured_core_layer(url: str):
    layer = channel_layers_for(url, "core", prefix="gone")["default"]
    return import_string(layer["BACKEND"])(**layer["CONFIG"])


async def test_a_message_received_as_redis_goes_away_logs_nothing_and_the_channel_works_once_redis_is_back(redis):
    loop = asyncio.get_running_loop()
    unhandled: list[dict] = []
    loop.set_exception_handler(lambda _loop, context: unhandled.append(context))
    layer = configured_core_layer(redis.url)
    try:
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "round.closed", "round": 7})

        assert (await layer.receive(channel))["round"] == 7
        # The backup copy's cleaner is scheduled but has not run: Redis dies before it does.
        os.kill(redis.process.pid, signal.SIGKILL)
        redis.process.wait()
        while layer.receive_cleaners:
            await asyncio.sleep(0.01)
        gc.collect()
        await asyncio.sleep(0)
        assert unhandled == []

        redis.start()
        await layer.send(channel, {"type": "round.closed", "round": 8})
        assert (await asyncio.wait_for(layer.receive(channel), timeout=5))["round"] == 8
    finally:
        loop.set_exception_handler(None)
        await layer.close_pools()
