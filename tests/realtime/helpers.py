from dataclasses import dataclass

from channels.db import database_sync_to_async

from quizzes.models import Question
from tests.realtime.sockets import Socket, connect


@database_sync_to_async
def question_of_type(live_session, question_type: str = Question.Type.SINGLE) -> Question:
    return live_session.quiz.questions.prefetch_related("choices").get(type=question_type)


@database_sync_to_async
def choice_ids(question: Question) -> tuple[int, int]:
    """(a correct choice id, a wrong choice id) of a choice question."""
    choices = list(question.choices.all())
    correct = next(c.pk for c in choices if c.is_correct)
    wrong = next(c.pk for c in choices if not c.is_correct)
    return correct, wrong


async def push(teacher_socket, question: Question) -> int:
    """Push a question from the teacher's socket and return the new round's id."""
    await teacher_socket.send({"type": "round.push", "question_id": question.pk})
    opened = await teacher_socket.receive_type("round.opened")
    return opened["round"]["id"]


def answer_message(round_id: int, answer: dict, client_id: str = "client-1") -> dict:
    return {"type": "answer.submit", "round_id": round_id, "client_id": client_id, "answer": answer}


@dataclass
class OpenQuestion:
    """A single-choice question the teacher pushed, with one student connected: where most answer tests start."""

    question: Question
    teacher_socket: Socket
    student_socket: Socket
    round_id: int
    correct: int  # a correct choice's id
    wrong: int  # a wrong choice's id


async def open_question(live_session, teacher, student) -> OpenQuestion:
    """Connect the teacher and the student, then push the session's single-choice question."""
    question = await question_of_type(live_session)
    correct, wrong = await choice_ids(question)
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    student_socket, _ = await connect(student, live_session)
    round_id = await push(teacher_socket, question)
    return OpenQuestion(question, teacher_socket, student_socket, round_id, correct, wrong)
