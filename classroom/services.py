"""Writes to classrooms and live sessions. Every function here runs in one transaction and raises DomainError
with a stable code when the request is refused. Callers broadcast what these return, after commit."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone

from accounts.models import User
from classroom import rows
from classroom.accommodations import (
    extra_time_annotations,
    extra_time_of,
    extra_times_from,
    personal_deadline,
    round_closing,
)
from classroom.codes import normalize_code, unique_code
from classroom.errors import DomainError
from classroom.models import (
    Answer,
    Classroom,
    CloseCause,
    Enrolment,
    LiveSession,
    PacedAttempt,
    Participant,
    Round,
    SessionEvent,
    teaches_q,
)
from classroom.push import push_question_postgresql
from classroom.selectors import overdue_rounds, students_participation, with_quiz_position
from config.database import prepared_cursor
from quizzes.grading import Grade, InvalidResponse, normalize_text, response_grade, response_parse
from quizzes.models import Question, Quiz

State = LiveSession.State
SPEED_BONUS_SHARE = 0.5


# --- classrooms ---------------------------------------------------------------------------------------------------
def classroom_create(*, name: str, owner: User, self_enrolment: bool = False) -> Classroom:
    return Classroom.objects.create(
        name=name,
        owner=owner,
        self_enrolment=self_enrolment,
        join_code=unique_code(Classroom, "join_code"),
    )


def classroom_regenerate_join_code(*, classroom: Classroom) -> Classroom:
    """A new code; the old one stops working at once."""
    classroom.join_code = unique_code(Classroom, "join_code")
    classroom.save(update_fields=["join_code"])
    return classroom


def classroom_enrol(*, classroom: Classroom, students: list[User]) -> int:
    """Enrol students (already enrolled ones are skipped). Returns how many were added."""
    if any(not student.is_student for student in students):
        raise DomainError("not_a_student", "Only students can be enrolled in a classroom.")
    existing = set(classroom.enrolments.values_list("student_id", flat=True))
    new = [Enrolment(classroom=classroom, student=s) for s in students if s.id not in existing]
    Enrolment.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def classroom_self_enrol(*, student: User, join_code: str) -> Classroom:
    if not student.is_student or student.is_guest:
        raise DomainError("not_a_student", "Only students with an account join classrooms with a code.")
    classroom = Classroom.objects.filter(join_code=normalize_code(join_code)).first()
    if classroom is None or not classroom.self_enrolment:
        raise DomainError("not_found", "No classroom accepts that code. Check it with your teacher.")
    classroom_enrol(classroom=classroom, students=[student])
    return classroom


def user_teaches(*, user: User, classroom: Classroom) -> bool:
    return _teaches_classroom(user, classroom.pk)


def _teaches_classroom(user: User, classroom_id: int) -> bool:
    if user.is_superuser:
        return True
    return user.is_teacher and Classroom.objects.filter(teaches_q(user), pk=classroom_id).exists()


# --- live sessions ------------------------------------------------------------------------------------------------
def session_start(
    *,
    classroom: Classroom,
    quiz: Quiz,
    started_by: User,
    speed_bonus: bool = False,
    allow_guests: bool = False,
    language: str = "",
    live_results: bool = False,
    pacing: str = LiveSession.Pacing.TEACHER,
    closes_at: datetime | None = None,
    show_correct: bool = True,
    shuffle_questions: bool = False,
    shuffle_choices: bool = False,
    now: datetime | None = None,
) -> LiveSession:
    """Start a session in the classroom. A student-paced one opens a round per question of the quiz at once, in the
    quiz's order, which each student then goes through at their own pace (classroom/pacing.py)."""
    now = now or timezone.now()
    if not user_teaches(user=started_by, classroom=classroom):
        raise DomainError("forbidden", "You do not teach this classroom.")
    if not started_by.is_superuser and quiz.owner_id != started_by.id:
        raise DomainError("forbidden", "You can only run your own quizzes.")
    if not quiz.questions.exists():
        raise DomainError("empty_quiz", "This quiz has no questions yet.")
    student_paced = pacing == LiveSession.Pacing.STUDENT
    if student_paced and closes_at is not None and closes_at <= now:
        raise DomainError("invalid_closing_time", "The closing time must be in the future.")
    with transaction.atomic():
        session = LiveSession.objects.create(
            classroom=classroom,
            quiz=quiz,
            started_by=started_by,
            code=unique_code(LiveSession, "code"),
            speed_bonus=speed_bonus,
            allow_guests=allow_guests,
            language=language,
            live_results=live_results,
            pacing=pacing,
            closes_at=closes_at if student_paced else None,
            show_correct=show_correct,
            shuffle_questions=shuffle_questions and student_paced,
            shuffle_choices=shuffle_choices and student_paced,
            state=State.QUESTION_OPEN if student_paced else State.LOBBY,
        )
        if student_paced:
            Round.objects.bulk_create(
                Round(session=session, question=question, number=number, opened_at=now, opened_by=started_by)
                for number, question in enumerate(quiz.questions.all(), start=1)
            )
    return session


