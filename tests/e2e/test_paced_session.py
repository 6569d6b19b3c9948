"""A student-paced session in real browsers: two students at different speeds while the teacher watches the grid."""

import re

import pytest
from playwright.sync_api import Page, expect

from classroom.management.commands.demo_data import CLASSROOM_NAME, QUIZ_TITLE, STUDENT_PASSWORD, TEACHER
from tests.e2e.accommodations import set_accommodations
from tests.e2e.axe import assert_accessible
from tests.e2e.browsing import screenshot
from tests.e2e.test_live_quiz import answer, plain_part

pytestmark = pytest.mark.browser


def start_paced_session(teacher) -> Page:
    page = teacher.page
    page.goto(f"{teacher.server.url}/dashboard/")
    page.get_by_label("Classroom").select_option(label=CLASSROOM_NAME)
    page.get_by_label("Quiz").select_option(label=QUIZ_TITLE)
    page.get_by_role("radio", name="Student-paced").check()
    page.get_by_role("button", name="Start session").click()
    page.wait_for_url(re.compile(r"/sessions/\d+/$"))
    expect(page.locator("#connection")).to_have_text("Live")
    return page


def open_from_home(student, *, start: bool = True) -> Page:
    page = student.page
    page.goto(f"{student.server.url}/me/")
    page.locator(".qc-session-item").filter(has_text=QUIZ_TITLE).first.click()
    expect(page.get_by_role("heading", name="At your own pace")).to_be_visible()
    expect(page.locator("#connection")).to_have_text("Live")
    if start:
        page.get_by_role("button", name="Start").click()
    return page


def answer_and_move_on(page: Page, question: dict, *, last: bool = False) -> None:
    answer(page, question)
    expect(page.locator("#result-line")).not_to_be_empty()
    if not last:
        page.get_by_role("button", name="Next question").click()


def grid_row(control: Page, name: str):
    return control.locator("#grid tbody tr").filter(has=control.get_by_role("rowheader", name=name))


def test_two_students_at_their_own_pace_while_the_teacher_watches_the_grid(people, quizcast_server):
    teacher = people(*TEACHER)
    control = start_paced_session(teacher)
    questions = quizcast_server.quiz
    fast = open_from_home(people("student1", STUDENT_PASSWORD, phone=True))
    slow = open_from_home(people("student2", STUDENT_PASSWORD, phone=True))

    for index, question in enumerate(questions):
        answer_and_move_on(fast, question, last=index == len(questions) - 1)
    expect(fast.locator("#key-line")).not_to_be_empty()  # the answer shows once answered
    fast.get_by_role("button", name="Next question").click()
    expect(fast.get_by_role("heading", name="All done!")).to_be_visible()

    answer_and_move_on(slow, questions[0])
    expect(slow.locator("#round-number")).to_have_text(f"Question 2 of {len(questions)}")

    count = len(questions)
    expect(grid_row(control, "Student 1").locator(".qc-grid-done")).to_have_text(f"{count}/{count}")
    expect(grid_row(control, "Student 2").locator(".qc-grid-done")).to_have_text(f"1/{count}")
    expect(grid_row(control, "Student 2").locator("td.qc-cell--o")).to_have_count(1)  # answering question 2 now
    expect(control.locator("#grid-summary")).to_contain_text("2 of 5 started · 1 finished")
    screenshot(control, "paced-grid")
    screenshot(slow, "paced-student")

    projector = control.context.new_page()  # the class's progress, for the room: no names until the teacher says
    projector.goto(control.url.rstrip("/") + "/projector/")
    expect(projector.locator("#progress-summary")).to_have_text("2 of 5 started · 1 finished")
    expect(projector.locator("#progress-questions li").first).to_contain_text("2/5")
    expect(projector.locator("#progress-students")).not_to_contain_text("Student 1")
    control.get_by_role("switch", name="Show names on the projector").check()
    expect(projector.locator("#progress-students")).to_contain_text("Student 1")
    screenshot(projector, "paced-projector")

    slow.reload()  # resumes at the same question
    expect(slow.locator("#round-number")).to_have_text(f"Question 2 of {count}")

    control.once("dialog", lambda dialog: dialog.accept())
    control.get_by_role("button", name="Close now").click()
    expect(slow.get_by_role("heading", name="All done!")).to_be_visible()
    expect(slow.locator("#final-line")).to_contain_text("This session is closed")
    expect(control.locator("#closing-line")).to_have_text("Closed.")


HEARTBEAT = '{"type":"heartbeat"}'
# The device's speech, recorded rather than spoken: what the page asked it to read, in which language.
RECORD_SPEECH = """
window.spoken = [];
if ("speechSynthesis" in window) {
  window.speechSynthesis.speak = (utterance) => window.spoken.push({ text: utterance.text, lang: utterance.lang });
}
"""


def test_a_student_with_read_aloud_can_have_each_paced_question_read_on_their_device(people, browser, quizcast_server):
    set_accommodations(browser, quizcast_server, "Student 4", extra_time="", read_aloud=True)
    try:
        start_paced_session(people(*TEACHER))
        reader_person = people("student4", STUDENT_PASSWORD, phone=True)
        reader_person.context.add_init_script(RECORD_SPEECH)
        other = open_from_home(people("student5", STUDENT_PASSWORD, phone=True))
        page = open_from_home(reader_person)
        first, second = quizcast_server.quiz[0], quizcast_server.quiz[1]
        expect(page.locator(".qc-prompt")).to_contain_text(plain_part(first["prompt"]))
        expect(other.get_by_role("button", name="Read aloud")).to_have_count(0)  # only for those who have it

        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        reader = page.get_by_role("button", name="Read aloud")
        reader.click()
        expect(page.get_by_role("button", name="Stop reading")).to_have_attribute("aria-pressed", "true")
        (spoken,) = page.evaluate("window.spoken")
        assert spoken["text"].startswith(first["prompt"])
        assert f"A: {first['choices'][0]['text']}." in spoken["text"]
        assert spoken["lang"] == "en"
        assert requests == [], "reading aloud sends nothing off the device"
        page.get_by_role("button", name="Stop reading").click()
        expect(page.get_by_role("button", name="Read aloud")).to_have_attribute("aria-pressed", "false")
        assert_accessible(page, "student-paced page with read-aloud")

        answer_and_move_on(page, first)
        expect(page.locator(".qc-prompt")).to_contain_text(plain_part(second["prompt"]))
        page.get_by_role("button", name="Read aloud").click()
        assert page.evaluate("window.spoken.length") == 2
        assert page.evaluate("window.spoken[1].text").startswith(second["prompt"])
    finally:
        set_accommodations(browser, quizcast_server, "Student 4", extra_time="", read_aloud=False)


def test_the_paced_page_sends_a_heartbeat_every_two_seconds(people, quizcast_server):
    start_paced_session(people(*TEACHER))
    student = people("student1", STUDENT_PASSWORD, phone=True)
    with student.page.expect_websocket() as opening:
        page = open_from_home(student)
    socket = opening.value
    for _ in range(2):  # the first on open, then one every 2 s: well within 3 s each
        socket.expect_event("framesent", predicate=lambda payload: payload == HEARTBEAT, timeout=3000)
    expect(page.locator("#connection")).to_have_text("Live")
