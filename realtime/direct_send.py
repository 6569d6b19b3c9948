"""Writing text frames straight to the socket under uvicorn, and framing a broadcast once for every socket.

Through ASGI, each frame of a broadcast costs a chain of coroutines per socket (the consumer's send, the server's
`send`, its wait for the transport to be writable), and the text is encoded and framed once per socket. Yet a
server's frame is not masked, and without extensions (Quizcast turns compression off: config/serve.py) the bytes of
a text frame are the same for every socket. So the hub encodes and frames a broadcast once (`text_frame`) and hands
the bytes to each socket's transport, doing for a frame what uvicorn's websockets-sansio `send` would do. It made a
broadcast to 1,000 sockets cheaper than `websockets.broadcast()`'s, which frames per socket (docs/performance.md).

It is only a shortcut for the plain case. Whenever the connection is not plainly open and writable (closing,
closed, paused by flow control because the client reads slowly, an extension negotiated, output of the protocol's
own waiting to be written) or the server is another one (daphne), the frame goes through ASGI as usual, and so does
every frame after it until that send completed, so frames keep their order (realtime.outbox).

The shortcut is explicit: config/serve.py asks uvicorn for this protocol by name (UVICORN_WEBSOCKETS), the worker
logs at start which send path is active and why (`log_send_path`), `WEBSOCKET_DIRECT_WRITES=false` turns it off, and
tests/realtime/test_direct_send.py fails if the installed uvicorn no longer has the shape read here.
"""

import asyncio
import logging
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

import uvicorn
import websockets
from asgiref.typing import ASGISendCallable, Scope
from websockets.frames import Opcode
from websockets.protocol import Protocol, State
from websockets.server import ServerProtocol
from websockets.streams import StreamReader

from realtime.frame_settings import frame_setting

if TYPE_CHECKING:
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

logger = logging.getLogger(__name__)

# The WebSocket implementation config/serve.py (and the tests' servers) ask uvicorn for: the one written to here.
UVICORN_WEBSOCKETS = "websockets-sansio"
SANSIO_PROTOCOL = "uvicorn.protocols.websockets.websockets_sansio_impl.WebSocketsSansIOProtocol"
# What the shortcut reads of uvicorn's protocol: the state its own send() checks before writing a frame, the
# websockets connection it frames with, and the transport it writes to; and for closing at once, its event queue,
# close timer and loop.
PROTOCOL_STATE = ("conn", "transport", "writable", "disconnected", "close_sent", "handshake_complete")
CLOSING_STATE = ("queue", "close_timer", "loop")
# What the protocol keeps of the opening handshake for the life of the connection, though nothing reads it after
# the handshake: the request and the response, with their headers (released by `release_handshake`). It sets them
# on the handshake, so tests/realtime/test_direct_send.py checks them on an open connection.
HANDSHAKE_STATE = ("request", "response")
CONNECTION_STATE = ("state", "extensions", "writes")

DirectWrite = Callable[[bytes], bool]
# How long a connection closed by `DirectSocket.close` may wait for its client to read the close frame before it is cut.
CLOSE_GRACE = 5.0


def direct_writes_enabled() -> bool:
    """Whether the shortcut may be used at all (the WEBSOCKET_DIRECT_WRITES setting, on by default)."""
    return bool(frame_setting("WEBSOCKET_DIRECT_WRITES"))


def text_frame(payload: bytes) -> bytes | None:
    """The wire bytes of a server's unfragmented text frame carrying `payload` (UTF-8), with no extension; None when
    direct writes are off (nothing would use them)."""
    if not direct_writes_enabled():
        return None
    # RFC 6455 5.2: FIN and the text opcode, then the length in 7 bits, or 126 and 16 bits, or 127 and 64 bits
    # (websockets' Frame.serialize writes the same bytes through a general path that costs every acknowledgement
    # ~1 µs more; tests/realtime/test_direct_send.py compares the two at each length boundary).
    length = len(payload)
    if length < 126:
        return bytes((FIN_TEXT, length)) + payload
    if length < 1 << 16:
        return _MEDIUM_HEADER.pack(FIN_TEXT, 126, length) + payload
    return _LONG_HEADER.pack(FIN_TEXT, 127, length) + payload


