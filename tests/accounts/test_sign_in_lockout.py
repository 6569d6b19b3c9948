"""Repeated wrong passwords lock out one username at one address, on the site and the admin sign-in; an address
that tries many usernames is locked as a whole only at a much higher threshold, so classmates keep signing in."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, AdminFactory, ClassroomFactory, EnrolmentFactory, StudentFactory

SIGN_IN = reverse("accounts:login")
ADMIN_SIGN_IN = reverse("admin:login")
SCHOOL = "203.0.113.7"
HOME = "198.51.100.20"


def sign_in(client, username, password, address=SCHOOL, url=SIGN_IN):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, address=SCHOOL, url=SIGN_IN):
    return [sign_in(client, username, "wrong password", address, url).status_code for _ in range(times)]


@pytest.fixture
def alice(db):
    return StudentFactory(username="alice")


@pytest.fixture
def bob(db):
    return StudentFactory(username="bob")


@pytest.mark.django_db
def test_a_username_is_locked_at_one_address_after_repeated_failures(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 5

    statuses = fail(client, "alice", 5)

    assert statuses == [200, 200, 200, 200, 429]
    assert sign_in(client, "alice", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_changing_the_browser_does_not_reset_the_count(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 5
    statuses = [
        client.post(
            SIGN_IN, {"username": "alice", "password": "wrong"}, REMOTE_ADDR=SCHOOL, HTTP_USER_AGENT=f"Browser/{n}"
        ).status_code
        for n in range(5)
    ]

    assert statuses[-1] == 429
    assert sign_in(client, "alice", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_classmates_behind_the_same_address_still_sign_in(client, alice, bob, settings):
    settings.AXES_FAILURE_LIMIT = 5
    fail(client, "alice", 6)

    response = sign_in(client, "bob", PASSWORD)

    assert response.status_code == 302
    assert response.wsgi_request.user == bob


@pytest.mark.django_db
def test_the_locked_username_still_signs_in_from_another_address(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 5
    fail(client, "alice", 6)

    assert sign_in(client, "alice", PASSWORD, address=HOME).status_code == 302


@pytest.mark.django_db
def test_an_address_spraying_many_usernames_is_locked_at_the_higher_threshold(client, bob, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 12
    statuses = [sign_in(client, f"someone{n}", "wrong password").status_code for n in range(12)]

    assert statuses == [200] * 11 + [429]
    assert sign_in(client, "bob", PASSWORD).status_code == 429
    assert sign_in(client, "bob", PASSWORD, address=HOME).status_code == 302


@pytest.mark.django_db
def test_a_class_mistyping_stays_below_the_address_threshold(client, settings):
    """Thirty students behind one address, each mistyping twice, then all sign in."""
    settings.AXES_FAILURE_LIMIT = 5
    students = [StudentFactory() for _ in range(30)]
    for student in students:
        fail(client, student.username, 2)

    statuses = {sign_in(client, student.username, PASSWORD).status_code for student in students}

    assert statuses == {302}


@pytest.mark.django_db
def test_the_admin_sign_in_is_locked_too(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    admin = AdminFactory()

    statuses = fail(client, admin.username, 5, url=ADMIN_SIGN_IN)

    assert statuses[-1] == 429
    assert sign_in(client, admin.username, PASSWORD, url=ADMIN_SIGN_IN).status_code == 429
    assert sign_in(client, admin.username, PASSWORD, url=SIGN_IN).status_code == 429


@pytest.mark.django_db
def test_the_lockout_page_says_when_to_try_again(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)

    response = fail(client, "alice", 2) and sign_in(client, "alice", "wrong password")

    assert response.status_code == 429
    assert 880 <= int(response["Retry-After"]) <= 900
    text = response.content.decode()
    assert "Too many failed sign-ins" in text
    assert re.search(r"paused for 15 minutes, until \d\d:\d\d", text)


@pytest.mark.django_db
def test_a_lockout_ends_when_its_time_is_up_however_often_it_was_tried_meanwhile(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    fail(client, "alice", 3)
    [attempt] = AccessAttempt.objects.filter(username="alice")
    locked_until = attempt.attempt_time + timedelta(minutes=15)
    fail(client, "alice", 20)

    attempt.refresh_from_db()
    AccessAttempt.objects.filter(pk=attempt.pk).update(
        attempt_time=attempt.attempt_time - timedelta(minutes=15, seconds=1)
    )

    assert attempt.failures_since_start == 3
    assert attempt.attempt_time + timedelta(minutes=15) == locked_until
    assert sign_in(client, "alice", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_hammering_one_locked_username_never_locks_the_classmates_out(client, alice, bob, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 150

    statuses = fail(client, "alice", 200)

    assert statuses.count(429) == 196
    assert sign_in(client, "bob", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_address_lockout_page_says_when_enough_failures_have_aged(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 4
    for n in range(3):
        fail(client, f"someone{n}", 1)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=10))

    response = sign_in(client, "someone9", "wrong password")

    # The three older failures make the address lock last only until the oldest of them is 15 minutes old.
    assert response.status_code == 429
    assert 290 <= int(response["Retry-After"]) <= 300


@pytest.mark.django_db
def test_an_admin_unlocks_a_locked_student_in_the_admin(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 3
    fail(client, "alice", 3)
    admin = AdminFactory()
    client.force_login(admin)
    [attempt] = AccessAttempt.objects.filter(username="alice")

    changelist = client.get(reverse("admin:axes_accessattempt_changelist"))
    deleted = client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    client.logout()

    assert changelist.status_code == 200
    assert "alice" in changelist.content.decode()
    assert deleted.status_code == 302
    assert sign_in(client, "alice", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_teacher_unlocks_a_student_they_teach_and_sees_no_one_else(client, alice, bob, teacher, settings):
    settings.AXES_FAILURE_LIMIT = 3
    EnrolmentFactory(classroom=ClassroomFactory(owner=teacher), student=alice)
    fail(client, "alice", 3)
    fail(client, "bob", 3)
    client.force_login(teacher)
    changelist = reverse("admin:axes_accessattempt_changelist")

    listed = {attempt.username for attempt in client.get(changelist).context["cl"].result_list}
    [alices] = AccessAttempt.objects.filter(username="alice")
    [bobs] = AccessAttempt.objects.filter(username="bob")
    refused = client.post(reverse("admin:axes_accessattempt_delete", args=[bobs.pk]), {"post": "yes"})
    unlocked = client.post(reverse("admin:axes_accessattempt_delete", args=[alices.pk]), {"post": "yes"})
    client.logout()

    assert listed == {"alice"}
    assert refused.status_code in {302, 403, 404} and AccessAttempt.objects.filter(pk=bobs.pk).exists()
    assert unlocked.status_code == 302
    assert sign_in(client, "bob", PASSWORD).status_code == 429
    assert sign_in(client, "alice", PASSWORD).status_code == 302