def session_join_as_guest(*, code: str, display_name: str) -> tuple[LiveSession, User]:
    """Create a guest student for a session that allows guests."""
    from accounts.services import user_create
    from classroom.codes import random_code

    display_name = " ".join(display_name.split())[:40]
    if not display_name:
        raise DomainError("invalid_name", "Enter the name your teacher will see.")
    session = LiveSession.objects.filter(code=normalize_code(code)).exclude(state=State.ENDED).first()
    if session is None or not session.allow_guests:
        raise DomainError("not_found", "No live session accepts guests with that code.")
    with transaction.atomic():
        session = _locked_session(session.pk)  # guests joining at once are counted one after another
        if session is None:
            raise DomainError("not_found", "No live session accepts guests with that code.")
        if session.joining_locked:
            raise DomainError("joining_locked", "This session is not letting anyone new in. Ask your teacher.")
        if (
            Participant.objects.filter(session=session, student__is_guest=True).count()
            >= settings.MAX_GUESTS_PER_SESSION
        ):
            raise DomainError("session_full", "This session has as many guests as it takes. Ask your teacher.")
        guest = user_create(
            # Nothing about the session in the name: usernames show up in admin pages and logs.
            username=f"guest-{random_code(12).lower()}",
            password=None,
            display_name=display_name,
            is_guest=True,
        )
        Participant.objects.create(session=session, student=guest)
    return session, guest


@dataclass(frozen=True)
class Removal:
    """Who was taken out of a session: a guest (gone for good, answers deleted, account closed) or an enrolled
    student (refused until let back in; answers deleted only if the teacher asked)."""

    student: User
    guest: bool
    answers_deleted: bool


def _remove_guests(session: LiveSession, participants: list[Participant], removed_by: User) -> list[User]:
    guests = [participant.student for participant in participants]
    Participant.objects.filter(pk__in=[participant.pk for participant in participants]).delete()
    Answer.objects.filter(round__session=session, student__in=guests).delete()
    User.objects.filter(pk__in=[guest.pk for guest in guests]).update(is_active=False)
    now = timezone.now()
    SessionEvent.objects.bulk_create(  # the audit trail keeps who was removed, by whom, when
        SessionEvent(
            session=session, kind=SessionEvent.Kind.GUEST_REMOVED, at=now, actor=removed_by, detail=guest.name[:200]
        )
        for guest in guests
    )
    return guests


@transaction.atomic
def session_remove_participant(
    *, session_id: int, student_id: int, removed_by: User, delete_answers: bool = False
) -> Removal:
    """Take a student out of the session. A guest is gone for good: off the roster and the leaderboard, their answers
    deleted, their account closed so the link and the cookie stop working. An enrolled student is refused (sockets
    and page) until let back in with `session_readmit_participant`; their answers stay unless `delete_answers`."""
    session = _session_for_command(session_id, removed_by)
    participant = Participant.objects.filter(session=session, student_id=student_id).select_related("student").first()
    if participant is not None and participant.student.is_guest:
        (guest,) = _remove_guests(session, [participant], removed_by)
        return Removal(student=guest, guest=True, answers_deleted=True)
    if participant is None:
        enrolment = (
            Enrolment.objects.filter(classroom_id=session.classroom_id, student_id=student_id)
            .select_related("student")
            .first()
        )
        if enrolment is None:
            raise DomainError("not_found", "That student is neither enrolled in this class nor in this session.")
        participant = Participant(session=session, student=enrolment.student)
    if participant.removed_at is None:
        participant.removed_at = timezone.now()
        participant.save()
    if delete_answers:
        Answer.objects.filter(round__session=session, student_id=student_id).delete()
    return Removal(student=participant.student, guest=False, answers_deleted=delete_answers)


@transaction.atomic
def session_readmit_participant(*, session_id: int, student_id: int, readmitted_by: User) -> User:
    """Let a removed student back into the session (their sockets are admitted again)."""
    session = _session_for_command(session_id, readmitted_by)
    participant = (
        Participant.objects.filter(session=session, student_id=student_id, removed_at__isnull=False)
        .select_related("student")
        .first()
    )
    if participant is None:
        raise DomainError("not_found", "That student was not removed from this session.")
    participant.removed_at = None
    participant.save(update_fields=["removed_at"])
    return participant.student


@transaction.atomic
def session_remove_unanswered_guests(*, session_id: int, removed_by: User) -> list[User]:
    """Remove, as `session_remove_participant` does, every guest of the session who has not answered anything."""
    session = _session_for_command(session_id, removed_by)
    answered = Answer.objects.filter(round__session=session).values("student_id")
    silent = list(
        Participant.objects.filter(session=session, student__is_guest=True)
        .exclude(student_id__in=answered)
        .select_related("student")
    )
    return _remove_guests(session, silent, removed_by)


