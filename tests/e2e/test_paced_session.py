"""A student-paced session in real browsers: two students at different speeds while the teacher watches the grid."""

import re

import pytest
from playwright.sync_api import Page, expect

from classroom.management.commands.demo_data import CLASSROOM_NAME, QUIZ_TITLE, STUDENT_PASSWORD, TEACHER
from tests.e2e.browsing import screenshot
from tests.e2e.test_live_quiz import answer

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


def open_from_home(student) -> Page:
    page = student.page
    page.goto(f"{student.server.url}/me/")
    page.locator(".qc-session-item").filter(has_text=QUIZ_TITLE).first.click()
    expect(page.get_by_role("heading", name="At your own pace")).to_be_visible()
    expect(page.locator("#connection")).to_have_text("Live")
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

    slow.reload()  # resumes at the same question
    expect(slow.locator("#round-number")).to_have_text(f"Question 2 of {count}")

    control.once("dialog", lambda dialog: dialog.accept())
    control.get_by_role("button", name="Close now").click()
    expect(slow.get_by_role("heading", name="All done!")).to_be_visible()
    expect(slow.locator("#final-line")).to_contain_text("This session is closed")
    expect(control.locator("#closing-line")).to_have_text("Closed.")
