"""Writing a text frame straight into the server's WebSocket protocol, for broadcasts.

Through ASGI, each frame of a broadcast costs a chain of coroutines per socket (the consumer's send, the server's
`send`, its wait for the transport to be writable), the text is encoded once per socket, and the frame is built
and written. Under uvicorn's websockets-sansio protocol the hub can do what the server's `send` would do for a
frame, once the handshake is done and while the transport takes data: encode the text once for every socket and
hand it to each socket's protocol object, which frames it and writes it. That is what `websockets.broadcast()`
does; it took a broadcast to 2,000 sockets from ~50 ms to ~37 ms here (docs/performance.md).

It is only a shortcut for the common case. Whenever the connection is not plainly open and writable (closing,
closed, paused by flow control because the client reads slowly) or the server is another one (daphne), the frame
goes through ASGI as usual, and so does every frame after it until that send completed, so frames keep their order.
"""

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

SANSIO_PROTOCOL = "uvicorn.protocols.websockets.websockets_sansio_impl.WebSocketsSansIOProtocol"
# What the shortcut reads of uvicorn's protocol: the same state its own send() checks before writing a frame.
PROTOCOL_STATE = ("conn", "transport", "writable", "disconnected", "close_sent", "handshake_complete")

DirectWrite = Callable[[bytes], bool]


def direct_writer(send) -> DirectWrite | None:
    """A function writing one UTF-8 encoded text frame to the socket behind this ASGI `send`, returning False when
    it did not (the caller sends through ASGI then); None when the server offers no such shortcut."""
    protocol = getattr(send, "__self__", None)
    kind = type(protocol)
    if f"{kind.__module__}.{kind.__qualname__}" != SANSIO_PROTOCOL or getattr(send, "__name__", "") != "send":
        return None
    if not all(hasattr(protocol, name) for name in PROTOCOL_STATE):
        logger.warning("uvicorn's WebSocket protocol changed shape; broadcasts go through ASGI")
        return None

    def write(payload: bytes) -> bool:
        if (
            protocol.disconnected
            or protocol.close_sent
            or not protocol.handshake_complete
            or not protocol.writable.is_set()
        ):
            return False
        try:
            protocol.conn.send_text(payload)
            protocol.transport.write(b"".join(protocol.conn.data_to_send()))
        except Exception:  # the connection went away under us: ASGI's send reports it properly
            return False
        return True

    return write
