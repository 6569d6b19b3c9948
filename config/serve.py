"""Run one Quizcast server worker: `python -m config.serve --port 8000`.

The same command runs in docker-compose, in the multi-worker test and in the benchmark. QUIZCAST_SERVER picks the
ASGI server: `uvicorn` (the production default, chosen by the benchmark: docs/performance.md) or `daphne`. `make run`
ends by running it too (config/classroom.py). Every other setting comes from the environment as usual.
"""

import argparse
import os
import sys
from typing import Any

# A frame larger than this never reaches Django; frames above WEBSOCKET_MAX_MESSAGE_BYTES but below this are
# refused by the consumer with close code 1009.
SERVER_MAX_WEBSOCKET_FRAME = 64 * 1024
# daphne (autobahn) applies its message-size cap to what the server sends as well: with 64 KiB, the teacher's
# snapshot of a session with ~2,000 students could not be sent at all. 1 MiB is daphne's own default (a roster of
# ~30,000); incoming frames stay capped at SERVER_MAX_WEBSOCKET_FRAME.
DAPHNE_MAX_WEBSOCKET_MESSAGE = 1024 * 1024


def uvicorn_websocket_options() -> dict[str, Any]:
    """How uvicorn serves WebSockets, here and in the tests' servers: the websockets-sansio implementation by name (the
    one realtime/direct_send.py writes to), no compression, and the frame size cap."""
    from realtime.direct_send import UVICORN_WEBSOCKETS

    return {
        "ws": UVICORN_WEBSOCKETS,
        "ws_max_size": SERVER_MAX_WEBSOCKET_FRAME,
        # Browsers offer permessage-deflate and uvicorn accepts it by default: every broadcast would then be
        # compressed once per socket, and each socket keeps a zlib context (docs/performance.md).
        "ws_per_message_deflate": False,
    }


def log_send_path(server: str, level: str) -> None:
    """Set Django up (its logging included) and say which path this worker's frames take, and why, at the server's
    log level: `make run` asks for warnings only, so that the address to give the class stays the last line."""
    import logging

    import django

    django.setup()
    from realtime import direct_send

    logging.getLogger(direct_send.__name__).setLevel(level.upper())
    direct_send.log_send_path(server)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--server", choices=["uvicorn", "daphne"], default=os.environ.get("QUIZCAST_SERVER", "uvicorn"))
    parser.add_argument("--server-log-level", help="uvicorn's own log level (default: LOG_LEVEL)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    server_log_level = (args.server_log_level or os.environ.get("LOG_LEVEL", "info")).lower()
    log_send_path(args.server, server_log_level)

    if args.server == "uvicorn":
        import uvicorn

        uvicorn.run(
            "config.asgi:application",
            host=args.host,
            port=args.port,
            **uvicorn_websocket_options(),
            proxy_headers=True,
            forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            access_log=False,
            lifespan="off",
            log_level=server_log_level,
        )
    else:
        from daphne.cli import CommandLineInterface

        sys.argv = [
            "daphne",
            "-b",
            args.host,
            "-p",
            str(args.port),
            "--proxy-headers",
            "--websocket-max-message-size",
            str(DAPHNE_MAX_WEBSOCKET_MESSAGE),
            "--websocket-max-frame-size",
            str(SERVER_MAX_WEBSOCKET_FRAME),
            "-v1",
            "config.asgi:application",
        ]
        CommandLineInterface.entrypoint()


if __name__ == "__main__":
    main()