@transaction.atomic
def session_lock_joining(*, session_id: int, locked: bool, locked_by: User) -> LiveSession:
    """While locked, no new guest and no new student may join; those already in stay and may reconnect."""
    session = _session_for_command(session_id, locked_by)
    session.joining_locked = locked
    session.save(update_fields=["joining_locked"])
    return session


def _admissible(session: LiveSession, student_ids: set[int]) -> tuple[set[int], set[int]]:
    """Of these students: (those in the session now, enrolled students who may join it for the first time).

    In: participants not removed. Joining for the first time: enrolled in the classroom, not participants yet, and
    joining is not locked. Two queries for any number of students."""
    removed_at_of = students_participation(session_id=session.pk, student_ids=student_ids)
    present = {student_id for student_id, removed_at in removed_at_of.items() if removed_at is None}
    newcomers = student_ids - set(removed_at_of)
    if not newcomers or session.joining_locked:
        return present, set()
    enrolled = set(
        Enrolment.objects.filter(classroom_id=session.classroom_id, student_id__in=newcomers).values_list(
            "student_id", flat=True
        )
    )
    return present, enrolled


def student_may_join(*, student: User, session: LiveSession) -> bool:
    if not student.is_student:
        return False
    present, newcomers = _admissible(session, {student.pk})
    return bool(present or newcomers)


def student_is_removed(*, student: User, session: LiveSession) -> bool:
    return Participant.objects.filter(session=session, student=student, removed_at__isnull=False).exists()


def _locked_session(session_id: int, *, taught_by: User | None = None) -> LiveSession | None:
    """The session's row, locked, with its current round (only the session's row is locked: every command needs the
    round). With `taught_by`, None unless that user teaches the session's classroom, checked in the same query."""
    query = LiveSession.objects.select_for_update(of=("self",)).select_related("current_round").filter(pk=session_id)
    if taught_by is not None and not taught_by.is_superuser:
        taught = Classroom.objects.filter(teaches_q(taught_by)) if taught_by.is_teacher else Classroom.objects.none()
        query = query.filter(classroom__in=taught)
    return query.first()


def _session_for_command(session_id: int, by: User | None) -> LiveSession:
    """Lock the session for a teacher's command: it must exist, not have ended, and be taught by `by` (a teacher
    removed from the classroom mid-session loses control at once). `by=None` is the server itself (the timer)."""
    session = _locked_session(session_id, taught_by=by)
    if session is None:
        if by is not None and LiveSession.objects.filter(pk=session_id).exists():
            raise DomainError("forbidden", "You no longer teach this session's classroom.")
        raise DomainError("not_found", "This session does not exist.")
    if session.state == State.ENDED:
        raise DomainError("session_ended", "This session has ended.")
    return session


def _close_open_round(session: LiveSession, now: datetime, *, by: User | None, cause: str) -> Round | None:
    """Close the session's current round if it is open; returns it if this call closed it. The round keeps who
    closed it and why, for the audit trail.

    A round closes at its deadline if that passed (the time answers stopped counting), else now.
    """
    round_ = session.current_round
    if round_ is None or round_.closed_at is not None:
        return None
    closes_at = None if round_.stays_open else round_.closes_at or round_.deadline
    round_.closed_at = min(now, closes_at) if closes_at else now
    round_.closed_by = by
    round_.close_cause = cause
    round_.save(update_fields=["closed_at", "closed_by", "close_cause"])
    return round_


CLOSE_CAUSES: dict[str, str] = {State.REVEALED: CloseCause.REVEAL, State.ENDED: CloseCause.END}


def _close_current_round(session: LiveSession, now: datetime, *, state: str, by: User | None) -> Round | None:
    """Close the current round if it is open and move the session to `state`. Returns the round closed."""
    default = CloseCause.TEACHER if by is not None else CloseCause.TIMER
    closed = _close_open_round(session, now, by=by, cause=CLOSE_CAUSES.get(state, default))
    session.state = state
    session.save(update_fields=["state", "ended_at", "ended_by"] if state == State.ENDED else ["state"])
    return closed


def _refuse_if_student_paced(session: LiveSession) -> None:
    if session.student_paced:
        raise DomainError("student_paced", "In a student-paced session each student moves on by themselves.")


def _current_round(session: LiveSession, round_id: int) -> Round:
    _refuse_if_student_paced(session)
    round_ = session.current_round
    if round_ is None or round_.pk != round_id:
        if not Round.objects.filter(pk=round_id, session_id=session.pk).exists():
            raise DomainError("not_found", "That question was never asked in this session.")
        raise DomainError("not_current", "That is not the question on screen.")
    return round_


def session_push_question(*, session_id: int, question_id: int, pushed_by: User, now: datetime | None = None) -> Round:
    """Open a new round of `question_id` in the session, closing any round still open (without announcing that
    close: the new question replaces the old one on every screen). The round holds its question, with its place in
    the quiz and its choices read. On PostgreSQL in two statements (classroom/push.py)."""
    now = now or timezone.now()
    if connection.vendor == "postgresql":
        return push_question_postgresql(session_id=session_id, question_id=question_id, pushed_by=pushed_by, now=now)
    return _push_question(session_id=session_id, question_id=question_id, pushed_by=pushed_by, now=now)


