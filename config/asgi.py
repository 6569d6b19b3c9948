"""ASGI entry point for daphne and uvicorn: HTTP through Django, WebSockets through realtime's stack."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from config.request_limits import RequestBodyLimit  # noqa: E402
from realtime.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter({"http": RequestBodyLimit(django_asgi_app), "websocket": websocket_application})

# Everything loaded so far (Django, the apps, the URL configuration: ~100,000 objects) lives as long as the process.
# Frozen, the garbage collector stops walking it on every full collection, which otherwise took ~55 ms more each
# time; with thousands of sockets connecting those collections come every few seconds (docs/performance.md).
gc.freeze()
