"""The database half of each socket command: run one service, then build the events it causes.

Consumers call these through `database_sync_to_async`; each returns after its transaction committed, and the
caller hands the returned broadcasts to `realtime.runtime.publish`. Nothing here touches a socket.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import User
from classroom import services
from classroom.errors import DomainError
from classroom.models import Answer, LiveSession, Round
from classroom.pacing import (
    paced_advance_many,
    paced_grid,
    paced_grid_delta,
    paced_progress_many,
    paced_projector_grid,
    paced_session_extend,
    paced_session_show_names,
    paced_sessions_close_overdue,
)
from classroom.selectors import (
    Standing,
    any_round_revealed,
    anything_overdue,
    live_sessions,
    question_position,
    round_effective_state,
    round_results,
    session_leaderboard,
    session_roster,
    students_answers,
)
from config.database import log_failure
from quizzes.models import Question
from realtime import events, groups
from realtime.auth import authenticated_users
from realtime.messages import Frames

logger = logging.getLogger(__name__)


# A committed event for one group is the message the hubs relay: `text` for every socket in it, `personal` texts by
# user id (as a string), `by_role` for a role that sees less (the projector), then `close_users` are removed.
Broadcast = Frames


@dataclass(frozen=True)
class CommandResult:
    broadcasts: list[Broadcast]
    round_id: int | None = None
    deadline: datetime | None = None


def _session(session_id: int) -> LiveSession:
    found = live_sessions({session_id}).get(session_id)
    if found is None:
        raise DomainError("not_found", "This session does not exist.")
    return found


def _sessions(session_ids: set[int]) -> dict[int, LiveSession]:
    return live_sessions(session_ids)


def _round(round_id: int) -> Round:
    return Round.objects.select_related("question", "session").prefetch_related("question__choices").get(pk=round_id)


# --- connecting ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SocketRequest:
    """A socket asking to open: its role, the session in its URL and the session key of its cookie."""

    role: str  # "student", "teacher" or "projector"
    session_id: int
    session_key: str


@dataclass(frozen=True)
class Opening:
    """What opening one socket found: who is on it and the first snapshot it gets, or why it is refused.

    `refusal` is None, "unauthenticated", "not_found", "forbidden" or "unavailable" (the database failed for it).
    A teacher's opening also says which round its snapshot shows and how many answers that round had then.
    """

    refusal: str | None = None
    user: User | None = None
    snapshot: str = ""
    round_id: int | None = None
    answered: int = 0
    student_paced: bool = False


def open_sockets(*, requests: list[SocketRequest]) -> list[Opening]:
    """Authenticate and admit many sockets and read their first snapshots, in one database call for all of them.

    Users are resolved from their session keys as Django resolves a request's (realtime.auth), and the students of
    one session are admitted and get their snapshots, all with a fixed number of queries however many connect at
    once. One session failing refuses its own sockets only, as unavailable.
    """
    openings: list[Opening | None] = [None] * len(requests)
    users_by_key = authenticated_users(request.session_key for request in requests)
    wanted: dict[tuple[str, int], list[tuple[int, User]]] = {}
    for index, request in enumerate(requests):
        user = users_by_key[request.session_key]
        if not isinstance(user, User):  # None: no user is signed in under the key
            openings[index] = Opening(refusal="unauthenticated")
        else:
            wanted.setdefault((request.role, request.session_id), []).append((index, user))
    sessions = _sessions({session_id for _role, session_id in wanted})
    for (role, session_id), entries in wanted.items():
        session = sessions.get(session_id)
        users = [user for _index, user in entries]
        try:
            if session is None:
                found = [Opening(refusal="not_found")] * len(users)
            elif role == "student":
                found = _open_students(session, users)
            else:
                found = [_open_teacher(session, user, projector=role == "projector") for user in users]
        except Exception as error:
            log_failure(logger, error, "could not open %d %s sockets of session %s", len(users), role, session_id)
            found = [Opening(refusal="unavailable")] * len(users)
        for (index, _user), opening in zip(entries, found, strict=True):
            openings[index] = opening
    return [opening if opening is not None else Opening(refusal="unavailable") for opening in openings]


def _open_students(session: LiveSession, users: list[User]) -> list[Opening]:
    admitted = services.participants_admit(session=session, students=users)
    texts = _student_snapshot_texts(session, [user for user in users if user.pk in admitted])
    paced = session.student_paced
    return [
        Opening(user=user, snapshot=texts[user.pk], student_paced=paced)
        if user.pk in admitted
        else Opening(refusal="forbidden")
        for user in users
    ]


def _open_teacher(session: LiveSession, user: User, *, projector: bool = False) -> Opening:
    if not services.user_teaches(user=user, classroom=session.classroom):
        return Opening(refusal="forbidden")
    snapshot = _projector_snapshot(session, user) if projector else _teacher_snapshot(session, user)
    return Opening(user=user, snapshot=snapshot.text, round_id=snapshot.round_id, answered=snapshot.answered)


def student_snapshot_texts(*, session_id: int, users: list[User]) -> dict[int, str]:
    """What each student sees on (re)connect, by user id (see _student_snapshot_texts)."""
    return _student_snapshot_texts(_session(session_id), users)


def _student_snapshot_texts(session: LiveSession, users: list[User]) -> dict[int, str]:
    """What each student sees on (re)connect, by user id: the session, the open round's student-safe question, the
    time left, their own answer, and after a reveal the answer key, their result and their standing.

    What all students share is read once, so resyncing a whole worker after an outage costs a few queries per
    session rather than per socket.
    """
    if not users:
        return {}
    now = timezone.now()
    if session.student_paced:
        return _paced_snapshot_texts(session, users, now)
    round_ = session.current_round  # read with the session, question included: only its choices are read here
    if round_ is not None:
        round_.session = session
        prefetch_related_objects([round_.question], "choices")
    answers = students_answers(round_id=round_.pk, student_ids=[user.pk for user in users]) if round_ else {}
    position = question_position(question=round_.question) if round_ else None
    reveal = None
    if round_ is not None and round_.revealed_at is not None:
        reveal = events.round_revealed(round_, results=round_results(round_=round_), for_teacher=False)
    standings = {}
    if any_round_revealed(session_id=session.pk):
        board = session_leaderboard(session=session)
        standings = {s.student_id: {"total": s.points, "rank": s.rank, "of": len(board)} for s in board}
    # The round as every student sees it, built once: each student's part is a copy with their own answer added.
    shared_round = events.round_info(round_, now=now, position=position) if round_ and position else None
    texts = {}
    for user in users:
        round_part = None
        if round_ is not None and shared_round is not None:
            answer = answers.get(user.pk)
            round_part = dict(shared_round)
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


def _paced_snapshot_texts(session: LiveSession, users: list[User], now: datetime) -> dict[int, str]:
    """A student-paced session's snapshot: no round, but the student's own place (`paced`). Four queries for all."""
    texts = {}
    progresses = paced_progress_many(session=session, students=users, now=now)
    for user in users:
        progress = progresses[user.pk]
        texts[user.pk] = events.encode(
            events.snapshot(
                role="student",
                session=session,
                you={"id": user.pk, "name": user.name},
                now=now,
                round=None,
                score=None,
                paced=events.paced_state(progress),
            )
        )
    return texts


def paced_result_text(answer: Answer) -> str:
    """After an accepted answer in a student-paced session: its result, with the key if the session shows answers.
    Built from the stored answer as `answers_submit` returned it (round, session and question read): no query."""
    return events.encode(events.paced_answer_result(answer))


@dataclass(frozen=True)
class PacedNextRequest:
    session_id: int
    user: User
    ref: str | None = None


@dataclass(frozen=True)
class PacedReply:
    """The frames that answer a `paced.next`, and the deadline of the question it hands out (None: no time limit or
    no question), at which the teacher's grid shows it timed out unless answered."""

    frames: list[str]
    deadline: datetime | None = None


