"""Reports on sessions, for their teachers and for each student: reads only.

Every figure works on any question type: answers are grouped by how `quizzes.grading.response_describe` writes them
and judged by the grade stored with them, and the correct answer is written from `quizzes.payloads.answer_key`, so a
new question type needs no change here.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Avg, Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.models import User
from classroom.models import Answer, Classroom, LiveSession, PacedAttempt, Participant, Round, SessionEvent
from quizzes.grading import normalize_text, response_describe
from quizzes.payloads import answer_key


def competition_ranks(points: list[int]) -> list[int]:
    """Ranks of scores already sorted best first, ties sharing a rank and the next rank skipping (1, 2, 2, 4)."""
    ranks, rank, previous = [], 0, None
    for position, value in enumerate(points, start=1):
        if value != previous:
            rank, previous = position, value
        ranks.append(rank)
    return ranks


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class _Tally:
    """One student's running figures while a session's rounds are read."""

    points: int = 0
    answered: int = 0
    correct: int = 0
    graded: int = 0
    missed: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class AnswerGroup:
    """Answers written the same way: how many, and whether they were right (None for a poll)."""

    text: str
    count: int
    correct: bool | None
    share: float


@dataclass(frozen=True)
class QuestionFigures:
    round_id: int
    number: int  # the round's number in the session
    question_id: int
    prompt: str
    type: str
    graded: bool  # False for a poll: no answer is right or wrong
    expected: int  # participants who could answer it
    answered: int
    correct: int
    accuracy: float | None  # correct answers over participants (an unanswered question counts as missed)
    average_seconds: float | None
    correct_answer: str
    groups: list[AnswerGroup]
    missed_by: list[str]  # names of the participants who answered wrong or not at all


@dataclass(frozen=True)
class StudentFigures:
    student_id: int
    username: str
    name: str
    guest: bool
    points: int
    rank: int
    answered: int
    correct: int
    graded: int  # questions with a right answer
    accuracy: float | None  # correct over graded questions
    missed_rounds: list[int] = field(default_factory=list)  # round numbers answered wrong or not at all


@dataclass(frozen=True)
class SessionReport:
    session: LiveSession
    questions: list[QuestionFigures]  # hardest first
    students: list[StudentFigures]  # best first
    average_points: float | None
    accuracy: float | None

    @property
    def chronological(self) -> list[QuestionFigures]:
        return sorted(self.questions, key=lambda q: q.number)


def correct_answer_text(question) -> str:
    """The right answer as a teacher reads it, from the answer key the reveal shows (empty for a poll)."""
    key = answer_key(question)
    choices = {choice.id: choice.text for choice in question.choices.all()}
    parts = [choices.get(choice_id, "?") for choice_id in key.get("correct_choices", [])]
    if "numeric_target" in key:
        tolerance = key.get("numeric_tolerance", "0")
        parts.append(key["numeric_target"] + ("" if tolerance == "0" else f" ± {tolerance}"))
    parts.extend(key.get("accepted_answers", []))
    return "; ".join(parts)


def _seconds_to_answer(session: LiveSession) -> dict[int, float]:
    """Average seconds from getting a question to answering it, by round, computed by the database: from the
    round's opening, or in a student-paced session from the moment the student got it."""
    got_it = PacedAttempt.objects.filter(round_id=OuterRef("round_id"), student_id=OuterRef("student_id"))
    started = Coalesce(Subquery(got_it.values("received_at")[:1]), F("round__opened_at"))
    averages = (
        Answer.objects.filter(round__session=session)
        .order_by()
        .values("round_id")
        .annotate(average=Avg(F("submitted_at") - started))
        .values_list("round_id", "average")
    )
    return {round_id: average.total_seconds() for round_id, average in averages if average is not None}


