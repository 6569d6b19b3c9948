"""Reads of live sessions that are more than a one-liner: results, leaderboards, rosters. Reports and exports
are in classroom/reports.py."""

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate
from typing import TYPE_CHECKING, TypedDict, cast

from django.db import connection
from django.db.models import Count, F, Field, OuterRef, Q, Subquery, Sum, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from classroom import rows
from classroom.models import Answer, Classroom, Enrolment, LiveSession, Participant, Round, teaches_q
from classroom.reports import competition_ranks
from config.database import prepared_cursor
from quizzes.grading import normalize_text
from quizzes.models import Question, Quiz
from quizzes.ordering import shown_items
from quizzes.wordcloud import word_cloud, word_cloud_of_spellings

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

Type = Question.Type


@dataclass(frozen=True)
class Standing:
    student_id: int
    name: str
    points: int
    rank: int


def classrooms_taught_by(*, user: User):
    if user.is_superuser:
        return Classroom.objects.all()
    return Classroom.objects.filter(teaches_q(user)).distinct()


def students_taught_by(*, user: User):
    """Students enrolled in a classroom `user` teaches; every student for an admin."""
    students = User.objects.filter(role=User.Role.STUDENT)
    if user.is_superuser:
        return students
    taught = Classroom.objects.filter(teaches_q(user)).values("pk")
    return students.filter(pk__in=Enrolment.objects.filter(classroom__in=taught).values("student"))


def quizzes_runnable_by(*, user: User):
    if user.is_superuser:
        return Quiz.objects.all()
    return Quiz.objects.filter(owner=user)


def sessions_visible_to(*, user: User):
    sessions = LiveSession.objects.select_related("classroom", "quiz")
    if user.is_superuser:
        return sessions
    return sessions.filter(classroom__in=classrooms_taught_by(user=user))


def session_roster(*, session: LiveSession) -> list[dict]:
    """Everyone expected in the session: the classroom's students and the guests who joined; `removed` marks the
    students the teacher removed from it."""
    enrolled = User.objects.filter(enrolments__classroom_id=session.classroom_id)
    guests = User.objects.filter(pk__in=Participant.objects.filter(session=session).values("student_id"))
    students = (enrolled | guests).distinct().order_by("display_name", "username")
    removed = set(
        Participant.objects.filter(session=session, removed_at__isnull=False).values_list("student_id", flat=True)
    )
    return [{"id": s.pk, "name": s.name, "guest": s.is_guest, "removed": s.pk in removed} for s in students]