def paced_next_many(*, requests: list[PacedNextRequest]) -> list[PacedReply | DomainError]:
    """Students ask for their next question (`paced.next`), many at once, in one batch of queries. For each: the
    result of the question they had if its time ran out unanswered (its key if the session shows answers), then
    the next question, or `paced.finished` when there is none; or the DomainError that refuses it."""
    steps = paced_advance_many(requests=[(request.session_id, request.user) for request in requests])
    replies: list[PacedReply | DomainError] = []
    for request, step in zip(requests, steps, strict=True):
        if isinstance(step, DomainError):
            replies.append(step)
            continue
        before, progress = step.before, step.after
        frames = []
        previous = before.current
        moved_on = len(progress.items) > len(before.items) or progress.finished
        if previous is not None and previous.timed_out(before.now) and moved_on:
            frames.append(events.encode(events.paced_result(progress, progress.items[len(before.items) - 1])))
        current = progress.current
        if progress.finished or current is None:
            frames.append(events.encode(events.paced_finished(progress, ref=request.ref)))
            replies.append(PacedReply(frames))
        else:
            frames.append(events.encode(events.paced_question(progress, current, ref=request.ref)))
            replies.append(PacedReply(frames, deadline=current.attempt.deadline))
    return replies


@dataclass(frozen=True)
class TeacherSnapshot:
    text: str
    round_id: int | None
    answered: int


