"""What the peer servers share: the tiny protocol the harness speaks, with frames shaped and sized like Quizcast's.

Client → server: `round.push` (teacher), `answer.submit` and `ping`. Server → client: `session.snapshot` on connect,
`question.pushed` to students and `round.opened` to teachers on a push, `answer.accepted` to the answering student,
and `results.updated` (`results.answered`) to teachers at most ten times a second, as Quizcast does.
Peers keep answers in memory: there is no database, no sign-in and no origin check, so they are the floor.
"""

import asyncio
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

RESULTS_INTERVAL = 0.1


def encode(message: dict) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def snapshot(role: str) -> dict:
    return {"type": "session.snapshot", "protocol": 1, "role": role, "server_time": int(time.time() * 1000)}


def round_payload(round_id: int, question_id: int, *, for_teacher: bool) -> dict:
    question = {
        "id": question_id,
        "type": "single",
        "prompt": f"Question {question_id}: which of these fractions equals one half?",
        "points": 100,
        "time_limit": None,
        "image": None,
        "image_alt": "",
        "choices": [
            {"id": question_id * 10 + 1, "text": "2/4"},
            {"id": question_id * 10 + 2, "text": "2/6"},
            {"id": question_id * 10 + 3, "text": "3/4"},
            {"id": question_id * 10 + 4, "text": "1/3"},
        ],
    }
    if for_teacher:
        question["answer_key"] = {"explanation": "Two quarters make a half.", "correct_choices": [question_id * 10 + 1]}
    return {
        "id": round_id,
        "number": round_id,
        "state": "open",
        "opened_at": _now_iso(),
        "deadline": None,
        "time_left_ms": None,
        "question": question,
    }


def question_pushed(round_id: int, question_id: int) -> dict:
    return {
        "type": "question.pushed",
        "server_time": int(time.time() * 1000),
        "round": round_payload(round_id, question_id, for_teacher=False),
    }


def round_opened(round_id: int, question_id: int) -> dict:
    return {
        "type": "round.opened",
        "server_time": int(time.time() * 1000),
        "round": round_payload(round_id, question_id, for_teacher=True),
    }


def answer_accepted(message: dict) -> dict:
    return {
        "type": "answer.accepted",
        "round_id": message.get("round_id"),
        "client_id": message.get("client_id"),
        "answer": message.get("answer"),
        "submitted_at": _now_iso(),
        "ref": message.get("ref"),
    }


def results_updated(round_id: int, answered: int) -> dict:
    return {"type": "results.updated", "results": {"round_id": round_id, "answered": answered}}


def pong(message: dict) -> dict:
    return {"type": "pong", "server_time": int(time.time() * 1000), "ref": message.get("ref")}


class Quiz:
    """The state of the one session a peer serves: the current round and who answered it (exactly once)."""

    def __init__(self):
        self.round_id = 0
        self.answers: dict[int, dict[str, str]] = {}  # round -> {student key: client id}

    def push(self) -> int:
        self.round_id += 1
        self.answers[self.round_id] = {}
        return self.round_id

    def answer(self, student_key: str, message: dict) -> bool:
        """Record an answer; False if the round is not the current one or the student already answered differently."""
        round_id = message.get("round_id")
        if round_id != self.round_id:
            return False
        stored = self.answers[round_id].setdefault(student_key, message.get("client_id"))
        return stored == message.get("client_id")

    def answered(self) -> int:
        return len(self.answers.get(self.round_id, {}))


class Throttle:
    """Calls `publish` at most once per interval, soon after `mark` (the first mark of a quiet period at once)."""

    def __init__(self, publish: Callable, interval: float = RESULTS_INTERVAL):
        self.publish = publish
        self.interval = interval
        self.last = 0.0
        self.scheduled: asyncio.Task | None = None

    def mark(self) -> None:
        if self.scheduled is not None:
            return
        delay = max(0.0, self.last + self.interval - time.monotonic())
        self.scheduled = asyncio.get_running_loop().create_task(self._later(delay))

    async def _later(self, delay: float) -> None:
        await asyncio.sleep(delay)
        self.scheduled = None
        self.last = time.monotonic()
        await self.publish()
