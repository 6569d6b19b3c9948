"""The teacher sets a student's accommodations, as in the classroom's admin page."""

import re

from playwright.sync_api import Page, expect

from classroom.management.commands.demo_data import CLASSROOM_NAME, TEACHER
from tests.e2e.browsing import Person


def set_accommodations(browser, server, name: str, *, extra_time: str, read_aloud: bool) -> None:
    """The teacher sets a student's accommodations on their enrolment, in the classroom's admin page (in a window
    of their own, not through `people`: see test_page_has_no_axe_violation in
    tests/e2e/test_pages_accessible.py)."""
    teacher = Person(browser, server, *TEACHER)
    try:
        _set_accommodations(teacher.page, server, name, extra_time=extra_time, read_aloud=read_aloud)
    finally:
        teacher.close()


def _set_accommodations(page: Page, server, name: str, *, extra_time: str, read_aloud: bool) -> None:
    page.goto(f"{server.url}/admin/classroom/classroom/")
    page.get_by_role("link", name=CLASSROOM_NAME).click()
    page.wait_for_url(re.compile(r"/change/$"))
    # The enrolment whose student select shows this student's name.
    prefix = page.evaluate(
        """(name) => [...document.querySelectorAll("select[name$='-student']")]
            .find((select) => select.selectedOptions[0]?.textContent.trim() === name)?.name.replace(/-student$/, "")""",
        name,
    )
    assert prefix, f"{name} is not enrolled in {CLASSROOM_NAME}"
    page.locator(f"select[name='{prefix}-extra_time']").select_option(extra_time)
    page.locator(f"input[name='{prefix}-read_aloud']").set_checked(read_aloud)
    page.locator("input[name='_continue']").click()
    expect(page.locator(".messagelist")).to_be_visible()