def teacher_snapshot(*, session_id: int, user: User) -> TeacherSnapshot:
    """What a teacher (dashboard or projector) sees on (re)connect: the quiz, the roster, the current round with
    its answer key and live results as stored, and the leaderboard."""
    return _teacher_snapshot(_session(session_id), user)


def _teacher_snapshot(session: LiveSession, user: User) -> TeacherSnapshot:
    now = timezone.now()
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
        round_part = events.round_info(
            round_, now=now, position=question_position(question=round_.question), for_teacher=True
        )
        results = round_results(round_=round_)
    asked = list(session.rounds.values_list("question_id", flat=True))
    you = {"id": user.pk, "name": user.name}
    roster = session_roster(session=session)
    paced = {"grid": paced_grid(session=session, roster=roster, now=now)} if session.student_paced else {}
    text = events.encode(
        events.snapshot(
            role="teacher",
            session=session,
            you=you,
            now=now,
            questions=questions,
            asked_question_ids=asked,
            roster=roster,
            round=round_part,
            results=results,
            leaderboard=events.leaderboard(session_leaderboard(session=session)),
            **paced,
        )
    )
    return TeacherSnapshot(text=text, round_id=session.current_round_id, answered=results["answered"] if results else 0)


def projector_snapshot(*, session_id: int, user: User) -> TeacherSnapshot:
    """What the projector shows on (re)connect (see _projector_snapshot)."""
    return _projector_snapshot(_session(session_id), user)


def _projector_snapshot(session: LiveSession, user: User) -> TeacherSnapshot:
    """What the room may see: the current round without its answer key until the reveal, its results as
    `events.projector_results` allows, and the leaderboard. No roster and no list of the quiz's questions."""
    now = timezone.now()
    round_part = results = None
    if session.current_round_id:
        round_ = _round(session.current_round_id)
        revealed = round_.revealed_at is not None
        round_part = events.round_info(
            round_, now=now, position=question_position(question=round_.question), for_teacher=revealed
        )
        results = round_results(round_=round_)
    paced = {}
    if session.student_paced:  # the class's progress; no leaderboard: it would name students and their scores
        grid = paced_grid(session=session, roster=session_roster(session=session), now=now)
        paced = {"grid": paced_projector_grid(grid, names=session.projector_names)}
    text = events.encode(
        events.snapshot(
            role="projector",
            session=session,
            you={"id": user.pk, "name": user.name},
            now=now,
            round=round_part,
            results=_for_projector(session, round_, results, now=now) if results else None,
            leaderboard=[] if session.student_paced else events.leaderboard(session_leaderboard(session=session)),
            **paced,
        )
    )
    return TeacherSnapshot(text=text, round_id=session.current_round_id, answered=results["answered"] if results else 0)


