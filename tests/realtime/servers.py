"""The production server, run inside a test's event loop."""

import asyncio
import contextlib

import uvicorn

from config.asgi import application


@contextlib.asynccontextmanager
async def uvicorn_server():
    """The production server in this test's event loop, on a free port, as config.serve configures it."""
    config = uvicorn.Config(
        application, host="127.0.0.1", port=0, ws="websockets-sansio", ws_per_message_deflate=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await serving
