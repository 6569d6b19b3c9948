"""/join/ limits guest joins and wrong codes per client address, at rates a class behind one address never reaches,
and answers 429 with when to retry once a limit is reached."""

import os
import socket
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from config import rate_limits
from tests.factories import LiveSessionFactory
from tests.processes import run_python

JOIN = reverse("join")
SCHOOL = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


@pytest.fixture
def frozen_clock(monkeypatch):
    """Time stands still at the start of a window, unless a test moves it on."""
    now = {"t": 1_800_000_000.0 - 1_800_000_000.0 % 3600}
    monkeypatch.setattr(rate_limits, "clock", lambda: now["t"])
    return now


@pytest.fixture
def guest_session(db, settings):
    settings.MAX_GUESTS_PER_SESSION = 500
    return LiveSessionFactory(allow_guests=True)


def join_as_guest(session, name, address=SCHOOL):
    """One phone: a fresh browser that enters the code and a name."""
    return Client().post(JOIN, {"code": session.code, "display_name": name}, REMOTE_ADDR=address)


def enter_code(code, address=SCHOOL):
    return Client().get(JOIN, {"code": code}, REMOTE_ADDR=address)


def test_a_class_of_sixty_joins_within_a_minute_and_the_next_join_gets_429(guest_session, frozen_clock):
    statuses = [join_as_guest(guest_session, f"Student {n}").status_code for n in range(60)]

    refused = join_as_guest(guest_session, "One too many")

    assert statuses == [302] * 60
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "Too many attempts from your network" in refused.content.decode()
    assert "Please wait 60 seconds, until" in refused.content.decode()
    assert User.objects.filter(is_guest=True).count() == 60


def test_the_join_limit_counts_per_address(guest_session, frozen_clock, settings):
    settings.JOIN_RATE_LIMIT = "3/60"
    for n in range(3):
        join_as_guest(guest_session, f"Student {n}")

    assert join_as_guest(guest_session, "At school").status_code == 429
    assert join_as_guest(guest_session, "At home", address=ELSEWHERE).status_code == 302


def test_joining_opens_again_in_the_next_window(guest_session, frozen_clock, settings):
    settings.JOIN_RATE_LIMIT = "2/60"
    join_as_guest(guest_session, "One")
    join_as_guest(guest_session, "Two")
    assert join_as_guest(guest_session, "Three").status_code == 429

    frozen_clock["t"] += 60

    assert join_as_guest(guest_session, "Three").status_code == 302


def test_entering_a_good_code_before_joining_is_not_counted_as_a_join(guest_session, frozen_clock, settings):
    settings.JOIN_RATE_LIMIT = "2/60"
    pages = [enter_code(guest_session.code).status_code for _ in range(10)]

    assert pages == [200] * 10
    assert join_as_guest(guest_session, "Ada").status_code == 302


def test_wrong_codes_are_limited_and_then_even_a_right_code_waits(guest_session, frozen_clock, settings):
    settings.JOIN_WRONG_CODE_RATE_LIMIT = "5/300"
    wrong = [enter_code(f"ZZZZ{n}{n}").status_code for n in range(2, 7)]

    refused = enter_code(guest_session.code)

    assert wrong == [200] * 5
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 300
    assert "display_name" not in refused.content.decode()


def test_a_session_without_guests_counts_as_a_wrong_code_for_an_anonymous_visitor(db, frozen_clock, settings):
    settings.JOIN_WRONG_CODE_RATE_LIMIT = "2/300"
    no_guests = LiveSessionFactory(allow_guests=False)
    enter_code(no_guests.code)
    enter_code("NOSUCH")

    assert enter_code(no_guests.code).status_code == 429


def test_a_signed_in_student_entering_codes_is_counted_like_anyone(client, live_session, frozen_clock, settings):
    settings.JOIN_WRONG_CODE_RATE_LIMIT = "2/300"
    client.force_login(live_session.classroom.enrolments.first().student)
    for code in ("NOSUCH", "NOSUC2"):
        client.get(JOIN, {"code": code})

    assert client.get(JOIN, {"code": live_session.code}).status_code == 429