def session_participants(*, session: LiveSession) -> list[User]:
    """Who took part: the students who joined the session (on their first connect) and anyone who answered."""
    joined = Participant.objects.filter(session=session).values("student_id")
    answered = Answer.objects.filter(round__session=session).order_by().values("student_id")
    users = User.objects.filter(Q(pk__in=joined) | Q(pk__in=answered)).only(
        "pk", "username", "display_name", "first_name", "last_name", "is_guest"
    )
    return sorted(users, key=lambda user: (user.name.casefold(), user.username))


def _session_rounds(session: LiveSession) -> list[Round]:
    return list(Round.objects.filter(session=session).select_related("question").prefetch_related("question__choices"))


def session_report(*, session: LiveSession) -> SessionReport:
    """Every figure of a session's report, from its rounds, participants and answers, in a fixed number of queries.
    The database groups the answers written alike and averages the times; Python reads one small row per answer."""
    rounds = _session_rounds(session)
    participants = session_participants(session=session)
    session_answers = Answer.objects.filter(round__session=session).order_by()
    answers_by_round: dict[int, list[tuple]] = defaultdict(list)
    for row in session_answers.values_list("round_id", "student_id", "is_correct", "points"):
        answers_by_round[row[0]].append(row)
    alike_by_round: dict[int, list[tuple]] = defaultdict(list)
    for round_id, response, is_correct, count in (
        session_answers.values("round_id", "response", "is_correct")
        .annotate(count=Count("pk"))
        .values_list("round_id", "response", "is_correct", "count")
    ):
        alike_by_round[round_id].append((response, is_correct, count))
    seconds = _seconds_to_answer(session)

    names = {user.pk: user.name for user in participants}
    tallies = {user.pk: _Tally() for user in participants}
    questions = []
    for round_ in rounds:
        question = round_.question
        rows = answers_by_round.get(round_.pk, [])
        key_text = correct_answer_text(question)
        graded = any(ok is not None for _r, _s, ok, _p in rows) or bool(key_text)
        groups: dict[str, list] = {}
        for response, is_correct, count in alike_by_round.get(round_.pk, []):
            text = response_describe(question=question, response=response, round_id=round_.pk)
            group = groups.setdefault(normalize_text(text), [text, 0, is_correct])
            group[1] += count
        right_ids = set()
        for _round_id, student_id, is_correct, points in rows:
            tally = tallies.get(student_id)
            if tally is not None:
                tally.points += points
                tally.answered += 1
                tally.correct += bool(is_correct)
            if is_correct:
                right_ids.add(student_id)
        if graded:
            for student_id, tally in tallies.items():
                tally.graded += 1
                if student_id not in right_ids:
                    tally.missed.append(round_.number)
        answered = len(rows)
        correct = len(right_ids)
        questions.append(
            QuestionFigures(
                round_id=round_.pk,
                number=round_.number,
                question_id=question.pk,
                prompt=question.prompt,
                type=question.type,
                graded=graded,
                expected=len(participants),
                answered=answered,
                correct=correct,
                accuracy=_share(correct, len(participants)) if graded else None,
                average_seconds=seconds.get(round_.pk),
                correct_answer=key_text,
                groups=[
                    AnswerGroup(text=text, count=count, correct=ok, share=count / answered)
                    for text, count, ok in sorted(groups.values(), key=lambda g: (-g[1], g[0].casefold()))
                ],
                missed_by=[names[s] for s in names if s not in right_ids] if graded else [],
            )
        )

    ordered = sorted(participants, key=lambda user: (-tallies[user.pk].points, user.name.casefold()))
    ranks = competition_ranks([tallies[user.pk].points for user in ordered])
    students = []
    for user, rank in zip(ordered, ranks, strict=True):
        tally = tallies[user.pk]
        students.append(
            StudentFigures(
                student_id=user.pk,
                username=user.username,
                name=user.name,
                guest=user.is_guest,
                points=tally.points,
                rank=rank,
                answered=tally.answered,
                correct=tally.correct,
                graded=tally.graded,
                accuracy=_share(tally.correct, tally.graded),
                missed_rounds=tally.missed,
            )
        )
    graded_questions = [q for q in questions if q.graded]
    return SessionReport(
        session=session,
        questions=sorted(questions, key=lambda q: (q.accuracy is None, q.accuracy or 0, q.number)),
        students=students,
        average_points=_share(sum(s.points for s in students), len(students)),
        accuracy=_share(sum(q.correct for q in graded_questions), sum(q.expected for q in graded_questions)),
    )


