"""A teacher moderates the roster in real browsers: removes an enrolled student (their phone shows they were removed,
and a reload is refused), lets them back in, and locks joining."""

import re

import pytest
from playwright.sync_api import expect

from classroom.management.commands.demo_data import STUDENT_PASSWORD, TEACHER
from tests.e2e.test_live_quiz import join, start_session

pytestmark = pytest.mark.browser


def test_a_teacher_removes_a_student_lets_them_back_in_and_locks_joining(people):
    control, join_url = start_session(people(*TEACHER))
    student = people("student3", STUDENT_PASSWORD, phone=True)
    phone = join(student, join_url)
    row = (
        control.locator(".qc-roster-row")
        .filter(has_text="student3")
        .or_(control.locator(".qc-roster-row").filter(has_text="Student 3"))
    )
    expect(row.first).to_contain_text("Connected")
    row = row.first
    # A reload finds the student connected at once: the snapshot carries who is in (nothing changed since).
    control.reload()
    expect(row).to_contain_text("Connected")
    expect(control.locator("#roster-summary")).to_have_text(re.compile(r"^1 of \d+ connected$"))

    row.get_by_role("button", name="Remove").click()
    dialog = control.get_by_role("dialog")
    expect(dialog.get_by_label("Also delete their answers in this session")).to_be_visible()
    dialog.get_by_label("Also delete their answers in this session").check()
    dialog.get_by_role("button", name="Remove").click()

    expect(row).to_contain_text("Removed")
    expect(phone.get_by_role("heading", name="You left this session")).to_be_visible()
    phone.reload()
    expect(phone.get_by_role("heading", name="You were removed from this session")).to_be_visible()

    row.get_by_role("button", name=re.compile("back into this session")).click()
    expect(row.get_by_role("button", name="Remove")).to_be_visible()
    phone.goto(join_url)
    expect(phone.get_by_role("heading", name="You're in!")).to_be_visible()
    expect(row).to_contain_text("Connected")

    lock = control.get_by_role("button", name="Lock joining")
    lock.click()
    unlock = control.get_by_role("button", name="Unlock joining")
    expect(unlock).to_have_attribute("aria-pressed", "true")
    expect(control.locator("#lock-note")).to_be_visible()
    newcomer = people("student4", STUDENT_PASSWORD, phone=True)
    newcomer.page.goto(join_url)
    expect(newcomer.page.get_by_role("heading", name="This session is not letting anyone new in")).to_be_visible()
    phone.reload()  # those already in stay
    expect(phone.get_by_role("heading", name="You're in!")).to_be_visible()
    unlock.click()
    expect(control.get_by_role("button", name="Lock joining")).to_have_attribute("aria-pressed", "false")
    join(newcomer, join_url)
