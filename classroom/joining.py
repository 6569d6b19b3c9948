"""How students reach a session from the wall: the address they type and the QR code of the session's link.

The address is the one the teacher's browser used, unless that is this machine's loopback address (a teacher on
the server itself): phones cannot reach 127.0.0.1, so the first address of this machine on a network is shown
instead, with the same port.
"""

from dataclasses import dataclass

import segno
from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from config.network import is_loopback_host, network_addresses

DEFAULT_PORTS = {"http": "80", "https": "443"}


def join_host(*, host: str, port: str, scheme: str, addresses: list[str]) -> str:
    """The host (and port, unless the scheme's default) students should use.

    `host` is the request's Host header, `port` the port the request came in on, `addresses` this machine's
    network addresses, best first (config.network.network_addresses)."""
    if not is_loopback_host(host) or not addresses:
        return host
    if host.startswith("["):
        port = host.rsplit("]:", 1)[1] if "]:" in host else port
    elif host.count(":") == 1:
        port = host.rsplit(":", 1)[1]
    return addresses[0] if port == DEFAULT_PORTS.get(scheme) else f"{addresses[0]}:{port}"


@dataclass(frozen=True)
class JoinLinks:
    address: str  # what students type: 192.168.1.20:8000/join/
    session_url: str  # the session's direct link, in the QR code: http://192.168.1.20:8000/s/K7P2QX/


def join_links(request: HttpRequest, code: str) -> JoinLinks:
    host = join_host(
        host=request.get_host(), port=request.get_port(), scheme=request.scheme or "http", addresses=network_addresses()
    )
    return JoinLinks(
        address=f"{host}{reverse('join')}",
        session_url=f"{request.scheme}://{host}{reverse('student_session', args=[code])}",
    )


def qr_svg(data: str, *, title: str) -> SafeString:
    """A QR code of `data` as inline SVG: black on white with the standard quiet zone of four modules, sized by its
    container (no width or height), titled for screen readers. Medium error correction survives a glare."""
    code = segno.make(data, error="m", micro=False)
    svg = code.svg_inline(dark="#000", light="#fff", border=4, omitsize=True, title=title, svgclass="qc-qr-svg")
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308 - segno's own markup, title escaped
