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
every frame after it until that send completed, so frames keep their order (realtime.consumers.send_frame).
"""

import logging
from collections.abc import Callable

try:
    from websockets.frames import Frame, Opcode
    from websockets.protocol import State
except ImportError:  # uvicorn without its standard extras: no shortcut
    Frame = None

logger = logging.getLogger(__name__)

SANSIO_PROTOCOL = "uvicorn.protocols.websockets.websockets_sansio_impl.WebSocketsSansIOProtocol"
# What the shortcut reads of uvicorn's protocol: the state its own send() checks before writing a frame, the
# websockets connection it frames with, and the transport it writes to.
PROTOCOL_STATE = ("conn", "transport", "writable", "disconnected", "close_sent", "handshake_complete")
CONNECTION_STATE = ("state", "extensions", "writes")

DirectWrite = Callable[[bytes], bool]
DirectClose = Callable[[int], bool]
# How long a connection closed by `direct_closer` may wait for its client to read the close frame before it is cut.
CLOSE_GRACE = 5.0


def text_frame(payload: bytes) -> bytes | None:
    """The wire bytes of a server's unfragmented text frame carrying `payload` (UTF-8), with no extension."""
    if Frame is None:
        return None
    return Frame(Opcode.TEXT, payload).serialize(mask=False)


def direct_writer(send) -> DirectWrite | None:
    """A function writing a `text_frame` to the socket behind this ASGI `send`, returning False when it did not (the
    caller sends through ASGI then); None when the server offers no such shortcut."""
    protocol = getattr(send, "__self__", None)
    kind = type(protocol)
    if Frame is None or f"{kind.__module__}.{kind.__qualname__}" != SANSIO_PROTOCOL:
        return None
    if getattr(send, "__name__", "") != "send" or not all(hasattr(protocol, name) for name in PROTOCOL_STATE):
        logger.warning("uvicorn's WebSocket protocol changed shape; frames go through ASGI")
        return None
    connection = protocol.conn
    if not all(hasattr(connection, name) for name in CONNECTION_STATE):
        logger.warning("the websockets connection changed shape; frames go through ASGI")
        return None

    def write(frame: bytes) -> bool:
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

    return write


def _sansio_protocol(send):
    protocol = getattr(send, "__self__", None)
    kind = type(protocol)
    if Frame is None or f"{kind.__module__}.{kind.__qualname__}" != SANSIO_PROTOCOL:
        return None
    if not all(hasattr(protocol, name) for name in (*PROTOCOL_STATE, "queue", "close_timer", "loop")):
        return None
    return protocol


def direct_closer(send) -> DirectClose | None:
    """A function closing the connection behind this ASGI `send` with a code at once, even while flow control holds
    every send (a client that stopped reading): the close frame is queued behind what is already buffered, and the
    connection is cut if the client has not read it after CLOSE_GRACE seconds. None when the server offers no such
    shortcut (the caller closes through ASGI then)."""
    protocol = _sansio_protocol(send)
    if protocol is None:
        return None

    def close(code: int) -> bool:
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

    return close
