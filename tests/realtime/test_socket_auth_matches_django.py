"""realtime.auth resolves the users of many sockets at once, re-implementing part of django.contrib.auth.get_user.
Given the same sessions, both must find the same user, or nobody: each case below builds one session, and the
batch (with a valid session beside it, and with every case at once) is compared with Django's own answer. On
PostgreSQL the batch reads through two prepared statements; it must find the same through the ORM's queries, which
other databases use."""

from collections.abc import Callable
from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.contrib import auth
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from realtime import auth as socket_auth
from tests.classroom.instances import columns, through_the_orm
from tests.factories import StudentFactory

pytestmark = [pytest.mark.django_db]

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
NEW_SECRET = "a-brand-new-secret-key-that-is-long-enough-for-django-0123456789"


class UnconfiguredBackend:
    def get_user(self, user_id):
        raise AssertionError("a backend that is not configured is never asked")


class LookupBackend:
    """A configured backend that is not the model backend: the batch asks it one user at a time."""

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        return auth.get_user_model()._default_manager.filter(pk=user_id).first()


def signed_in(user, backend: str | None = None) -> str:
    client = Client()
    client.force_login(user, backend=backend)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def edit_session(key: str, **changes) -> None:
    store = import_module(django_settings.SESSION_ENGINE).SessionStore(key)
    for name, value in changes.items():
        store[name] = value
    store.save()


def valid(settings) -> str:
    return signed_in(StudentFactory())


def valid_through_the_model_backend(settings) -> str:
    return signed_in(StudentFactory(), backend=MODEL_BACKEND)


def expired(settings) -> str:
    key = signed_in(StudentFactory())
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    return key


def unknown_key(settings) -> str:
    return "no-such-session-key-0123456789"


def backend_not_configured(settings) -> str:
    key = signed_in(StudentFactory())
    edit_session(key, **{auth.BACKEND_SESSION_KEY: f"{__name__}.UnconfiguredBackend"})
    return key


def backend_removed_from_settings(settings) -> str:
    key = signed_in(StudentFactory(), backend=MODEL_BACKEND)
    settings.AUTHENTICATION_BACKENDS = [b for b in settings.AUTHENTICATION_BACKENDS if b != MODEL_BACKEND]
    return key


def another_configured_backend(settings) -> str:
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, f"{__name__}.LookupBackend"]
    return signed_in(StudentFactory(), backend=f"{__name__}.LookupBackend")


def password_changed(settings) -> str:
    student = StudentFactory()
    key = signed_in(student)
    student.set_password("something else entirely")
    student.save()
    return key


def inactive_user(settings) -> str:
    student = StudentFactory()
    key = signed_in(student)
    student.is_active = False
    student.save()
    return key


def signed_with_a_fallback_secret(settings) -> str:
    key = signed_in(StudentFactory())
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = NEW_SECRET
    return key


def signed_with_a_secret_no_longer_kept(settings) -> str:
    key = signed_in(StudentFactory())
    settings.SECRET_KEY = NEW_SECRET  # and no fallback: the session's data and hash were both signed with the old one
    settings.SECRET_KEY_FALLBACKS = []
    return key


def user_deleted(settings) -> str:
    student = StudentFactory()
    key = signed_in(student)
    student.delete()
    return key


def tampered_hash(settings) -> str:
    key = signed_in(StudentFactory())
    store = import_module(django_settings.SESSION_ENGINE).SessionStore(key)
    edit_session(key, **{auth.HASH_SESSION_KEY: store[auth.HASH_SESSION_KEY][:-1] + "x"})
    return key


def no_hash(settings) -> str:
    key = signed_in(StudentFactory())
    edit_session(key, **{auth.HASH_SESSION_KEY: ""})
    return key


def no_user_in_session(settings) -> str:
    store = import_module(django_settings.SESSION_ENGINE).SessionStore()
    store["something"] = "else"
    store.create()
    return store.session_key


CASES: list[Callable[..., str]] = [
    valid,
    valid_through_the_model_backend,
    expired,
    unknown_key,
    backend_not_configured,
    backend_removed_from_settings,
    another_configured_backend,
    password_changed,
    inactive_user,
    signed_with_a_fallback_secret,
    signed_with_a_secret_no_longer_kept,
    user_deleted,
    tampered_hash,
    no_hash,
    no_user_in_session,
]
FOUND = {valid, valid_through_the_model_backend, another_configured_backend, signed_with_a_fallback_secret}


def authenticated_users(keys) -> dict:
    """realtime.auth.authenticated_users, checked to find the same users, column for column, through the ORM's
    queries as through the statements PostgreSQL runs (as many of them, none of them the ORM's)."""
    keys = list(keys)
    with CaptureQueriesContext(connection) as through_statements:
        found = socket_auth.authenticated_users(keys)
    if connection.vendor == "postgresql":
        with through_the_orm(), CaptureQueriesContext(connection) as through_orm:
            assert as_columns(socket_auth.authenticated_users(keys)) == as_columns(found)
        statements = [query["sql"] for query in through_statements.captured_queries]
        assert any("session_key = ANY(" in sql for sql in statements)
        assert not any('"django_session"' in sql or '"accounts_user"."id" IN' in sql for sql in statements)
        assert len(statements) == len(through_orm.captured_queries)
    return found


def as_columns(users: dict) -> dict:
    """Each key's user as its columns (a user compares equal to any other instance with its id), or None."""
    return {key: columns(user) for key, user in users.items()}


def django_user(key: str):
    """What django.contrib.auth.get_user makes of a page request carrying this session key (it may flush the
    session: ask it after the batch)."""
    request = HttpRequest()
    request.session = import_module(django_settings.SESSION_ENGINE).SessionStore(key)
    user = auth.get_user(request)
    return user if user.is_authenticated else None


def control_backend(settings) -> str:
    """A backend to sign a valid session in with, after a case changed the settings: the model backend unless the case
    took it away."""
    if MODEL_BACKEND in settings.AUTHENTICATION_BACKENDS:
        return MODEL_BACKEND
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, f"{__name__}.LookupBackend"]
    return f"{__name__}.LookupBackend"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_the_batch_finds_whom_django_finds(case, settings):
    key = case(settings)
    control = signed_in(StudentFactory(), backend=control_backend(settings))

    found = authenticated_users([control, key])
    expected = {control: django_user(control), key: django_user(key)}

    assert as_columns(found) == as_columns(expected)
    assert expected[control] is not None
    assert (expected[key] is not None) is (case in FOUND), "the case builds the session it names"


def test_every_case_in_one_batch_finds_whom_django_finds(settings):
    # Each case's settings then hold for all of them: the fallback secret and the extra backend. Two cases would
    # undo others (a backend removed, every old secret dropped): they are checked on their own above.
    undoing = {backend_removed_from_settings, signed_with_a_secret_no_longer_kept}
    keys = {case: case(settings) for case in CASES if case not in undoing}

    found = authenticated_users(keys.values())

    assert as_columns(found) == as_columns({key: django_user(key) for key in keys.values()})
    assert {case for case, key in keys.items() if found[key] is not None} == FOUND


def test_a_user_id_that_is_not_a_number_finds_nobody_where_django_raises(settings):
    """The one difference, on purpose: Django's get_user lets the ValidationError through (a page request with such a
    session answers 500), while one such session among a batch of sockets must not fail all the others."""
    control = signed_in(StudentFactory())
    key = signed_in(StudentFactory())
    edit_session(key, **{auth.SESSION_KEY: "not-a-number"})

    assert as_columns(authenticated_users([control, key])) == as_columns({control: django_user(control), key: None})
    with pytest.raises(ValidationError):
        django_user(key)
