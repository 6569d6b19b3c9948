"""Under uvicorn, broadcasts are written straight into each socket's WebSocket protocol; a socket that cannot take
data at once gets its frames through ASGI instead, still in order. The shortcut is explicit: the server is asked for
the protocol by name, the installed uvicorn must still have the shape it reads, a setting turns it off, and the worker
says at start which path is active."""

import asyncio
import contextlib
import gc
import json
import logging
import tomllib
import weakref
from pathlib import Path

import pytest
import uvicorn
import websockets
from websockets.client import ClientProtocol
from websockets.protocol import Protocol, Side, State
from websockets.server import ServerProtocol
from websockets.uri import parse_uri

from config.asgi import application
from config.serve import uvicorn_websocket_options
from realtime import groups
from realtime.consumers import StudentConsumer
from realtime.direct_send import (
    SANSIO_PROTOCOL,
    UVICORN_WEBSOCKETS,
    direct_socket,
    log_send_path,
    release_request_parser,
    sansio_shape_problem,
    text_frame,
)
from realtime.runtime import current_runtime, publish
from realtime.session_actions import Broadcast
from tests.realtime.servers import uvicorn_server
from tests.realtime.sockets import session_cookie_for
from tests.waiting import wait_until

pytestmark = [pytest.mark.django_db(transaction=True)]


@contextlib.asynccontextmanager
async def student_client(port: int, student, session):
    cookie = (await session_cookie_for(student)).decode()
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ws/sessions/{session.pk}/student/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": cookie},
        compression=None,
    ) as client:
        snapshot = json.loads(await asyncio.wait_for(client.recv(), 5))
        assert snapshot["type"] == "session.snapshot"
        yield client


def the_consumer(session) -> StudentConsumer:
    (consumer,) = current_runtime().hub.members[groups.session_students(session.pk)]
    return consumer


def counting(consumer: StudentConsumer) -> list[bytes]:
    written = []
    write = consumer.outbox.direct_write

    def counted(payload):
        done = write(payload)
        if done:
            written.append(payload)
        return done

    consumer.outbox.direct_write = counted
    return written


async def received_types(client, count: int) -> list[str]:
    return [json.loads(await asyncio.wait_for(client.recv(), 5))["type"] for _ in range(count)]


def frame(kind: str) -> str:
    return json.dumps({"type": kind})


def wire(kind: str) -> bytes:
    return text_frame(frame(kind).encode())


async def test_a_broadcast_is_written_straight_to_a_uvicorn_socket(live_session, enrolled_students):
    async with uvicorn_server() as port, student_client(port, enrolled_students[0], live_session) as client:
        consumer = the_consumer(live_session)
        assert consumer.outbox.direct_write is not None
        written = counting(consumer)

        await publish([Broadcast(groups.session_students(live_session.pk), text=frame("one"))])
        await publish([Broadcast(groups.session_students(live_session.pk), text=frame("two"))])

        assert await received_types(client, 2) == ["one", "two"]
        assert written == [wire("one"), wire("two")]


async def test_a_socket_that_cannot_take_data_gets_its_frames_through_asgi_in_order(live_session, enrolled_students):
    async with uvicorn_server() as port, student_client(port, enrolled_students[0], live_session) as client:
        consumer = the_consumer(live_session)
        written = counting(consumer)
        protocol = consumer.base_send.__self__
        protocol.pause_writing()  # what the transport does when the client stops reading

        await publish([Broadcast(groups.session_students(live_session.pk), text=frame("broadcast"))])
        await wait_until(lambda: consumer.outbox.in_flight, what="the broadcast waiting in ASGI's send")
        protocol.resume_writing()  # as asyncio does once its buffer drained; the waiting send runs a bit later
        consumer.put_frame(frame("reply"))  # a later frame must not overtake it

        assert await received_types(client, 2) == ["broadcast", "reply"]
        assert wire("broadcast") not in written

        await publish([Broadcast(groups.session_students(live_session.pk), text=frame("later"))])
        assert await received_types(client, 1) == ["later"]
        assert written == [wire("later")], "once the held frame is out, the shortcut is used again"


async def test_a_socket_unwritable_past_the_limit_is_closed_with_1013_and_leaves_presence(
    live_session, enrolled_students, settings
):
    settings.WEBSOCKET_SLOW_READER_LIMIT = 0.3
    async with uvicorn_server() as port, student_client(port, enrolled_students[0], live_session) as client:
        consumer = the_consumer(live_session)
        protocol = consumer.base_send.__self__
        protocol.pause_writing()  # the client stopped reading; the transport stays paused from here on

        await publish([Broadcast(groups.session_students(live_session.pk), text=frame("never taken"))])
        await wait_until(
            lambda: live_session.pk not in current_runtime().hub.presence.students_here,
            what="out of presence once given up",
        )
        assert groups.session_students(live_session.pk) not in current_runtime().hub.members

        protocol.resume_writing()  # the phone wakes up: it reads what was buffered, then the close frame
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(client.recv(), 5)
        assert closed.value.rcvd.code == 1013


async def test_a_closed_socket_is_not_written_to(live_session, enrolled_students):
    async with uvicorn_server() as port:
        async with student_client(port, enrolled_students[0], live_session):
            consumer = the_consumer(live_session)
            write = consumer.outbox.direct_write
        students = groups.session_students(live_session.pk)
        await wait_until(lambda: students not in current_runtime().hub.members, what="the socket gone from the hub")
        assert write(wire("too late")) is False


