"""A push on PostgreSQL in two statements, each its own transaction: everything a push needs read in one, every
write in the other, made only if the session is still as it was read.

A push is on the path to every student's screen: each statement of it is a round trip and an ORM compilation paid
before the first frame goes out, and a transaction's `BEGIN` and `COMMIT` are two more (docs/performance.md).
`classroom.services.session_push_question` does the same work through the ORM in six statements and the choices'
read; on PostgreSQL it comes here. Both give the same rounds and the same refusals
(tests/classroom/test_push_statements.py runs them side by side).

1. `READ`: the session, whether the user teaches its classroom, its current round, the last round's number, the
   question (only if it is in the session's quiz) with its place in the quiz, which kinds of extra time the
   classroom's students have, and the question's choices as JSON. It takes no lock.
2. `WRITE`: lock the session's row if its state, pacing and current round are still those read (the lock waits
   for any push, close, reveal or end under way, and the condition is checked again on the row they left); then
   close the current round if it is still open, insert the new round and make it the session's current one. Every
   command that could change what the push wrote from changes the session's state or current round, so a session
   found as read is one whose read still holds. Its commit does not wait for the disk (below).

A push whose session changed between the two (another teacher's command came first) reads again. After
`OVERTAKEN_ATTEMPTS` such tries it takes the session's lock before reading, as the other commands do, and then
cannot be overtaken. The read never takes that lock itself: a statement that waited for a lock would read the rows
it did not lock (the current round, the last round's number) as they were when it began
(tests/classroom/test_push_concurrency.py).

A push's commit does not wait for its write-ahead log to reach the disk (`synchronous_commit` off for its own
transaction, `push_commit_mode`, `DATABASE_PUSH_SYNCHRONOUS_COMMIT`): from idle, that wait was most of the write's
time and all of its tail (docs/performance.md, "The push's commit"). The round is on disk within PostgreSQL's
`wal_writer_delay` (3x at most), and before any answer to it is acknowledged: an answer's commit waits, and the log
is written in order. So only a crash of PostgreSQL or of its machine within that fraction of a second can lose a
push, and then only one no answer was acknowledged for (docs/operations.md, "What a crash of the database can
lose").
"""

import contextlib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from accounts.models import User
from classroom import rows
from classroom.accommodations import EXTRA_TIMES, round_closing
from classroom.errors import DomainError
from classroom.models import Classroom, CloseCause, Enrolment, LiveSession, Round
from config.database import prepared_cursor
from quizzes.models import Question

State = LiveSession.State

ROUND_FIELDS = [field for field in Round._meta.concrete_fields if not field.primary_key]


def _read_statement() -> str:
    session, round_, question = LiveSession._meta.db_table, Round._meta.db_table, Question._meta.db_table
    classroom = Classroom._meta.db_table
    co_teachers, enrolment = Classroom.co_teachers.through._meta.db_table, Enrolment._meta.db_table
    extra_times = ", ".join(
        f"EXISTS (SELECT 1 FROM {enrolment} e"  # noqa: S608 (names from the models, values as parameters)
        f" WHERE e.classroom_id = s.classroom_id AND e.extra_time = %(extra_{index})s)"
        for index in range(len(EXTRA_TIMES))
    )
    return f"""
        SELECT s.state, s.pacing,
            EXISTS (
                SELECT 1 FROM {classroom} k WHERE k.id = s.classroom_id AND (
                    k.owner_id = %(user)s
                    OR EXISTS (SELECT 1 FROM {co_teachers} t WHERE t.classroom_id = k.id AND t.user_id = %(user)s)
                )
            ),
            r.id, r.number, r.closed_at, r.closes_at, r.deadline, r.stays_open,
            (SELECT COALESCE(MAX(n.number), 0) FROM {round_} n WHERE n.session_id = s.id),
            q.id IS NOT NULL,
            {rows.columns("q", rows.QUESTION_FIELDS)},
            {rows.position_columns("q")},
            {extra_times},
            {rows.choices_json("q")}
        FROM {session} s
        LEFT JOIN {round_} r ON r.id = s.current_round_id
        LEFT JOIN {question} q ON q.id = %(question)s AND q.quiz_id = s.quiz_id
        WHERE s.id = %(session)s
    """  # noqa: S608 (table and column names from the models; every value is a parameter)


def _write_statement() -> str:
    session, round_ = LiveSession._meta.db_table, Round._meta.db_table
    columns = ", ".join(f'"{field.column}"' for field in ROUND_FIELDS)
    # Typed: the values are selected (from the locked session's row), not inserted as VALUES.
    values = ", ".join(f"CAST(%(new_{field.attname})s AS {field.cast_db_type(connection)})" for field in ROUND_FIELDS)
    return f"""
        WITH as_read AS (
            SELECT id FROM {session}
            WHERE id = %(session)s AND state = %(read_state)s AND pacing = %(read_pacing)s
                AND current_round_id IS NOT DISTINCT FROM %(read_current)s
            FOR UPDATE
        ), closed AS (
            UPDATE {round_} SET closed_at = %(closed_at)s, closed_by_id = %(user)s, close_cause = %(cause)s
            WHERE id = %(closing)s AND closed_at IS NULL AND EXISTS (SELECT 1 FROM as_read)
        ), opened AS (
            INSERT INTO {round_} ({columns}) SELECT {values} FROM as_read RETURNING id
        )
        UPDATE {session} SET state = %(state)s, current_round_id = (SELECT id FROM opened)
        WHERE id = (SELECT id FROM as_read)
        RETURNING current_round_id, set_config(
            'synchronous_commit', COALESCE(%(synchronous_commit)s, current_setting('synchronous_commit')), true
        )
    """  # noqa: S608 (table and column names from the models; every value is a parameter)


