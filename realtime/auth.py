"""Who is on the other end of a socket: the session cookie its handshake carried, checked as Django checks the
session of a request.

The socket stack has no auth middleware: Channels' would look the session and the user up in a database hop of
their own before the consumer runs. The consumer reads the cookie here, and the users of every socket connecting
meanwhile are resolved together, inside the one database call that also admits them and reads their snapshots
(realtime.session_actions.open_sockets).
"""

from collections.abc import Iterable, Mapping
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Manager
from django.http.cookie import parse_cookie
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from classroom import rows
from config.database import prepared_cursor

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User

DATABASE_SESSIONS = "django.contrib.sessions.backends.db"
# A primary key as the user model's field reads it from a session.
UserId = int | str


def session_key(scope: Mapping[str, Any]) -> str | None:
    """The session key of the handshake's cookie, or None when it carries none."""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            return parse_cookie(value.decode("latin1")).get(settings.SESSION_COOKIE_NAME) or None
    return None


def authenticated_users(keys: Iterable[str]) -> dict[str, AbstractBaseUser | None]:
    """The active user signed in under each session key, or None; runs in the database thread.

    Each check is django.contrib.auth.get_user's: the backend recorded in the session must still be configured, it
    must return an active user, and the session's auth hash must match the user's (or one made with a fallback
    secret), so a password change signs the user out of sockets too. A socket cannot set cookies, so a session
    that fails is refused but not flushed or rotated here; the next page load does that.

    With database sessions and the model backend, any number of keys cost two queries (on PostgreSQL, two prepared
    statements: a batch of sockets opening pays no ORM compilation for them).
    """
    keys = set(keys)
    if not keys:
        return {}
    if settings.SESSION_ENGINE != DATABASE_SESSIONS:
        return {key: authenticated_user(key) for key in keys}
    sessions = _unexpired_sessions(keys)
    claims: dict[str, tuple[UserId, str]] = {}  # key -> (user id, backend path)
    for key, data in sessions.items():
        try:
            user_id = auth.get_user_model()._meta.pk.to_python(data[auth.SESSION_KEY])
            backend_path = data[auth.BACKEND_SESSION_KEY]
        except (KeyError, ValidationError):
            continue
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            claims[key] = (user_id, backend_path)
    users_by_claim = _users(set(claims.values()))
    found: dict[str, AbstractBaseUser | None] = dict.fromkeys(keys)
    for key, claim in claims.items():
        user = users_by_claim.get(claim)
        if user is not None and _hash_verified(user, sessions[key].get(auth.HASH_SESSION_KEY)):
            found[key] = user
    return found


def _unexpired_sessions(keys: set[str]) -> dict[str, dict[str, Any]]:
    """The decoded data of each of these database sessions that has not expired, by key (as `Session.get_decoded`
    decodes it: data that fails its signature decodes to nothing)."""
    if connection.vendor != "postgresql":
        return {
            row.session_key: row.get_decoded()
            for row in Session.objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
        }
    store = DatabaseSessionStore()  # decoding reads no state of the store's own
    with prepared_cursor() as cursor:
        cursor.execute(_statements().sessions, [sorted(keys), timezone.now()])
        return {key: store.decode(data) for key, data in cursor.fetchall()}


def _users_by_id(user_ids: set[UserId]) -> list["User"]:
    """The users with these ids, as the user model's default manager reads them: on PostgreSQL, when the manager
    reads every row and column as Django's own does, a prepared statement over the same columns."""
    model = auth.get_user_model()
    plain_manager = type(model._default_manager).get_queryset is Manager.get_queryset
    if connection.vendor != "postgresql" or not plain_manager:
        return list(model._default_manager.filter(pk__in=user_ids))
    statements = _statements()
    with prepared_cursor() as cursor:
        cursor.execute(statements.users, [sorted(user_ids)])
        return [rows.instance(model, statements.user_fields, row) for row in cursor.fetchall()]


class _Statements:
    """The two reads of `authenticated_users` on PostgreSQL, written once the user model is known."""

    def __init__(self) -> None:
        model = auth.get_user_model()
        self.user_fields = list(model._meta.concrete_fields)
        self.users = (
            f"SELECT {rows.columns('u', self.user_fields)} FROM {model._meta.db_table} u"  # noqa: S608 (model names)
            f' WHERE u."{model._meta.pk.column}" = ANY(%s)'
        )
        self.sessions = (
            f"SELECT session_key, session_data FROM {Session._meta.db_table}"  # noqa: S608 (a model's table)
            " WHERE session_key = ANY(%s) AND expire_date > %s"
        )


@cache
def _statements() -> _Statements:
    return _Statements()


def authenticated_user(key: str) -> AbstractBaseUser | None:
    """One session key's user, or None, through django.contrib.auth.get_user itself."""
    store: SessionBase = import_module(settings.SESSION_ENGINE).SessionStore(key)
    user = auth.get_user(cast("HttpRequest", _SessionOnly(store)))
    return user if isinstance(user, AbstractBaseUser) and user.is_authenticated else None


class _SessionOnly:
    """What `django.contrib.auth.get_user` reads of a request: its session."""

    def __init__(self, session: SessionBase):
        self.session = session


def _users(claims: set[tuple[UserId, str]]) -> dict[tuple[UserId, str], AbstractBaseUser | None]:
    """Each (user id, backend path) claim's user as its backend returns it; the model backend's in one query."""
    users: dict[tuple[UserId, str], AbstractBaseUser | None] = {}
    by_backend: dict[str, set[UserId]] = {}
    for user_id, backend_path in claims:
        by_backend.setdefault(backend_path, set()).add(user_id)
    for backend_path, user_ids in by_backend.items():
        backend: BaseBackend = auth.load_backend(backend_path)
        if isinstance(backend, ModelBackend) and type(backend).get_user is ModelBackend.get_user:
            for user in _users_by_id(user_ids):
                if backend.user_can_authenticate(user):
                    users[(user.pk, backend_path)] = user
        else:
            for user_id in user_ids:
                users[(user_id, backend_path)] = backend.get_user(user_id)
    return users


def _hash_verified(user: AbstractBaseUser, session_hash: str | None) -> bool:
    if not hasattr(user, "get_session_auth_hash"):
        return True
    if not session_hash:
        return False
    if constant_time_compare(session_hash, user.get_session_auth_hash()):
        return True
    return any(constant_time_compare(session_hash, fallback) for fallback in user.get_session_auth_fallback_hash())
