"""A container health probe: `python -m config.healthcheck` exits 0 when this worker's /health/ answers 200.

It sends the first of ALLOWED_HOSTS as the Host header: Django refuses any host it does not serve, and inside a
container the worker is reached as 127.0.0.1. No Django import, so a probe costs a few milliseconds.
"""

import argparse
import os
import sys
import urllib.error
import urllib.request


def probe_host(allowed_hosts: str) -> str:
    hosts = [host.strip() for host in allowed_hosts.split(",") if host.strip()]
    # ".example.org" allows example.org and its subdomains; the bare domain is one of them.
    return hosts[0].lstrip(".") if hosts else "localhost"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--timeout", type=float, default=4.0)
    args = parser.parse_args(argv)
    request = urllib.request.Request(
        f"http://127.0.0.1:{args.port}/health/",
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
