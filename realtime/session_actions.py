"""The database half of each socket command: run one service, then build the events it causes.

Consumers call these through `database_sync_to_async`; each returns after its transaction committed, and the
caller hands the returned broadcasts to `realtime.runtime.publish`. Nothing here touches a socket.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import prefetch_related_objects
from django.utils import timezone

from accounts.models import User
from classroom import services
from classroom.errors import DomainError
from classroom.models import Answer, LiveSession, Round
from classroom.selectors import Standing, round_results, session_leaderboard, session_roster
from realtime import events, groups


@dataclass(frozen=True)
class Broadcast:
    """One event for one group: `text` for every socket in it, `personal` texts by user id (as a string)."""

    group: str
    text: str | None = None
    personal: dict[str, str] = field(default_factory=dict)
    close_users: tuple[str, ...] = ()  # user ids (as strings) whose sockets in the group are closed after it


@dataclass(frozen=True)
class CommandResult:
    broadcasts: list[Broadcast]
    round_id: int | None = None
    deadline: datetime | None = None


def _session(session_id: int) -> LiveSession:
    session = LiveSession.objects.select_related("quiz", "classroom", "current_round__question").filter(pk=session_id)
    found = session.first()
    if found is None:
        raise DomainError("not_found", "This session does not exist.")
    return found


def _round(round_id: int) -> Round:
    return Round.objects.select_related("question", "session").prefetch_related("question__choices").get(pk=round_id)


# --- connecting ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Admission:
    session_id: int
    user_id: int
    name: str
    guest: bool = False


def admit_student(*, session_id: int, user: User) -> Admission:
    session = _session(session_id)
    if not services.student_may_join(student=user, session=session):
        raise DomainError("forbidden", "You are not in this session's classroom.")
    services.participant_record(session=session, student=user)
    return Admission(session_id=session.pk, user_id=user.pk, name=user.name, guest=user.is_guest)


def admit_teacher(*, session_id: int, user: User) -> Admission:
    session = _session(session_id)
    if not services.user_teaches(user=user, classroom=session.classroom):
        raise DomainError("forbidden", "You do not teach this session's classroom.")
    return Admission(session_id=session.pk, user_id=user.pk, name=user.name, guest=user.is_guest)


def student_snapshot_texts(*, session_id: int, users: list[User]) -> dict[int, str]:
    """What each student sees on (re)connect, by user id: the session, the open round's student-safe question, the
    time left, their own answer, and after a reveal the answer key, their result and their standing.

    What all students share is read once, so resyncing a whole worker after an outage costs a few queries per
    session rather than per socket.
    """
    now = timezone.now()
    session = _session(session_id)
    round_ = _round(session.current_round_id) if session.current_round_id else None
    answers = {a.student_id: a for a in Answer.objects.filter(round=round_, student__in=users)} if round_ else {}
    reveal = None
    if round_ is not None and round_.revealed_at is not None:
        reveal = events.round_revealed(round_, results=round_results(round_=round_), for_teacher=False)
    standings = {}
    if session.rounds.filter(revealed_at__isnull=False).exists():
        board = session_leaderboard(session=session)
        standings = {s.student_id: {"total": s.points, "rank": s.rank, "of": len(board)} for s in board}
    texts = {}
    for user in users:
        round_part = None
        if round_ is not None:
            answer = answers.get(user.pk)
            round_part = events.round_info(round_, now=now)
            round_part["your_answer"] = None if answer is None else events.stored_answer(answer)
            if reveal is not None:
                round_part["reveal"] = reveal
                round_part["your_result"] = (
                    None if answer is None else {"correct": answer.is_correct, "points": answer.points}
                )
        you = {"id": user.pk, "name": user.name}
        texts[user.pk] = events.encode(
            events.snapshot(
                role="student", session=session, you=you, now=now, round=round_part, score=standings.get(user.pk)
            )
        )
    return texts


def student_snapshot_text(*, session_id: int, user: User) -> str:
    return student_snapshot_texts(session_id=session_id, users=[user])[user.pk]


@dataclass(frozen=True)
class TeacherSnapshot:
    text: str
    round_id: int | None
    answered: int


def teacher_snapshot(*, session_id: int, user: User) -> TeacherSnapshot:
    """What a teacher (dashboard or projector) sees on (re)connect: the quiz, the roster, the current round with
    its answer key and live results as stored, and the leaderboard."""
    now = timezone.now()
    session = _session(session_id)
    questions = [
        {
            "id": q.pk,
            "order": q.order,
            "prompt": q.prompt,
            "type": q.type,
            "time_limit": q.time_limit,
        }
        for q in session.quiz.questions.all()
    ]
    round_part = results = None
    if session.current_round_id:
        round_ = _round(session.current_round_id)
        round_part = events.round_info(round_, now=now, for_teacher=True)
        results = round_results(round_=round_)
    asked = list(session.rounds.values_list("question_id", flat=True))
    you = {"id": user.pk, "name": user.name}
    text = events.encode(
        events.snapshot(
            role="teacher",
            session=session,
            you=you,
            now=now,
            questions=questions,
            asked_question_ids=asked,
            roster=session_roster(session=session),
            round=round_part,
            results=results,
            leaderboard=events.leaderboard(session_leaderboard(session=session)),
        )
    )
    return TeacherSnapshot(text=text, round_id=session.current_round_id, answered=results["answered"] if results else 0)


# --- teacher commands ---------------------------------------------------------------------------------------------
def push_question(*, session_id: int, teacher: User, question_id: int) -> CommandResult:
    # The service locks and checks the session itself (not_found included), and the round it returns already holds
    # its question: only the choices are read again. Every query here is paid before the first student sees the
    # question (docs/performance.md).
    round_ = services.session_push_question(
        session=LiveSession(pk=session_id), question_id=question_id, pushed_by=teacher
    )
    prefetch_related_objects([round_.question], "choices")
    now = round_.opened_at
    return CommandResult(
        broadcasts=[
            Broadcast(
                groups.session_students(session_id),
                text=events.encode(events.question_pushed(round_, now=now)),
            ),
            Broadcast(
                groups.session_teachers(session_id),
                text=events.encode(events.round_opened(round_, now=now)),
            ),
        ],
        round_id=round_.pk,
        deadline=round_.deadline,
    )


def _closed_broadcasts(round_: Round) -> list[Broadcast]:
    text = events.encode(events.round_closed(round_))
    return [
        Broadcast(groups.session_students(round_.session_id), text=text),
        Broadcast(groups.session_teachers(round_.session_id), text=text),
    ]


def close_round(*, session_id: int, teacher: User, round_id: int) -> CommandResult:
    round_ = services.round_close(session=_session(session_id), round_id=round_id, closed_by=teacher)
    return CommandResult(broadcasts=_closed_broadcasts(round_) if round_ else [], round_id=round_id)


def close_overdue_rounds() -> list[Broadcast]:
    broadcasts = []
    for round_ in services.rounds_close_overdue():
        broadcasts += _closed_broadcasts(round_)
    return broadcasts


def _personal_scores(standings: list[Standing], round_: Round | None) -> dict[str, str]:
    """Each student's own `score.updated`, keyed by their id, built once here and handed to their sockets."""
    answers = {a.student_id: a for a in Answer.objects.filter(round=round_)} if round_ else {}
    of = len(standings)
    return {
        str(s.student_id): events.encode(
            events.score_updated(round_=round_, answer=answers.get(s.student_id), standing=s, of=of)
        )
        for s in standings
    }