def round_effective_state(*, round_: Round, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if round_.revealed_at is not None:
        return "revealed"
    return "open" if round_.is_open_at(now) else "closed"


def with_quiz_position(questions):
    """Annotate each question with its number in its quiz (from 1) and the quiz's number of questions, in the same
    statement that reads it (a push reads its question so, at no extra query)."""
    siblings = Question.objects.filter(quiz_id=OuterRef("quiz_id")).order_by().values("quiz_id")
    earlier = siblings.filter(Q(order__lt=OuterRef("order")) | Q(order=OuterRef("order"), pk__lt=OuterRef("pk")))
    return questions.annotate(
        number_in_quiz=Coalesce(Subquery(earlier.annotate(n=Count("pk")).values("n")), 0) + 1,
        quiz_size=Subquery(siblings.annotate(n=Count("pk")).values("n")),
    )


def live_sessions(session_ids: set[int]) -> dict[int, LiveSession]:
    """The sessions, each with its quiz, its classroom and its current round (its question and the question's
    choices) read: what every command, snapshot and results update of a live session starts from.

    On PostgreSQL in one hand-written statement (`live_sessions_postgresql`): the results are read ten times a
    second while answers arrive, and compiling the ORM's two queries cost more than running them
    (docs/performance.md). tests/classroom/test_live_session_read.py compares the two."""
    if not session_ids:
        return {}
    if connection.vendor == "postgresql":
        return live_sessions_postgresql(session_ids)
    return _live_sessions_orm(session_ids)


def _live_sessions_orm(session_ids: set[int]) -> dict[int, LiveSession]:
    sessions = {
        session.pk: session
        for session in LiveSession.objects.select_related("quiz", "classroom", "current_round__question").filter(
            pk__in=session_ids
        )
    }
    current = [session.current_round for session in sessions.values() if session.current_round is not None]
    prefetch_related_objects([round_.question for round_ in current], "choices")
    return sessions


def _live_session_statement() -> str:
    session, quiz, classroom = LiveSession._meta.db_table, Quiz._meta.db_table, Classroom._meta.db_table
    round_, question = Round._meta.db_table, Question._meta.db_table
    return f"""
        SELECT {rows.columns("s", LIVE_SESSION_FIELDS)}, {rows.columns("z", QUIZ_FIELDS)},
            {rows.columns("k", CLASSROOM_FIELDS)}, {rows.columns("r", ROUND_FIELDS)},
            {rows.columns("q", rows.QUESTION_FIELDS)}, {rows.position_columns("q")}, {rows.choices_json("q")}
        FROM {session} s
        JOIN {quiz} z ON z.id = s.quiz_id
        JOIN {classroom} k ON k.id = s.classroom_id
        LEFT JOIN {round_} r ON r.id = s.current_round_id
        LEFT JOIN {question} q ON q.id = r.question_id
        WHERE s.id = ANY(%s)
    """  # noqa: S608 (table and column names from the models; the ids are a parameter)


LIVE_SESSION_FIELDS = list(LiveSession._meta.concrete_fields)
QUIZ_FIELDS = list(Quiz._meta.concrete_fields)
CLASSROOM_FIELDS = list(Classroom._meta.concrete_fields)
ROUND_FIELDS = list(Round._meta.concrete_fields)
LIVE_SESSION_READ = _live_session_statement()


def live_sessions_postgresql(session_ids: set[int]) -> dict[int, LiveSession]:
    """`live_sessions` in one statement: the columns of each model in turn, the question's place in its quiz (so
    that `question_position` needs no query of its own: two counts over the quiz's few questions, by its index),
    the choices as JSON."""
    ends = list(
        accumulate(len(fields) for fields in (LIVE_SESSION_FIELDS, QUIZ_FIELDS, CLASSROOM_FIELDS, ROUND_FIELDS))
    )
    sessions = {}
    with prepared_cursor() as cursor:
        cursor.execute(LIVE_SESSION_READ, [sorted(session_ids)])
        for row in cursor.fetchall():
            session = rows.instance(LiveSession, LIVE_SESSION_FIELDS, row[: ends[0]])
            session.quiz = rows.instance(Quiz, QUIZ_FIELDS, row[ends[0] : ends[1]])
            session.classroom = rows.instance(Classroom, CLASSROOM_FIELDS, row[ends[1] : ends[2]])
            round_values = row[ends[2] : ends[3]]
            if session.current_round_id is None or round_values[0] is None:
                session.current_round = None
            else:
                round_ = rows.instance(Round, ROUND_FIELDS, round_values)
                question = rows.question_with_choices(row[ends[3] : -3], row[-1])
                question.number_in_quiz, question.quiz_size = row[-3:-1]  # type: ignore[attr-defined]
                round_.question = question
                session.current_round = round_
            sessions[session.pk] = session
    return sessions


class QuizPosition(TypedDict):
    number_in_quiz: int
    quiz_size: int


def question_position(*, question: "Question | WithAnnotations[Question, QuizPosition]") -> tuple[int, int]:
    """Where the question stands in its quiz: (its number, from 1; the quiz's number of questions)."""
    positioned = cast(
        "WithAnnotations[Question, QuizPosition]",
        question
        if hasattr(question, "number_in_quiz")
        else with_quiz_position(Question.objects.filter(pk=question.pk)).get(),
    )
    return positioned.number_in_quiz, positioned.quiz_size


ANSWER_FIELDS: list[Field] = list(Answer._meta.concrete_fields)
STUDENTS_ANSWERS = (
    f"SELECT {rows.columns('a', ANSWER_FIELDS)} FROM {Answer._meta.db_table} a"  # noqa: S608 (model names)
    " WHERE a.round_id = %s AND a.student_id = ANY(%s)"
)
ANY_ROUND_REVEALED = (
    f"SELECT EXISTS (SELECT FROM {Round._meta.db_table}"  # noqa: S608 (a model's table)
    " WHERE session_id = %s AND revealed_at IS NOT NULL)"
)


def students_answers(*, round_id: int, student_ids: Iterable[int]) -> dict[int, Answer]:
    """These students' answers to the round, by student id.

    Read for every batch of students' sockets opening (their snapshots): on PostgreSQL a prepared statement, whose
    ORM compilation would cost the batch more than running it (docs/performance.md, "Opening a batch of sockets")."""
    student_ids = sorted(set(student_ids))
    if not student_ids:
        return {}
    if connection.vendor != "postgresql":
        answers = list(Answer.objects.filter(round_id=round_id, student_id__in=student_ids))
    else:
        with prepared_cursor() as cursor:
            cursor.execute(STUDENTS_ANSWERS, [round_id, student_ids])
            answers = [rows.instance(Answer, ANSWER_FIELDS, row) for row in cursor.fetchall()]
    return {answer.student_id: answer for answer in answers}


def any_round_revealed(*, session_id: int) -> bool:
    """Whether a round of the session was revealed: from then on the students' snapshots show their standing."""
    if connection.vendor != "postgresql":
        return Round.objects.filter(session_id=session_id, revealed_at__isnull=False).exists()
    with prepared_cursor() as cursor:
        cursor.execute(ANY_ROUND_REVEALED, [session_id])
        return cursor.fetchone()[0]


def overdue_rounds(*, now: datetime):
    """The current rounds whose deadline (or later closing time, with extra time) has passed and that are still
    open: the deadline sweeper closes them."""
    due = Q(closes_at__lte=now) | Q(closes_at__isnull=True, deadline__lte=now)
    return Round.objects.filter(due, closed_at__isnull=True, stays_open=False, session__current_round=F("pk"))


def overdue_paced_sessions(*, now: datetime):
    """The student-paced sessions whose closing time has passed and that have not ended: the sweeper ends them."""
    return LiveSession.objects.filter(
        pacing=LiveSession.Pacing.STUDENT,
        closes_at__lte=now,
        state__in=[LiveSession.State.QUESTION_OPEN, LiveSession.State.LOBBY],
    )


ANYTHING_OVERDUE = (
    f"SELECT EXISTS (SELECT FROM {Round._meta.db_table} r"  # noqa: S608 (models' tables)
    f" JOIN {LiveSession._meta.db_table} s ON s.current_round_id = r.id"
    " WHERE r.closed_at IS NULL AND NOT r.stays_open"
    " AND (r.closes_at <= %(now)s OR (r.closes_at IS NULL AND r.deadline <= %(now)s)))"
    f" OR EXISTS (SELECT FROM {LiveSession._meta.db_table}"
    " WHERE pacing = %(student_paced)s AND closes_at <= %(now)s AND state = ANY(%(unended)s))"
)


def anything_overdue(*, now: datetime) -> bool:
    """Whether any round or student-paced session is overdue (`overdue_rounds`, `overdue_paced_sessions`).

    Every worker asks twice a second, almost always to hear no. On PostgreSQL it is one prepared statement: the
    two ORM queries it stands for took ~2.7 ms of the worker's CPU to compile, pushes and answers waiting behind
    them. Elsewhere it answers yes, and the sweep asks the two queries themselves."""
    if connection.vendor != "postgresql":
        return True
    with prepared_cursor() as cursor:
        cursor.execute(
            ANYTHING_OVERDUE,
            {
                "now": now,
                "student_paced": LiveSession.Pacing.STUDENT.value,
                "unended": [LiveSession.State.QUESTION_OPEN.value, LiveSession.State.LOBBY.value],
            },
        )
        return bool(cursor.fetchone()[0])


PARTICIPATION = (
    f"SELECT student_id, removed_at FROM {Participant._meta.db_table}"  # noqa: S608 (a model's table)
    " WHERE session_id = %s AND student_id = ANY(%s)"
)


def students_participation(*, session_id: int, student_ids: Iterable[int]) -> dict[int, datetime | None]:
    """When the teacher removed each of these students who joined the session (None: they are in it), by student
    id; a student who never joined is left out. Read for every batch of sockets opening (and a student's page
    asking whether they may join): on PostgreSQL a prepared statement."""
    student_ids = sorted(set(student_ids))
    if not student_ids:
        return {}
    if connection.vendor != "postgresql":
        return dict(
            Participant.objects.filter(session_id=session_id, student_id__in=student_ids).values_list(
                "student_id", "removed_at"
            )
        )
    with prepared_cursor() as cursor:
        cursor.execute(PARTICIPATION, [session_id, student_ids])
        return dict(cursor.fetchall())


def round_results(*, round_: Round) -> dict:
    """Live results of a round for the teacher: counts by choice, numeric values, grouped texts (each saying
    whether the teacher hid it from the projector), who answered."""
    question = round_.question
    counted_by_database = connection.vendor == "postgresql" and (
        question.type == Type.WORDCLOUD or question.uses_choices
    )
    if counted_by_database:
        # The words and the choices are counted by the database: a few hundred spellings or a few choices, not
        # 2,000 JSON documents, cross the wire and are decoded (the results are read every 0.1 s while answers
        # arrive, beside the batches storing them).
        answered: list[tuple[int, dict, bool | None]] = [
            (student_id, {}, ok) for student_id, ok in _answer_marks(round_)
        ]
    else:
        answered = list(round_.answers.values_list("student_id", "response", "is_correct"))
    results: dict = {
        "round_id": round_.pk,
        "answered": len(answered),
        "correct": sum(1 for _s, _r, ok in answered if ok),
        "answered_ids": sorted(student_id for student_id, _r, _ok in answered),
    }
    if question.uses_choices:
        counts = (
            _choice_counts(round_) if counted_by_database else choice_counts(response for _s, response, _ok in answered)
        )
        results["choice_counts"] = {str(c.pk): counts.get(c.pk, 0) for c in question.choices.all()}
    elif question.type == Type.NUMERIC:
        values = Counter(response["value"] for _s, response, _ok in answered)
        results["values"] = sorted(([v, n] for v, n in values.items()), key=lambda pair: float(pair[0]))
    elif question.type == Type.WORDCLOUD and connection.vendor == "postgresql":
        results["words"] = word_cloud_of_spellings(_word_counts(round_), hidden=round_.hidden_texts)
    elif question.type == Type.WORDCLOUD:
        results["words"] = word_cloud((response for _s, response, _ok in answered), hidden=round_.hidden_texts)
    elif question.type == Type.SCALE:
        results.update(_scale_results(question, [response["value"] for _s, response, _ok in answered]))
    elif question.type == Type.ORDERING:
        results["positions"] = _item_positions(question, round_, [response["order"] for _s, response, _ok in answered])
    else:
        groups: dict[str, dict] = {}
        hidden = set(round_.hidden_texts)
        for _s, response, ok in answered:
            key = normalize_text(response["text"])
            group = groups.setdefault(
                key, {"text": response["text"], "count": 0, "correct": ok, "hidden": key in hidden}
            )
            group["count"] += 1
        results["texts"] = sorted(groups.values(), key=lambda g: (-g["count"], g["text"]))
    return results


def choice_counts(responses: Iterable[dict]) -> Counter[object]:
    """How many answers picked each choice: each of a multiple-choice answer's `choices`, else its `choice`."""
    counts: Counter[object] = Counter()
    for response in responses:
        counts.update(response.get("choices") or [response.get("choice")])
    return counts


ANSWER_MARKS = f"SELECT student_id, is_correct FROM {Answer._meta.db_table} WHERE round_id = %s"  # noqa: S608 (a model's table)


def _answer_marks(round_: Round) -> list[tuple[int, bool | None]]:
    """Who answered the round and whether correctly (PostgreSQL): the query the ORM would build, without building
    it ten times a second."""
    with prepared_cursor() as cursor:
        cursor.execute(ANSWER_MARKS, [round_.pk])
        return cursor.fetchall()


def _choice_counts(round_: Round) -> Counter[object]:
    """`choice_counts` of the round's answers, counted by PostgreSQL: each distinct value picked comes back once,
    as JSON, and is decoded as the answers' JSON would be."""
    with prepared_cursor() as cursor:
        cursor.execute(
            """
            SELECT picked::text, COUNT(*) FROM classroom_answer AS answer
            CROSS JOIN LATERAL jsonb_array_elements(
                CASE WHEN jsonb_typeof(answer.response -> 'choices') = 'array'
                        AND jsonb_array_length(answer.response -> 'choices') > 0
                    THEN answer.response -> 'choices'
                    ELSE jsonb_build_array(answer.response -> 'choice')
                END
            ) AS picked
            WHERE answer.round_id = %s
            GROUP BY picked
            """,
            [round_.pk],
        )
        counts: Counter[object] = Counter()
        for picked, count in cursor.fetchall():
            counts[json.loads(picked)] += count
        return counts


def _word_counts(round_: Round) -> list[tuple[str, int]]:
    """Each spelling sent in the round's word-cloud answers and how many times, in the order first sent
    (PostgreSQL)."""
    with prepared_cursor() as cursor:
        cursor.execute(
            """
            SELECT word, COUNT(*) FROM classroom_answer AS answer
            CROSS JOIN LATERAL jsonb_array_elements_text(answer.response -> 'words') AS word
            WHERE answer.round_id = %s
            GROUP BY word
            ORDER BY MIN(answer.id)
            """,
            [round_.pk],
        )
        return cursor.fetchall()


def _scale_results(question: Question, values: list[int]) -> dict:
    """A histogram over every rating of the scale (zeros included) and the mean, rounded to two decimals."""
    counts = Counter(values)
    return {
        "histogram": [[value, counts.get(value, 0)] for value in range(question.scale_min, question.scale_max + 1)],
        "mean": round(sum(values) / len(values), 2) if values else None,
    }


def _item_positions(question: Question, round_: Round, orders: list[list[int]]) -> dict[str, list[int]]:
    """For each item id (as a string), how many answers put it first, second, and so on."""
    ids = [item.id for item in shown_items(question, round_id=round_.pk)]
    positions = {str(item_id): [0] * len(ids) for item_id in ids}
    for order in orders:
        for place, item_id in enumerate(order):
            positions[str(item_id)][place] += 1
    return positions


def session_leaderboard(*, session: LiveSession) -> list[Standing]:
    """The students who took part, best first: those who answered at least one revealed question, with points from
    revealed rounds only, so the board never hints at an answer before its reveal. Enrolled students who never
    answered are not on it."""
    totals = dict(
        Answer.objects.filter(round__session=session, round__revealed_at__isnull=False)
        .values_list("student_id")
        .annotate(total=Sum("points"))
        .values_list("student_id", "total")
    )
    names = {user.pk: user.name for user in User.objects.filter(pk__in=totals)}
    ordered = sorted(names.items(), key=lambda item: (-(totals[item[0]] or 0), item[1].casefold()))
    points = [totals[student_id] or 0 for student_id, _name in ordered]
    return [
        Standing(student_id=student_id, name=name, points=score, rank=rank)
        for (student_id, name), score, rank in zip(ordered, points, competition_ranks(points), strict=True)
    ]


def accommodations_for(*, classroom_id: int, student: User) -> dict:
    """What the student page adapts for this student: extra time ("", "1.5", "2", "unlimited") and reading
    questions aloud, as the teacher set them on the enrolment."""
    enrolment = Enrolment.objects.filter(classroom_id=classroom_id, student=student).first()
    if enrolment is None:
        return {"extraTime": "", "readAloud": False}
    return {"extraTime": enrolment.extra_time, "readAloud": enrolment.read_aloud}


def extra_time_count(*, classroom_id: int) -> int:
    """How many of the classroom's students have extra time: the teacher's page says the round stays open for them."""
    return Enrolment.objects.filter(classroom_id=classroom_id).exclude(extra_time="").count()