FIN_TEXT = 0x80 | Opcode.TEXT
_MEDIUM_HEADER, _LONG_HEADER = struct.Struct("!BBH"), struct.Struct("!BBQ")


def _sansio_protocol(send: ASGISendCallable, needed: tuple[str, ...]) -> "WebSocketsSansIOProtocol | None":
    """uvicorn's websockets-sansio protocol behind this ASGI `send`, when it is one, has the attributes `needed`, and
    direct writes are on; else None."""
    if not direct_writes_enabled():
        return None
    protocol = getattr(send, "__self__", None)
    kind = type(protocol)
    if f"{kind.__module__}.{kind.__qualname__}" != SANSIO_PROTOCOL:
        return None
    if getattr(send, "__name__", "") != "send" or not all(hasattr(protocol, name) for name in needed):
        logger.warning("uvicorn's WebSocket protocol changed shape; frames go through ASGI")
        return None
    if not all(hasattr(protocol.conn, name) for name in CONNECTION_STATE):  # type: ignore[union-attr]
        logger.warning("the websockets connection changed shape; frames go through ASGI")
        return None
    return cast("WebSocketsSansIOProtocol", protocol)


class DirectSocket:
    """One socket's uvicorn websockets-sansio protocol, written to and closed without going through ASGI. One small
    object per socket, its methods handed to the socket's outbox (realtime.outbox)."""

    __slots__ = ("protocol",)

    def __init__(self, protocol: "WebSocketsSansIOProtocol"):
        self.protocol = protocol

    def write(self, frame: bytes) -> bool:
        """Write a `text_frame`; False when it did not (the caller sends through ASGI then)."""
        protocol = self.protocol
        connection = protocol.conn
        if (
            protocol.disconnected
            or protocol.close_sent
            or not protocol.handshake_complete
            or not protocol.writable.is_set()
            or connection.state is not State.OPEN
            or connection.extensions
            or connection.writes
        ):
            return False
        protocol.transport.write(frame)
        return True

    def close(self, code: int) -> bool:
        """Close the connection with a code at once, even while flow control holds every send (a client that stopped
        reading): the close frame is queued behind what is already buffered, and the connection is cut if the client
        has not read it after CLOSE_GRACE seconds. False when it did not (the caller closes through ASGI then)."""
        protocol = self.protocol
        if protocol.disconnected or protocol.close_sent or not protocol.handshake_complete:
            return False
        if protocol.transport.is_closing():
            return False
        protocol.conn.send_close(code, "")
        protocol.transport.write(b"".join(protocol.conn.data_to_send()))
        protocol.queue.put_nowait({"type": "websocket.disconnect", "code": code, "reason": ""})
        protocol.close_sent = True
        # transport.close() would wait for the unread buffer to drain, which a client that stopped reading never
        # lets happen: abort instead.
        protocol.close_timer = protocol.loop.call_later(CLOSE_GRACE, protocol.transport.abort)
        return True

    def release_handshake(self) -> bool:
        """Let go of the opening handshake's request and response, which the protocol keeps for the life of the
        connection though nothing reads them once it is open: their headers are ~4 KiB per socket
        (docs/performance.md, "Memory per student"). True if it did."""
        protocol = self.protocol
        if not protocol.handshake_complete or protocol.close_sent:
            return False
        if not all(hasattr(protocol, name) for name in HANDSHAKE_STATE):
            logger.warning("uvicorn's WebSocket protocol changed shape; the handshake stays in memory")
            return False
        protocol.request = None  # type: ignore[assignment]
        protocol.response = None  # type: ignore[assignment]
        release_request_parser(protocol.conn)
        return True


