"""A container health probe: `python -m config.healthcheck` exits 0 when this worker answers 200 at /health/live/
(liveness: the process answers; what docker-compose.yml's health check runs). `--path /health/ready/` asks for
readiness instead: the database and Redis reachable too.

It sends the first of ALLOWED_HOSTS as the Host header: Django refuses any host it does not serve, and inside a
container the worker is reached as 127.0.0.1. No Django import, so a probe costs a few milliseconds.
"""

import argparse
import os
import sys
import urllib.error
import urllib.request

LIVENESS = "/health/live/"
READINESS = "/health/ready/"


def probe_host(allowed_hosts: str) -> str:
    hosts = [host.strip() for host in allowed_hosts.split(",") if host.strip()]
    # ".example.org" allows example.org and its subdomains; the bare domain is one of them.
    return hosts[0].lstrip(".") if hosts else "localhost"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--timeout", type=float, default=4.0)
    parser.add_argument("--path", default=LIVENESS, choices=[LIVENESS, READINESS])
    args = parser.parse_args(argv)
    request = urllib.request.Request(
        f"http://127.0.0.1:{args.port}{args.path}",
        headers={"Host": probe_host(os.environ.get("ALLOWED_HOSTS", ""))},
    )
    try:
        with urllib.request.urlopen(request, timeout=args.timeout) as response:  # noqa: S310 (a fixed http URL)
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    except OSError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    print(status, body.decode(errors="replace"))
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
