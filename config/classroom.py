"""Serve a classroom from this machine: `make run`, or `python -m config.classroom` where there is no make.

1. On the first run, write `.env` beside manage.py with a freshly generated SECRET_KEY (readable by its owner only);
   later runs reuse it, so sign-ins survive a restart and no two installs share a key.
2. Migrate the database, collect the static files and load the demo data, with config.settings.classroom.
3. Print the demo logins and, last, the address to give the class.
4. Become the production server, `python -m config.serve` (uvicorn), listening on every interface unless HOST says
   otherwise (HOST=127.0.0.1: this machine only).
"""

import argparse
import ipaddress
import os
import secrets
import socket
import sys
from pathlib import Path

import django
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils.translation import gettext as _

from config.network import host_names, is_loopback_host, network_addresses

BASE_DIR = Path(__file__).resolve().parent.parent
ENV_FILE = BASE_DIR / ".env"
SETTINGS_MODULE = "config.settings.classroom"
EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 (the point of `make run`: phones on the room's network reach it)


def _secret_key_in(lines: list[str]) -> str:
    for line in lines:
        name, _equals, value = line.removeprefix("export ").partition("=")
        if name.strip() == "SECRET_KEY":
            return value.strip().strip("'\"")
    return ""


def secret_key_ensure(*, env_file: Path) -> str:
    """The SECRET_KEY written in `env_file`; when it has none (or no file exists), a new random key written there first.

    The file keeps every other line, is replaced in one step (a crash never leaves half a file) and is readable and
    writable by its owner only. A key that is present is never replaced, even a weak one: the settings refuse that
    with a message, and replacing it would sign everybody out."""
    lines = env_file.read_text().splitlines() if env_file.exists() else []
    if key := _secret_key_in(lines):
        return key
    key = secrets.token_urlsafe(50)
    kept = [line for line in lines if line.removeprefix("export ").partition("=")[0].strip() != "SECRET_KEY"]
    text = "\n".join([*kept, f"SECRET_KEY={key}"]) + "\n"
    partial = env_file.with_name(f"{env_file.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        os.fchmod(file.fileno(), 0o600)
        file.write(text)
    os.replace(partial, env_file)
    return key


def _url(host: str, port: int, path: str = "/") -> str:
    return f"http://{f'[{host}]' if ':' in host else host}:{port}{path}"


def _listens_everywhere(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def banner(*, host: str, port: int, addresses: list[str], names: list[str]) -> list[str]:
    """What the teacher reads when the server starts; the address to give the class comes last."""
    if is_loopback_host(host):
        return [
            _("Quizcast is reachable from this machine only (HOST=%(host)s): students' phones cannot connect.")
            % {"host": host},
            _("To let them in, run `make run` without HOST: it then listens on every network of this machine."),
            _("Open %(url)s") % {"url": _url(host, port)},
        ]
    if not _listens_everywhere(host):
        return [_("Students join at %(url)s") % {"url": _url(host, port, "/join/")}]
    here = _url("127.0.0.1", port)
    if not addresses:
        return [
            _("No network address found: this machine is on no network, so only it can reach Quizcast."),
            _("Join the classroom's network or start a hotspot, then restart to let phones in."),
            _("Open %(url)s") % {"url": here},
        ]
    lines = [_("On this machine: %(url)s") % {"url": here}]
    # A bare machine name rarely resolves on a phone (no search domain); `name.local` and full names may.
    if others := [_url(name, port) for name in [*addresses[1:], *(name for name in names if "." in name)]]:
        lines.append(_("Also reachable at: %(urls)s") % {"urls": ", ".join(others)})
    lines.append(_("Students join at %(url)s") % {"url": _url(addresses[0], port, "/join/")})
    return lines


def port_problem(host: str, port: int) -> str | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return _(
                "Cannot listen on %(host)s port %(port)s: %(error)s. Is another server using it? Try PORT=%(next)s."
            ) % {
                "host": host,
                "port": port,
                "error": error.strerror,
                "next": port + 1,
            }
    return None


def prepare(*, demo_data: bool) -> None:
    """Bring the database and the static files up to date, with the settings the server will run."""
    print(_("Preparing the database and the static files…"), flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if demo_data:
        call_command("demo_data")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default=os.environ.get("HOST") or EVERY_INTERFACE)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
    parser.add_argument(
        "--no-demo-data",
        dest="demo_data",
        action="store_false",
        help="do not create or reset the demo accounts (their passwords are published)",
    )
    args = parser.parse_args(argv)

    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    if not os.environ.get("SECRET_KEY"):
        secret_key_ensure(env_file=ENV_FILE)
    try:
        django.setup()
    except ImproperlyConfigured as error:  # a weak SECRET_KEY, a wildcard host: the message says what to do
        sys.exit(f"Quizcast cannot start: {error}")
    if problem := port_problem(args.host, args.port):
        sys.exit(problem)
    prepare(demo_data=args.demo_data)

    print()
    print(_("Quizcast is starting on port %(port)s (Ctrl-C stops it).") % {"port": args.port})
    for line in banner(host=args.host, port=args.port, addresses=network_addresses(), names=host_names()):
        print(line, flush=True)
    # uvicorn's own start-up lines would follow the address to give the class, one of them naming 0.0.0.0.
    command = ["-m", "config.serve", "--host", args.host, "--port", str(args.port), "--server-log-level", "warning"]
    os.execv(sys.executable, [sys.executable, *command])  # noqa: S606 (this interpreter, fixed arguments)


if __name__ == "__main__":
    main()