# --- one student over the term -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuestionOutcome:
    number: int
    prompt: str
    answer: str  # empty when unanswered
    answered: bool
    correct: bool | None
    points: int
    correct_answer: str


@dataclass(frozen=True)
class StudentSession:
    session: LiveSession
    points: int
    answered: int
    correct: int
    graded: int
    accuracy: float | None
    outcomes: list[QuestionOutcome]

    @property
    def wrong(self) -> list[QuestionOutcome]:
        """The questions with a right answer that the student missed (answered wrong or not at all)."""
        return [outcome for outcome in self.outcomes if outcome.correct is False]


def classroom_student(*, classroom: Classroom, student_id: int) -> User | None:
    """The student if they are enrolled in the classroom or took part in one of its sessions (a guest), else None."""
    took_part = Participant.objects.filter(session__classroom=classroom).values("student_id")
    belongs = Q(enrolments__classroom=classroom) | Q(pk__in=took_part)
    return User.objects.filter(belongs, pk=student_id).distinct().first()


def _visible_rounds_q(for_student: bool) -> Q:
    """A student sees a round once its answer is revealed or its session ended; a teacher sees every round."""
    if not for_student:
        return Q()
    return Q(revealed_at__isnull=False) | Q(session__state=LiveSession.State.ENDED)


def student_sessions(*, student: User, classroom: Classroom | None = None, for_student: bool = False):
    """Every session the student took part in (in `classroom`, or in any), newest first, with their score, accuracy
    and each question's outcome. `for_student`: only rounds whose answer the student may see (revealed, or the
    session ended), so that their own page never gives an answer away early."""
    taken = Participant.objects.filter(student=student).values("session_id")
    answered = Answer.objects.filter(student=student).values("round__session_id")
    sessions = LiveSession.objects.filter(Q(pk__in=taken) | Q(pk__in=answered)).select_related("quiz", "classroom")
    if classroom is not None:
        sessions = sessions.filter(classroom=classroom)
    session_list = list(sessions.order_by("-created_at"))
    rounds = (
        Round.objects.filter(session__in=session_list)
        .filter(_visible_rounds_q(for_student))
        .select_related("question")
        .prefetch_related("question__choices")
        .order_by("session_id", "number")
    )
    by_session: dict[int, list[Round]] = defaultdict(list)
    for round_ in rounds:
        by_session[round_.session_id].append(round_)
    answers = {a.round_id: a for a in Answer.objects.filter(student=student, round__in=rounds)}
    results = []
    for session in session_list:
        outcomes = []
        for round_ in by_session.get(session.pk, []):
            answer = answers.get(round_.pk)
            key_text = correct_answer_text(round_.question)
            unanswered_result = False if key_text else None  # a missed question with a right answer counts wrong
            correct = answer.is_correct if answer is not None else unanswered_result
            outcomes.append(
                QuestionOutcome(
                    number=round_.number,
                    prompt=round_.question.prompt,
                    answer=(
                        response_describe(question=round_.question, response=answer.response, round_id=round_.pk)
                        if answer
                        else ""
                    ),
                    answered=answer is not None,
                    correct=correct,
                    points=answer.points if answer else 0,
                    correct_answer=key_text,
                )
            )
        graded = sum(1 for outcome in outcomes if outcome.correct is not None)
        correct_count = sum(1 for outcome in outcomes if outcome.correct)
        results.append(
            StudentSession(
                session=session,
                points=sum(outcome.points for outcome in outcomes),
                answered=sum(1 for outcome in outcomes if outcome.answered),
                correct=correct_count,
                graded=graded,
                accuracy=_share(correct_count, graded),
                outcomes=outcomes,
            )
        )
    return results


