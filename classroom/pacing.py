"""Student-paced sessions: each student goes through the quiz's questions at their own pace.

A student-paced session has one round per question, opened when it starts. A student gets one question at a time:
`paced_advance` hands them the next one and stores when they got it (a PacedAttempt), from which their own time for
it runs on the server clock. Answers go through `classroom.services.answers_submit`, which checks the student's
attempt: a question not reached yet does not exist for them, and one whose time ran out is closed. Whatever a
student sees is read from the database, so a reload or another device resumes at the same question with the same
time left.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from classroom.accommodations import extra_time_of, personal_deadline
from classroom.errors import DomainError
from classroom.models import Answer, LiveSession, PacedAttempt, Round, SessionEvent
from classroom.selectors import overdue_paced_sessions
from config.database import one_snapshot

State = LiveSession.State


def paced_order(*, session: LiveSession, student_id: int, rounds: list[Round]) -> list[Round]:
    """The order in which this student gets the session's questions: the quiz's, or a shuffle of their own that
    stays the same on every device and every reload."""
    ordered = sorted(rounds, key=lambda round_: round_.number)
    if session.shuffle_questions:
        random.Random(f"questions:{session.pk}:{student_id}").shuffle(ordered)
    return ordered


def paced_choice_order(*, session: LiveSession, student_id: int, choice_ids: list[int], round_id: int) -> list[int]:
    """The order of a question's choices for this student (shuffled per student if the session says so)."""
    ordered = list(choice_ids)
    if session.shuffle_choices:
        random.Random(f"choices:{session.pk}:{student_id}:{round_id}").shuffle(ordered)
    return ordered


def session_closed_at(session: LiveSession, now: datetime) -> bool:
    """Whether answers have stopped counting in the session: it ended, or its closing time passed."""
    return session.state == State.ENDED or (session.closes_at is not None and now >= session.closes_at)


@dataclass(frozen=True)
class PacedItem:
    """A question the student got: its round, their attempt and their answer, if any."""

    round: Round
    attempt: PacedAttempt
    answer: Answer | None

    def timed_out(self, now: datetime) -> bool:
        return self.answer is None and self.attempt.deadline is not None and now >= self.attempt.deadline

    def done(self, now: datetime) -> bool:
        return self.answer is not None or self.timed_out(now)


@dataclass(frozen=True)
class PacedProgress:
    """Where one student stands in a student-paced session."""

    session: LiveSession
    student_id: int
    count: int  # questions in the session
    items: list[PacedItem]  # the questions they got, in their order
    closed: bool  # the session ended or its closing time passed
    now: datetime
    rounds: list[Round] = field(default_factory=list)  # every round of the session, questions and choices read

    @property
    def current(self) -> PacedItem | None:
        """The last question they got (open, answered or timed out), or None before the first."""
        return self.items[-1] if self.items else None

    @property
    def finished(self) -> bool:
        current = self.current
        all_done = len(self.items) == self.count and current is not None and current.done(self.now)
        return self.closed or all_done

    @property
    def points(self) -> int:
        return sum(item.answer.points for item in self.items if item.answer is not None)

    @property
    def answered(self) -> int:
        return sum(1 for item in self.items if item.answer is not None)

    @property
    def correct(self) -> int:
        return sum(1 for item in self.items if item.answer is not None and item.answer.is_correct)

    def may_see_key(self, item: PacedItem) -> bool:
        """A student sees a question's answer key once they answered it or its time ran out (if the session shows
        answers), or once the session is over; never before."""
        return self.closed or (self.session.show_correct and item.done(self.now))


def _session_rounds(session: LiveSession) -> list[Round]:
    return list(Round.objects.filter(session=session).select_related("question").prefetch_related("question__choices"))


def paced_progress(*, session: LiveSession, student: User, now: datetime | None = None) -> PacedProgress:
    """What the student got so far, with their answers, in three queries."""
    now = now or timezone.now()
    rounds = _session_rounds(session)
    answers = {a.round_id: a for a in Answer.objects.filter(round__session=session, student=student)}
    return _progress_of(session, student, rounds, answers, now)


