"""Browser tests: a real daphne subprocess on a throwaway SQLite database, driven by Debian's Chromium.

Run them on their own (`DJANGO_ALLOW_ASYNC_UNSAFE=true pytest -m browser`): sync Playwright keeps an event loop
running in the main thread, which breaks async tests run after it in the same process.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.browsing import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DUMP_QUIZ,
    LAN_HOST,
    REPO,
    LiveServer,
    Person,
    free_port,
    manage,
    wait_for_port,
)


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
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "demo_data")
    # The last line: Django 5.2's shell may print a line about its automatic imports first.
    quiz = json.loads(manage(env, "shell", "-c", DUMP_QUIZ).strip().splitlines()[-1])

    port = free_port()
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
        wait_for_port(port, process, log)
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
