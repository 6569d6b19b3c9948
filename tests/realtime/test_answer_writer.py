"""The worker's answer batches, seen from a student's socket.

On PostgreSQL the worker stores answers on database threads of their own: a student's answer is stored and
acknowledged while the thread every other database call of the worker shares is busy (a push, a results update, a
student-paced step). SQLite has one writer at a time, so there answers share that thread.

A socket does not wait for its answer to be stored before it reads its next frame; the replies still go out in the
order of the frames."""

import asyncio
import contextlib
import threading

import pytest
from channels.db import database_sync_to_async
from django.db import OperationalError, connection

from classroom.models import Answer
from realtime import runtime
from tests.realtime.helpers import answer_message, open_question

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite stores answers on the shared thread")
async def test_an_answer_is_acknowledged_while_the_shared_database_thread_is_busy(
    live_session, teacher, enrolled_students
):
    opened = await open_question(live_session, teacher, enrolled_students[0])
    busy, release = threading.Event(), threading.Event()

    def hold_the_shared_thread() -> None:
        busy.set()
        release.wait(30)

    holding = asyncio.ensure_future(database_sync_to_async(hold_the_shared_thread)())
    await asyncio.to_thread(busy.wait, 10)
    assert busy.is_set()

    try:
        accepted = await opened.student_socket.request(answer_message(opened.round_id, {"choice": opened.correct}))
        assert accepted["type"] == "answer.accepted"
        assert not holding.done()  # acknowledged while the shared thread was still busy
    finally:
        release.set()
        await holding
    assert await database_sync_to_async(Answer.objects.filter(round_id=opened.round_id).count)() == 1


async def test_a_frame_sent_while_an_answer_is_stored_is_replied_to_after_its_acknowledgement(
    live_session, teacher, enrolled_students, monkeypatch
):
    opened = await open_question(live_session, teacher, enrolled_students[0])
    storing, release = hold_answer_batches(monkeypatch)
    socket = opened.student_socket
    try:
        await socket.send({**answer_message(opened.round_id, {"choice": opened.correct}), "ref": "answer"})
        assert await asyncio.to_thread(storing.wait, 10)
        await socket.send({"type": "heartbeat"})
        await socket.send({"type": "ping", "ref": "ping"})
        await frames_within(socket, 0.3)
        assert replies_in(socket.frames) == []  # neither reply before the answer is stored
    finally:
        release.set()
    await socket.receive_type("pong")
    assert replies_in(socket.frames) == [("answer.accepted", "answer"), ("pong", "ping")]
    assert await database_sync_to_async(Answer.objects.filter(round_id=opened.round_id).count)() == 1


async def test_an_answer_whose_batch_failed_is_refused_as_unavailable_and_stored_when_sent_again(
    live_session, teacher, enrolled_students, monkeypatch
):
    opened = await open_question(live_session, teacher, enrolled_students[0])
    store_answers = runtime.store_answers

    def unreachable(*, submissions):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(runtime, "store_answers", unreachable)
    message = answer_message(opened.round_id, {"choice": opened.correct})
    refused = await opened.student_socket.request(message)
    assert (refused["type"], refused["code"]) == ("error", "unavailable")

    monkeypatch.setattr(runtime, "store_answers", store_answers)
    accepted = await opened.student_socket.request(message)
    assert accepted["type"] == "answer.accepted"
    assert await database_sync_to_async(Answer.objects.filter(round_id=opened.round_id).count)() == 1


def replies_in(frames: list[dict]) -> list[tuple[str, str]]:
    return [(frame["type"], frame["ref"]) for frame in frames if frame.get("ref")]


async def frames_within(socket, seconds: float) -> None:
    """Read what the socket gets within `seconds` (kept in socket.frames)."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            while True:
                await socket.receive(timeout=seconds)


async def test_a_socket_that_closes_while_a_frame_waits_for_its_answer_still_has_the_answer_stored(
    live_session, teacher, enrolled_students, monkeypatch, caplog
):
    opened = await open_question(live_session, teacher, enrolled_students[0])
    storing, release = hold_answer_batches(monkeypatch)
    socket = opened.student_socket
    try:
        await socket.send(answer_message(opened.round_id, {"choice": opened.correct}))
        assert await asyncio.to_thread(storing.wait, 10)
        await socket.send({"type": "ping", "ref": "ping"})  # waits for the answer's reply
        await socket.close()  # the server gives up on the socket: the waiting frame is cancelled
    finally:
        release.set()

    def answers_stored() -> int:
        return Answer.objects.filter(round_id=opened.round_id).count()

    async with asyncio.timeout(10):
        while await database_sync_to_async(answers_stored)() != 1:
            await asyncio.sleep(0.05)
    results = await opened.teacher_socket.receive_type("results.updated")
    assert results["results"]["answered"] == 1
    assert "handing a result over failed" not in caplog.text


def hold_answer_batches(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """Batches of answers wait, once they start (`storing`), until `release` is set, then store as usual."""
    storing, release = threading.Event(), threading.Event()
    store_answers = runtime.store_answers

    def held_store_answers(*, submissions):
        storing.set()
        release.wait(30)
        return store_answers(submissions=submissions)

    monkeypatch.setattr(runtime, "store_answers", held_store_answers)
    return storing, release