def finished_paced_sessions(*, student: User, limit: int = 20) -> list[dict]:
    """The student-paced sessions of the student's classes that ended, newest first, with their score."""
    sessions = list(
        LiveSession.objects.filter(
            classroom__enrolments__student=student,
            pacing=LiveSession.Pacing.STUDENT,
            state=LiveSession.State.ENDED,
        )
        .select_related("quiz", "classroom")
        .order_by("-ended_at")[:limit]
    )
    totals = {
        session_id: (points, answered)
        for session_id, points, answered in Answer.objects.filter(student=student, round__session__in=sessions)
        .values_list("round__session_id")
        .annotate(points=Sum("points"), answered=Count("pk"))
        .values_list("round__session_id", "points", "answered")
    }
    return [
        {"session": session, "points": totals.get(session.pk, (0, 0))[0], "answered": totals.get(session.pk, (0, 0))[1]}
        for session in sessions
    ]


# --- downloads -----------------------------------------------------------------------------------------------------
EXPORT_HEADER = [
    "student_username",
    "student_name",
    "round",
    "question",
    "question_type",
    "answer",
    "correct",
    "points",
    "round_opened_at",
    "answered_at",
    "status",
]


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def session_export_rows(*, session: LiveSession) -> list[list[str]]:
    """One row per participant and round, in round order: the stored answer with its server timestamps (ISO 8601,
    UTC), or an `unanswered` row for a participant who gave none."""
    rounds = _session_rounds(session)
    participants = session_participants(session=session)
    answers = {
        (a.round_id, a.student_id): a
        for a in Answer.objects.filter(round__session=session).only(
            "round_id", "student_id", "response", "is_correct", "points", "submitted_at"
        )
    }
    rows = [EXPORT_HEADER]
    for round_ in rounds:
        question = round_.question
        pairs = [(answers.get((round_.pk, user.pk)), user) for user in participants]
        given = [(answer, user) for answer, user in pairs if answer is not None]
        given.sort(key=lambda pair: pair[0].submitted_at)
        answered: list[tuple[Answer | None, User]] = [*given, *(pair for pair in pairs if pair[0] is None)]
        for answer, user in answered:
            common = [user.username, user.name, str(round_.number), question.prompt, question.type]
            if answer is None:
                rows.append([*common, "", "", "0", round_.opened_at.isoformat(), "", "unanswered"])
                continue
            rows.append(
                [
                    *common,
                    response_describe(question=question, response=answer.response, round_id=round_.pk),
                    _yes_no(answer.is_correct),
                    str(answer.points),
                    round_.opened_at.isoformat(),
                    answer.submitted_at.isoformat(),
                    "answered",
                ]
            )
    return rows


TOTALS_HEADER = ["rank", "student_username", "student_name", "points", "answered", "correct", "questions", "accuracy"]


def _percent(value: float | None) -> str:
    return "" if value is None else f"{round(value * 100)}%"


def session_totals_rows(*, report: SessionReport) -> list[list[str]]:
    """One row per participant, best first: rank, points, answered, correct, questions with a right answer."""
    rows = [TOTALS_HEADER]
    for s in report.students:
        rows.append(
            [
                str(s.rank),
                s.username,
                s.name,
                str(s.points),
                str(s.answered),
                str(s.correct),
                str(s.graded),
                _percent(s.accuracy),
            ]
        )
    return rows


AUDIT_HEADER = ["server_time", "event", "round", "question", "by_username", "by_name", "detail"]


def _audit_entry(at: datetime, order: int, event: str, round_: Round | None, by: User | None, detail: str = ""):
    row = [
        at.isoformat(),
        event,
        str(round_.number) if round_ else "",
        round_.question.prompt if round_ else "",
        by.username if by else "",
        by.name if by else "",
        detail,
    ]
    return (at, order, row)


