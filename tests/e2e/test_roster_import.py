"""A roster import in a real browser: the page follows the background job to its end, the passwords download as
CSV and print as cards, a student signs in with one, and once the teacher confirms they are gone."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from classroom.management.commands.demo_data import CLASSROOM_NAME, TEACHER

pytestmark = pytest.mark.browser

ROWS = 300


def test_a_teacher_follows_an_import_then_a_student_signs_in_with_the_printed_password(
    people, quizcast_server, tmp_path
):
    roster = tmp_path / "year9.csv"
    roster.write_text(
        "username,first_name,last_name\n" + "".join(f"e2e.s{n},Student,Number {n}\n" for n in range(ROWS))
    )
    teacher = people(*TEACHER)
    page = teacher.page
    page.goto(f"{quizcast_server.url}/admin/classroom/classroom/")
    page.get_by_role("link", name=CLASSROOM_NAME).click()
    page.get_by_role("link", name="Import roster (CSV)").click()
    page.get_by_label("Roster (CSV)").set_input_files(roster)
    page.get_by_role("button", name="Import").click()

    page.wait_for_url(re.compile(r"/roster-imports/\d+/$"))
    # The script polls the job and reloads the page when it has finished: no manual refresh.
    expect(page.get_by_text(f"{ROWS} students were created and enrolled in {CLASSROOM_NAME}.")).to_be_visible(
        timeout=60_000
    )
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as CSV").click()
    rows = list(csv.reader(io.StringIO(download_info.value.path().read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["username", "name", "password"]
    assert len(rows) == ROWS + 1
    username, _name, password = rows[1]

    page.get_by_role("link", name="Printable sign-in cards").click()
    card = page.locator(".qc-card").filter(has_text=username).first
    expect(card).to_contain_text(password)
    expect(card).to_contain_text(f"{quizcast_server.url}/")
    expect(page.locator(".qc-card")).to_have_count(ROWS)
    page.go_back()

    student = people(username, password, phone=True)
    expect(student.page).not_to_have_url(re.compile(r"/accounts/login/"))

    page.get_by_role("button", name="I saved the passwords: delete them from the server").click()
    expect(page.get_by_text("The initial passwords of this import are deleted from the server.")).to_be_visible()
    expect(page.locator("#roster-logins")).to_have_count(0)
    assert password not in page.content()
