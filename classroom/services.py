"""Writes to classrooms and live sessions. Every function here runs in one transaction and raises DomainError
with a stable code when the request is refused. Callers broadcast what these return, after commit."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from classroom.codes import normalize_code, unique_code
from classroom.errors import DomainError
from classroom.models import (
    Answer,
    Classroom,
    Enrolment,
    LiveSession,
    Participant,
    Round,
    teaches_q,
)
from quizzes.grading import InvalidResponse, response_grade, response_parse
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
    if not student.is_student:
        raise DomainError("not_a_student", "Only students join classrooms with a code.")
    classroom = Classroom.objects.filter(join_code=normalize_code(join_code)).first()
    if classroom is None or not classroom.self_enrolment:
        raise DomainError("not_found", "No classroom accepts that code. Check it with your teacher.")
    classroom_enrol(classroom=classroom, students=[student])
    return classroom


def user_teaches(*, user: User, classroom: Classroom) -> bool:
    if user.is_superuser:
        return True
    return user.is_teacher and Classroom.objects.filter(teaches_q(user), pk=classroom.pk).exists()


# --- live sessions ------------------------------------------------------------------------------------------------
def session_start(
    *,
    classroom: Classroom,
    quiz: Quiz,
    started_by: User,
    speed_bonus: bool = False,
    allow_guests: bool = False,
) -> LiveSession:
    if not user_teaches(user=started_by, classroom=classroom):
        raise DomainError("forbidden", "You do not teach this classroom.")
    if not started_by.is_superuser and quiz.owner_id != started_by.id:
        raise DomainError("forbidden", "You can only run your own quizzes.")
    if not quiz.questions.exists():
        raise DomainError("empty_quiz", "This quiz has no questions yet.")
    return LiveSession.objects.create(
        classroom=classroom,
        quiz=quiz,
        started_by=started_by,
        code=unique_code(LiveSession, "code"),
        speed_bonus=speed_bonus,
        allow_guests=allow_guests,
    )


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
        guest = user_create(
            username=f"guest-{session.code.lower()}-{random_code(8).lower()}",
            password=None,
            display_name=display_name,
            is_guest=True,
        )
        Participant.objects.create(session=session, student=guest)
    return session, guest


def student_may_join(*, student: User, session: LiveSession) -> bool:
    if not student.is_student:
        return False
    if session.classroom.enrolments.filter(student=student).exists():
        return True
    return Participant.objects.filter(session=session, student=student).exists()


def _locked_session(session_id: int) -> LiveSession:
    try:
        return LiveSession.objects.select_for_update().get(pk=session_id)
    except LiveSession.DoesNotExist:
        raise DomainError("not_found", "This session does not exist.") from None


def _close(round_: Round, now: datetime) -> None:
    """Close at the deadline if it passed (the time answers stopped counting), else now."""
    round_.closed_at = min(now, round_.deadline) if round_.deadline else now
    round_.save(update_fields=["closed_at"])


@transaction.atomic
def session_push_question(
    *, session: LiveSession, question_id: int, pushed_by: User, now: datetime | None = None
) -> Round:
    """Open a new round of `question_id` in the session, closing any round still open."""
    now = now or timezone.now()
    session = _locked_session(session.pk)
    if session.state == State.ENDED:
        raise DomainError("session_ended", "This session has ended.")
    question = Question.objects.filter(pk=question_id, quiz_id=session.quiz_id).first()
    if question is None:
        raise DomainError("not_found", "That question is not in this session's quiz.")
    previous = session.current_round
    if previous is not None and previous.closed_at is None:
        _close(previous, now)
    number = (session.rounds.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    deadline = now + timedelta(seconds=question.time_limit) if question.time_limit else None
    round_ = Round.objects.create(session=session, question=question, number=number, opened_at=now, deadline=deadline)
    session.current_round = round_
    session.state = State.QUESTION_OPEN
    session.save(update_fields=["current_round", "state"])
    return round_


@transaction.atomic
def round_close(*, session: LiveSession, round_id: int, now: datetime | None = None) -> Round | None:
    """Close the session's current round. Returns None when it was already closed (nothing to announce)."""
    now = now or timezone.now()
    session = _locked_session(session.pk)
    round_ = session.current_round
    if round_ is None or round_.pk != round_id:
        raise DomainError("not_current", "That is not the question on screen.")
    if round_.closed_at is not None:
        return None
    _close(round_, now)
    session.state = State.QUESTION_CLOSED
    session.save(update_fields=["state"])
    return round_


