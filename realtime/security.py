"""Who may open a WebSocket: browsers on this site's own origin (or a configured one), on an allowed host.

Channels' AllowedHostsOriginValidator lets a missing Origin through, and with a wildcard host list any site at
all; a cross-site page could then drive a signed-in student's socket. This check refuses both.
"""

from urllib.parse import urlparse

from django.conf import settings
from django.http.request import split_domain_port, validate_host


def origin_allowed(headers: dict[bytes, bytes]) -> bool:
    origin = headers.get(b"origin", b"").decode("latin1").strip()
    host = headers.get(b"host", b"").decode("latin1").strip().lower()
    if not origin or not host:
        return False
    hostname, _port = split_domain_port(host)
    if not hostname or not validate_host(hostname, settings.ALLOWED_HOSTS):
        return False
    if origin in settings.WEBSOCKET_ALLOWED_ORIGINS:
        return True
    parsed = urlparse(origin)
    return parsed.scheme in ("http", "https") and parsed.netloc.lower() == host
