"""This machine's addresses on the networks it is attached to, found with the standard library alone.

`make run` answers to them (ALLOWED_HOSTS) and prints the one students should type; the projector shows it when the
teacher's own browser used a loopback address. Nothing here sends a packet: the addresses are read from the
interfaces (Linux) or from the host name's own resolution (elsewhere).
"""

import ipaddress
import socket
import struct
from pathlib import Path

SIOCGIFADDR = 0x8915  # Linux: the IPv4 address of one interface


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast)


def _default_route_interfaces() -> list[str]:
    """Interfaces that carry a default route (Linux), so the address a phone can reach comes first."""
    try:
        lines = Path("/proc/net/route").read_text().splitlines()[1:]
    except OSError:
        return []
    return [fields[0] for fields in (line.split() for line in lines) if len(fields) > 2 and fields[1] == "00000000"]


def _interface_ipv4(name: str) -> str | None:
    try:
        import fcntl  # not on Windows, where the host name's own addresses are used instead
    except ImportError:
        return None
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            packed = fcntl.ioctl(probe.fileno(), SIOCGIFADDR, struct.pack("256s", name.encode()[:15]))
        except OSError:
            return None
    return socket.inet_ntoa(packed[20:24])


def _interface_addresses() -> list[str]:
    try:
        names = [name for _index, name in socket.if_nameindex()]
    except OSError:
        return []
    preferred = _default_route_interfaces()
    names.sort(key=lambda name: (name not in preferred, preferred.index(name) if name in preferred else 0))
    return [address for address in map(_interface_ipv4, names) if address]


def _host_name_addresses() -> list[str]:
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, type=socket.SOCK_STREAM)
    except OSError:
        return []
    return [str(info[4][0]) for info in infos]


def network_addresses() -> list[str]:
    """IPv4 addresses of this machine that another device on its networks could reach, best first.

    Loopback, link-local and unspecified addresses are left out. On Linux the interface holding the default route
    comes first; elsewhere the host name's own addresses are used."""
    found: list[str] = []
    for address in [*_interface_addresses(), *_host_name_addresses()]:
        if ":" not in address and _usable(address) and address not in found:
            found.append(address)
    return found


def host_names() -> list[str]:
    """This machine's own name and its `.local` (mDNS) form, which phones on the same network often resolve."""
    name = socket.gethostname().strip().lower()
    if not name or name == "localhost":
        return []
    short = name.split(".", 1)[0]
    return list(dict.fromkeys([name, short, f"{short}.local"]))


def is_loopback_host(host: str) -> bool:
    """Whether a Host header (with or without a port) names this machine's loopback interface."""
    host = host.strip().lower()
    if host.startswith("["):  # [::1] or [::1]:8000
        name = host[1:].split("]", 1)[0]
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