def reveal_round(*, session_id: int, teacher: User, round_id: int) -> CommandResult:
    session = _session(session_id)
    was_open = session.current_round is not None and session.current_round.closed_at is None
    services.round_reveal(session=session, round_id=round_id, revealed_by=teacher)
    round_ = _round(round_id)
    results = round_results(round_=round_)
    standings = session_leaderboard(session=session)
    broadcasts = _closed_broadcasts(round_) if was_open else []
    broadcasts += [
        Broadcast(
            groups.session_students(session_id),
            text=events.encode(events.round_revealed(round_, results=results, for_teacher=False)),
            personal=_personal_scores(standings, round_),
        ),
        Broadcast(
            groups.session_teachers(session_id),
            text=events.encode(
                {
                    **events.round_revealed(round_, results=results, for_teacher=True),
                    "leaderboard": events.leaderboard(standings),
                }
            ),
        ),
    ]
    return CommandResult(broadcasts=broadcasts, round_id=round_id)


def end_session(*, session_id: int, teacher: User) -> CommandResult:
    session = services.session_end(session=_session(session_id), ended_by=teacher)
    standings = session_leaderboard(session=session)
    text = events.encode(events.session_ended(session, standings=standings))
    return CommandResult(
        broadcasts=[
            Broadcast(groups.session_students(session_id), text=text, personal=_personal_scores(standings, None)),
            Broadcast(groups.session_teachers(session_id), text=text),
        ]
    )


def remove_guest(*, session_id: int, teacher: User, student_id: int) -> CommandResult:
    guest = services.session_remove_guest(session=_session(session_id), student_id=student_id, removed_by=teacher)
    return CommandResult(
        broadcasts=[
            Broadcast(groups.session_students(session_id), close_users=(str(guest.pk),)),
            Broadcast(
                groups.session_teachers(session_id),
                text=events.encode(events.participant_removed(student_id=guest.pk)),
            ),
        ]
    )


def results_text(*, session_id: int) -> tuple[int | None, int, str | None]:
    """The current round's live results as (round id, answers so far, JSON text); (None, 0, None) without a round."""
    session = _session(session_id)
    if not session.current_round_id:
        return None, 0, None
    results = round_results(round_=_round(session.current_round_id))
    return (
        session.current_round_id,
        results["answered"],
        events.encode(events.results_updated(results)),
    )