def test_the_join_page_without_a_code_is_never_limited(db, frozen_clock, settings):
    settings.JOIN_WRONG_CODE_RATE_LIMIT = "1/300"
    enter_code("NOSUCH")

    assert Client().get(JOIN, REMOTE_ADDR=SCHOOL).status_code == 200


def test_signed_in_students_guessing_codes_on_session_pages_are_limited_too(
    client, live_session, student, frozen_clock, settings
):
    settings.JOIN_WRONG_CODE_RATE_LIMIT = "3/300"
    client.force_login(student)  # not in the session's classroom
    statuses = [client.get(reverse("student_session", args=[code])).status_code for code in ("NOSUCH", "NOSUC2")]
    statuses.append(client.get(reverse("student_session", args=[live_session.code])).status_code)

    refused = client.get(reverse("student_session", args=["NOSUC3"]))

    assert statuses == [404, 404, 403]
    assert refused.status_code == 429
    assert "Retry-After" in refused


def test_visitors_trying_codes_in_session_links_are_limited_too(live_session, frozen_clock, settings):
    settings.JOIN_WRONG_CODE_RATE_LIMIT = "2/300"
    live_session.allow_guests = False
    live_session.save()
    statuses = [
        Client().get(reverse("student_session", args=[code])).status_code for code in ("NOSUCH", live_session.code)
    ]

    refused = Client().get(reverse("student_session", args=["NOSUC2"]))

    assert statuses == [200, 200]  # the same "sign in to join" answer for both
    assert refused.status_code == 429


def test_an_enrolled_student_reopening_their_session_page_is_never_limited(
    client, live_session, frozen_clock, settings
):
    settings.JOIN_WRONG_CODE_RATE_LIMIT = "1/300"
    client.force_login(live_session.classroom.enrolments.first().student)

    statuses = {client.get(reverse("student_session", args=[live_session.code])).status_code for _ in range(5)}

    assert statuses == {200}


def test_wrong_classroom_join_codes_are_limited_too(client, classroom, student, frozen_clock, settings):
    settings.JOIN_WRONG_CODE_RATE_LIMIT = "3/300"
    classroom.self_enrolment = True
    classroom.save()
    client.force_login(student)
    wrong = [client.post(reverse("classroom_join"), {"join_code": f"WRONG{n}"}).status_code for n in range(3)]

    refused = client.post(reverse("classroom_join"), {"join_code": classroom.join_code})

    assert wrong == [302] * 3
    assert refused.status_code == 429
    assert not classroom.students.filter(pk=student.pk).exists()


def test_with_redis_unreachable_joining_still_works_without_limits(guest_session, settings, caplog):
    from config.settings.base import caches_for

    closed_port = socket.socket()
    closed_port.bind(("127.0.0.1", 0))
    url = f"redis://127.0.0.1:{closed_port.getsockname()[1]}/0"  # bound, never listening: connections are refused
    try:
        settings.CACHES = caches_for(url, prefix="unreachable")
        settings.JOIN_RATE_LIMIT = "1/60"

        statuses = [join_as_guest(guest_session, f"Student {n}").status_code for n in range(3)]
    finally:
        closed_port.close()

    assert statuses == [302] * 3
    assert "the cache is unreachable" in caplog.text


COUNT_IN_A_WORKER = """
import sys
import django
django.setup()
from config.rate_limits import Rate, RateLimit
limit = RateLimit("worker-test", Rate(1, 600))
if sys.argv[1] == "hit":
    limit.hit(sys.argv[2])
else:
    print(limit.retry_after(sys.argv[2]))
"""


def test_with_redis_every_worker_counts_together(settings):
    if not settings.REDIS_URL:
        pytest.skip("needs Redis: the test settings found none at 127.0.0.1:6379 and REDIS_URL is unset")
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "REDIS_URL": settings.REDIS_URL}
    client = f"test-{uuid.uuid4().hex}"

    def worker(*args):
        done = run_python("-c", COUNT_IN_A_WORKER, *args, env=environment)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    before = worker("check", client)
    worker("hit", client)
    after = worker("check", client)

    assert before == "None"
    assert 0 < int(after) <= 600
