"""On PostgreSQL the worker stores answers on database threads of their own: a student's answer is stored and
acknowledged while the thread every other database call of the worker shares is busy (a push, a results update, a
student-paced step). SQLite has one writer at a time, so there answers share that thread."""

import asyncio
import threading

import pytest
from channels.db import database_sync_to_async
from django.db import connection

from classroom.models import Answer
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
