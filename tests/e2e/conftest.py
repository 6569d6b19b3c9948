"""Browser tests: a real daphne subprocess on a throwaway SQLite database, driven by Debian's Chromium.

Run them on their own (`DJANGO_ALLOW_ASYNC_UNSAFE=true pytest -m browser`): sync Playwright keeps an event loop
running in the main thread, which breaks async tests run after it in the same process.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from classroom.management.commands.demo_data import QUIZ_TITLE, TEACHER

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Every host name resolves to loopback, so nothing a page asks for leaves this machine: the classroom's name for
    # the server (LAN_HOST) and the laptop's own names reach the test server as phones on the LAN would.
    "--host-resolver-rules=MAP * 127.0.0.1",
]
LAN_HOST = "quizcast.test"
SCREENSHOTS = os.environ.get("QUIZCAST_SCREENSHOTS") == "1"
SCREENSHOT_DIR = REPO / "docs" / "screenshots"

# The demo quiz with its answer key, read from the server's database, so the tests know which answers are right.
DUMP_QUIZ = f"""
import json
from quizzes.models import Quiz
quiz = Quiz.objects.get(title="{QUIZ_TITLE}", owner__username="{TEACHER[0]}")
print(json.dumps([
    {{
        "id": q.id, "type": q.type, "prompt": q.prompt,
        "choices": [{{"text": c.text, "correct": c.is_correct}} for c in q.choices.all()],
        "numeric_target": None if q.numeric_target is None else format(q.numeric_target.normalize(), "f"),
        "accepted": q.accepted_answer_list,
    }}
    for q in quiz.questions.all()
]))
"""


@dataclass
class LiveServer:
    url: str
    quiz: list[dict]
    log: Path

    def question(self, kind: str) -> dict:
        return next(q for q in self.quiz if q["type"] == kind)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}:\n{log.read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"daphne did not listen on {port} within {timeout} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests")
    return CHROMIUM


@pytest.fixture(scope="session")
def quizcast_server(tmp_path_factory, chromium_path) -> LiveServer:
    """Migrate a fresh SQLite database, load the demo data (`manage.py demo_data`: the teacher, student1-5 in
    "Demo class", a quiz with a question of every type) and serve the real ASGI app with daphne."""
    workdir = tmp_path_factory.mktemp("quizcast-e2e")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{workdir / 'e2e.sqlite3'}",
        "DEBUG": "true",  # whitenoise serves static files from the finders, so no collectstatic is needed
        "ALLOWED_HOSTS": f"127.0.0.1,localhost,{LAN_HOST}",
        "MEDIA_ROOT": str(workdir / "media"),
        "LOG_LEVEL": "WARNING",
    }
    for name in ("REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)  # one process, the in-memory layer: nothing outside the test to depend on
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "demo_data")
    # The last line: Django 5.2's shell may print a line about its automatic imports first.
    quiz = json.loads(_manage(env, "shell", "-c", DUMP_QUIZ).strip().splitlines()[-1])

    port = _free_port()
    log = workdir / "daphne.log"
    daphne = shutil.which("daphne", path=str(Path(sys.executable).parent)) or "daphne"
    with log.open("w") as output:
        process = subprocess.Popen(
            [daphne, "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_port(port, process, log)
        yield LiveServer(url=f"http://127.0.0.1:{port}", quiz=quiz, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Person:
    """One browser context (its own cookies and sessionStorage), signed in as one user."""

    def __init__(self, browser, server: LiveServer, username: str, password: str, *, phone: bool = False):
        viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 800}
        self.context = browser.new_context(viewport=viewport, device_scale_factor=1, is_mobile=phone, has_touch=phone)
        self.context.set_default_timeout(10_000)
        self.server = server
        self.errors: list[str] = []
        self.page = self.new_page()
        self.page.goto(f"{server.url}/accounts/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)

    def new_page(self):
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._content_security_policy_violation)
        return page

    def _content_security_policy_violation(self, message) -> None:
        """Chromium logs what the Content-Security-Policy blocked: that is an error of the page too."""
        if "Content Security Policy" in message.text:
            self.errors.append(message.text)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def people(browser, quizcast_server):
    """Make signed-in people; every page error (or CSP violation) they met fails the test."""
    made: list[Person] = []

    def make(username: str, password: str, *, phone: bool = False) -> Person:
        person = Person(browser, quizcast_server, username, password, phone=phone)
        made.append(person)
        return person

    yield make
    errors = [error for person in made for error in person.errors]
    for person in made:
        person.close()
    assert not errors, f"JavaScript errors in the pages: {errors}"


def screenshot(page, name: str) -> None:
    """Write docs/screenshots/<name>.png, only when QUIZCAST_SCREENSHOTS=1 (CI does not rewrite them)."""
    if SCREENSHOTS:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(800)  # let bars finish their transition
        page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"))
