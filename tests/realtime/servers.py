"""The production server, run inside a test's event loop."""

import asyncio
import contextlib

import uvicorn

from config.asgi import application
from config.serve import uvicorn_websocket_options
from tests.waiting import wait_until


@contextlib.asynccontextmanager
async def uvicorn_server():
    """The production server in this test's event loop, on a free port, as config.serve configures it."""
    config = uvicorn.Config(application, host="127.0.0.1", port=0, lifespan="off", **uvicorn_websocket_options())
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started or serving.done(), what="uvicorn listening")
    assert server.started, serving.exception() if serving.done() else None
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await serving
