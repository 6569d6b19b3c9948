"""The student pages (live and student-paced) send again by themselves what the server could not do yet
(`unavailable`, docs/protocol.md) and an answer lost with its connection.

The student's socket goes through Playwright's WebSocket routing: the first frames of a kind it sends are refused
with `unavailable`, as a worker whose database is restarting refuses them, or lost; later ones reach the real server.
"""

import itertools
import json
import re
import time

import pytest
from playwright.sync_api import expect

from classroom.management.commands.demo_data import STUDENT_PASSWORD, TEACHER
from tests.e2e.test_live_quiz import answer, join, push, start_session
from tests.e2e.test_paced_session import open_from_home, start_paced_session
from tests.protocol_check import check_server_frame
from tests.services.harness import RESEND_FIRST, RESEND_MAX

pytestmark = pytest.mark.browser

REFUSALS = 3
STUDENT_SOCKET = re.compile(r"/ws/sessions/\d+/student/$")


class HeldFrames:
    """While holding, the server's frames to the page on a reconnected socket wait here instead of arriving."""

    def __init__(self):
        self.holding = False
        self.frames: list = []

    def pass_or_hold(self, socket, message) -> None:
        if self.holding:
            self.frames.append((socket, message))
        else:
            socket.send(message)

    def release(self) -> None:
        self.holding = False
        for socket, message in self.frames:
            socket.send(message)
        self.frames.clear()


def refuse_first_answers(
    page, count: int, held: HeldFrames | None = None, *, kind: str = "answer.submit", lose: bool = False
) -> tuple[list, list]:
    """Route the page's student socket to the real server, refusing its first `count` frames of type `kind` with
    `unavailable` (with `lose`, they vanish instead, as on a connection that dies). Returns the refused and the
    forwarded frames of that type, each with the moment the page sent it. With `held`, the server's frames on every
    connection after the first go through it."""
    refused: list[tuple[float, dict]] = []
    forwarded: list[tuple[float, dict]] = []
    connections = itertools.count()

    def route(socket):
        server = socket.connect_to_server()
        if next(connections) and held is not None:
            server.on_message(lambda message: held.pass_or_hold(socket, message))

        def from_page(message):
            frame = json.loads(message)
            if frame["type"] == kind:
                if len(refused) < count:
                    refused.append((time.monotonic(), frame))
                    if lose:
                        return
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

    page.route_web_socket(STUDENT_SOCKET, route)
    return refused, forwarded


def answer_while_refused(people, server, username: str, refusals: int, held: HeldFrames | None = None):
    """A student joins a new session through the routed socket and answers its first question, which the
    server (as the route makes it) refuses with `unavailable`. Returns the teacher's control page, the student's
    page and the refused and forwarded answers."""
    teacher = people(*TEACHER)
    control, join_url = start_session(teacher)
    student = people(username, STUDENT_PASSWORD, phone=True)
    refused, forwarded = refuse_first_answers(student.page, refusals, held)
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
    """Refused, then the connection drops before the wait is over: the new socket resends it once, when its
    snapshot arrives, even if the wait begun on the old connection runs out before that snapshot does."""
    held = HeldFrames()
    control, page, refused, forwarded = answer_while_refused(people, quizcast_server, "student5", 1, held)
    held.holding = True
    page.evaluate("() => { const live = window.quizcast.socket; live.dropAndRetry(); live.connect(); }")
    page.wait_for_timeout(RESEND_FIRST * 1000 + 500)  # the new socket open, its snapshot held, the first wait over
    assert not forwarded, "the wait begun on the old connection sent the answer again"
    held.release()
    expect(page.locator("#round-status")).to_have_text("Answer received ✓", timeout=10_000)
    expect(control.locator("#answered-count")).to_have_text("1 of 1 answered")
    page.wait_for_timeout(1_500)  # longer than any resend wait left over from before the reconnect
    assert len(refused) == 1
    assert len(forwarded) == 1, "the answer was sent twice after the reconnect"
    assert forwarded[0][1]["client_id"] == refused[0][1]["client_id"]


def test_a_paced_answer_refused_as_unavailable_is_resent_until_stored(people, quizcast_server):
    start_paced_session(people(*TEACHER))
    student = people("student1", STUDENT_PASSWORD, phone=True)
    refused, forwarded = refuse_first_answers(student.page, 2)
    page = open_from_home(student)
    answer(page, quizcast_server.quiz[0])
    expect(page.locator("#round-status")).to_have_text(
        "Not saved yet: the server is catching up. Your answer is sent again by itself."
    )
    expect(page.get_by_role("button", name="Sending…")).to_be_disabled()
    expect(page.locator("#result-line")).to_have_text(re.compile(r"You were right!"), timeout=10_000)
    assert len(refused) == 2
    assert len(forwarded) == 1, "the page sent the answer again after it was stored"
    assert {frame["client_id"] for _at, frame in refused + forwarded} == {forwarded[0][1]["client_id"]}


def test_a_paced_next_question_refused_as_unavailable_is_asked_for_again(people, quizcast_server):
    start_paced_session(people(*TEACHER))
    student = people("student2", STUDENT_PASSWORD, phone=True)
    refused, forwarded = refuse_first_answers(student.page, 2, kind="paced.next")
    page = open_from_home(student)  # "Start" asks for the first question
    expect(page.locator("#round-number")).to_have_text(re.compile(r"^Question 1 of"), timeout=10_000)
    assert len(refused) == 2
    assert len(forwarded) == 1
    expect(page.locator("#notice")).to_be_hidden()  # nothing for the student to do about it


def test_a_paced_answer_lost_with_its_connection_goes_again_on_the_next_one(people, quizcast_server):
    start_paced_session(people(*TEACHER))
    student = people("student3", STUDENT_PASSWORD, phone=True)
    lost, forwarded = refuse_first_answers(student.page, 1, lose=True)
    page = open_from_home(student)
    answer(page, quizcast_server.quiz[0])
    expect(page.get_by_role("button", name="Sending…")).to_be_disabled()
    page.evaluate("() => window.quizcast.socket.dropAndRetry()")  # the connection dies with the answer on it
    expect(page.locator("#result-line")).to_have_text(re.compile(r"You were right!"), timeout=10_000)
    page.wait_for_timeout(1_000)
    assert len(lost) == 1
    assert len(forwarded) == 1
    assert forwarded[0][1]["client_id"] == lost[0][1]["client_id"]
