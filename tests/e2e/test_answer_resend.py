"""The student page resends an answer the server could not store yet (`unavailable`, docs/protocol.md) by itself.

The student's socket goes through Playwright's WebSocket routing: the first answers it sends are refused with
`unavailable`, as a worker whose database is restarting refuses them; later ones reach the real server.
"""

import itertools
import json
import re
import time

import pytest
from playwright.sync_api import expect

from classroom.management.commands.demo_data import STUDENT_PASSWORD, TEACHER
from tests.e2e.test_live_quiz import answer, join, push, start_session
from tests.protocol_check import check_server_frame
from tests.services.harness import RESEND_FIRST, RESEND_MAX

pytestmark = pytest.mark.browser

REFUSALS = 3


def refuse_first_answers(page, count: int) -> tuple[list, list]:
    """Route the page's student socket to the real server, refusing its first `count` answers with `unavailable`.
    Returns the refused and the forwarded answer.submit frames, each with the moment the page sent it."""
    refused: list[tuple[float, dict]] = []
    forwarded: list[tuple[float, dict]] = []

    def route(socket):
        server = socket.connect_to_server()

        def from_page(message):
            frame = json.loads(message)
            if frame["type"] == "answer.submit":
                if len(refused) < count:
                    refused.append((time.monotonic(), frame))
                    error = {
                        "type": "error",
                        "code": "unavailable",
                        "message": "The database is not answering; send it again shortly.",
                        "ref": frame["ref"],
                    }
                    check_server_frame(error)
                    socket.send(json.dumps(error))
                    return
                forwarded.append((time.monotonic(), frame))
            server.send(message)

        socket.on_message(from_page)

    page.route_web_socket(re.compile(r"/ws/sessions/\d+/student/$"), route)
    return refused, forwarded


def answer_while_refused(people, server, username: str, refusals: int):
    """A student joins a new session through the routed socket and answers its first question, which the
    server (as the route makes it) refuses with `unavailable`. Returns the teacher's control page, the student's
    page and the refused and forwarded answers."""
    teacher = people(*TEACHER)
    control, join_url = start_session(teacher)
    student = people(username, STUDENT_PASSWORD, phone=True)
    refused, forwarded = refuse_first_answers(student.page, refusals)
    page = join(student, join_url)
    single = server.question("single")
    push(control, server, single)
    answer(page, single)
    expect(page.locator("#round-status")).to_have_text(
        "Not saved yet: the server is catching up. Your answer is sent again by itself."
    )
    return control, page, refused, forwarded


def test_an_answer_refused_as_unavailable_is_resent_with_backoff_until_stored(people, quizcast_server):
    control, page, refused, forwarded = answer_while_refused(people, quizcast_server, "student4", REFUSALS)
    expect(page.get_by_role("button", name="Sending…")).to_be_disabled()  # no second answer meanwhile
    expect(page.locator("#round-status")).to_have_text("Answer received ✓", timeout=15_000)
    expect(control.locator("#answered-count")).to_have_text("1 of 1 answered")

    assert len(refused) == REFUSALS
    assert len(forwarded) == 1, "the page sent the answer again after it was stored"
    sent = [frame for _at, frame in refused + forwarded]
    assert len({frame["client_id"] for frame in sent}) == 1
    assert all(frame["answer"] == sent[0]["answer"] and frame["round_id"] == sent[0]["round_id"] for frame in sent)
    assert len({frame["ref"] for frame in sent}) == len(sent)
    moments = [at for at, _frame in refused + forwarded]
    for attempt, (earlier, later) in enumerate(itertools.pairwise(moments)):
        ceiling = min(RESEND_MAX, RESEND_FIRST * 2**attempt)
        # Between half and all of the ceiling (jitter), plus the time a routed frame takes to arrive here.
        assert ceiling / 2 - 0.05 <= later - earlier <= ceiling + 0.5, (attempt, later - earlier)


def test_an_unavailable_answer_goes_again_after_a_reconnect_too(people, quizcast_server):
    """Refused, then the connection drops before the wait is over: the new socket resends it at once, once."""
    control, page, refused, forwarded = answer_while_refused(people, quizcast_server, "student5", 1)
    page.evaluate("() => window.quizcast.socket.dropAndRetry()")
    expect(page.locator("#round-status")).to_have_text("Answer received ✓", timeout=10_000)
    expect(control.locator("#answered-count")).to_have_text("1 of 1 answered")
    page.wait_for_timeout(1_500)  # longer than any resend wait left over from before the reconnect
    assert len(refused) == 1
    assert len(forwarded) == 1, "the answer was sent twice after the reconnect"
    assert forwarded[0][1]["client_id"] == refused[0][1]["client_id"]
