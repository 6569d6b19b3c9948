"""Guests in real browsers: join with the code and a name, and a teacher can take a prankster out."""

import re

import pytest
from playwright.sync_api import expect

from classroom.management.commands.demo_data import CLASSROOM_NAME, QUIZ_TITLE, TEACHER

pytestmark = pytest.mark.browser


def test_a_guest_joins_with_the_code_and_the_teacher_removes_them(people, browser, quizcast_server):
    teacher = people(*TEACHER)
    control = teacher.page
    control.goto(f"{quizcast_server.url}/dashboard/")
    control.get_by_label("Classroom").select_option(label=CLASSROOM_NAME)
    control.get_by_label("Quiz").select_option(label=QUIZ_TITLE)
    control.get_by_label("Let guests join with the code").check()
    control.get_by_role("button", name="Start session").click()
    control.wait_for_url(re.compile(r"/sessions/\d+/$"))
    code = control.locator("#join-url").input_value().rstrip("/").rsplit("/", 1)[-1]

    guest_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        phone = guest_context.new_page()
        phone.goto(f"{quizcast_server.url}/join/?code={code}")
        phone.get_by_label("Your name").fill("Prank <b>Name</b>")
        phone.get_by_role("button", name="Join as a guest").click()
        expect(phone.get_by_role("heading", name="You're in!")).to_be_visible()

        row = control.locator(".qc-roster-row").filter(has_text="Prank <b>Name</b>")
        expect(row).to_contain_text("guest")
        row.get_by_role("button", name="Remove").click()
        dialog = control.get_by_role("dialog")
        expect(dialog).to_contain_text("their answers are deleted")
        expect(dialog.get_by_label("Also delete their answers in this session")).to_be_hidden()
        dialog.get_by_role("button", name="Remove").click()

        expect(row).to_have_count(0)
        expect(phone.get_by_role("heading", name="You left this session")).to_be_visible()
        expect(phone.locator("#connection")).to_have_text("Removed")
    finally:
        guest_context.close()