def _for_projector(
    session: LiveSession, round_: Round, results: dict[str, Any], *, now: datetime | None = None
) -> events.Message:
    round_open = round_effective_state(round_=round_, now=now) == "open"
    return events.projector_results(
        results,
        round_open=round_open,
        live_results=session.live_results,
        always_live=round_.question.type in Question.LIVE_RESULT_TYPES,
    )


def _projector_results_broadcast(session: LiveSession, round_: Round) -> Broadcast:
    """The current results, to the projector sockets only (the teachers have them already)."""
    results = _for_projector(session, round_, round_results(round_=round_))
    return Broadcast(
        groups.session_teachers(session.pk),
        by_role={"projector": events.encode(events.results_updated(results))},
    )


# --- student commands ---------------------------------------------------------------------------------------------
def store_answers(*, submissions: list[services.AnswerSubmission]) -> list[services.AnswerOutcome]:
    """The database half of `answer.submit`, for the answers of many sockets at once (realtime.runtime's answer
    writer batches them): one outcome per submission, in order. Exactly once is the database constraint's job."""
    return services.answers_submit(submissions=submissions)


# --- teacher commands ---------------------------------------------------------------------------------------------
def push_question(*, session_id: int, teacher: User, question_id: int) -> CommandResult:
    # The service locks and checks the session itself (not_found included), and the round it returns holds its
    # question, its place in the quiz and its choices: every query of a push is paid before the first student sees
    # the question (docs/performance.md).
    round_ = services.session_push_question(session_id=session_id, question_id=question_id, pushed_by=teacher)
    now = round_.opened_at
    position = question_position(question=round_.question)
    return CommandResult(
        broadcasts=[
            Broadcast(
                groups.session_students(session_id),
                text=events.encode(events.question_pushed(round_, now=now, position=position)),
            ),
            Broadcast(
                groups.session_teachers(session_id),
                text=events.encode(events.round_opened(round_, now=now, position=position)),
                by_role={
                    "projector": events.encode(
                        events.round_opened(round_, now=now, position=position, for_teacher=False)
                    )
                },
            ),
        ],
        round_id=round_.pk,
        deadline=round_.deadline,
    )


def _closed_broadcasts(round_: Round, *, with_results: bool = True) -> list[Broadcast]:
    """`round.closed` to everyone; then the projector gets the results it may now show (unless a reveal follows)."""
    text = events.encode(events.round_closed(round_))
    broadcasts = [
        Broadcast(groups.session_students(round_.session_id), text=text),
        Broadcast(groups.session_teachers(round_.session_id), text=text),
    ]
    if with_results:
        broadcasts.append(_projector_results_broadcast(_session(round_.session_id), _round(round_.pk)))
    return broadcasts


def close_round(*, session_id: int, teacher: User, round_id: int) -> CommandResult:
    round_ = services.round_close(session_id=_session(session_id).pk, round_id=round_id, closed_by=teacher)
    if round_ is None:  # closed already, by its deadline or another teacher: everyone was told then
        raise DomainError("round_closed", "This question is already closed.")
    return CommandResult(broadcasts=_closed_broadcasts(round_), round_id=round_id)


def close_overdue_rounds() -> list[Broadcast]:
    """Close the rounds whose deadline passed and end the student-paced sessions whose closing time passed."""
    now = timezone.now()
    if not anything_overdue(now=now):
        return []
    broadcasts = []
    for round_ in services.rounds_close_overdue(now=now):
        broadcasts += _closed_broadcasts(round_)
    for session in paced_sessions_close_overdue(now=now):
        broadcasts += _ended_broadcasts(_session(session.pk))
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
    services.round_reveal(session_id=session.pk, round_id=round_id, revealed_by=teacher)
    round_ = _round(round_id)
    results = round_results(round_=round_)
    standings = session_leaderboard(session=session)
    board = events.leaderboard(standings)
    broadcasts = _closed_broadcasts(round_, with_results=False) if was_open else []
    projector_results = events.projector_results(results, round_open=False, live_results=session.live_results)
    broadcasts += [
        Broadcast(
            groups.session_students(session_id),
            text=events.encode(events.round_revealed(round_, results=results, for_teacher=False)),
            personal=_personal_scores(standings, round_),
        ),
        Broadcast(
            groups.session_teachers(session_id),
            text=events.encode(
                {**events.round_revealed(round_, results=results, for_teacher=True), "leaderboard": board}
            ),
            by_role={
                "projector": events.encode(
                    {
                        **events.round_revealed(round_, results=projector_results, for_teacher=True),
                        "leaderboard": board,
                    }
                )
            },
        ),
    ]
    return CommandResult(broadcasts=broadcasts, round_id=round_id)