def paced_progress_many(
    *, session: LiveSession, students: list[User], now: datetime | None = None
) -> dict[int, PacedProgress]:
    """`paced_progress` of many students at once, by student id, in four queries whatever their number: a class
    connecting together costs the database what one student does."""
    now = now or timezone.now()
    rounds = _session_rounds(session)
    by_id = {round_.pk: round_ for round_ in rounds}
    ids = {student.pk for student in students}
    answers: dict[int, dict[int, Answer]] = {student_id: {} for student_id in ids}
    for answer in Answer.objects.filter(round_id__in=by_id, student_id__in=ids):
        answers[answer.student_id][answer.round_id] = answer
    attempts: dict[int, list[PacedAttempt]] = {student_id: [] for student_id in ids}
    for attempt in PacedAttempt.objects.filter(session=session, student_id__in=ids).order_by("position"):
        attempts[attempt.student_id].append(attempt)
    closed = session_closed_at(session, now)
    return {
        student_id: PacedProgress(
            session=session,
            student_id=student_id,
            count=len(rounds),
            items=[
                PacedItem(round=by_id[a.round_id], attempt=a, answer=answers[student_id].get(a.round_id))
                for a in attempts[student_id]
            ],
            closed=closed,
            now=now,
            rounds=rounds,
        )
        for student_id in ids
    }


def _progress_of(session: LiveSession, student: User, rounds: list[Round], answers: dict, now: datetime):
    by_id = {round_.pk: round_ for round_ in rounds}
    attempts = PacedAttempt.objects.filter(session=session, student=student).order_by("position")
    items = [
        PacedItem(round=by_id[attempt.round_id], attempt=attempt, answer=answers.get(attempt.round_id))
        for attempt in attempts
    ]
    return PacedProgress(
        session=session,
        student_id=student.pk,
        count=len(rounds),
        items=items,
        closed=session_closed_at(session, now),
        now=now,
        rounds=rounds,
    )


@dataclass(frozen=True)
class PacedStep:
    before: PacedProgress  # where the student stood when they asked
    after: PacedProgress  # and where they stand now


def paced_advance(*, session: LiveSession, student: User, now: datetime | None = None) -> PacedStep:
    """Hand the student their next question, if the one they have is answered or timed out; otherwise (or when
    they have them all) change nothing. The same request from two devices at once hands out one question: the
    unique (session, student, position) keeps one attempt."""
    [step] = paced_advance_many(requests=[(session.pk, student)], now=now)
    if isinstance(step, DomainError):
        raise step
    return step


