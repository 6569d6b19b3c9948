"""Which consumer serves a socket, and the ASGI entry point as the servers see it."""

import pytest
import uvicorn
from asgiref.compatibility import guarantee_single_callable
from channels.testing import WebsocketCommunicator

from config.asgi import application
from realtime.routing import SOCKET_PATH, socket_path

ORIGIN = [(b"origin", b"http://testserver"), (b"host", b"testserver")]


def test_uvicorn_and_asgiref_call_the_application_as_asgi_3():
    config = uvicorn.Config(application, lifespan="off")
    config.load()
    assert config.interface == "asgi3"
    assert guarantee_single_callable(application) is application


@pytest.mark.parametrize("role", ["student", "teacher", "projector"])
def test_every_roles_socket_path_is_routed_with_its_session_id(role):
    match = SOCKET_PATH.match(socket_path(42, role))
    assert match is not None
    assert (match["session_id"], match["role"]) == ("42", role)


@pytest.mark.parametrize(
    "path",
    ["/ws/sessions/1/admin/", "/ws/sessions/x/student/", "/ws/sessions/1/student", "/ws/other/", "/"],
)
async def test_a_socket_to_an_unknown_path_is_refused_before_it_is_accepted(path):
    communicator = WebsocketCommunicator(application, path, headers=ORIGIN)
    connected, _code = await communicator.connect()
    assert not connected


async def test_a_socket_from_another_site_is_refused_before_it_is_accepted():
    headers = [(b"origin", b"http://evil.example"), (b"host", b"testserver")]
    communicator = WebsocketCommunicator(application, socket_path(1, "student"), headers=headers)
    connected, _code = await communicator.connect()
    assert not connected