def session_audit_rows(*, session: LiveSession) -> list[list[str]]:
    """The session's trail in server-time order: every push, close (by the teacher, the timer, the next question, a
    reveal or the end), reveal, the end, every guest removal and every stored answer, each with who did it (nobody:
    the server); in a student-paced session also each question sent to each student with their deadline, and each
    change of the closing time. Read from the rows that record all of it."""
    entries = []
    rounds = Round.objects.filter(session=session).select_related("question", "opened_by", "closed_by", "revealed_by")
    for round_ in rounds:
        # Within one moment: a push, then its answers, then the close and the reveal (order breaks ties).
        entries.append(_audit_entry(round_.opened_at, 0, "push", round_, round_.opened_by))
        if round_.closed_at is not None:
            entries.append(_audit_entry(round_.closed_at, 2, "close", round_, round_.closed_by, round_.close_cause))
        if round_.revealed_at is not None:
            entries.append(_audit_entry(round_.revealed_at, 3, "reveal", round_, round_.revealed_by))
    rounds_by_id = {round_.pk: round_ for round_ in rounds}
    answers = Answer.objects.filter(round__session=session).select_related("student")
    for answer in answers.prefetch_related("round__question__choices"):
        round_ = rounds_by_id[answer.round_id]
        described = response_describe(question=answer.round.question, response=answer.response, round_id=round_.pk)
        entries.append(_audit_entry(answer.submitted_at, 1, "answer", round_, answer.student, described))
    # A student-paced session: when the server handed each student each question, and their deadline for it.
    attempts = PacedAttempt.objects.filter(session=session).select_related("student")
    for attempt in attempts:
        round_ = rounds_by_id[attempt.round_id]
        deadline = f"deadline {attempt.deadline.isoformat()}" if attempt.deadline else ""
        entries.append(_audit_entry(attempt.received_at, 0, "question_sent", round_, attempt.student, deadline))
    for event in SessionEvent.objects.filter(session=session).select_related("actor"):
        entries.append(_audit_entry(event.at, 4, event.kind, None, event.actor, event.detail))
    if session.ended_at is not None:
        entries.append(_audit_entry(session.ended_at, 5, "end", None, session.ended_by))
    entries.sort(key=lambda entry: entry[:2])
    return [AUDIT_HEADER, *(row for _at, _order, row in entries)]


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def session_workbook_sheets(*, session: LiveSession) -> dict[str, list[list]]:
    """The rows of the session's workbook, by sheet: numbers as numbers, accuracy as a ratio (0 to 1)."""
    report = session_report(session=session)
    summary: list[list] = [
        ["field", "value"],
        ["quiz", session.quiz.title],
        ["classroom", session.classroom.name],
        ["code", session.code],
        ["started_at", session.created_at.isoformat()],
        ["ended_at", session.ended_at.isoformat() if session.ended_at else ""],
        ["participants", len(report.students)],
        ["questions", len(report.questions)],
        ["average_points", _ratio(report.average_points)],
        ["accuracy", _ratio(report.accuracy)],
    ]
    students: list[list] = [
        ["rank", "student_username", "student_name", "points", "answered", "correct", "questions", "accuracy"]
    ]
    students += [
        [s.rank, s.username, s.name, s.points, s.answered, s.correct, s.graded, _ratio(s.accuracy)]
        for s in report.students
    ]
    header = ["round", "question", "question_type", "correct_answer", "participants", "answered", "correct"]
    questions: list[list] = [[*header, "accuracy", "average_seconds"]]
    questions += [
        [
            q.number,
            q.prompt,
            q.type,
            q.correct_answer,
            q.expected,
            q.answered,
            q.correct,
            _ratio(q.accuracy),
            None if q.average_seconds is None else round(q.average_seconds, 2),
        ]
        for q in report.chronological
    ]
    return {
        "Summary": summary,
        "Students": students,
        "Questions": questions,
        "Answers": session_export_rows(session=session),
    }
