"""The database as a worker sees it: which errors mean "unreachable, try again shortly", one log line when it goes
away and one when it answers again, and the pool's settings and check for a restart.

While PostgreSQL restarts or is down, pages answer 503 (config.middleware) and sockets answer `unavailable`
(docs/protocol.md), which clients retry; nothing here is specific to either.
"""

import contextlib
import functools
import logging
import threading
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections, transaction
from django.db.backends.signals import connection_created
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

logger = logging.getLogger(__name__)

# What a client is told to wait before trying again (the 503 page's Retry-After).
RETRY_AFTER_SECONDS = 5
# How long psycopg_pool keeps retrying to replace a lost connection before giving up on it. Its default (5 minutes,
# with the delay doubling from 1 s) left a worker waiting up to half a minute after PostgreSQL came back; given up
# early, the next request that needs a connection starts a fresh attempt at once.
POOL_RECONNECT_TIMEOUT = 2.0
# How long a pooled worker waits for a connection while the database is known to be down (see Outage).
OUTAGE_POOL_TIMEOUT = 0.5


def is_unavailable(error: BaseException) -> bool:
    """True for the errors of a database that cannot be reached right now (refused, restarting, a lost connection, no
    pooled connection in time): the same request may well succeed a few seconds later."""
    return isinstance(error, OperationalError | InterfaceError)


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0][:200]}" if text else type(error).__name__


class Outage:
    """One warning when this process finds the database unreachable, one when it answers again, whatever the number
    of requests that fail in between.

    While it is down, a pooled worker stops waiting the pool's whole `timeout` for each connection: the socket's
    database calls run one after another in one thread, so three-second waits would pile up behind each other. The
    pool keeps trying to connect in the background (about once a second); its first new connection ends the outage.
    """

    def __init__(self, alias: str = DEFAULT_DB_ALIAS):
        self.alias = alias
        self.down = False
        self._lock = threading.Lock()

    def failed(self, error: BaseException) -> None:
        with self._lock:
            if self.down:
                return
            self.down = True
        self._wait_for_connections(OUTAGE_POOL_TIMEOUT)
        logger.warning("database unreachable (%s); requests are refused with 503 until it answers", _describe(error))

    def answered(self) -> None:
        if not self.down:  # the common case, without the lock
            return
        with self._lock:
            if not self.down:
                return
            self.down = False
        self._wait_for_connections(None)
        logger.warning("database reachable again")

    def _wait_for_connections(self, seconds: float | None) -> None:
        """Set how long the pool's getconn() waits; None: back to the configured timeout."""
        options = settings.DATABASES[self.alias].get("OPTIONS", {}).get("pool")
        if not options:
            return
        pool = getattr(connections[self.alias], "pool", None)  # PostgreSQL's connection has one when pooling
        if pool is not None:
            pool.timeout = options.get("timeout", pool.timeout) if seconds is None else seconds


outage = Outage()


def check_idle_connections_too(pool, connection) -> None:
    """The pool's check before it hands out a connection: psycopg_pool's `check_connection`, and when that fails,
    every idle connection of the pool is checked at once too (`ConnectionPool.check()`, which replaces the broken).

    A PostgreSQL restart breaks all idle connections together. With the plain check, the pool tries them one by
    one and waits 1 s, then 2 s, between failures: a worker with three or more idle connections failed its first
    request after a restart, 3 s later. Now that request waits only for a new connection.
    """
    try:
        pool.check_connection(connection)
    except Exception:
        pool.check()
        raise


def extend_pool_check(wrapper) -> None:
    """Django hands psycopg_pool its `check_connection` (CONN_HEALTH_CHECKS) and has no setting for another one, so
    the pool's `_check` is replaced here, once per pool, and only while it is that very function (psycopg_pool
    3.3; tests/services/test_database_outage.py restarts PostgreSQL under an idle pooled worker to check it)."""
    pool = getattr(wrapper, "pool", None)
    if pool is None or getattr(pool, "_check", None) is not type(pool).check_connection:
        return
    pool._check = functools.partial(check_idle_connections_too, pool)
    logger.info("pooled connections: when a check fails, every idle connection is checked too")


def _connected(sender, connection, **kwargs) -> None:
    outage.answered()
    extend_pool_check(connection)


connection_created.connect(_connected, dispatch_uid="quizcast-database-outage")


def pool_options(*, max_size: int, timeout: float) -> dict:
    """Django's OPTIONS["pool"]: psycopg_pool's arguments. Django passes psycopg_pool's `check_connection` as the
    pool's `check` when CONN_HEALTH_CHECKS is on (config/settings/base.py), so a connection that a PostgreSQL
    restart broke is replaced, not handed to a request; extend_pool_check makes it replace the others at once."""
    return {
        "min_size": min(2, max_size),
        "max_size": max_size,
        "timeout": timeout,
        "reconnect_timeout": POOL_RECONNECT_TIMEOUT,
    }


# What the connections of a worker that prepares statements ask PostgreSQL for at their start (`plan_cache_mode`).
GENERIC_PLANS = "-c plan_cache_mode=force_generic_plan"