LOCK = f"SELECT id FROM {LiveSession._meta.db_table} WHERE id = %(session)s FOR UPDATE"  # noqa: S608 (a model's table)
READ, WRITE = _read_statement(), _write_statement()


# Reads of a push that another command may overtake before the push takes the session's lock itself.
OVERTAKEN_ATTEMPTS = 3


def push_commit_mode() -> str | None:
    """`synchronous_commit` for a push's transaction: "off", or None to leave it as the connection's other commits
    have it (PostgreSQL's own setting, which may be stricter than on). A push inside a transaction of its caller's
    leaves it too: the setting would reach that transaction's other writes."""
    if settings.DATABASE_PUSH_SYNCHRONOUS_COMMIT or connection.in_atomic_block:
        return None
    return "off"


def push_question_postgresql(*, session_id: int, question_id: int, pushed_by: User, now: datetime) -> Round:
    """session_push_question on PostgreSQL: the same round and refusals, in two statements (in four, with the lock
    and its transaction, once three reads in a row were overtaken)."""
    arguments: dict[str, Any] = {"session": session_id, "question": question_id, "user": pushed_by.pk}
    arguments["synchronous_commit"] = push_commit_mode()
    arguments.update({f"extra_{index}": value for index, value in enumerate(EXTRA_TIMES)})
    for attempt in range(OVERTAKEN_ATTEMPTS + 1):
        locking = attempt == OVERTAKEN_ATTEMPTS
        with transaction.atomic() if locking else contextlib.nullcontext(), prepared_cursor() as cursor:
            if locking:
                cursor.execute(LOCK, arguments)
            round_ = _planned_round(cursor, arguments, pushed_by=pushed_by, now=now)
            cursor.execute(WRITE, arguments)
            written = cursor.fetchone()
        if written is not None:
            round_.pk = written[0]
            round_._state.adding = False
            round_._state.db = "default"
            return round_
    raise AssertionError("a push that held the session's lock found the session changed")


def _planned_round(cursor: Any, arguments: dict[str, Any], *, pushed_by: User, now: datetime) -> Round:
    """READ the session and the question, refuse the push if it must be, and plan the new round: its unsaved
    instance, and WRITE's arguments added to `arguments`."""
    session_id = arguments["session"]
    cursor.execute(READ, arguments)
    row = cursor.fetchone()
    if row is None:
        raise DomainError("not_found", "This session does not exist.")
    state, pacing, taught, current_id, current_number, closed_at, closes_at, deadline, stays_open = row[:9]
    last_number, found = row[9:11]
    question_values = row[11 : 11 + len(rows.QUESTION_FIELDS)]
    number_in_quiz, quiz_size, *rest = row[11 + len(rows.QUESTION_FIELDS) :]
    has_extra, choices = rest[: len(EXTRA_TIMES)], rest[len(EXTRA_TIMES)]
    if not (taught and pushed_by.is_teacher) and not pushed_by.is_superuser:
        raise DomainError("forbidden", "You no longer teach this session's classroom.")
    if state == State.ENDED:
        raise DomainError("session_ended", "This session has ended.")
    if pacing == LiveSession.Pacing.STUDENT:
        raise DomainError("student_paced", "In a student-paced session each student moves on by themselves.")
    if not found:
        raise DomainError("not_found", "That question is not in this session's quiz.")

    question = rows.question_with_choices(question_values, choices)
    question.number_in_quiz, question.quiz_size = number_in_quiz, quiz_size  # type: ignore[attr-defined]
    new_deadline = now + timedelta(seconds=question.time_limit) if question.time_limit else None
    new_closes_at, new_stays_open = round_closing(
        extra_times={value for value, has in zip(EXTRA_TIMES, has_extra, strict=True) if has},
        deadline=new_deadline,
        time_limit=question.time_limit,
    )
    round_ = Round(
        session_id=session_id,
        question=question,
        number=(current_number if current_number is not None else last_number) + 1,
        opened_at=now,
        deadline=new_deadline,
        closes_at=new_closes_at,
        stays_open=new_stays_open,
        opened_by=pushed_by,
    )
    # The current round closes at its own closing time if that passed (when answers stopped counting), else now.
    current_closes = None if stays_open else closes_at or deadline
    arguments.update(
        {
            "read_state": state,
            "read_pacing": pacing,
            "read_current": current_id,
            "closing": current_id if closed_at is None else None,
            "closed_at": min(now, current_closes) if current_closes else now,
            "cause": CloseCause.NEXT_QUESTION,
            "state": State.QUESTION_OPEN,
            **{
                f"new_{field.attname}": field.get_db_prep_save(getattr(round_, field.attname), connection)
                for field in ROUND_FIELDS
            },
        }
    )
    return round_