def rounds_close_overdue(*, now: datetime | None = None) -> list[Round]:
    """Close every current round whose deadline has passed; returns those this call closed."""
    now = now or timezone.now()
    closed = []
    overdue = Round.objects.filter(closed_at__isnull=True, deadline__lte=now, session__current_round=F("pk"))
    for round_id, session_id in overdue.values_list("pk", "session_id"):
        with transaction.atomic():
            session = _locked_session(session_id)
            round_ = session.current_round
            if round_ is None or round_.pk != round_id or round_.closed_at is not None:
                continue
            _close(round_, now)
            session.state = State.QUESTION_CLOSED
            session.save(update_fields=["state"])
            closed.append(round_)
    return closed


@transaction.atomic
def round_reveal(*, session: LiveSession, round_id: int, now: datetime | None = None) -> Round:
    """Reveal the correct answer of the current round, closing it first if it is still open."""
    now = now or timezone.now()
    session = _locked_session(session.pk)
    round_ = session.current_round
    if round_ is None or round_.pk != round_id:
        raise DomainError("not_current", "That is not the question on screen.")
    if round_.revealed_at is not None:
        raise DomainError("already_revealed", "This answer is already revealed.")
    if round_.closed_at is None:
        _close(round_, now)
    round_.revealed_at = now
    round_.save(update_fields=["revealed_at"])
    session.state = State.REVEALED
    session.save(update_fields=["state"])
    return round_


@transaction.atomic
def session_end(*, session: LiveSession, now: datetime | None = None) -> LiveSession:
    now = now or timezone.now()
    session = _locked_session(session.pk)
    if session.state == State.ENDED:
        raise DomainError("session_ended", "This session has already ended.")
    round_ = session.current_round
    if round_ is not None and round_.closed_at is None:
        _close(round_, now)
    session.state = State.ENDED
    session.ended_at = now
    session.save(update_fields=["state", "ended_at"])
    return session


# --- answers ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AnswerSubmission:
    session_id: int
    round_id: int
    student_id: int
    client_id: str
    raw_response: object
    received_at: datetime


@dataclass(frozen=True)
class AnswerOutcome:
    """Either an accepted answer (`answer` set; `duplicate` when it was stored before) or an error code."""

    submission: AnswerSubmission
    answer: Answer | None = None
    error_code: str = ""
    error_message: str = ""
    duplicate: bool = False

    @property
    def accepted(self) -> bool:
        return self.answer is not None


def _points_for(*, question: Question, round_: Round, session: LiveSession, is_correct, at: datetime) -> int:
    if not is_correct:
        return 0
    points = question.points
    if session.speed_bonus and question.time_limit:
        elapsed = max(0.0, (at - round_.opened_at).total_seconds())
        remaining_share = max(0.0, 1.0 - elapsed / question.time_limit)
        points += round(question.points * SPEED_BONUS_SHARE * remaining_share)
    return points