@transaction.atomic
def _push_question(*, session_id: int, question_id: int, pushed_by: User, now: datetime) -> Round:
    """session_push_question through the ORM: six statements and the choices' read."""
    session = _session_for_command(session_id, pushed_by)
    _refuse_if_student_paced(session)
    question = (
        with_quiz_position(Question.objects.filter(pk=question_id, quiz_id=session.quiz_id))
        .annotate(**extra_time_annotations(classroom_id=session.classroom_id))
        .first()
    )
    if question is None:
        raise DomainError("not_found", "That question is not in this session's quiz.")
    _close_open_round(session, now, by=pushed_by, cause=CloseCause.NEXT_QUESTION)
    if session.current_round is not None:  # the current round is always the latest one pushed
        number = session.current_round.number + 1
    else:
        number = (session.rounds.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    deadline = now + timedelta(seconds=question.time_limit) if question.time_limit else None
    closes_at, stays_open = round_closing(
        extra_times=extra_times_from(question), deadline=deadline, time_limit=question.time_limit
    )
    round_ = Round.objects.create(
        session=session,
        question=question,
        number=number,
        opened_at=now,
        deadline=deadline,
        closes_at=closes_at,
        stays_open=stays_open,
        opened_by=pushed_by,
    )
    session.current_round = round_
    session.state = State.QUESTION_OPEN
    session.save(update_fields=["current_round", "state"])
    prefetch_related_objects([question], "choices")
    return round_


@transaction.atomic
def round_close(
    *, session_id: int, round_id: int, closed_by: User | None = None, now: datetime | None = None
) -> Round | None:
    """Close the session's current round. Returns None when it was already closed (nothing to announce); a revealed
    round is refused with `already_revealed`."""
    session = _session_for_command(session_id, closed_by)
    round_ = _current_round(session, round_id)
    if round_.revealed_at is not None:
        raise DomainError("already_revealed", "This answer is already revealed.")
    if round_.closed_at is not None:
        return None
    return _close_current_round(session, now or timezone.now(), state=State.QUESTION_CLOSED, by=closed_by)


def rounds_close_overdue(*, now: datetime | None = None) -> list[Round]:
    """Close every current round whose deadline has passed; returns those this call closed."""
    now = now or timezone.now()
    closed = []
    for round_id, session_id in overdue_rounds(now=now).values_list("pk", "session_id"):
        with transaction.atomic():
            session = _locked_session(session_id)
            if session is None or session.current_round_id != round_id or session.state == State.ENDED:
                continue  # another worker or a teacher got there first
            round_ = _close_current_round(session, now, state=State.QUESTION_CLOSED, by=None)
            if round_ is not None:
                closed.append(round_)
    return closed


@transaction.atomic
def round_reveal(
    *, session_id: int, round_id: int, revealed_by: User | None = None, now: datetime | None = None
) -> Round:
    """Reveal the correct answer of the current round, closing it first if it is still open. Answers not stored
    by then are refused: every score is final once revealed."""
    now = now or timezone.now()
    session = _session_for_command(session_id, revealed_by)
    round_ = _current_round(session, round_id)
    if round_.revealed_at is not None:
        raise DomainError("already_revealed", "This answer is already revealed.")
    _close_current_round(session, now, state=State.REVEALED, by=revealed_by)
    round_.revealed_at = now
    round_.revealed_by = revealed_by
    round_.save(update_fields=["revealed_at", "revealed_by"])
    return round_


@transaction.atomic
def session_end(*, session_id: int, ended_by: User | None = None, now: datetime | None = None) -> LiveSession:
    now = now or timezone.now()
    session = _session_for_command(session_id, ended_by)
    session.ended_at = now
    session.ended_by = ended_by
    _close_current_round(session, now, state=State.ENDED, by=ended_by)
    if session.student_paced:  # every question closes, and its answer may be shown to everyone
        cause = CloseCause.END if ended_by is not None else CloseCause.TIMER
        session.rounds.filter(closed_at__isnull=True).update(closed_at=now, closed_by=ended_by, close_cause=cause)
        session.rounds.filter(revealed_at__isnull=True).update(revealed_at=now)
    return session


@transaction.atomic
def session_set_live_results(*, session_id: int, live_results: bool, changed_by: User) -> LiveSession:
    """Show (True) or hide (False) the per-choice results on the projector while a question is open."""
    session = _session_for_command(session_id, changed_by)
    session.live_results = live_results
    session.save(update_fields=["live_results"])
    return session


@transaction.atomic
def round_hide_text(*, session_id: int, round_id: int, text: str, hidden: bool, changed_by: User) -> Round:
    """Take a free-text answer or a word of a word cloud off the projector (or put it back). Answers and words
    are grouped ignoring case and accents, so the whole group is hidden, including answers written the same way
    later. The teacher still sees it."""
    session = _session_for_command(session_id, changed_by)
    round_ = _current_round(session, round_id)
    if round_.question.type not in (Question.Type.TEXT, Question.Type.WORDCLOUD):
        raise DomainError("not_found", "Only free-text answers and the words of a word cloud can be hidden.")
    key = normalize_text(text)
    written = round_.answers.values_list("response", flat=True)
    texts = (
        (word for response in written for word in response.get("words", ()))
        if round_.question.type == Question.Type.WORDCLOUD
        else (response.get("text", "") for response in written)
    )
    if not key or not any(normalize_text(written_text) == key for written_text in texts):
        raise DomainError("not_found", "No answer to this question has that text.")
    keys = [k for k in round_.hidden_texts if k != key]
    round_.hidden_texts = [*keys, key] if hidden else keys
    round_.save(update_fields=["hidden_texts"])
    return round_


# --- answers ------------------------------------------------------------------------------------------------------
# Both are named tuples rather than dataclasses: a thousand of each are made in a burst of answers, and a frozen
# dataclass's constructor (an object.__setattr__ per field) costs four times a tuple's.
class AnswerSubmission(NamedTuple):
    session_id: int
    round_id: int
    student_id: int
    client_id: str
    raw_response: object
    received_at: datetime


class AnswerOutcome(NamedTuple):
    """Either an accepted answer (`answer` set; `duplicate` when it was stored before) or an error code."""

    submission: AnswerSubmission
    answer: Answer | None = None
    error_code: str = ""
    error_message: str = ""
    duplicate: bool = False

    @property
    def accepted(self) -> bool:
        return self.answer is not None


class _AnswersToRound:
    """What every answer of a batch to one round is checked, graded and scored against, worked out once for the
    batch rather than once per answer: the round's session and question, the deadline for each kind of extra time,
    and each distinct response's parse and grade (a class mostly gives a handful of different answers)."""

    def __init__(self, round_: Round):
        self.round = round_
        self.pk: int = round_.pk
        self.session_id: int = round_.session_id
        self.session: LiveSession = round_.session
        self.question: Question = round_.question
        self.ended = self.session.state == State.ENDED
        self.student_paced = self.session.student_paced
        self._deadlines: dict[str, datetime | None] = {}
        # By the response's JSON: its canonical form's JSON and its grade, or why it was refused.
        self._graded: dict[bytes, tuple[bytes, Grade] | InvalidResponse] = {}

    def counts(self, moment: datetime, extra_time: str, attempt: PacedAttempt | None) -> bool:
        """Whether an answer received at `moment` counts (`_answer_counts`)."""
        try:
            deadline = self._deadlines[extra_time]
        except KeyError:
            deadline = self._deadlines[extra_time] = personal_deadline(
                deadline=self.round.deadline, time_limit=self.question.time_limit, extra_time=extra_time
            )
        return _answer_counts(self.round, moment, deadline=deadline, attempt=attempt)

    def grade(self, raw: object) -> Grade:
        """The raw response parsed and graded (`response_parse`, `response_grade`); raises InvalidResponse. Each
        answer gets a response of its own, decoded from the canonical form's JSON."""
        try:
            key = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # not JSON (a caller other than a socket): graded as it is, once
            return self._graded_now(raw)
        known = self._graded.get(key)
        if known is None:
            try:
                grade = self._graded_now(raw)
            except InvalidResponse as refused:
                self._graded[key] = refused
                raise
            known = self._graded[key] = (orjson.dumps(grade.response), grade)
        if isinstance(known, InvalidResponse):
            raise InvalidResponse(known.detail)
        response, grade = known
        return Grade(response=orjson.loads(response), is_correct=grade.is_correct, share=grade.share)

    def _graded_now(self, raw: object) -> Grade:
        response = response_parse(question=self.question, raw=raw, round_id=self.pk)
        return response_grade(question=self.question, response=response, round_id=self.pk)


def _points_for(*, question: Question, started_at: datetime, session: LiveSession, grade: Grade, at: datetime) -> int:
    """The question's points for a correct answer; with partial credit (ordering), the share of them the answer
    earned; plus the speed bonus on what was earned."""
    if grade.is_correct:
        earned = 1.0
    elif question.partial_credit and grade.share:
        earned = grade.share
    else:
        return 0
    points = question.points * earned
    if session.speed_bonus and question.time_limit:
        elapsed = max(0.0, (at - started_at).total_seconds())
        remaining_share = max(0.0, 1.0 - elapsed / question.time_limit)
        points += question.points * earned * SPEED_BONUS_SHARE * remaining_share
    return round(points)


def _paced_attempts(rounds, submissions: list[AnswerSubmission]) -> dict[tuple[int, int], PacedAttempt]:
    """The student-paced attempts of these submissions, by (round, student): one query, none in a teacher-paced
    batch."""
    paced_round_ids = {round_.pk for round_ in rounds if round_.session.student_paced}
    if not paced_round_ids:
        return {}
    found = PacedAttempt.objects.filter(
        round_id__in=paced_round_ids, student_id__in={s.student_id for s in submissions}
    )
    return {(a.round_id, a.student_id): a for a in found}


def _answer_counts(
    round_: Round, moment: datetime, *, deadline: datetime | None, attempt: PacedAttempt | None = None
) -> bool:
    """An answer counts if it arrived before the round closed (by the student's own `deadline`, which is the
    round's with their extra time: classroom.accommodations.personal_deadline; or by the teacher) and before the
    reveal was committed: an answer queued behind others during the final rush still counts, a score never changes
    after the reveal. In a student-paced session the deadline is instead the student's `attempt`'s (from the moment
    they got the question), and the session's closing time ends every question."""
    if round_.revealed_at is not None:
        return False
    if attempt is not None:
        session = round_.session
        if session.closes_at is not None and moment >= session.closes_at:
            return False
        if attempt.deadline is not None and moment >= attempt.deadline:
            return False
        return round_.closed_at is None or moment < round_.closed_at
    if deadline is not None and moment >= deadline:
        return False
    return round_.closed_at is None or moment < round_.closed_at


def _answer_statements() -> tuple[str, str]:
    session, round_, question = LiveSession._meta.db_table, Round._meta.db_table, Question._meta.db_table
    lock = f"""
        SELECT id FROM {session}
        WHERE id IN (SELECT session_id FROM {round_} WHERE id = ANY(%s))
        ORDER BY id
        FOR SHARE
    """  # noqa: S608 (table names from the models; the ids are a parameter)
    read = f"""
        SELECT {rows.columns("r", ANSWER_ROUND_FIELDS)}, {rows.columns("s", ANSWER_SESSION_FIELDS)},
            {rows.columns("q", rows.QUESTION_FIELDS)}, {rows.choices_json("q")}
        FROM {round_} r
        JOIN {session} s ON s.id = r.session_id
        JOIN {question} q ON q.id = r.question_id
        WHERE r.id = ANY(%s)
    """  # noqa: S608 (table and column names from the models; the ids are a parameter)
    return lock, read


ANSWER_ROUND_FIELDS = list(Round._meta.concrete_fields)
ANSWER_SESSION_FIELDS = list(LiveSession._meta.concrete_fields)
SESSIONS_SHARE_LOCK, ANSWER_ROUNDS = _answer_statements()


def rounds_for_answers(round_ids: set[int]) -> dict[int, Round]:
    """The rounds a batch of answers is for, each with its session, question and choices read, and their sessions
    locked against a close, a reveal, a push or an end until the batch commits.

    On PostgreSQL the lock is shared: those take the session's row exclusively (FOR UPDATE)
    and wait for every batch holding it, while two batches of answers, on two threads or two workers, run side by
    side (the unique constraint on (round, student) keeps one answer each). Elsewhere, the ORM and Django's
    exclusive lock, if any. tests/classroom/test_answer_rounds.py compares the two; test_answer_locking.py the
    locks."""
    if connection.vendor == "postgresql":
        return rounds_for_answers_postgresql(round_ids)
    return _rounds_for_answers_orm(round_ids)


def _rounds_for_answers_orm(round_ids: set[int]) -> dict[int, Round]:
    sessions = Round.objects.filter(pk__in=round_ids).values("session_id")
    list(LiveSession.objects.select_for_update().filter(pk__in=sessions).order_by("pk").values_list("pk"))
    return {
        r.pk: r
        for r in Round.objects.filter(pk__in=round_ids)
        .select_related("session", "question")
        .prefetch_related("question__choices")
    }


def rounds_for_answers_postgresql(round_ids: set[int]) -> dict[int, Round]:
    """`rounds_for_answers` in two statements instead of the ORM's three (compiling them cost a small batch more
    than its answers, docs/performance.md): the lock, then one read of the rounds with their sessions, questions and
    choices. The read must follow the lock, not share its statement: a statement that waited for a lock still reads
    the rows it did not lock as they were when it began, so a round revealed meanwhile would read as open
    (tests/classroom/test_answer_locking.py). Read after the lock, it is read as committed."""
    rounds = {}
    round_end = len(ANSWER_ROUND_FIELDS)
    session_end = round_end + len(ANSWER_SESSION_FIELDS)
    with prepared_cursor() as cursor:
        cursor.execute(SESSIONS_SHARE_LOCK, [sorted(round_ids)])
        cursor.execute(ANSWER_ROUNDS, [sorted(round_ids)])
        for row in cursor.fetchall():
            round_ = rows.instance(Round, ANSWER_ROUND_FIELDS, row[:round_end])
            round_.session = rows.instance(LiveSession, ANSWER_SESSION_FIELDS, row[round_end:session_end])
            round_.question = rows.question_with_choices(row[session_end:-1], row[-1])
            rounds[round_.pk] = round_
    return rounds


# A batch builds its answers by position, in this order.
ANSWER_COLUMNS = ("id", "round_id", "student_id", "client_id", "response", "is_correct", "points", "submitted_at")
assert tuple(field.attname for field in Answer._meta.concrete_fields) == ANSWER_COLUMNS, "Answer's fields changed"

ANSWER_INSERT = """
    INSERT INTO classroom_answer (round_id, student_id, client_id, response, is_correct, points, submitted_at)
    SELECT round_id, student_id, client_id, response, is_correct, points, submitted_at
    FROM jsonb_to_recordset(%s::jsonb) AS batch (
        round_id bigint, student_id bigint, client_id text, response jsonb, is_correct boolean, points integer,
        submitted_at timestamptz
    )
    ON CONFLICT DO NOTHING
    RETURNING id, round_id, student_id
"""


def _insert_answers_postgresql(new_answers: dict[tuple[int, int], Answer]) -> dict[tuple[int, int], Answer]:
    """Insert a batch's answers in one statement whose one parameter is the whole batch as a JSON array, encoded in
    C by orjson (Django's bulk_create sends every value of every row as a parameter of its own and prepares each
    through its field; arrays per column cost psycopg a Python call per value), and return the ids of the rows it
    stored; an answer the unique constraint kept out (another worker's got there first) is left out of what it
    returns. The answers stored get their ids."""
    batch = orjson.dumps(
        [
            {
                "round_id": answer.round_id,
                "student_id": answer.student_id,
                "client_id": answer.client_id,
                "response": answer.response,
                "is_correct": answer.is_correct,
                "points": answer.points,
                "submitted_at": answer.submitted_at,
            }
            # In one order for every batch: two batches waiting on each other's rows in the unique index (a retry
            # in each) wait in the same order, never in a circle.
            for _key, answer in sorted(new_answers.items())
        ]
    ).decode()
    with prepared_cursor() as cursor:
        cursor.execute(ANSWER_INSERT, [batch])
        stored = {}
        for pk, round_id, student_id in cursor.fetchall():
            answer = new_answers[(round_id, student_id)]
            answer.pk = pk
            answer._state.adding = False
            answer._state.db = "default"
            stored[(round_id, student_id)] = answer
    return stored


def _answers_of(pairs: set[tuple[int, int]]) -> QuerySet[Answer]:
    """The answers of these (round, student) pairs, and maybe others: two IN lists, the exact pairs picked out in
    Python by the caller (an OR of one condition per answer took Django ~0.25 s to build for a batch of 500)."""
    return Answer.objects.filter(
        round_id__in={round_id for round_id, _ in pairs}, student_id__in={student_id for _, student_id in pairs}
    )


def _stored_keys(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which of these (round, student) pairs have an answer stored."""
    return {key for key in _answers_of(pairs).values_list("round_id", "student_id") if key in pairs}


def _stored_answers(
    *, pairs: set[tuple[int, int]], new_answers: dict[tuple[int, int], Answer]
) -> dict[tuple[int, int], Answer]:
    """What is stored for each (round, student) after the insert. Ids and client ids are read for all; an answer
    this batch built and the database kept is the object already in hand (given its id), and only answers stored
    before (a retry, a second opinion, another worker's) are read whole."""
    candidates = _answers_of(pairs)
    stored: dict[tuple[int, int], Answer] = {}
    read_whole: list[int] = []
    for pk, round_id, student_id, client_id in candidates.values_list("pk", "round_id", "student_id", "client_id"):
        key = (round_id, student_id)
        if key not in pairs:
            continue
        built = new_answers.get(key)
        if built is not None and built.client_id == client_id and built.pk is None:
            built.pk = pk
            built._state.adding = False
            built._state.db = candidates.db
            stored[key] = built
        else:
            read_whole.append(pk)
    if read_whole:
        for answer in Answer.objects.filter(pk__in=read_whole):
            stored[(answer.round_id, answer.student_id)] = answer
    return stored


def answers_submit(*, submissions: list[AnswerSubmission]) -> list[AnswerOutcome]:
    """Store a batch of answers, exactly once per student and round.

    A retry with the client id already stored gets the stored answer back (`duplicate`); a different second answer
    gets `already_answered`; an answer after the deadline, to a round that is not open, in a session that ended, or
    to a round of another session gets `round_closed`, `session_ended` or `not_found` and stores nothing. The batch
    holds the lock of its sessions, as a close, a reveal or a push does, so no answer slips in after a reveal; the
    unique constraint on (round, student) is what guarantees one answer even across workers.
    """
    if not submissions:
        return []
    with transaction.atomic():
        rounds = rounds_for_answers({s.round_id for s in submissions})
        pairs = {(s.round_id, s.student_id) for s in submissions}
        # On PostgreSQL the insert itself tells which answers were stored before (it skips them), and only those
        # are read back. Elsewhere they are read first.
        inserts_tell = connection.vendor == "postgresql"
        stored_before = set() if inserts_tell else _stored_keys(pairs)
        # A refusal that a stored answer overrides (a retry after the question closed gets its answer back),
        # known only after the insert where it tells what was stored before.
        unless_stored: set[int] = set()

        extra_time: dict[tuple[int, int], str] = {}
        for timed in rounds.values():
            if timed.closes_at is None and not timed.stays_open:
                continue  # nobody in the class had extra time when the question was pushed
            students = {s.student_id for s in submissions if s.round_id == timed.pk}
            for student_id, extra in extra_time_of(
                classroom_id=timed.session.classroom_id, student_ids=students
            ).items():
                extra_time[(timed.pk, student_id)] = extra
        refusals: dict[int, tuple[str, str]] = {}
        new_answers: dict[tuple[int, int], Answer] = {}
        attempts = _paced_attempts(rounds.values(), submissions)
        checks_by_round = {round_id: _AnswersToRound(round_) for round_id, round_ in rounds.items()}
        for index, s in enumerate(submissions):
            checks = checks_by_round.get(s.round_id)
            key = (s.round_id, s.student_id)
            attempt = None
            if checks is None or checks.session_id != s.session_id:
                refusals[index] = ("not_found", "No such question in this session.")
                continue
            if key in stored_before or key in new_answers:
                continue  # a retry or a second opinion: decided against the stored answer below
            if inserts_tell:
                unless_stored.add(index)
            if checks.ended:
                refusals[index] = ("session_ended", "This session has ended.")
            elif checks.student_paced and (attempt := attempts.get(key)) is None:
                refusals[index] = ("not_found", "No such question in this session.")  # not reached yet
            elif not checks.counts(s.received_at, extra_time.get(key, ""), attempt):
                refusals[index] = ("round_closed", "This question is closed.")
            else:
                try:
                    grade = checks.grade(s.raw_response)
                except InvalidResponse as error:
                    refusals[index] = ("invalid_answer", error.detail)
                    continue
                unless_stored.discard(index)
                new_answers[key] = rows.built(
                    Answer,
                    ANSWER_COLUMNS,
                    (
                        None,
                        checks.pk,
                        s.student_id,
                        s.client_id,
                        grade.response,
                        grade.is_correct,
                        _points_for(
                            question=checks.question,
                            started_at=attempt.received_at if attempt else checks.round.opened_at,
                            session=checks.session,
                            grade=grade,
                            at=s.received_at,
                        ),
                        s.received_at,
                    ),
                )
        if inserts_tell:
            stored = _insert_answers_postgresql(new_answers) if new_answers else {}
            # Read back only what this insert did not store: retries, second answers, another worker's answers,
            # and the answers stored for refusals that a stored answer overrides.
            settled = {
                (s.round_id, s.student_id)
                for index, s in enumerate(submissions)
                if index not in refusals or index in unless_stored
            } - stored.keys()
            if settled:
                found = _stored_answers(pairs=settled, new_answers={})  # none of them is one built here
                stored.update(found)
                stored_before = set(found)
            for index in unless_stored:
                if (submissions[index].round_id, submissions[index].student_id) in stored:
                    del refusals[index]  # decided against the stored answer
        else:
            if new_answers:
                Answer.objects.bulk_create(new_answers.values(), ignore_conflicts=True)
            stored = _stored_answers(pairs=pairs, new_answers=new_answers)

    outcomes = []
    acknowledged: set[tuple[int, int]] = set()
    answer_round = Answer._meta.get_field("round")
    for index, s in enumerate(submissions):
        key = (s.round_id, s.student_id)
        answer = stored.get(key)
        if answer is not None and answer.round_id in rounds:
            # Its question and session are read: callers build on them. Cached as `answer.round = ...` would
            # cache it, without the assignment's checks of a value that is its own round (1 µs an answer).
            answer_round.set_cached_value(answer, rounds[answer.round_id])
        if index in refusals:
            outcomes.append(AnswerOutcome(s, error_code=refusals[index][0], error_message=refusals[index][1]))
        elif answer is None:  # pragma: no cover - the insert stored it or lost to a stored one
            outcomes.append(AnswerOutcome(s, error_code="internal_error", error_message="Please send it again."))
        elif answer.client_id != s.client_id:
            outcomes.append(
                AnswerOutcome(s, error_code="already_answered", error_message="You already answered this question.")
            )
        else:
            duplicate = key in stored_before or key in acknowledged
            acknowledged.add(key)
            outcomes.append(AnswerOutcome(s, answer=answer, duplicate=duplicate))
    return outcomes


def participants_admit(*, session: LiveSession, students: list[User]) -> set[int]:
    """Of these students, the ids of those who may be in the session, recorded as its participants.

    Participants are in (guests, who joined with the code, and students who connected before) unless the teacher
    removed them; the classroom's enrolled students become participants on their first connect, unless joining is
    locked. Two queries for any number of returning students, so a whole class connecting at once costs the same as
    one student.
    """
    ids = {student.pk for student in students if student.is_student}
    admitted, newcomers = _admissible(session, ids)
    if newcomers:
        # Another socket of the same student may record them at the same moment: the constraint keeps one row.
        Participant.objects.bulk_create(
            [Participant(session=session, student_id=student_id) for student_id in newcomers], ignore_conflicts=True
        )
        admitted |= newcomers
    return admitted
