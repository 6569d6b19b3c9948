"""Request bodies over settings.REQUEST_MAX_BODY_BYTES are refused with 413 before they are read.

Django's ASGI handler reads a whole body (into memory, then a temporary file) before any middleware runs, so the
limit sits in front of it: a declared Content-Length over the limit is refused without reading a byte, and a body
without one (chunked) is refused as soon as what arrived passes the limit. nginx's client_max_body_size says the
same in front of the workers (deploy/nginx.conf).
"""

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


class BodyTooLarge(Exception):
    pass


class RequestBodyLimit:
    """ASGI middleware around the HTTP application."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = settings.REQUEST_MAX_BODY_BYTES
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await refuse(send, limit)

        received = 0
        started = False

        async def counted_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def watched_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if not started:
                await refuse(send, limit)


async def refuse(send, limit: int) -> None:
    body = (
        _("This request is larger than %(limit)s, the most this site accepts. Please send a smaller file.")
        % {"limit": filesizeformat(limit)}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
