"""Which consumer serves a WebSocket: one pattern, checked after the origin (realtime.security).

The application returns the consumer's own coroutine instead of awaiting it: a socket lives for the whole lesson,
and each layer that awaited it (a router, a middleware, Channels' `as_asgi` wrapper) would keep a frame alive for
as long, for every socket. There is no session or auth middleware either: a consumer reads the session cookie
itself and resolves the user in the batched database call that admits it (realtime.auth).
"""

import re
from collections.abc import Awaitable
from typing import TYPE_CHECKING

from asgiref.typing import ASGIReceiveCallable, ASGISendCallable
from channels.security.websocket import WebsocketDenier

from realtime.consumers import ProjectorConsumer, SessionConsumer, StudentConsumer, TeacherConsumer
from realtime.security import origin_allowed

if TYPE_CHECKING:
    # A WebSocket's ASGI scope with the keys Channels adds (url_route among them), as its consumers take it.
    from channels.consumer import _ChannelScope

CONSUMERS: dict[str, type[SessionConsumer]] = {
    "student": StudentConsumer,
    "teacher": TeacherConsumer,
    "projector": ProjectorConsumer,
}
SOCKET_PATH = re.compile(r"^/ws/sessions/(?P<session_id>[0-9]{1,18})/(?P<role>student|teacher|projector)/$")


def socket_path(session_id: int, role: str) -> str:
    """The path of a session's socket for a role (the pages build the same one)."""
    return f"/ws/sessions/{session_id}/{role}/"


def websocket_application(
    scope: "_ChannelScope", receive: ASGIReceiveCallable, send: ASGISendCallable
) -> Awaitable[None]:
    """The ASGI application for WebSockets: a socket from a foreign origin or to an unknown path is refused before
    it is accepted; any other is served by its role's consumer, for the session in its path."""
    if not origin_allowed(dict(scope.get("headers", []))):
        return WebsocketDenier()(scope, receive, send)
    match = SOCKET_PATH.match(scope.get("path", ""))
    if match is None:
        return WebsocketDenier()(scope, receive, send)
    # The session id goes to the consumer itself: a copy of the scope with Channels' `url_route` in it would be
    # one more dict kept for the life of every socket.
    return CONSUMERS[match["role"]](int(match["session_id"]))(scope, receive, send)