def end_session(*, session_id: int, teacher: User) -> CommandResult:
    session = services.session_end(session_id=_session(session_id).pk, ended_by=teacher)
    return CommandResult(broadcasts=_ended_broadcasts(session))


def _ended_broadcasts(session: LiveSession) -> list[Broadcast]:
    session_id = session.pk
    standings = session_leaderboard(session=session)
    for_students = events.session_ended(session, standings=standings, size=events.STUDENT_LEADERBOARD_SIZE)
    return [
        Broadcast(
            groups.session_students(session_id),
            text=events.encode(for_students),
            personal=_personal_scores(standings, None),
        ),
        Broadcast(
            groups.session_teachers(session_id),
            text=events.encode(events.session_ended(session, standings=standings)),
        ),
    ]


def extend_session(*, session_id: int, teacher: User, closes_at: str | None) -> CommandResult:
    """Move a student-paced session's closing time; everyone gets `session.updated` with it."""
    moment = None
    if closes_at is not None:
        moment = parse_datetime(closes_at) if len(closes_at) <= 40 else None
        if moment is None or moment.tzinfo is None:
            raise DomainError("invalid_closing_time", "Send the closing time as an ISO 8601 time with its offset.")
    session = paced_session_extend(session_id=_session(session_id).pk, closes_at=moment, extended_by=teacher)
    text = events.encode(events.session_updated(_session(session.pk)))
    return CommandResult(
        broadcasts=[
            Broadcast(groups.session_students(session_id), text=text),
            Broadcast(groups.session_teachers(session_id), text=text),
        ]
    )


def set_live_results(*, session_id: int, teacher: User, live_results: bool) -> CommandResult:
    services.session_set_live_results(session_id=session_id, live_results=live_results, changed_by=teacher)
    session = _session(session_id)
    broadcasts = [Broadcast(groups.session_teachers(session_id), text=events.encode(events.session_updated(session)))]
    if session.current_round_id:
        broadcasts.append(_projector_results_broadcast(session, _round(session.current_round_id)))
    return CommandResult(broadcasts=broadcasts)


def hide_text(*, session_id: int, teacher: User, round_id: int, text: str, hidden: bool) -> CommandResult:
    """Hide a free-text answer from the projector (or show it again): teachers get the results with the text
    marked hidden, the projector the results without it."""
    services.round_hide_text(session_id=session_id, round_id=round_id, text=text, hidden=hidden, changed_by=teacher)
    session, round_ = _session(session_id), _round(round_id)
    results = round_results(round_=round_)
    return CommandResult(
        broadcasts=[
            Broadcast(
                groups.session_teachers(session_id),
                text=events.encode(events.results_updated(results)),
                by_role={"projector": events.encode(events.results_updated(_for_projector(session, round_, results)))},
            )
        ],
        round_id=round_id,
    )


def _removal_broadcasts(session_id: int, removed: list[User], teacher_text: str) -> list[Broadcast]:
    """The removed students' sockets close with 4430; teachers get `teacher_text`."""
    return [
        Broadcast(groups.session_students(session_id), close_users=tuple(str(student.pk) for student in removed)),
        Broadcast(groups.session_teachers(session_id), text=teacher_text),
    ]


def remove_participant(*, session_id: int, teacher: User, student_id: int, delete_answers: bool) -> CommandResult:
    removal = services.session_remove_participant(
        session_id=_session(session_id).pk, student_id=student_id, removed_by=teacher, delete_answers=delete_answers
    )
    text = events.encode(
        events.participant_removed(
            student_id=removal.student.pk, guest=removal.guest, answers_deleted=removal.answers_deleted
        )
    )
    return CommandResult(broadcasts=_removal_broadcasts(session_id, [removal.student], text))


