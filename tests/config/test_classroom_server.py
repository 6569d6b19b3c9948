"""`make run` serves a classroom: the launcher it runs, started as a real process on every interface, answers a
phone that uses this machine's network address, refuses other host names, and serves question images and static
files itself with DEBUG off. Every request goes to 127.0.0.1; the address a phone would use is in the Host header."""

import http.client
import io
import re
import secrets
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import pytest
from PIL import Image

from config.classroom import EVERY_INTERFACE
from config.media import CACHE_SECONDS
from config.network import host_names, network_addresses
from tests.config.launcher import (
    MAKEFILE,
    ROOT,
    ClassroomServer,
    classroom_server,
    launcher_command,
    launcher_environment,
)
from tests.services.harness import free_port

IMAGE = "questions/2026/11/planets.png"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def image() -> bytes:
    return png_bytes()


@pytest.fixture(scope="module")
def server(tmp_path_factory, image) -> ClassroomServer:
    workdir = tmp_path_factory.mktemp("classroom")
    (workdir / "media" / "questions" / "2026" / "11").mkdir(parents=True)
    (workdir / "media" / IMAGE).write_bytes(image)
    (workdir / "media" / "questions" / "notes.html").write_text("<script>alert('hi')</script>")
    # DEBUG=true: the classroom server turns it off whatever the environment says.
    with classroom_server(workdir, DEBUG="true") as started:
        yield started


def get(server: ClassroomServer, path: str, host: str | None = None, **headers: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", path, headers={"Host": host or f"127.0.0.1:{server.port}", **headers})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def listening_addresses(port: int) -> list[str]:
    """Local addresses of the sockets listening on `port`, from /proc/net/tcp (hex address:port, state 0A)."""
    found = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, _remote, state = line.split()[1:4]
        address, local_port = local.split(":")
        if state == "0A" and int(local_port, 16) == port:
            found.append(".".join(str(int(address[index : index + 2], 16)) for index in (6, 4, 2, 0)))
    return found


def test_make_run_listens_on_every_interface(server):
    assert "--host $(HOST)" in MAKEFILE
    assert re.search(r"^HOST \?= 0\.0\.0\.0$", MAKEFILE, flags=re.MULTILINE)
    if not Path("/proc/net/tcp").exists():
        pytest.skip("no /proc/net/tcp to read listening sockets from (not Linux)")
    assert listening_addresses(server.port) == [EVERY_INTERFACE]


def test_a_request_by_this_machines_network_address_is_served(server):
    addresses = network_addresses()
    if not addresses:
        pytest.skip("this machine has no network address to put in the Host header")
    for address in addresses:
        response = get(server, "/accounts/login/", host=f"{address}:{server.port}")
        assert response.status == 200, address


def test_a_request_by_this_machines_own_name_is_served(server):
    names = host_names()
    if not names:
        pytest.skip("this machine is called localhost: it has no name of its own to answer to")
    for name in names:
        assert get(server, "/accounts/login/", host=f"{name}:{server.port}").status == 200, name


@pytest.mark.parametrize("host", ["quiz.attacker.example", "192.0.2.250:8000", "evil.local"])
def test_a_request_by_any_other_host_name_gets_400(server, host):
    assert get(server, "/accounts/login/", host=host).status == 400


def test_a_question_image_is_served_with_debug_off(server, image):
    response = get(server, f"/media/{IMAGE}")
    assert response.status == 200
    assert response.getheader("Content-Type") == "image/png"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Cache-Control") == f"public, max-age={CACHE_SECONDS}"
    assert response.body == image
    missing = get(server, "/no-such-page/")
    assert missing.status == 404
    assert b"URLconf" not in missing.body, "a 404 with DEBUG on lists the URL patterns"


def test_an_uploaded_file_that_is_no_image_is_a_download(server):
    response = get(server, "/media/questions/notes.html")
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/octet-stream"
    assert response.getheader("Content-Disposition").startswith("attachment")


def test_media_outside_the_folder_and_directories_are_not_found(server):
    assert get(server, "/media/questions/").status == 404
    assert get(server, "/media/%2e%2e/classroom.sqlite3").status == 404
    assert get(server, "/media/../output.txt").status == 404


def test_static_files_are_served_by_the_app_with_their_hashed_names(server):
    page = get(server, "/accounts/login/").body.decode()
    stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', page)
    assert stylesheets, "the login page links no stylesheet"
    for stylesheet in stylesheets:
        assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet), f"{stylesheet} is not a collected, hashed name"
        response = get(server, stylesheet)
        assert response.status == 200
        assert response.getheader("Content-Type").startswith("text/css")


def test_a_teacher_signs_in_over_plain_http_by_the_network_address(server):
    addresses = network_addresses()
    host = f"{addresses[0] if addresses else '127.0.0.1'}:{server.port}"
    csrf = secrets.token_hex(16)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request(
        "POST",
        "/accounts/login/",
        body=urlencode({"username": "teacher", "password": "quizcast-teacher", "csrfmiddlewaretoken": csrf}),
        headers={
            "Host": host,
            "Origin": f"http://{host}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
        },
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 302
    session = [cookie for cookie in response.headers.get_all("Set-Cookie") if cookie.startswith("sessionid=")]
    assert session, "no session cookie was set"
    assert "secure" not in session[0].lower(), "a Secure cookie never comes back over http://"


def test_the_launcher_prints_the_demo_logins_then_last_the_address_to_give_the_class(server):
    lines = [line for line in server.started_output.splitlines() if line.strip()]
    addresses = network_addresses()
    if addresses:
        assert lines[-1] == f"Students join at http://{addresses[0]}:{server.port}/join/"
    else:
        assert lines[-1] == f"Open http://127.0.0.1:{server.port}/"
    logins = lines.index(next(line for line in lines if line.split() == ["Role", "Username", "Password"]))
    assert ["teacher", "teacher", "quizcast-teacher"] in [line.split() for line in lines[logins:]]
    assert f"http://127.0.0.1:{server.port}/" in "\n".join(lines[logins:])
    assert "127.0.0.1:8000" not in server.started_output, "an address that ignores PORT"


def test_the_launcher_refuses_a_weak_key_with_how_to_make_one_and_no_traceback(tmp_path):
    env = launcher_environment(tmp_path, SECRET_KEY="k" * 60)
    started = subprocess.run(
        launcher_command(free_port()), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert started.returncode != 0
    assert started.stderr.startswith("Quizcast cannot start: SECRET_KEY has only 1 distinct characters")
    assert "secrets.token_urlsafe(50)" in started.stderr
    assert "Traceback" not in started.stderr
    assert not (tmp_path / "classroom.sqlite3").exists(), "nothing is prepared for a server that cannot start"