def paced_advance_many(
    *, requests: list[tuple[int, User]], now: datetime | None = None
) -> list[PacedStep | DomainError]:
    """`paced_advance` for many (session id, student) requests at once, in seven queries whatever their number: a
    class moving on together costs the database what one student does. Each request gets its step or the
    DomainError that refuses it."""
    now = now or timezone.now()
    session_ids = {session_id for session_id, _student in requests}
    student_ids = {student.pk for _session_id, student in requests}
    sessions = {s.pk: s for s in LiveSession.objects.select_related("quiz", "classroom").filter(pk__in=session_ids)}
    rounds: dict[int, list[Round]] = {session_id: [] for session_id in session_ids}
    for round_ in (
        Round.objects.filter(session_id__in=session_ids)
        .select_related("question")
        .prefetch_related("question__choices")
    ):
        rounds[round_.session_id].append(round_)
    session_of_round = {round_.pk: session_id for session_id, listed in rounds.items() for round_ in listed}
    answers: dict[tuple[int, int], dict[int, Answer]] = {}
    for answer in Answer.objects.filter(round_id__in=session_of_round, student_id__in=student_ids):
        answers.setdefault((session_of_round[answer.round_id], answer.student_id), {})[answer.round_id] = answer

    def attempts_of(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], list[PacedAttempt]]:
        found: dict[tuple[int, int], list[PacedAttempt]] = {pair: [] for pair in pairs}
        query = PacedAttempt.objects.filter(session_id__in={p[0] for p in pairs}, student_id__in={p[1] for p in pairs})
        for attempt in query.order_by("position"):
            if (attempt.session_id, attempt.student_id) in found:
                found[(attempt.session_id, attempt.student_id)].append(attempt)
        return found

    def progress_of(session: LiveSession, student: User, attempts: list[PacedAttempt]) -> PacedProgress:
        by_id = {round_.pk: round_ for round_ in rounds[session.pk]}
        given = answers.get((session.pk, student.pk), {})
        items = [PacedItem(round=by_id[a.round_id], attempt=a, answer=given.get(a.round_id)) for a in attempts]
        return PacedProgress(
            session=session,
            student_id=student.pk,
            count=len(by_id),
            items=items,
            closed=session_closed_at(session, now),
            now=now,
            rounds=rounds[session.pk],
        )

    pairs = {(session_id, student.pk) for session_id, student in requests}
    before_attempts = attempts_of(pairs)
    extra_times = _extra_times(sessions, pairs)
    outcomes: dict[tuple[int, int], PacedStep | DomainError] = {}
    befores: dict[tuple[int, int], PacedProgress] = {}
    new_attempts = []
    for session_id, student in requests:
        pair = (session_id, student.pk)
        if pair in outcomes or pair in befores:
            continue  # two devices of one student in one batch: one step for both
        session = sessions.get(session_id)
        if session is None:
            outcomes[pair] = DomainError("not_found", "This session does not exist.")
            continue
        if not session.student_paced:
            outcomes[pair] = DomainError(
                "not_student_paced", "The teacher moves this session on: wait for the next question."
            )
            continue
        progress = progress_of(session, student, before_attempts[pair])
        if progress.closed:
            outcomes[pair] = DomainError("session_ended", "This session has ended.")
            continue
        current = progress.current
        if (current is not None and not current.done(now)) or len(progress.items) == progress.count:
            outcomes[pair] = PacedStep(before=progress, after=progress)
            continue
        taken = {item.round.pk for item in progress.items}
        order = paced_order(session=session, student_id=student.pk, rounds=rounds[session_id])
        next_round = next(round_ for round_ in order if round_.pk not in taken)
        limit = next_round.question.time_limit
        deadline = personal_deadline(
            deadline=now + timedelta(seconds=limit) if limit else None,
            time_limit=limit,
            extra_time=extra_times.get((session.classroom_id, student.pk), ""),
        )
        new_attempts.append(
            PacedAttempt(
                session=session,
                student=student,
                round=next_round,
                position=len(progress.items) + 1,
                received_at=now,
                deadline=deadline,
            )
        )
        befores[pair] = progress
    if new_attempts:
        with transaction.atomic():
            PacedAttempt.objects.bulk_create(new_attempts, ignore_conflicts=True)
        # Another device may have won the place meanwhile: what is stored there is what the student has. Only the
        # rows at the places just taken are read back, not every attempt of every student again.
        placed = {
            (attempt.session_id, attempt.student_id, attempt.position): attempt
            for attempt in PacedAttempt.objects.filter(
                session_id__in={a.session_id for a in new_attempts},
                student_id__in={a.student_id for a in new_attempts},
                position__in={a.position for a in new_attempts},
            )
        }
        students = {(session_id, student.pk): student for session_id, student in requests}
        for pair, before in befores.items():
            stored = placed.get((*pair, len(before.items) + 1))
            attempts = [item.attempt for item in before.items] + ([stored] if stored is not None else [])
            outcomes[pair] = PacedStep(before=before, after=progress_of(before.session, students[pair], attempts))
    return [outcomes[(session_id, student.pk)] for session_id, student in requests]


