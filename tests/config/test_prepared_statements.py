"""The statements of a push, a batch of answers and the live results are planned once per connection on PostgreSQL
(config.database.prepared_cursor), and behave as any other statement: the same results, Django's errors, logged
with their values. A statement that went stale (a pooler deallocated it, a migration changed its columns) is
prepared again. With DATABASE_PREPARED_STATEMENTS off (a pooler in transaction mode), nothing is prepared."""

import psycopg
import pytest
from django.db import IntegrityError, NotSupportedError, ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from classroom import push, selectors, services
from classroom.models import Classroom
from config.database import prepared_cursor, with_generic_plans
from tests.factories import ClassroomFactory, EnrolmentFactory, LiveSessionFactory, QuizFactory, make_question

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]

SUM = "SELECT %s::integer + 1"


def plans_made() -> dict[str, tuple[int, int]]:
    """For each statement this test's connection has prepared: how many times PostgreSQL planned it for the values
    of a run (custom plans), and how many runs used its one generic plan."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, custom_plans, generic_plans FROM pg_prepared_statements WHERE from_sql IS FALSE"
        )
        return {statement: (custom, generic) for statement, custom, generic in cursor.fetchall()}


def prepared_statements() -> list[str]:
    """The statements this test's connection has prepared, as PostgreSQL holds them (values as $1, $2...)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE from_sql IS FALSE")
        return [statement for (statement,) in cursor.fetchall()]


def test_a_statement_run_again_is_prepared_once_and_answers_for_each_value():
    with prepared_cursor() as cursor:
        cursor.execute(SUM, [41])
        assert cursor.fetchone() == (42,)
    with prepared_cursor() as cursor:
        cursor.execute(SUM, [1])
        assert cursor.fetchone() == (2,)
    assert prepared_statements().count("SELECT $1::integer + 1") == 1


def test_a_prepared_statement_is_logged_with_its_values():
    with CaptureQueriesContext(connection) as logged, prepared_cursor() as cursor:
        cursor.execute(SUM, [41])
        cursor.execute("SELECT id FROM classroom_classroom WHERE id = ANY(%s)", [[1, 2]])
    assert [query["sql"] for query in logged.captured_queries] == [
        "SELECT 41::integer + 1",
        "SELECT id FROM classroom_classroom WHERE id = ANY('{1,2}'::int2[])",
    ]


def test_a_prepared_statements_errors_are_djangos():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE prepared_keys (id integer PRIMARY KEY)")
    with prepared_cursor() as cursor:
        cursor.execute("INSERT INTO prepared_keys (id) VALUES (%s)", [1])
    with pytest.raises(IntegrityError), prepared_cursor() as cursor:
        cursor.execute("INSERT INTO prepared_keys (id) VALUES (%s)", [1])


