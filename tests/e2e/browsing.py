"""What the browser tests share besides their fixtures: the Chromium they drive, the server they start, a signed-in
person, screenshots for the docs."""

import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from classroom.management.commands.demo_data import QUIZ_TITLE, TEACHER
from tests.waiting import wait_until_blocking

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env: dict, *args: str) -> str:
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


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    def listening() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}:\n{log.read_text()}")
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    wait_until_blocking(listening, timeout=timeout, interval=0.1, what=f"daphne listening on {port} (log: {log})")


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


def screenshot(page, name: str) -> None:
    """Write docs/screenshots/<name>.png, only when QUIZCAST_SCREENSHOTS=1 (CI does not rewrite them)."""
    if SCREENSHOTS:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(800)  # let bars finish their transition
        page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"))
