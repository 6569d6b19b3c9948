"""Builders of every message the server sends (docs/protocol.md). Each returns a plain dict; `encode` turns it
into the JSON text that is built once per event and handed unchanged to every socket."""

from datetime import datetime
from typing import Any

import orjson
from django.utils import timezone

from classroom.models import Answer, LiveSession, Round
from classroom.pacing import PacedItem, PacedProgress, paced_choice_order
from classroom.selectors import Standing, round_effective_state
from quizzes.payloads import answer_key, question_for_student, question_for_teacher
from realtime.protocol import PROTOCOL_VERSION

LEADERBOARD_SIZE = 10  # what the teacher and the projector see
STUDENT_LEADERBOARD_SIZE = 5  # what students see, with their own rank beside it
# What of a round's results every student sees at the reveal (teachers see all of them, live).
STUDENT_RESULT_KEYS = ("answered", "correct", "choice_counts", "values", "histogram", "mean", "positions")

# A message of docs/protocol.md, or a part of one: a JSON object as orjson encodes it. The parts the domain builds
# (a question's payload, a round's results, the grid) are plain dicts of their own, nested in it unchanged.
Message = dict[str, Any]


def encode(message: Message) -> str:
    """A message's JSON text, compact and in UTF-8 (orjson, in C: every acknowledgement and broadcast is one)."""
    return orjson.dumps(message, option=orjson.OPT_NON_STR_KEYS).decode()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def round_info(round_: Round, *, now: datetime, position: tuple[int, int], for_teacher: bool = False) -> Message:
    """A round as every role sees it; the question part differs by role (no answer key for students).
    `position`: the question's number in the quiz and the quiz's number of questions (question_position)."""
    time_left_ms = None
    if round_.deadline and round_.closed_at is None:
        time_left_ms = max(0, _millis(round_.deadline) - _millis(now))
    build = question_for_teacher if for_teacher else question_for_student
    question = build(round_.question, round_id=round_.pk)
    return {
        "id": round_.pk,
        "number": round_.number,
        "state": round_effective_state(round_=round_, now=now),
        "opened_at": _iso(round_.opened_at),
        "deadline": _iso(round_.deadline),
        "time_left_ms": time_left_ms,
        "question_number": position[0],
        "question_count": position[1],
        "question": question,
    }


def session_info(session: LiveSession) -> Message:
    return {
        "id": session.pk,
        "code": session.code,
        "title": session.quiz.title,
        "classroom": session.classroom.name,
        "state": session.state,
        "speed_bonus": session.speed_bonus,
        "joining_locked": session.joining_locked,
        "live_results": session.live_results,
        "pacing": session.pacing,
        "closes_at": _iso(session.closes_at),
        "show_correct": session.show_correct,
        "projector_names": session.projector_names,
    }


# --- student-paced sessions ----------------------------------------------------------------------------------------
def _paced_question_part(progress: PacedProgress, item: PacedItem) -> Message:
    """The question a student has now, as only they see it: their choice order, their deadline and time left."""
    question = question_for_student(item.round.question)
    if "choices" in question:
        by_id = {choice["id"]: choice for choice in question["choices"]}
        order = paced_choice_order(
            session=progress.session, student_id=progress.student_id, choice_ids=list(by_id), round_id=item.round.pk
        )
        question["choices"] = [by_id[choice_id] for choice_id in order]
    deadline = item.attempt.deadline
    if progress.session.closes_at is not None and (deadline is None or progress.session.closes_at < deadline):
        deadline = progress.session.closes_at  # the session's closing time ends every question
    return {
        "round_id": item.round.pk,
        "position": item.attempt.position,
        "count": progress.count,
        "received_at": _iso(item.attempt.received_at),
        "deadline": _iso(deadline),
        "time_left_ms": None if deadline is None else max(0, _millis(deadline) - _millis(progress.now)),
        "question": question,
    }


def _paced_result_part(progress: PacedProgress, item: PacedItem) -> Message:
    answer = item.answer
    return {
        "round_id": item.round.pk,
        "answered": answer is not None,
        "timed_out": item.timed_out(progress.now),
        "correct": answer.is_correct if answer else None,
        "points": answer.points if answer else 0,
        "your_answer": stored_answer(answer) if answer else None,
        "answer_key": answer_key(item.round.question) if progress.may_see_key(item) else None,
    }


def paced_question(progress: PacedProgress, item: PacedItem, *, ref: str | None = None) -> Message:
    return {
        "type": "paced.question",
        "server_time": _millis(progress.now),
        **_paced_question_part(progress, item),
        "ref": ref,
    }


def paced_result(progress: PacedProgress, item: PacedItem) -> Message:
    return {"type": "paced.result", **_paced_result_part(progress, item)}


def _paced_totals(progress: PacedProgress) -> Message:
    return {
        "count": progress.count,
        "answered": progress.answered,
        "correct": progress.correct,
        "total": progress.points,
    }


def paced_answer_result(answer: Answer) -> Message:
    """The result of an answer just accepted in a student-paced session (answered, so its key may be shown)."""
    round_ = answer.round
    return {
        "type": "paced.result",
        "round_id": round_.pk,
        "answered": True,
        "timed_out": False,
        "correct": answer.is_correct,
        "points": answer.points,
        "your_answer": stored_answer(answer),
        "answer_key": answer_key(round_.question) if round_.session.show_correct else None,
    }


def paced_finished(progress: PacedProgress, *, ref: str | None = None) -> Message:
    return {"type": "paced.finished", **_paced_totals(progress), "closed": progress.closed, "ref": ref}