def test_with_prepared_statements_off_nothing_is_prepared(settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    for value in (41, 1, 7):
        with prepared_cursor() as cursor:
            cursor.execute(SUM, [value])
            assert cursor.fetchone() == (value + 1,)
    assert prepared_statements() == []


def test_djangos_own_statements_are_never_prepared_nor_kept():
    with prepared_cursor() as cursor:
        cursor.execute(SUM, [1])
    for _ in range(3):
        list(Classroom.objects.filter(name="never prepared"))
    assert prepared_statements() == ["SELECT $1::integer + 1"]
    assert connection.connection.prepare_threshold is None  # as Django leaves it, once the prepared cursor closed


def test_a_prepared_statement_with_values_that_do_not_fit_raises_djangos_error_when_logged_too():
    with CaptureQueriesContext(connection), pytest.raises(ProgrammingError), prepared_cursor() as cursor:
        cursor.execute("SELECT %s::integer + %s", [1])


@pytest.mark.django_db(transaction=True)
def test_a_statement_a_pooler_deallocated_is_prepared_again():
    with prepared_cursor() as cursor:
        cursor.execute(SUM, [1])
    connection.connection.pgconn.exec_(b"DEALLOCATE ALL")  # behind psycopg's back, as a pooler's DISCARD ALL
    for value in (41, 1):
        with prepared_cursor() as cursor:
            cursor.execute(SUM, [value])
            assert cursor.fetchone() == (value + 1,)
    assert prepared_statements() == ["SELECT $1::integer + 1"]


@pytest.fixture
def short_names():
    """A table of its own whose column a migration could change while statements reading it are prepared."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE prepared_names (id integer PRIMARY KEY, name varchar(8))")
        cursor.execute("INSERT INTO prepared_names VALUES (1, 'Ada')")
    yield "SELECT name FROM prepared_names WHERE id = %s"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE prepared_names")


def lengthened_elsewhere() -> None:
    """The column's type changed by another connection, as a migration run while the workers serve."""
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("ALTER TABLE prepared_names ALTER COLUMN name TYPE text")


@pytest.mark.django_db(transaction=True)
def test_a_statement_whose_columns_a_migration_changed_is_prepared_again(short_names):
    with prepared_cursor() as cursor:
        cursor.execute(short_names, [1])
    lengthened_elsewhere()
    for _ in range(2):
        with prepared_cursor() as cursor:
            cursor.execute(short_names, [1])
            assert cursor.fetchone() == ("Ada",)


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_a_stale_statement_fails_it_and_is_prepared_again_after_the_rollback(short_names):
    with prepared_cursor() as cursor:
        cursor.execute(short_names, [1])
    lengthened_elsewhere()
    with pytest.raises(NotSupportedError), transaction.atomic(), prepared_cursor() as cursor:
        cursor.execute(short_names, [1])
    with transaction.atomic(), prepared_cursor() as cursor:
        cursor.execute(short_names, [1])
        assert cursor.fetchone() == ("Ada",)


def test_a_push_a_batch_of_answers_and_the_live_results_run_prepared():
    classroom = ClassroomFactory()
    quiz = QuizFactory(owner=classroom.owner)
    first, second = make_question(quiz), make_question(quiz)
    session = LiveSessionFactory(classroom=classroom, quiz=quiz, started_by=classroom.owner)
    student = EnrolmentFactory(classroom=classroom).student
    for question in (first, second):
        round_ = services.session_push_question(
            session_id=session.pk, question_id=question.pk, pushed_by=classroom.owner
        )
    [outcome] = services.answers_submit(
        submissions=[
            services.AnswerSubmission(
                session_id=session.pk,
                round_id=round_.pk,
                student_id=student.pk,
                client_id="first",
                raw_response={"choice": second.choices.get(is_correct=True).pk},
                received_at=timezone.now(),
            )
        ]
    )
    assert outcome.answer is not None and outcome.answer.is_correct
    results = selectors.round_results(round_=round_)
    assert results["answered"] == 1
    assert selectors.live_sessions({session.pk})[session.pk].current_round_id == round_.pk

    prepared = prepared_statements()
    as_prepared = {
        "the push's read": push.READ,
        "the push's write": push.WRITE,
        "the answers' lock": services.SESSIONS_SHARE_LOCK,
        "the answers' rounds": services.ANSWER_ROUNDS,
        "the answers' insert": services.ANSWER_INSERT,
        "who answered": selectors.ANSWER_MARKS,
        "the live session's read": selectors.LIVE_SESSION_READ,
    }
    for name, statement in as_prepared.items():
        # PostgreSQL holds the statement with its values numbered: compare the text up to the first value.
        head = statement[: statement.index("%")].strip()
        assert any(held.strip().startswith(head) for held in prepared), f"{name} was not prepared"


def test_a_prepared_statement_is_never_planned_for_the_values_of_a_run_not_even_its_first_five():
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_generic_plan",)
    classroom = ClassroomFactory()
    quiz = QuizFactory(owner=classroom.owner)
    questions = [make_question(quiz) for _ in range(3)]
    session = LiveSessionFactory(classroom=classroom, quiz=quiz, started_by=classroom.owner)
    for question in questions:  # PostgreSQL's default would plan each of the first five runs for its values
        services.session_push_question(session_id=session.pk, question_id=question.pk, pushed_by=classroom.owner)

    plans = plans_made()
    for statement in (push.READ, push.WRITE):
        head = statement[: statement.index("%")].strip()
        [(custom, generic)] = [made for held, made in plans.items() if held.strip().startswith(head)]
        assert custom == 0 and generic > 0  # the one plan, made at the first run, reused since


def test_a_database_url_s_own_startup_options_are_kept_and_generic_plans_asked_for_only_where_statements_are_prepared():
    postgresql = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"options": "-c search_path=quizcast"}}
    assert with_generic_plans(postgresql, prepared_statements=True)["OPTIONS"]["options"] == (
        "-c search_path=quizcast -c plan_cache_mode=force_generic_plan"
    )
    assert with_generic_plans(postgresql, prepared_statements=True)["OPTIONS"]["options"] == (
        "-c search_path=quizcast -c plan_cache_mode=force_generic_plan"
    )  # asked for once
    chosen = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"options": "-c plan_cache_mode=auto"}}
    assert with_generic_plans(chosen, prepared_statements=True)["OPTIONS"] == {"options": "-c plan_cache_mode=auto"}
    behind_a_pooler = {"ENGINE": "django.db.backends.postgresql"}
    assert "OPTIONS" not in with_generic_plans(behind_a_pooler, prepared_statements=False)
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "OPTIONS": {}}
    assert with_generic_plans(sqlite, prepared_statements=True)["OPTIONS"] == {}
