"""The wall in real browsers: the lobby's QR code takes a phone into the session, the room sees no per-choice
results while a question is open, and every page says when the session has ended."""

import dataclasses
import io
import re

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Page, expect

from classroom.management.commands.demo_data import STUDENT_PASSWORD, TEACHER
from tests.e2e.browsing import LAN_HOST, screenshot
from tests.e2e.test_live_quiz import answer, join, push, start_session

pytestmark = pytest.mark.browser

PROJECTOR_SIZE = {"width": 1920, "height": 1080}
# The corner line, matched from its start and case-sensitively: "Join at" alone would also match a QR code's title
# whose join code happens to begin with "AT" ("…link to join ATS5TA").
JOIN_AT_CORNER = re.compile(r"^Join at ")


def lan_server(server):
    """The same server under the name phones on the classroom's network would use (mapped to loopback)."""
    port = server.url.rsplit(":", 1)[1]
    return dataclasses.replace(server, url=f"http://{LAN_HOST}:{port}")


def open_projector(teacher, control: Page) -> Page:
    projector = teacher.new_page()
    projector.set_viewport_size(PROJECTOR_SIZE)
    projector.goto(control.url + "projector/")
    expect(projector.locator("#connection")).to_have_text("Live")
    return projector


def read_qr(page: Page, selector: str) -> str:
    """Decode the QR code as the screen shows it: a screenshot of the element, read by zxing-cpp."""
    image = Image.open(io.BytesIO(page.locator(selector).screenshot()))
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, f"{len(found)} codes read in {selector}"
    return found[0].text


def test_the_lobby_qr_code_takes_a_phone_into_the_session(people, browser, quizcast_server):
    server = lan_server(quizcast_server)
    teacher = people(*TEACHER)
    teacher.server = server
    teacher.page.goto(f"{server.url}/accounts/login/")
    teacher.page.get_by_label("Username").fill(TEACHER[0])
    teacher.page.get_by_label("Password").fill(TEACHER[1])
    teacher.page.get_by_role("button", name="Sign in").click()
    control, join_url = start_session(teacher)
    code = join_url.rstrip("/").rsplit("/", 1)[-1]
    projector = open_projector(teacher, control)

    expect(projector.locator("#projector-code")).to_have_text(code)
    expect(projector.locator("#join-address")).to_have_text(f"{server.url.removeprefix('http://')}/join/")
    qr = projector.locator("#join-qr svg")
    assert qr.bounding_box()["height"] >= 0.4 * PROJECTOR_SIZE["height"]
    link = read_qr(projector, "#join-qr svg")
    assert link == f"{server.url}/s/{code}/"

    # A phone that is not signed in scans it: it is asked to sign in, and comes back to the session.
    phone_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        phone = phone_context.new_page()
        phone.goto(link)
        expect(phone.get_by_role("status")).to_have_text(
            "If this code is right, this session is for its class's students: sign in to join."
        )
        phone.get_by_role("link", name="Sign in", exact=True).last.click()
        phone.get_by_label("Username").fill("student1")
        phone.get_by_label("Password").fill(STUDENT_PASSWORD)
        phone.get_by_role("button", name="Sign in").click()
        expect(phone).to_have_url(link)
        expect(phone.get_by_role("heading", name="You're in!")).to_be_visible()
        expect(phone.locator("#connection")).to_have_text("Live")
        expect(projector.locator("#lobby-count")).to_have_text("Joined: 1")
    finally:
        phone_context.close()

    # The session page shows the same code, and enlarges it in a dialog that Esc closes.
    assert read_qr(control, ".qc-qr-small svg") == link
    control.get_by_role("button", name="Show QR").click()
    dialog = control.get_by_role("dialog", name=re.compile("Scan to join"))
    expect(dialog).to_be_visible()
    assert read_qr(control, "#qr-dialog .qc-qr-large svg") == link
    control.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(control.get_by_role("button", name="Show QR")).to_be_focused()


def test_the_room_sees_how_many_answered_and_the_choices_only_after_the_close(people, quizcast_server):
    teacher = people(*TEACHER)
    control, join_url = start_session(teacher)
    projector = open_projector(teacher, control)
    students = [people(f"student{n}", STUDENT_PASSWORD, phone=True) for n in (1, 2, 3)]
    pages = [join(student, join_url) for student in students]
    expect(projector.get_by_role("button", name="Full screen")).to_be_visible()
    screenshot(projector, "projector-lobby")

    single = quizcast_server.question("single")
    position = quizcast_server.quiz.index(single) + 1
    push(control, quizcast_server, single)
    of = f"Question {position} of {len(quizcast_server.quiz)}"
    expect(projector.locator("#p-round-number")).to_have_text(of)
    expect(pages[0].locator("#round-number")).to_have_text(of)
    for page, right in zip(pages, (True, True, False), strict=True):
        answer(page, single, right=right)

    expect(control.locator("#answered-count")).to_have_text("3 of 3 answered")
    expect(projector.locator("#p-answered")).to_have_text("3 answered")
    tiles = projector.locator("#p-board [data-choice-id]")
    expect(tiles).to_have_count(len(single["choices"]))
    for index in range(len(single["choices"])):
        expect(tiles.nth(index).locator(".qc-tile-count")).to_have_text("")
    assert projector.evaluate("window.quizcast.state.results.choice_counts") is None  # not even in the page
    screenshot(projector, "projector")

    control.get_by_role("button", name="Close now").click()
    right = next(c["text"] for c in single["choices"] if c["correct"])
    wrong = next(c["text"] for c in single["choices"] if not c["correct"])
    expect(tiles.filter(has_text=right).locator(".qc-tile-count")).to_have_text("2")
    expect(tiles.filter(has_text=wrong).locator(".qc-tile-count")).to_have_text("1")
    expect(projector.locator(".is-correct")).to_have_count(0)  # closed, not revealed


def test_after_the_end_every_page_says_the_session_has_ended(people, quizcast_server):
    teacher = people(*TEACHER)
    control, join_url = start_session(teacher)
    projector = open_projector(teacher, control)
    student = people("student2", STUDENT_PASSWORD, phone=True)
    phone = join(student, join_url)
    expect(projector.get_by_text(JOIN_AT_CORNER)).to_be_visible()

    control.once("dialog", lambda dialog: dialog.accept())
    control.get_by_role("button", name="End session").click()

    expect(phone.get_by_role("heading", name="The quiz is over")).to_be_visible()
    expect(projector.get_by_role("heading", name="Final leaderboard")).to_be_visible()
    for page in (control, projector, phone):
        expect(page.locator(".qc-ended-badge")).to_be_visible()
        expect(page.locator(".qc-ended-badge")).to_have_text("Session ended")
        expect(page.locator("#connection")).to_be_hidden()
        expect(page.get_by_text(JOIN_AT_CORNER)).to_be_hidden()
    expect(control.locator("#join-url")).to_be_hidden()

    later = student.new_page()
    later.goto(join_url)
    expect(later.get_by_role("heading", name="The quiz is over")).to_be_visible()
    expect(later.locator(".qc-ended-badge")).to_be_visible()
    expect(later.locator(".qc-ended-badge")).to_have_text("Session ended")
    expect(later.locator("#connection")).to_be_hidden()
    reopened = teacher.new_page()
    reopened.goto(projector.url)
    expect(reopened.get_by_role("heading", name="Final leaderboard")).to_be_visible()
    expect(reopened.get_by_text(JOIN_AT_CORNER)).to_be_hidden()
    expect(reopened.locator("#connection")).to_be_hidden()
