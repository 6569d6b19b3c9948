"""A socket's user is whoever Django would see on a page request with the same cookie, checked for many sockets at
once."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from realtime.auth import authenticated_users, session_key
from tests.factories import StudentFactory, TeacherFactory

pytestmark = [pytest.mark.django_db]


def signed_in(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def test_the_session_cookie_is_read_from_the_handshake():
    scope = {"headers": [(b"host", b"x"), (b"cookie", b"csrftoken=abc; sessionid=k3y; theme=dark")]}
    assert session_key(scope) == "k3y"
    assert session_key({"headers": [(b"cookie", b"csrftoken=abc")]}) is None
    assert session_key({"headers": []}) is None


def test_signed_in_users_are_found_by_their_session_keys():
    student, teacher = StudentFactory(), TeacherFactory()
    keys = {signed_in(student): student, signed_in(teacher): teacher}
    found = authenticated_users([*keys, "not-a-session"])
    assert found == {**keys, "not-a-session": None}


def test_any_number_of_sessions_costs_two_queries():
    keys = [signed_in(StudentFactory()) for _ in range(30)]
    with CaptureQueriesContext(connection) as queries:
        found = authenticated_users(keys)
    assert all(found[key] is not None for key in keys)
    assert len(queries.captured_queries) == 2


def test_an_expired_or_signed_out_session_finds_nobody():
    expired, signed_out = StudentFactory(), StudentFactory()
    expired_key, signed_out_key = signed_in(expired), signed_in(signed_out)
    Session.objects.filter(session_key=expired_key).update(expire_date="2000-01-01T00:00:00Z")
    Session.objects.filter(session_key=signed_out_key).delete()
    assert authenticated_users([expired_key, signed_out_key]) == {expired_key: None, signed_out_key: None}


def test_a_changed_password_or_a_deactivated_account_finds_nobody():
    changed, deactivated = StudentFactory(), StudentFactory()
    changed_key, deactivated_key = signed_in(changed), signed_in(deactivated)
    changed.set_password("something else entirely")
    changed.save()
    deactivated.is_active = False
    deactivated.save()
    assert authenticated_users([changed_key, deactivated_key]) == {changed_key: None, deactivated_key: None}


def test_a_session_signed_with_a_rotated_out_secret_still_counts(settings):
    student = StudentFactory()
    key = signed_in(student)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-that-is-long-enough-for-django-0123456789"
    assert authenticated_users([key]) == {key: student}
    assert Session.objects.filter(session_key=key).exists(), "a socket cannot rotate the browser's cookie"


def test_a_session_whose_backend_is_no_longer_configured_finds_nobody(settings):
    key = signed_in(StudentFactory())
    settings.AUTHENTICATION_BACKENDS = ["tests.realtime.test_socket_auth.OtherBackend"]
    assert authenticated_users([key]) == {key: None}


def test_other_session_engines_are_checked_by_django_itself(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    student = StudentFactory()
    key = signed_in(student)
    assert authenticated_users([key, "tampered" + key]) == {key: student, "tampered" + key: None}


class OtherBackend:
    def get_user(self, user_id):
        return None
