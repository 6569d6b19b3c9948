from typing import TYPE_CHECKING

from channels.routing import URLRouter
from django.urls import path

from realtime.consumers import ProjectorConsumer, StudentConsumer, TeacherConsumer
from realtime.security import OriginCheck

if TYPE_CHECKING:
    from channels.consumer import _ASGIApplicationProtocol
    from channels.routing import _ExtendedURLPattern


def socket_path(route: str, consumer: "_ASGIApplicationProtocol") -> "_ExtendedURLPattern":
    """A URL pattern routing to a consumer, for Channels' URLRouter."""
    # django-stubs types path() for views only; Channels routes ASGI applications through the same patterns.
    return path(route, consumer)  # type: ignore[arg-type,return-value]


websocket_urlpatterns: list["_ExtendedURLPattern | URLRouter"] = [
    socket_path("ws/sessions/<int:session_id>/student/", StudentConsumer.as_asgi()),
    socket_path("ws/sessions/<int:session_id>/teacher/", TeacherConsumer.as_asgi()),
    socket_path("ws/sessions/<int:session_id>/projector/", ProjectorConsumer.as_asgi()),
]

# No session or auth middleware: a consumer reads the session cookie itself and resolves the user in the batched
# database call that admits it (realtime.auth).
websocket_application = OriginCheck(URLRouter(websocket_urlpatterns))