def with_generic_plans(database: dict, *, prepared_statements: bool) -> dict:
    """The DATABASES entry `database`, with its connections asking PostgreSQL to plan each prepared statement once,
    generically, from its first run, when statements are prepared (`prepared_cursor`).

    By default PostgreSQL plans a prepared statement afresh for each of its first five runs on a connection, and
    only then settles on one plan, generic, for every value, which is what it chose for the push's statements. A
    pool hands its connections out in turn, so a worker's first pushes and batches of answers went through five
    plannings per connection of the pool: its first ~15 pushes took a millisecond more each, its first bursts of
    answers longer too (docs/performance.md, "A plan from the first run"). Every statement prepared here finds its
    rows by key (a session, a round, a batch of ids), where the generic plan is the plan. Asked for in the
    connection's startup packet (libpq's `options`), it costs no round trip; anything the URL's `options` already
    asks for is kept. Statements that are not prepared (all of Django's) are planned for their values as before."""
    if database.get("ENGINE") != "django.db.backends.postgresql" or not prepared_statements:
        return database
    options = database.setdefault("OPTIONS", {})
    asked = options.get("options", "")
    if "plan_cache_mode" not in asked:
        options["options"] = f"{asked} {GENERIC_PLANS}".strip()
    return database


@contextlib.contextmanager
def prepared_cursor(using: str = DEFAULT_DB_ALIAS) -> Iterator[CursorWrapper]:
    """A cursor for the statements on a live path (a push, a batch of answers, the live results), whose text never
    varies: PostgreSQL parses each once per connection and keeps its plan where a generic one serves.

    Planning costs more than running, for these: the push's read took 1.4 ms, 1.2 ms of them planning, and 0.19 ms
    prepared (docs/performance.md, "Statements planned once"). Values are bound server-side, so a list is an array
    and a string whose type the statement does not make clear is cast (`%s::jsonb`). Anywhere else (SQLite, or
    DATABASE_PREPARED_STATEMENTS off), it is the connection's usual cursor.

    Django turns psycopg's prepared statements off for the connection (`prepare_threshold` None); they are turned on
    only while this cursor is open, so Django's own statements stay out of psycopg's cache of statements, as they
    are out of the server's."""
    connection = connections[using]
    cursor = connection.cursor()  # connected and checked as for any statement
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        with cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    cursor.close()
    raw = connection.connection
    # A psycopg cursor takes its connection (django-stubs leave psycopg's constructor out).
    server_binding = ServerBindingCursor(raw)  # type: ignore[call-arg]
    if raw.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT).timezone != connection.timezone:
        register_tzloader(connection.timezone, server_binding)  # as Django's create_cursor does
    # Wrapped as Django wraps its own cursors: its errors, and the queries it logs.
    wrapper = PreparedDebugCursor if connection.queries_logged else PreparedCursor
    prepared = wrapper(server_binding, connection)
    raw.prepare_threshold = 0  # prepare what this cursor runs, from its first run
    try:
        with prepared:
            yield prepared
    finally:
        raw.prepare_threshold = None


def stale_prepared_statement(error: BaseException | None) -> bool:
    """Whether `error` says that a statement this connection prepared is gone or no longer fits: a pooler or
    `DISCARD ALL` deallocated it, or a migration changed the type of a column it returns."""
    import psycopg

    return isinstance(error, psycopg.errors.InvalidSqlStatementName) or (
        isinstance(error, psycopg.errors.FeatureNotSupported) and "cached plan" in str(error)
    )


class PreparedCursor(CursorWrapper):
    """Django's wrapper, for prepared statements: one that went stale is prepared again.

    psycopg forgets the statements it prepared on a rollback, not when one of them fails. Inside a transaction the
    failure aborts it, and its rollback makes psycopg prepare them afresh next time. Outside one, nothing would, and
    every later run on this connection would fail the same way: psycopg is told to forget them (its
    `PrepareManager.clear()`, as its own rollback does), the server to drop them, and the statement runs again
    (tests/config/test_prepared_statements.py)."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        try:
            return CursorWrapper.execute(self, sql, params)
        except DatabaseError as error:
            if self.db.in_atomic_block or not stale_prepared_statement(error.__cause__):
                raise
            logger.info("prepared statements went stale (%s): prepared again", error.__cause__)
            raw = self.db.connection
            raw._prepared.clear()  # psycopg forgets them, and has the server drop them after the next statement:
            raw.execute("DEALLOCATE ALL", prepare=False)  # this one, so that none prepared from here on is dropped
            return CursorWrapper.execute(self, sql, params)


class PreparedDebugCursor(PreparedCursor, CursorDebugWrapper):
    """PreparedCursor whose queries are logged (DEBUG, a test counting them). Django reads the query it logs back
    from psycopg, which keeps none for a prepared statement, so the statement is logged with its values in place,
    as Django's own cursors log theirs."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        try:
            logged = self.db.ops.compose_sql(sql, params)
        except Exception:  # the values do not fit the statement: running it raises Django's error for that
            logged = sql
        with self.debug_sql(logged, params):
            return PreparedCursor.execute(self, sql, params)


def log_failure(log: logging.Logger, error: BaseException, message: str, *args) -> None:
    """Log a failed piece of database work: with its traceback, unless the database is simply unreachable, which
    `outage` reports once for all of them."""
    if is_unavailable(error):
        outage.failed(error)
    else:
        log.error(message, *args, exc_info=error)


@contextlib.contextmanager
def one_snapshot(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Every read inside sees the database as it was at one moment, as if all were made at once.

    PostgreSQL's default isolation gives each statement a snapshot of its own, so figures read by one statement and
    rows read by the next could disagree about an answer committed in between. Here they share one read-only
    REPEATABLE READ transaction (reads never fail there; nothing may be written). SQLite's transaction already reads
    one snapshot. Inside a transaction already under way, the reads are simply that transaction's.
    """
    connection = connections[using]
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
