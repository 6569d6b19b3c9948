"""Initial passwords are hashed cheaply (they are random), and the first sign-in rehashes them with the default
hasher. These tests use the real production hashers."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse

from accounts.models import User
from classroom.roster import roster_import_start, roster_logins
from config.settings import base
from jobs.runner import JobRunner


def sign_in(client, username: str, password: str) -> bool:
    """Through the sign-in page, as a student does (the lockout backend needs the request)."""
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return response.status_code == 302


@pytest.fixture
def real_hashers(settings):
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    settings.INITIAL_PASSWORD_HASHER = base.INITIAL_PASSWORD_HASHER
    return settings


def test_the_initial_hasher_is_listed_after_the_default_one():
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert base.PASSWORD_HASHERS[-1] == "accounts.hashers.InitialPasswordHasher"
    assert base.INITIAL_PASSWORD_HASHER == "pbkdf2_sha256_initial"
    assert django_settings.INITIAL_PASSWORD_HASHER == "md5"  # the suite's own fast hasher


def test_the_first_sign_in_with_an_initial_password_rehashes_it_with_the_default_hasher(
    real_hashers, client, classroom
):
    roster_import = roster_import_start(
        classroom=classroom,
        data=b"username,first_name,last_name\nada.l,Ada,Lovelace\n",
        file_name="roster.csv",
        started_by=classroom.owner,
    )
    JobRunner().run_pending()
    roster_import.refresh_from_db()
    [login] = roster_logins(roster_import=roster_import)
    student = User.objects.get(username="ada.l")
    initial = identify_hasher(student.password)
    assert (initial.algorithm, initial.iterations) == ("pbkdf2_sha256_initial", 20_000)
    assert student.password.startswith("pbkdf2_sha256_initial$20000$")

    assert sign_in(client, "ada.l", login.password)

    student.refresh_from_db()
    upgraded = identify_hasher(student.password)
    assert upgraded.algorithm == "pbkdf2_sha256"
    assert student.password.startswith(f"pbkdf2_sha256${upgraded.iterations}$")
    assert upgraded.iterations >= 1_000_000
    assert student.check_password(login.password)
    client.logout()
    assert sign_in(client, "ada.l", login.password)


def test_a_wrong_password_does_not_rehash_the_initial_one(real_hashers, client, classroom):
    roster_import_start(
        classroom=classroom,
        data=b"username,first_name,last_name\nada.l,Ada,Lovelace\n",
        file_name="roster.csv",
        started_by=classroom.owner,
    )
    JobRunner().run_pending()
    before = User.objects.get(username="ada.l").password

    assert not sign_in(client, "ada.l", "wrong-guess")

    assert User.objects.get(username="ada.l").password == before