def paced_state(progress: PacedProgress) -> Message:
    """A student's place in a student-paced session, for their snapshot: the question they have (null before the
    first and once finished), its result once answered or timed out, and their totals."""
    current = progress.current
    finished = progress.finished
    return {
        **_paced_totals(progress),
        "position": len(progress.items),
        "finished": finished,
        "question": _paced_question_part(progress, current) if current is not None and not finished else None,
        "result": (
            _paced_result_part(progress, current) if current is not None and current.done(progress.now) else None
        ),
    }


def grid_updated(grid: Message) -> Message:
    return {"type": "grid.updated", "grid": grid}


def grid_delta(delta: Message) -> Message:
    """The rows of a student-paced grid that changed, with every question's figures (classroom.pacing)."""
    return {"type": "grid.delta", "grid": delta}


def question_pushed(round_: Round, *, now: datetime, position: tuple[int, int]) -> Message:
    return {
        "type": "question.pushed",
        "server_time": _millis(now),
        "round": round_info(round_, now=now, position=position),
    }


def round_opened(round_: Round, *, now: datetime, position: tuple[int, int], for_teacher: bool = True) -> Message:
    """To teachers; the projector's copy (`for_teacher=False`) has no answer key before the reveal."""
    return {
        "type": "round.opened",
        "server_time": _millis(now),
        "round": round_info(round_, now=now, position=position, for_teacher=for_teacher),
    }


def round_closed(round_: Round) -> Message:
    return {"type": "round.closed", "round_id": round_.pk, "closed_at": _iso(round_.closed_at)}


def round_revealed(round_: Round, *, results: Message, for_teacher: bool) -> Message:
    summary = {key: results[key] for key in STUDENT_RESULT_KEYS if key in results}
    if for_teacher:
        summary = results
    return {
        "type": "round.revealed",
        "round_id": round_.pk,
        "answer_key": answer_key(round_.question, round_id=round_.pk),
        "results": summary,
    }


def score_updated(*, round_: Round | None, answer: Answer | None, standing: Standing, of: int) -> Message:
    return {
        "type": "score.updated",
        "round_id": round_.pk if round_ else None,
        "answered": answer is not None,
        "correct": answer.is_correct if answer else None,
        "points": answer.points if answer else 0,
        "total": standing.points,
        "rank": standing.rank,
        "of": of,
    }


def leaderboard(standings: list[Standing], *, size: int = LEADERBOARD_SIZE) -> list[Message]:
    return [{"id": s.student_id, "name": s.name, "points": s.points, "rank": s.rank} for s in standings[:size]]


def session_ended(session: LiveSession, *, standings: list[Standing], size: int = LEADERBOARD_SIZE) -> Message:
    return {
        "type": "session.ended",
        "ended_at": _iso(session.ended_at),
        "leaderboard": leaderboard(standings, size=size),
    }


def session_updated(session: LiveSession) -> Message:
    return {"type": "session.updated", "session": session_info(session)}


def results_updated(results: Message) -> Message:
    return {"type": "results.updated", "results": results}


def projector_results(results: Message, *, round_open: bool, live_results: bool, always_live: bool = False) -> Message:
    """What the room may see of a round's results. While the round is open, only how many answered (unless the
    session shows live results, or the question is one whose results are meant to grow live: a word cloud, a
    rating scale); then everything but who answered and the texts and words the teacher hid."""
    if round_open and not (live_results or always_live):
        return {"round_id": results["round_id"], "answered": results["answered"], "counts_only": True}
    shown = {key: value for key, value in results.items() if key != "answered_ids"}
    for key in ("texts", "words"):
        if key in shown:
            shown[key] = [group for group in shown[key] if not group["hidden"]]
    return shown


def presence_updated(students: dict[int, tuple[str, bool]]) -> Message:
    """`students`: id -> (name, guest) of everyone connected on any worker."""
    return {
        "type": "presence.updated",
        "connected": sorted(students),
        "students": [{"id": sid, "name": name, "guest": guest} for sid, (name, guest) in sorted(students.items())],
    }


def participant_removed(*, student_id: int, guest: bool, answers_deleted: bool) -> Message:
    return {
        "type": "participant.removed",
        "student_id": student_id,
        "guest": guest,
        "answers_deleted": answers_deleted,
    }


def participant_readmitted(*, student_id: int) -> Message:
    return {"type": "participant.readmitted", "student_id": student_id}


def guests_removed(*, student_ids: list[int]) -> Message:
    return {"type": "guests.removed", "student_ids": student_ids}


def joining_changed(*, locked: bool) -> Message:
    return {"type": "joining.changed", "locked": locked}


def stored_answer(answer: Answer) -> Message:
    """A student's own stored answer, as their acknowledgement and their snapshot show it."""
    return {"client_id": answer.client_id, "answer": answer.response, "submitted_at": _iso(answer.submitted_at)}


def answer_accepted(answer: Answer, *, ref: str | None) -> Message:
    return {"type": "answer.accepted", "round_id": answer.round_id, **stored_answer(answer), "ref": ref}


def error(code: str, message: str, *, ref: str | None = None) -> Message:
    return {"type": "error", "code": code, "message": message, "ref": ref}


def live_status(state: str) -> Message:
    return {"type": "live.status", "state": state}


def pong(*, ref: str | None) -> Message:
    return {"type": "pong", "server_time": _millis(timezone.now()), "ref": ref}


def snapshot(*, role: str, session: LiveSession, you: Message, now: datetime, **parts: object) -> Message:
    return {
        "type": "session.snapshot",
        "protocol": PROTOCOL_VERSION,
        "role": role,
        "server_time": _millis(now),
        "session": session_info(session),
        "you": you,
        **parts,
    }
