"""The classroom server: `make run` (python -m config.classroom). Production over plain HTTP on a room's network.

Everything production refuses, this refuses too; two things differ. The site answers to this machine's own
addresses and names, found at start (config/network.py), besides loopback and any ALLOWED_HOSTS set: a phone
reaches the laptop by its address, and any other host name still gets 400. And there is no TLS and no proxy in
front, so cookies are not marked Secure (a phone would never send them back over http://) and no
X-Forwarded-Proto header is believed.

Production's check runs while production.py is imported, on the ALLOWED_HOSTS it reads from the environment, so
the discovered hosts are put there first, after the .env file that base.py would read anyway.
"""

import os
from pathlib import Path

import environ

from config.network import host_names, network_addresses

# Not imported from base.py: base reads ALLOWED_HOSTS when it is first imported, and that must come after this.
BASE_DIR = Path(__file__).resolve().parent.parent.parent
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]


def classroom_hosts(configured: str) -> list[str]:
    """The hosts an operator configured, then loopback, then this machine's addresses and names; each once."""
    operator = [host.strip() for host in configured.split(",") if host.strip()]
    return list(dict.fromkeys([*operator, *LOOPBACK_HOSTS, *network_addresses(), *host_names()]))


environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
os.environ["ALLOWED_HOSTS"] = ",".join(classroom_hosts(os.environ.get("ALLOWED_HOSTS", "")))

from .production import *  # noqa: E402, F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_PROXY_SSL_HEADER = None
