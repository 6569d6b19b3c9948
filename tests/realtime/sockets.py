"""Test sockets for the realtime tests: connect as a browser would, and check every frame received against
docs/protocol.md."""

import json

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from tests.protocol_check import check_server_frame

ORIGIN = b"http://testserver"


@database_sync_to_async
def session_cookie_for(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


class Socket:
    """A WebSocket client for tests: every frame it receives is checked against docs/protocol.md."""

    def __init__(self, communicator: WebsocketCommunicator, refused_with: int | None = None):
        self.communicator = communicator
        self.refused_with = refused_with  # the close code of a refused handshake
        self.frames: list[dict] = []

    async def receive(self, timeout: float = 3) -> dict:
        text = await self.communicator.receive_from(timeout=timeout)
        frame = json.loads(text)
        check_server_frame(frame)
        self.frames.append(frame)
        return frame

    async def receive_type(self, message_type: str, timeout: float = 3) -> dict:
        """Receive until a frame of `message_type` arrives (others are kept in self.frames)."""
        while True:
            frame = await self.receive(timeout=timeout)
            if frame["type"] == message_type:
                return frame

    async def send(self, message: dict) -> None:
        await self.communicator.send_to(text_data=json.dumps(message))

    async def request(self, message: dict, timeout: float = 3) -> dict:
        """Send a message and return the reply carrying its ref."""
        message = {**message, "ref": message.get("ref") or f"ref-{id(message)}"}
        await self.send(message)
        while True:
            frame = await self.receive(timeout=timeout)
            if frame.get("ref") == message["ref"]:
                return frame

    async def nothing_more(self, timeout: float = 0.3) -> bool:
        return await self.communicator.receive_nothing(timeout=timeout)

    async def close(self) -> None:
        await self.communicator.disconnect()


async def open_socket(user, session, role: str = "student", *, origin: bytes | None = ORIGIN, cookie: bool = True):
    """Connect like a browser: Origin and Host headers, the user's session cookie. Returns (connected, Socket)."""
    cookie_header = await session_cookie_for(user) if cookie and user is not None else None
    return await open_socket_with_cookie(cookie_header, session, role, origin=origin)


async def open_socket_with_cookie(cookie: bytes | None, session, role: str = "student", *, origin=ORIGIN):
    headers = [(b"host", b"testserver")]
    if origin is not None:
        headers.append((b"origin", origin))
    if cookie is not None:
        headers.append((b"cookie", cookie))
    session_id = session.pk if hasattr(session, "pk") else session
    communicator = WebsocketCommunicator(application, f"/ws/sessions/{session_id}/{role}/", headers=headers)
    connected, subprotocol_or_code = await communicator.connect(timeout=5)
    return connected, Socket(communicator, refused_with=None if connected else subprotocol_or_code)


async def connect(user, session, role: str = "student") -> tuple[Socket, dict]:
    """Connect and return the socket with its snapshot."""
    connected, socket = await open_socket(user, session, role)
    assert connected, f"{user} could not connect as {role}"
    snapshot = await socket.receive()
    assert snapshot["type"] == "session.snapshot"
    return socket, snapshot
