"""A lean WebSocket client for thousands of sockets in one asyncio process.

Each socket is an `asyncio.Protocol` that does the RFC 6455 handshake itself (Host, Origin, Cookie and the
permessage-deflate offer a browser sends) and then parses frames in `data_received`: no task, no queue and no
per-frame coroutine per socket. That keeps the client's own cost per received frame to a few microseconds, so the
client is not what the benchmark measures (docs/performance.md, "The load client").

Every text frame is stamped with the receive time of the chunk it arrived in (`time.perf_counter`, one clock for
every socket because they all live in this one process) and handed to the socket's `on_text` callback.
"""

import asyncio
import base64
import os
import time
import zlib
from collections.abc import Callable

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
DEFLATE_TAIL = b"\x00\x00\xff\xff"


def mask_frame(opcode: int, payload: bytes) -> bytes:
    """A final client frame: masked with a random key, as RFC 6455 requires of clients."""
    length = len(payload)
    if length < 126:
        header = bytes((0x80 | opcode, 0x80 | length))
    elif length < 65536:
        header = bytes((0x80 | opcode, 0x80 | 126)) + length.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + length.to_bytes(8, "big")
    key = os.urandom(4)
    if length:
        repeated = (key * (length // 4 + 1))[:length]
        masked = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(length, "big")
    else:
        masked = b""
    return header + key + masked


class HandshakeError(Exception):
    pass


class WebSocket(asyncio.Protocol):
    """One client socket. `on_text(socket, payload: bytes, received_at: float)` gets every text message."""

    __slots__ = (
        "_buffer",
        "_fragments",
        "_handshake_done",
        "_inflater",
        "_key",
        "_request",
        "close_code",
        "closed",
        "connected",
        "index",
        "on_text",
        "opened",
        "transport",
        "user",
    )

    def __init__(self, request: bytes, key: str, on_text: Callable, index: int, user=None):
        self._request = request
        self._key = key
        self.on_text = on_text
        self.index = index
        self.user = user
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._fragments: list[bytes] | None = None
        self._handshake_done = False
        self._inflater = None
        self.opened: asyncio.Future = asyncio.get_running_loop().create_future()
        self.connected = False
        self.closed = False
        self.close_code: int | None = None

    # --- asyncio.Protocol ------------------------------------------------------------------------------------
    def connection_made(self, transport):
        self.transport = transport
        transport.write(self._request)

    def connection_lost(self, exc):
        self.closed = True
        if not self.opened.done():
            self.opened.set_exception(HandshakeError(f"connection closed during the handshake ({exc})"))

    def data_received(self, data):
        now = time.perf_counter()
        buffer = self._buffer
        buffer += data
        if not self._handshake_done:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buffer[:end]).decode("latin1")
            del buffer[: end + 4]
            status = head.split("\r\n", 1)[0]
            if " 101 " not in status + " ":
                if not self.opened.done():
                    self.opened.set_exception(HandshakeError(status))
                self.transport.close()
                return
            for line in head.split("\r\n")[1:]:
                name, _sep, value = line.partition(":")
                if name.strip().lower() == "sec-websocket-extensions" and "permessage-deflate" in value:
                    self._inflater = zlib.decompressobj(-15)
            self._handshake_done = True
            self.connected = True
            if not self.opened.done():
                self.opened.set_result(True)
        self._parse(now)

    # --- frames ----------------------------------------------------------------------------------------------
    def _parse(self, now: float) -> None:
        buffer = self._buffer
        while True:
            size = len(buffer)
            if size < 2:
                return
            first, second = buffer[0], buffer[1]
            length = second & 0x7F
            offset = 2
            if length == 126:
                if size < 4:
                    return
                length = int.from_bytes(buffer[2:4], "big")
                offset = 4
            elif length == 127:
                if size < 10:
                    return
                length = int.from_bytes(buffer[2:10], "big")
                offset = 10
            if second & 0x80:  # a server never masks, but be lenient
                offset += 4
            if size < offset + length:
                return
            payload = bytes(buffer[offset : offset + length])
            del buffer[: offset + length]
            self._frame(first, payload, now)

    def _frame(self, first: int, payload: bytes, now: float) -> None:
        opcode = first & 0x0F
        final = first & 0x80
        if opcode in (OP_TEXT, OP_BINARY, OP_CONT):
            if opcode != OP_CONT:
                compressed = bool(first & 0x40)
                self._fragments = None if final else [payload, compressed]
                if not final:
                    return
            else:
                if self._fragments is None:
                    return
                self._fragments.insert(-1, payload)
                if not final:
                    return
                compressed = self._fragments.pop()
                payload = b"".join(self._fragments)
                self._fragments = None
            if compressed and self._inflater is not None:
                payload = self._inflater.decompress(payload + DEFLATE_TAIL)
            self.on_text(self, payload, now)
        elif opcode == OP_PING:
            self.transport.write(mask_frame(OP_PONG, payload))
        elif opcode == OP_CLOSE:
            self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            if not self.closed:
                self.transport.write(mask_frame(OP_CLOSE, payload[:2]))
            self.closed = True
            self.transport.close()

    # --- sending ---------------------------------------------------------------------------------------------
    @property
    def compressed(self) -> bool:
        """Whether the server accepted permessage-deflate."""
        return self._inflater is not None

    def send_text(self, text: str | bytes) -> None:
        if isinstance(text, str):
            text = text.encode()
        self.transport.write(mask_frame(OP_TEXT, text))

    def write_prepared(self, frame: bytes) -> None:
        """Write a frame built beforehand with `mask_frame` (so timing loops do no masking work)."""
        self.transport.write(frame)

    def close(self) -> None:
        if self.transport is not None and not self.closed:
            self.closed = True
            try:
                self.transport.write(mask_frame(OP_CLOSE, (1000).to_bytes(2, "big")))
            finally:
                self.transport.close()


def handshake_request(*, host: str, port: int, path: str, origin: str | None, cookie: str | None) -> tuple[bytes, str]:
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        # What Chromium offers; the server decides whether frames are compressed.
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
        "User-Agent: quizcast-bench",
    ]
    if origin:
        lines.append(f"Origin: {origin}")
    if cookie:
        lines.append(f"Cookie: {cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin1"), key


async def open_socket(
    *,
    host: str,
    port: int,
    path: str,
    origin: str | None,
    cookie: str | None,
    on_text: Callable,
    index: int = 0,
    user=None,
    timeout: float = 30.0,
) -> WebSocket:
    request, key = handshake_request(host=host, port=port, path=path, origin=origin, cookie=cookie)
    loop = asyncio.get_running_loop()
    _transport, socket = await asyncio.wait_for(
        loop.create_connection(lambda: WebSocket(request, key, on_text, index, user), host, port), timeout
    )
    await asyncio.wait_for(socket.opened, timeout)
    return socket
