"""A request body over REQUEST_MAX_BODY_BYTES is refused with 413 before it is read whole, through the ASGI
application the servers run (config.asgi)."""

import asyncio

import pytest

from config.asgi import application

CHUNK = 1024


def http_scope(headers: list[tuple[bytes, bytes]]) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/join/",
        "raw_path": b"/join/",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/octet-stream"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


class Upload:
    """A client sending `chunks` pieces of CHUNK bytes, counting how many the server asked for."""

    def __init__(self, chunks: int):
        self.chunks = chunks
        self.read = 0
        self.sent: list[dict] = []

    async def receive(self):
        if self.read == self.chunks:
            await asyncio.Event().wait()  # all sent: the client waits for the answer, as a real one does
        self.read += 1
        more = self.read < self.chunks
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": more}

    async def send(self, message):
        self.sent.append(message)

    @property
    def status(self) -> int:
        return next(message["status"] for message in self.sent if message["type"] == "http.response.start")

    @property
    def body(self) -> bytes:
        return b"".join(message.get("body", b"") for message in self.sent if message["type"] == "http.response.body")


@pytest.fixture
def small_limit(settings):
    settings.REQUEST_MAX_BODY_BYTES = 10 * CHUNK
    return settings.REQUEST_MAX_BODY_BYTES


async def test_a_declared_body_over_the_limit_is_refused_without_reading_any_of_it(small_limit):
    upload = Upload(chunks=1000)

    await application(http_scope([(b"content-length", str(1000 * CHUNK).encode())]), upload.receive, upload.send)

    assert upload.status == 413
    assert upload.read == 0
    assert b"larger than 10.0\xc2\xa0KB" in upload.body


async def test_a_body_without_a_length_is_refused_as_soon_as_it_passes_the_limit(small_limit):
    upload = Upload(chunks=1000)

    await application(http_scope([(b"transfer-encoding", b"chunked")]), upload.receive, upload.send)

    assert upload.status == 413
    assert upload.read == 11


async def test_a_content_length_that_is_not_a_number_is_refused(small_limit):
    upload = Upload(chunks=1)

    await application(http_scope([(b"content-length", b"12, 12")]), upload.receive, upload.send)

    assert upload.status == 413
    assert upload.read == 0


@pytest.mark.django_db
async def test_a_body_within_the_limit_reaches_django(small_limit):
    upload = Upload(chunks=10)

    await application(http_scope([(b"content-length", str(10 * CHUNK).encode())]), upload.receive, upload.send)

    assert upload.status == 403  # Django's CSRF check: the request got through to it
    assert upload.read == 10
