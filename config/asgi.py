"""ASGI entry point for daphne and uvicorn: HTTP through Django, WebSockets through realtime's stack."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
django_asgi_app = get_asgi_application()

from asgiref.sync import markcoroutinefunction  # noqa: E402
from django.conf import settings  # noqa: E402

from config.garbage_collection import tune_worker  # noqa: E402
from config.request_limits import RequestBodyLimit  # noqa: E402
from realtime.routing import websocket_application  # noqa: E402

http_application = RequestBodyLimit(django_asgi_app)


def application(scope, receive, send):
    """HTTP through Django, WebSockets through realtime. It returns the chosen application's coroutine rather than
    awaiting it, so that no frame of its own stays alive for each open socket (realtime.routing)."""
    if scope["type"] == "websocket":
        return websocket_application(scope, receive, send)
    return http_application(scope, receive, send)


# What servers look for to call it as an ASGI 3 application: uvicorn asks whether it is a coroutine function,
# asgiref (daphne, Channels' test communicators) reads the flag.
markcoroutinefunction(application)
application._asgi_single_callable = True  # type: ignore[attr-defined]

# Everything loaded so far (Django, the apps, the URL configuration: ~100,000 objects) lives as long as the process.
# Frozen, the garbage collector stops walking it on every full collection, which otherwise took ~55 ms more each
# time; and with the worker's thresholds (WORKER_GC_THRESHOLDS) full collections, which walk every connected socket,
# become rare (config/garbage_collection.py, docs/performance.md).
tune_worker(settings.WORKER_GC_THRESHOLDS)
