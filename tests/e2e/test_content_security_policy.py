"""Every page works under the Content-Security-Policy: Chromium reports no violation on the site's pages, the live
pages' WebSockets connect under connect-src 'self', and the Django admin pages load cleanly too."""

import re

import pytest
from playwright.sync_api import expect

from classroom.management.commands.demo_data import (
    ADMIN,
    CLASSROOM_NAME,
    QUIZ_TITLE,
    STUDENT_PASSWORD,
    STUDENT_USERNAMES,
    TEACHER,
)

pytestmark = pytest.mark.browser

# Recorded in the page itself as well as read from the console: Chromium reports each violation both ways.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


class PolicyWatch:
    """Visits pages in one browser context and keeps every CSP violation Chromium reports."""

    def __init__(self, context, server):
        self.server = server
        self.context = context
        context.add_init_script(RECORD_VIOLATIONS)
        self.page = context.new_page()
        self.violations: list[str] = []
        self.visited: list[str] = []
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.violations.append(f"{self.page.url}: {message.text}")

    def collect(self) -> None:
        found = self.page.evaluate("() => window.__cspViolations || []")
        self.violations.extend(f"{self.page.url}: {violation}" for violation in found)

    def visit(self, path: str):
        response = self.page.goto(f"{self.server.url}{path}")
        self.page.wait_for_load_state("load")
        self.visited.append(path)
        self.collect()
        return response

    def sign_in(self, username: str, password: str) -> None:
        self.visit("/accounts/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)
        self.collect()

    def open_first_result(self, changelist: str) -> None:
        self.visit(changelist)
        self.page.locator("#result_list tbody th a").first.click()
        self.page.wait_for_load_state("load")
        self.visited.append(self.page.url)
        self.collect()


@pytest.fixture
def watch(browser, quizcast_server):
    watches = []

    def make(*, phone: bool = False) -> PolicyWatch:
        viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 800}
        watcher = PolicyWatch(browser.new_context(viewport=viewport), quizcast_server)
        watches.append(watcher)
        return watcher

    yield make
    for watcher in watches:
        watcher.context.close()


def start_session(teacher: PolicyWatch, *, guests: bool) -> str:
    teacher.visit("/dashboard/")
    page = teacher.page
    page.get_by_label("Classroom").select_option(label=CLASSROOM_NAME)
    page.get_by_label("Quiz").select_option(label=QUIZ_TITLE)
    if guests:
        page.get_by_label("Let guests join with the code").check()
    with page.expect_websocket() as socket_opened:
        page.get_by_role("button", name="Start session").click()
        page.wait_for_url(re.compile(r"/sessions/\d+/$"))
    socket_opened.value.wait_for_event("framereceived")
    expect(page.locator("#connection")).to_have_text("Live")
    teacher.collect()
    return page.locator("#join-url").input_value().rstrip("/").rsplit("/", 1)[-1]


def test_the_teacher_and_student_pages_and_their_sockets_run_without_a_csp_violation(watch, quizcast_server):
    teacher = watch()
    teacher.sign_in(*TEACHER)
    code = start_session(teacher, guests=True)
    session_path = re.sub(r"^https?://[^/]+", "", teacher.page.url)
    with teacher.page.expect_websocket() as projector_socket:
        teacher.visit(f"{session_path}projector/")
    projector_socket.value.wait_for_event("framereceived")
    expect(teacher.page.locator("#connection")).to_have_text("Live")
    for path in ("/dashboard/", "/accounts/profile/", "/accounts/password/"):
        teacher.visit(path)

    student = watch(phone=True)
    student.sign_in(STUDENT_USERNAMES[0], STUDENT_PASSWORD)
    student.visit("/me/")
    with student.page.expect_websocket() as student_socket:
        student.visit(f"/s/{code}/")
    student_socket.value.wait_for_event("framereceived")
    expect(student.page.locator("#connection")).to_have_text("Live")
    student.collect()

    violations = teacher.violations + student.violations
    assert not violations, "\n".join(violations)


def test_signed_out_pages_a_guest_and_the_lockout_page_run_without_a_csp_violation(watch, quizcast_server):
    teacher = watch()
    teacher.sign_in(*TEACHER)
    guest_code = start_session(teacher, guests=True)
    members_only_code = start_session(teacher, guests=False)

    visitor = watch(phone=True)
    visitor.visit("/accounts/login/")
    visitor.visit("/join/")
    visitor.visit("/join/?code=NOSUCH")
    visitor.visit(f"/join/?code={guest_code}")
    visitor.page.get_by_label("Your name").fill("Guest Ada")
    visitor.page.get_by_role("button", name="Join as a guest").click()
    expect(visitor.page.get_by_role("heading", name="You're in!")).to_be_visible()
    visitor.collect()
    not_in_class = visitor.visit(f"/s/{members_only_code}/")
    assert not_in_class.status == 403

    locked = watch()
    for _attempt in range(6):
        locked.visit("/accounts/login/")
        locked.page.get_by_label("Username").fill("nobody-at-all")
        locked.page.get_by_label("Password").fill("wrong password")
        with locked.page.expect_response(lambda answer: answer.request.method == "POST") as posted:
            locked.page.get_by_role("button", name="Sign in").click()
        if posted.value.status == 429:
            break
    expect(locked.page.get_by_role("heading", name="Too many failed sign-ins")).to_be_visible()
    locked.collect()

    violations = visitor.violations + locked.violations + teacher.violations
    assert not violations, "\n".join(violations)


ADMIN_CHANGELISTS = [
    "/admin/quizzes/quiz/",
    "/admin/quizzes/question/",
    "/admin/quizzes/tag/",
    "/admin/classroom/classroom/",
    "/admin/classroom/livesession/",
]


def test_the_django_admin_runs_without_a_csp_violation(watch, quizcast_server):
    teacher = watch()
    teacher.sign_in(*TEACHER)
    start_session(teacher, guests=False)
    teacher.visit("/admin/")
    for changelist in ADMIN_CHANGELISTS:
        teacher.open_first_result(changelist)
    teacher.open_first_result("/admin/classroom/classroom/")
    teacher.page.get_by_role("link", name="Import roster (CSV)").click()
    teacher.page.wait_for_load_state("load")
    expect(teacher.page.get_by_label("Roster (CSV)")).to_be_visible()
    teacher.collect()
    teacher.visit("/admin/quizzes/question/add/")
    teacher.visit("/admin/quizzes/quiz/add/")
    teacher.visit("/admin/classroom/classroom/add/")
    teacher.open_first_result("/admin/quizzes/question/")
    preview_path = teacher.page.get_by_role("link", name="Preview as a student").get_attribute("href")
    teacher.visit(preview_path)
    expect(teacher.page.locator("main, #content").first).to_be_visible()

    admin = watch()
    admin.sign_in(*ADMIN)
    admin.visit("/admin/")
    admin.open_first_result("/admin/accounts/user/")
    admin.visit("/admin/accounts/user/add/")
    admin.visit("/admin/axes/accessattempt/")
    admin.visit("/admin/auth/group/")

    violations = teacher.violations + admin.violations
    assert not violations, "\n".join(violations)
    assert len(teacher.visited) > 10
