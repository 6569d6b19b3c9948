"""A class on the laptop's network: the server `make run` starts, reached by this machine's own name instead of
127.0.0.1, so the pages run outside the secure context browsers grant to localhost, as on a student's phone.

Chromium resolves every host name to 127.0.0.1 here (--host-resolver-rules), so nothing leaves this machine."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from classroom.management.commands.demo_data import DEMO_QUESTIONS, STUDENT_PASSWORD, TEACHER
from config.network import host_names
from tests.config.launcher import classroom_server
from tests.e2e.browsing import LiveServer, Person
from tests.e2e.test_live_quiz import answer, join, push, start_session

pytestmark = pytest.mark.browser

# The demo quiz's first question, in the shape the live-quiz helpers take.
FIRST = DEMO_QUESTIONS[0]
DEMO_SINGLE_CHOICE = {
    "id": 1,
    "type": FIRST["type"],
    "prompt": FIRST["prompt"],
    "choices": [{"text": text, "correct": correct} for text, correct in FIRST["choices"]],
}


@pytest.fixture(scope="module")
def lan_server(tmp_path_factory, chromium_path):
    names = [name for name in host_names() if "." in name] or host_names()
    if not names:
        pytest.skip("this machine is called localhost: it has no name of its own to be reached by")
    workdir = tmp_path_factory.mktemp("classroom-network")
    with classroom_server(workdir, LOG_LEVEL="WARNING") as started:
        yield LiveServer(url=f"http://{names[-1]}:{started.port}", quiz=[DEMO_SINGLE_CHOICE], log=started.output)


def test_a_phone_joins_and_answers_over_plain_http_by_the_laptops_name(browser, lan_server):
    teacher = Person(browser, lan_server, *TEACHER)
    student = Person(browser, lan_server, "student1", STUDENT_PASSWORD, phone=True)
    try:
        assert student.page.evaluate("window.isSecureContext") is False
        control, join_url = start_session(teacher)
        # Whatever host the page offers, the phone uses the name this test can reach.
        page = join(student, f"{lan_server.url}{urlsplit(join_url).path}")
        expect(control.locator("#roster-summary")).to_have_text("1 of 5 connected")
        push(control, lan_server, DEMO_SINGLE_CHOICE)
        answer(page, DEMO_SINGLE_CHOICE)
        expect(page.locator("#round-status")).to_contain_text("Answer received")
        expect(control.locator("#answered-count")).to_have_text("1 of 1 answered")
        assert not teacher.errors + student.errors, f"JavaScript errors in the pages: {teacher.errors + student.errors}"
    finally:
        teacher.close()
        student.close()
