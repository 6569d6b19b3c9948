"""A student whose connection dies without a word (Wi-Fi gone: no FIN, no close frame) is shown offline on the
teacher's roster within 5 s; a student who is idle but connected, their page sending heartbeats, never is.

Under the production server (uvicorn in the test's loop), with real TCP sockets.
"""

import asyncio
import base64
import contextlib
import json
import os
import time

import pytest
import websockets
from websockets.frames import Frame, Opcode

from realtime.protocol import HEARTBEAT_TEXT
from tests.realtime.servers import uvicorn_server
from tests.realtime.sockets import session_cookie_for

pytestmark = [pytest.mark.django_db(transaction=True)]

OFFLINE_WITHIN = 5.0  # seconds from the drop to the roster: what a teacher is promised
HEARTBEAT_EVERY = 2.0  # as static/js/live-socket.js


def heartbeat_frame() -> bytes:
    return Frame(Opcode.TEXT, HEARTBEAT_TEXT.encode()).serialize(mask=True)


async def open_raw_student(port: int, session_id: int, student) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A student socket spoken to byte by byte, so that it can fall silent the way a dead network does."""
    cookie = (await session_cookie_for(student)).decode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /ws/sessions/{session_id}/student/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:{port}\r\nCookie: {cookie}\r\n\r\n"
        ).encode()
    )
    response = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert response.startswith(b"HTTP/1.1 101"), response
    return reader, writer


@contextlib.asynccontextmanager
async def websocket(port: int, user, session_id: int, role: str):
    cookie = (await session_cookie_for(user)).decode()
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ws/sessions/{session_id}/{role}/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": cookie},
        compression=None,
        ping_interval=None,  # no protocol-level keepalive: only what the pages send counts
    ) as client:
        yield client


async def heartbeats(client) -> None:
    while True:
        await client.send(HEARTBEAT_TEXT)
        await asyncio.sleep(HEARTBEAT_EVERY)


async def next_presence(teacher, timeout: float) -> list[int]:
    """The `connected` list of the teacher's next presence (from the snapshot or a `presence.updated`)."""
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await teacher.recv())
            if frame["type"] == "session.snapshot":
                return sorted(frame["presence"]["connected"])
            if frame["type"] == "presence.updated":
                return sorted(frame["connected"])


async def presence_becomes(teacher, expected: list[int], timeout: float) -> None:
    async with asyncio.timeout(timeout):
        while await next_presence(teacher, timeout) != sorted(expected):
            pass


async def test_a_student_whose_connection_goes_silent_is_offline_on_the_roster_within_5_s(
    live_session, teacher, enrolled_students
):
    gone, idle = enrolled_students[0], enrolled_students[1]
    async with (
        uvicorn_server() as port,
        websocket(port, teacher, live_session.pk, "teacher") as teacher_socket,
        websocket(port, idle, live_session.pk, "student") as idle_socket,
    ):
        idle_page = asyncio.create_task(heartbeats(idle_socket))
        _reader, silent = await open_raw_student(port, live_session.pk, gone)
        try:
            silent.write(heartbeat_frame())  # the page's first heartbeat, on open
            await presence_becomes(teacher_socket, [gone.pk, idle.pk], timeout=5)
            silent.write(heartbeat_frame())
            await silent.drain()
            dropped_at = time.monotonic()  # from here on it neither sends nor reads, and never closes

            await presence_becomes(teacher_socket, [idle.pk], timeout=OFFLINE_WITHIN)
            offline_after = time.monotonic() - dropped_at

            # The idle student's heartbeats keep them on the roster: nothing changes for well past the limit.
            with pytest.raises(TimeoutError):
                await next_presence(teacher_socket, timeout=OFFLINE_WITHIN + 1)
            await idle_socket.send(json.dumps({"type": "ping", "ref": "still-here"}))
            async with asyncio.timeout(5):
                while json.loads(await idle_socket.recv())["type"] != "pong":
                    pass
        finally:
            idle_page.cancel()
            silent.transport.abort()

    assert offline_after < OFFLINE_WITHIN, f"shown offline {offline_after:.2f} s after the drop"


async def test_a_silent_socket_is_closed_with_4408(live_session, enrolled_students):
    async with uvicorn_server() as port, websocket(port, enrolled_students[0], live_session.pk, "student") as student:
        assert json.loads(await student.recv())["type"] == "session.snapshot"
        await student.send(HEARTBEAT_TEXT)  # held to heartbeats from here on; none follows

        with pytest.raises(websockets.ConnectionClosed) as closed:
            async with asyncio.timeout(OFFLINE_WITHIN + 2):
                while True:
                    await student.recv()

    assert closed.value.rcvd.code == 4408


async def test_a_student_who_never_sends_a_heartbeat_is_not_held_to_them(live_session, teacher, enrolled_students):
    student = enrolled_students[0]
    async with (
        uvicorn_server() as port,
        websocket(port, teacher, live_session.pk, "teacher") as teacher_socket,
        websocket(port, student, live_session.pk, "student"),
    ):
        await presence_becomes(teacher_socket, [student.pk], timeout=5)
        with pytest.raises(TimeoutError):
            await next_presence(teacher_socket, timeout=OFFLINE_WITHIN + 1)