def _extra_times(sessions: dict[int, LiveSession], pairs: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The extra time (classroom/accommodations.py) of each student asking, by (classroom id, student id)."""
    students_by_classroom: dict[int, set[int]] = {}
    for session_id, student_id in pairs:
        if session_id in sessions:
            students_by_classroom.setdefault(sessions[session_id].classroom_id, set()).add(student_id)
    return {
        (classroom_id, student_id): extra_time
        for classroom_id, student_ids in students_by_classroom.items()
        for student_id, extra_time in extra_time_of(classroom_id=classroom_id, student_ids=student_ids).items()
    }


@transaction.atomic
def paced_session_extend(
    *, session_id: int, closes_at: datetime | None, extended_by: User, now: datetime | None = None
) -> LiveSession:
    """Move a student-paced session's closing time (None: open until the teacher ends it). It must still be open
    and the new time in the future; the audit trail records the change."""
    from classroom.services import _session_for_command

    now = now or timezone.now()
    session = _session_for_command(session_id, extended_by)
    if not session.student_paced:
        raise DomainError("not_student_paced", "Only a student-paced session has a closing time.")
    if session.closes_at is not None and now >= session.closes_at:
        raise DomainError("session_ended", "This session has closed.")
    if closes_at is not None and closes_at <= now:
        raise DomainError("invalid_closing_time", "The closing time must be in the future.")
    session.closes_at = closes_at
    session.save(update_fields=["closes_at"])
    SessionEvent.objects.create(
        session=session,
        kind=SessionEvent.Kind.EXTENDED,
        at=now,
        actor=extended_by,
        detail=closes_at.isoformat() if closes_at else "",
    )
    return session


def paced_sessions_close_overdue(*, now: datetime | None = None) -> list[LiveSession]:
    """End the student-paced sessions whose closing time passed (the server ends them, at that time)."""
    from classroom.services import session_end

    now = now or timezone.now()
    ended = []
    for session in overdue_paced_sessions(now=now):
        try:
            ended.append(session_end(session_id=session.pk, ended_by=None, now=session.closes_at))
        except DomainError:
            continue  # another worker ended it first
    return ended


# Each cell of the teacher's grid, one character per question: not reached, open (got it, no answer yet), right,
# wrong, answered (a poll), time ran out.
CELL_NOT_REACHED, CELL_OPEN, CELL_RIGHT, CELL_WRONG, CELL_ANSWERED, CELL_TIMED_OUT = ".", "o", "r", "w", "a", "x"


def _grid_columns(session: LiveSession, now: datetime, closed: bool) -> tuple[list[tuple[int, str]], list[dict], int]:
    """The grid's questions in the quiz's order with how many answered each and the class's accuracy so far, and the
    grid's version (attempts plus answers: it grows with every change). Counted by the database, whatever the size
    of the class."""
    rounds = list(Round.objects.filter(session=session).order_by("number").values_list("pk", "question__prompt"))
    answers = Answer.objects.filter(round__session=session).order_by().values("round_id")
    figures = {
        round_id: (answered, right, graded)
        for round_id, answered, right, graded in answers.annotate(
            answered=Count("pk"),
            right=Count("pk", filter=Q(is_correct=True)),
            graded=Count("pk", filter=Q(is_correct__isnull=False)),
        ).values_list("round_id", "answered", "right", "graded")
    }
    attempts = PacedAttempt.objects.filter(session=session).order_by().values("round_id")
    unanswered = ~Exists(Answer.objects.filter(round_id=OuterRef("round_id"), student_id=OuterRef("student_id")))
    timed_out = Q() if closed else Q(deadline__lte=now)
    given = {
        round_id: (count, missed)
        for round_id, count, missed in attempts.annotate(
            count=Count("pk"), missed=Count("pk", filter=timed_out & Q(unanswered))
        ).values_list("round_id", "count", "missed")
    }
    questions = []
    version = 0
    for index, (round_id, prompt) in enumerate(rounds):
        answered, right, graded = figures.get(round_id, (0, 0, 0))
        sent, missed = given.get(round_id, (0, 0))
        version += answered + sent
        questions.append(
            {
                "round_id": round_id,
                "number": index + 1,
                "prompt": prompt[:120],
                "answered": answered,
                "accuracy": round(right / (graded + missed), 4) if graded + missed else None,
            }
        )
    return rounds, questions, version


def _grid_rows(
    session: LiveSession, people: list[dict], columns: list[tuple[int, str]], now: datetime, closed: bool
) -> list[dict]:
    """A row of the grid per person of `people` ({"id", "name"}): a cell per question, their progress and score,
    and `v`, which grows with every change of the row (questions got, answered and timed out)."""
    column = {round_id: index for index, (round_id, _prompt) in enumerate(columns)}
    cells = {person["id"]: [CELL_NOT_REACHED] * len(columns) for person in people}
    points = dict.fromkeys(cells, 0)
    changes = dict.fromkeys(cells, 0)
    ids = list(cells)
    attempts = PacedAttempt.objects.filter(session=session, student_id__in=ids).values_list(
        "student_id", "round_id", "deadline"
    )
    for student_id, round_id, deadline in attempts:
        timed_out = closed or (deadline is not None and now >= deadline)
        cells[student_id][column[round_id]] = CELL_TIMED_OUT if timed_out else CELL_OPEN
        changes[student_id] += 1 + timed_out
    answers = Answer.objects.filter(round__session=session, student_id__in=ids).values_list(
        "student_id", "round_id", "is_correct", "points"
    )
    for student_id, round_id, is_correct, score in answers:
        index = column[round_id]
        if cells[student_id][index] == CELL_TIMED_OUT:
            changes[student_id] -= 1  # answered in time: the session closed after
        cells[student_id][index] = CELL_ANSWERED if is_correct is None else (CELL_RIGHT if is_correct else CELL_WRONG)
        points[student_id] += score
        changes[student_id] += 1
    return [
        {
            "id": person["id"],
            "name": person["name"],
            "cells": "".join(cells[person["id"]]),
            "done": sum(1 for cell in cells[person["id"]] if cell not in (CELL_NOT_REACHED, CELL_OPEN)),
            "points": points[person["id"]],
            "v": changes[person["id"]],
        }
        for person in people
    ]


def paced_grid(*, session: LiveSession, roster: list[dict], now: datetime | None = None) -> dict:
    """The teacher's grid of a student-paced session: for each student of `roster` (session_roster) a string with a
    cell per question in the quiz's order, their progress and score; for each question how many answered and the
    class's accuracy so far. A fixed number of queries whatever the class size; `version` grows with every change."""
    now = now or timezone.now()
    closed = session_closed_at(session, now)
    with one_snapshot():  # the figures count exactly the answers the rows show
        columns, questions, version = _grid_columns(session, now, closed)
        rows = _grid_rows(session, roster, columns, now, closed)
    return {
        "version": version,
        "closes_at": session.closes_at.isoformat() if session.closes_at else None,
        "closed": closed,
        "questions": questions,
        "students": rows,
    }


def paced_grid_delta(*, session: LiveSession, student_ids: set[int], now: datetime | None = None) -> dict:
    """What changed in the grid for these students: their rows (as in `paced_grid`), with every question's figures
    and the grid's version. Reads only their rows, so a class answering costs the size of its changes."""
    now = now or timezone.now()
    closed = session_closed_at(session, now)
    users = User.objects.filter(pk__in=student_ids).only("pk", "username", "display_name", "first_name", "last_name")
    people = sorted(({"id": user.pk, "name": user.name} for user in users), key=lambda person: person["id"])
    with one_snapshot():  # the figures count exactly the answers the rows show
        columns, questions, version = _grid_columns(session, now, closed)
        rows = _grid_rows(session, people, columns, now, closed)
    return {
        "version": version,
        "closes_at": session.closes_at.isoformat() if session.closes_at else None,
        "closed": closed,
        "questions": questions,
        "students": rows,
    }


def paced_projector_grid(grid: dict, *, names: bool) -> dict:
    """What the room may see of a grid (full or delta): how far each student got and how many answered each
    question; no cells, no scores, no accuracy, and names only if the teacher shows them."""
    return {
        "version": grid["version"],
        "closes_at": grid["closes_at"],
        "closed": grid["closed"],
        "questions": [{"number": q["number"], "answered": q["answered"]} for q in grid["questions"]],
        "students": [
            {"id": s["id"], "done": s["done"], "v": s["v"], **({"name": s["name"]} if names else {})}
            for s in grid["students"]
        ],
    }


@transaction.atomic
def paced_session_show_names(*, session_id: int, names: bool, changed_by: User) -> LiveSession:
    """Show (True) or hide (False) the students' names on a student-paced session's projector."""
    from classroom.services import _session_for_command

    session = _session_for_command(session_id, changed_by)
    if not session.student_paced:
        raise DomainError("not_student_paced", "Only a student-paced session shows the class's progress.")
    session.projector_names = names
    session.save(update_fields=["projector_names"])
    return session