async def test_an_open_socket_keeps_nothing_of_its_opening_handshake(live_session, enrolled_students):
    async with uvicorn_server() as port, student_client(port, enrolled_students[0], live_session) as client:
        consumer = the_consumer(live_session)
        protocol = consumer.base_send.__self__
        assert (protocol.request, protocol.response) == (None, None)
        assert release_request_parser(protocol.conn) is False, "the parser still held the opening request"
        assert consumer.scope["headers"] == []
        assert protocol.scope["headers"] == [], "the server's scope let go of the headers too"

        await publish([Broadcast(groups.session_students(live_session.pk), text=frame("still open"))])
        assert await received_types(client, 1) == ["still open"]
        await client.send(json.dumps({"type": "ping", "ref": "p1"}))
        assert await received_types(client, 1) == ["pong"]


def opened_connection() -> tuple[ClientProtocol, ServerProtocol, weakref.ref]:
    """A client and a server connection past their opening handshake, and a weak reference to the request the
    server read."""
    client = ClientProtocol(parse_uri("ws://127.0.0.1/ws/sessions/1/student/"))
    client.send_request(client.connect())
    server = ServerProtocol()
    server.receive_data(b"".join(client.data_to_send()))
    (request,) = server.events_received()
    server.send_response(server.accept(request))
    client.receive_data(b"".join(server.data_to_send()))
    assert client.state is State.OPEN
    return client, server, weakref.ref(request)


def masked_text(client: ClientProtocol, text: bytes) -> bytes:
    client.send_text(text)
    return b"".join(client.data_to_send())


def test_between_frames_the_parser_lets_go_of_the_opening_request_and_reads_frames_as_before():
    client, server, request = opened_connection()
    server.receive_data(masked_text(client, b"first"))
    assert [frame.data for frame in server.events_received()] == [b"first"]

    assert release_request_parser(server) is True
    gc.collect()
    assert request() is None, "the opening request is still alive"
    server.receive_data(masked_text(client, b"second") + masked_text(client, b"x" * 300))
    assert [frame.data for frame in server.events_received()] == [b"second", b"x" * 300]


def test_mid_frame_the_parser_is_left_as_it_is_and_the_frame_arrives_whole():
    client, server, request = opened_connection()
    data = masked_text(client, b"hello")
    server.receive_data(data[:3])
    assert release_request_parser(server) is False
    server.receive_data(data[3:])
    assert [frame.data for frame in server.events_received()] == [b"hello"]
    gc.collect()
    assert request() is not None

    assert release_request_parser(server) is True  # now between frames


def test_other_servers_get_no_shortcut():
    async def send(message):
        pass

    assert direct_socket(send) is None


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_a_frame_made_once_is_the_frame_the_protocol_would_send(length):
    payload = b"x" * length
    connection = Protocol(Side.SERVER, state=State.OPEN)
    connection.send_text(payload)
    assert connection.data_to_send() == [text_frame(payload)]


def test_the_installed_uvicorn_offers_the_protocol_the_shortcut_writes_to():
    assert uvicorn_websocket_options()["ws"] == UVICORN_WEBSOCKETS == "websockets-sansio"
    assert sansio_shape_problem() is None, "upgrade realtime/direct_send.py for this uvicorn, or pin the previous one"


def test_websockets_is_a_runtime_dependency():
    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    pinned = [
        requirement for requirement in pyproject["project"]["dependencies"] if requirement.startswith("websockets")
    ]
    assert len(pinned) == 1 and "==" in pinned[0], pinned


async def test_with_direct_writes_off_every_frame_goes_through_asgi(live_session, enrolled_students, settings):
    settings.WEBSOCKET_DIRECT_WRITES = False
    async with uvicorn_server() as port, student_client(port, enrolled_students[0], live_session) as client:
        consumer = the_consumer(live_session)
        assert consumer.outbox.direct_write is None
        assert consumer.outbox.close_now is None
        assert direct_socket(consumer.base_send) is None
        assert text_frame(b"{}") is None, "broadcasts are not framed for nobody"

        await publish([Broadcast(groups.session_students(live_session.pk), text=frame("through asgi"))])
        assert await received_types(client, 1) == ["through asgi"]


@pytest.mark.parametrize(
    ("server", "direct_writes", "direct", "reason"),
    [
        ("uvicorn", True, True, "frames are written straight to uvicorn"),
        ("uvicorn", False, False, "frames go through ASGI: WEBSOCKET_DIRECT_WRITES is off"),
        ("daphne", True, False, "frames go through ASGI: daphne offers no direct writes"),
    ],
)
def test_the_worker_says_at_start_which_send_path_is_active_and_why(
    server, direct_writes, direct, reason, settings, caplog
):
    settings.WEBSOCKET_DIRECT_WRITES = direct_writes
    with caplog.at_level(logging.INFO, logger="realtime.direct_send"):
        assert log_send_path(server) is direct
    (record,) = caplog.records
    assert reason in record.getMessage()
    assert record.levelno == (logging.INFO if direct else logging.WARNING)


def test_the_protocol_named_is_the_class_uvicorn_loads():
    config = uvicorn.Config(application, lifespan="off", **uvicorn_websocket_options())
    config.load()
    kind = config.ws_protocol_class
    assert f"{kind.__module__}.{kind.__qualname__}" == SANSIO_PROTOCOL