def release_request_parser(connection: ServerProtocol) -> bool:
    """Let go of the opening request that websockets' parser keeps: `ServerProtocol.parse` reads the request, then
    hands over to the frame parser (`Protocol.parse`) from within, so the request stays one of its locals, with its
    headers, for the life of the connection (~3.7 KiB a socket). Between two frames, the frame parser is started
    afresh in its place and the request goes with the old one. True if it did; False mid-frame, or if websockets'
    parsers no longer have that shape (tests/realtime/test_direct_send.py)."""
    request_parser = connection.parser
    frame_parser = getattr(request_parser, "gi_yieldfrom", None)
    waiting_for = getattr(frame_parser, "gi_yieldfrom", None)
    if (
        getattr(request_parser, "gi_code", None) is not ServerProtocol.parse.__code__
        or getattr(frame_parser, "gi_code", None) is not Protocol.parse.__code__
        or getattr(waiting_for, "gi_code", None) is not StreamReader.at_eof.__code__  # between frames
    ):
        return False
    fresh = Protocol.parse(connection)
    next(fresh)  # runs to where the old one waits: for the next frame's first byte
    connection.parser = fresh
    request_parser.close()
    return True


def direct_socket(send: ASGISendCallable) -> DirectSocket | None:
    """The socket behind this ASGI `send` to write to and close directly; None when the server offers no such
    shortcut or direct writes are off."""
    protocol = _sansio_protocol(send, (*PROTOCOL_STATE, *CLOSING_STATE))
    return None if protocol is None else DirectSocket(protocol)


def sansio_shape_problem() -> str | None:
    """What keeps the installed uvicorn from offering the shortcut, or None: its websockets-sansio protocol must be
    the class named SANSIO_PROTOCOL, and a fresh instance must have every attribute the shortcut reads."""
    from uvicorn.config import WS_PROTOCOLS, Config
    from uvicorn.server import ServerState

    module, _, name = SANSIO_PROTOCOL.rpartition(".")
    if WS_PROTOCOLS.get(UVICORN_WEBSOCKETS) != f"{module}:{name}":
        return f"uvicorn {uvicorn.__version__} has no {UVICORN_WEBSOCKETS!r} WebSocket implementation"

    async def no_app(scope: Scope, receive: Callable[[], object], send: Callable[[object], object]) -> None:
        return None

    config = Config(app=no_app, ws=UVICORN_WEBSOCKETS, ws_per_message_deflate=False, lifespan="off", log_config=None)
    config.load()
    if config.ws_protocol_class is None or f"{config.ws_protocol_class.__module__}.{name}" != SANSIO_PROTOCOL:
        return f"uvicorn {uvicorn.__version__} loads another class for {UVICORN_WEBSOCKETS!r}"
    loop = asyncio.new_event_loop()
    try:
        protocol = config.ws_protocol_class(config=config, server_state=ServerState(), app_state={}, _loop=loop)  # type: ignore[call-arg]
    finally:
        loop.close()
    missing = [attribute for attribute in (*PROTOCOL_STATE, *CLOSING_STATE) if not hasattr(protocol, attribute)]
    missing += [f"conn.{attribute}" for attribute in CONNECTION_STATE if not hasattr(protocol.conn, attribute)]  # type: ignore[attr-defined]
    if missing:
        return f"uvicorn {uvicorn.__version__}'s {UVICORN_WEBSOCKETS} protocol lacks {', '.join(missing)}"
    return None


def send_path(server: str) -> tuple[bool, str]:
    """Whether a worker served by `server` (uvicorn or daphne) writes frames straight to its sockets, and why."""
    if not direct_writes_enabled():
        return False, "frames go through ASGI: WEBSOCKET_DIRECT_WRITES is off"
    if server != "uvicorn":
        return False, f"frames go through ASGI: {server} offers no direct writes (only uvicorn's {UVICORN_WEBSOCKETS})"
    problem = sansio_shape_problem()
    if problem is not None:
        return False, f"frames go through ASGI: {problem}"
    return True, (
        f"frames are written straight to uvicorn {uvicorn.__version__}'s {UVICORN_WEBSOCKETS} connections "
        f"(websockets {websockets.__version__}); WEBSOCKET_DIRECT_WRITES=false turns this off"
    )


def log_send_path(server: str) -> bool:
    """Log, once at a worker's start, which send path its sockets take and why; return whether it is direct."""
    direct, reason = send_path(server)
    (logger.info if direct else logger.warning)("send path: %s", reason)
    return direct