def readmit_participant(*, session_id: int, teacher: User, student_id: int) -> CommandResult:
    student = services.session_readmit_participant(
        session_id=_session(session_id).pk, student_id=student_id, readmitted_by=teacher
    )
    text = events.encode(events.participant_readmitted(student_id=student.pk))
    return CommandResult(broadcasts=[Broadcast(groups.session_teachers(session_id), text=text)])


def remove_unanswered_guests(*, session_id: int, teacher: User) -> CommandResult:
    guests = services.session_remove_unanswered_guests(session_id=_session(session_id).pk, removed_by=teacher)
    text = events.encode(events.guests_removed(student_ids=sorted(guest.pk for guest in guests)))
    return CommandResult(broadcasts=_removal_broadcasts(session_id, guests, text))


def lock_joining(*, session_id: int, teacher: User, locked: bool) -> CommandResult:
    session = services.session_lock_joining(session_id=_session(session_id).pk, locked=locked, locked_by=teacher)
    text = events.encode(events.joining_changed(locked=session.joining_locked))
    return CommandResult(broadcasts=[Broadcast(groups.session_teachers(session_id), text=text)])


@dataclass(frozen=True)
class ResultsTexts:
    """The current round's live results: answers so far, the teachers' JSON text and the projector's."""

    round_id: int | None = None
    answered: int = 0
    text: str | None = None
    projector_text: str | None = None


PACED_GRID_ROUND_ID = 0  # the grid of a student-paced session stands in for the results of a round


def results_texts(*, session_id: int) -> ResultsTexts:
    """The current round's live results; empty (no text) before the first round. In a student-paced session, the
    teacher's grid (with `answered` its version, which only grows); the projector gets nothing."""
    session = _session(session_id)
    if session.student_paced:
        grid = paced_grid(session=session, roster=session_roster(session=session))
        return ResultsTexts(
            round_id=PACED_GRID_ROUND_ID,
            answered=grid["version"],
            text=events.encode(events.grid_updated(grid)),
            projector_text=events.encode(
                events.grid_updated(paced_projector_grid(grid, names=session.projector_names))
            ),
        )
    round_ = session.current_round
    if round_ is None:
        return ResultsTexts()
    round_.session = session  # read with the session, its question too: only the answers are read again
    results = round_results(round_=round_)
    return ResultsTexts(
        round_id=round_.pk,
        answered=results["answered"],
        text=events.encode(events.results_updated(results)),
        projector_text=events.encode(events.results_updated(_for_projector(session, round_, results))),
    )


def paced_grid_delta_broadcast(*, session_id: int, student_ids: set[int]) -> Broadcast:
    """The rows of these students in a student-paced session's grid, with every question's figures, as a
    `grid.delta` to its teachers (the projector gets its version: progress only)."""
    session = _session(session_id)
    delta = paced_grid_delta(session=session, student_ids=student_ids)
    return Broadcast(
        groups.session_teachers(session_id),
        text=events.encode(events.grid_delta(delta)),
        by_role={
            "projector": events.encode(events.grid_delta(paced_projector_grid(delta, names=session.projector_names)))
        },
    )


def show_names_on_projector(*, session_id: int, teacher: User, names: bool) -> CommandResult:
    """Show or hide the names on a student-paced session's projector: teachers and projectors get
    `session.updated`, the projector its whole grid again, with or without the names."""
    session = paced_session_show_names(session_id=session_id, names=names, changed_by=teacher)
    session = _session(session_id)
    grid = paced_projector_grid(paced_grid(session=session, roster=session_roster(session=session)), names=names)
    return CommandResult(
        broadcasts=[
            Broadcast(groups.session_teachers(session_id), text=events.encode(events.session_updated(session))),
            Broadcast(
                groups.session_teachers(session_id), by_role={"projector": events.encode(events.grid_updated(grid))}
            ),
        ]
    )