def answers_submit(*, submissions: list[AnswerSubmission]) -> list[AnswerOutcome]:
    """Store a batch of answers, exactly once per student and round.

    A retry with the client id already stored gets the stored answer back (`duplicate`); a different second answer
    gets `already_answered`; an answer after the deadline, to a round that is not open, or to a round of another
    session gets `round_closed` or `not_found` and stores nothing. The unique constraint on (round, student) is what
    guarantees one answer even across workers.
    """
    if not submissions:
        return []
    round_ids = {s.round_id for s in submissions}
    rounds = {
        r.pk: r
        for r in Round.objects.filter(pk__in=round_ids)
        .select_related("session", "question")
        .prefetch_related("question__choices")
    }
    pairs = {(s.round_id, s.student_id) for s in submissions}
    student_ids = {s.student_id for s in submissions}

    def stored_answers() -> dict[tuple[int, int], Answer]:
        # Two IN lists, then the exact pairs in Python: an OR of one condition per answer took Django ~0.25 s to
        # build for a batch of 500 (docs/performance.md); the extra rows this may read are dropped here.
        stored = Answer.objects.filter(round_id__in=round_ids, student_id__in=student_ids)
        return {(a.round_id, a.student_id): a for a in stored if (a.round_id, a.student_id) in pairs}

    existing = stored_answers()
    outcomes: dict[int, AnswerOutcome] = {}
    to_insert: dict[tuple[int, int], Answer] = {}
    for index, s in enumerate(submissions):
        round_ = rounds.get(s.round_id)
        key = (s.round_id, s.student_id)
        if round_ is None or round_.session_id != s.session_id:
            outcomes[index] = AnswerOutcome(
                s, error_code="not_found", error_message="No such question in this session."
            )
            continue
        if key in existing:
            continue  # decided below, against the stored answer
        if not round_.is_open_at(s.received_at):
            outcomes[index] = AnswerOutcome(s, error_code="round_closed", error_message="This question is closed.")
            continue
        try:
            response = response_parse(question=round_.question, raw=s.raw_response)
        except InvalidResponse as error:
            outcomes[index] = AnswerOutcome(s, error_code="invalid_answer", error_message=error.detail)
            continue
        if key in to_insert:
            continue  # a second copy within the batch: decided below
        grade = response_grade(question=round_.question, response=response)
        to_insert[key] = Answer(
            round=round_,
            student_id=s.student_id,
            client_id=s.client_id,
            response=grade.response,
            is_correct=grade.is_correct,
            points=_points_for(
                question=round_.question,
                round_=round_,
                session=round_.session,
                is_correct=grade.is_correct,
                at=s.received_at,
            ),
            submitted_at=s.received_at,
        )
    if to_insert:
        with transaction.atomic():
            Answer.objects.bulk_create(to_insert.values(), ignore_conflicts=True)
        existing = stored_answers()
    inserted_keys = set(to_insert)
    result = []
    for index, s in enumerate(submissions):
        if index in outcomes:
            result.append(outcomes[index])
            continue
        stored = existing.get((s.round_id, s.student_id))
        if stored is None:  # pragma: no cover - the insert above either stored it or lost to a stored one
            result.append(AnswerOutcome(s, error_code="internal_error", error_message="Please send it again."))
        elif stored.client_id == s.client_id:
            first_copy = (s.round_id, s.student_id) in inserted_keys and to_insert[
                (s.round_id, s.student_id)
            ].submitted_at == stored.submitted_at
            result.append(AnswerOutcome(s, answer=stored, duplicate=not first_copy))
            inserted_keys.discard((s.round_id, s.student_id))
        else:
            result.append(
                AnswerOutcome(
                    s,
                    error_code="already_answered",
                    error_message="You already answered this question.",
                )
            )
    return result


def answer_submit(
    *,
    session_id: int,
    round_id: int,
    student: User,
    client_id: str,
    raw_response: object,
    now: datetime | None = None,
) -> AnswerOutcome:
    """One answer: see answers_submit."""
    submission = AnswerSubmission(
        session_id=session_id,
        round_id=round_id,
        student_id=student.pk,
        client_id=client_id,
        raw_response=raw_response,
        received_at=now or timezone.now(),
    )
    return answers_submit(submissions=[submission])[0]


def participant_record(*, session: LiveSession, student: User) -> None:
    try:
        with transaction.atomic():
            Participant.objects.get_or_create(session=session, student=student)
    except IntegrityError:  # two sockets of one student connecting at once
        pass
