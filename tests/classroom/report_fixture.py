"""A small session whose every report figure was worked out by hand (see the docstring of `graded_session`)."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from classroom.models import Answer, LiveSession, Participant, Round
from quizzes.models import Question
from tests.factories import (
    EnrolmentFactory,
    LiveSessionFactory,
    QuizFactory,
    StudentFactory,
    make_question,
)


@dataclass
class GradedSession:
    session: LiveSession
    students: dict[str, object]  # by first name: Ada, Bea, Cy, Dan
    rounds: list[Round]
    started: object


def graded_session(classroom, teacher) -> GradedSession:
    """Four participants (Ada, Bea, Cy, Dan) and three rounds opened 100 s apart:

    1. single choice (Green is right, 100 points): Ada Green after 10 s, Bea Green after 20 s, Cy Red after 30 s,
       Dan nothing. Accuracy 2/4, average time 20 s.
    2. numeric (3.14 ± 0.01, 100 points): Ada 3.14 after 5 s, Bea 3 after 15 s, Cy and Dan nothing. Accuracy 1/4,
       average time 10 s.
    3. poll: Ada Red, Bea Red, Cy Blue after 1, 2, 3 s; Dan nothing. Not graded.

    Totals: Ada 200 (rank 1, 2 of 2 right), Bea 100 (rank 2, 1 of 2), Cy 0 and Dan 0 (both rank 3).
    Class accuracy 3 right of 8 expected = 37.5%; average score 75.
    """
    quiz = QuizFactory(owner=teacher, title="Hand-checked")
    single = make_question(quiz, Question.Type.SINGLE, order=0, prompt="Which colour is green?")
    numeric = make_question(
        quiz, Question.Type.NUMERIC, order=1, numeric_target=Decimal("3.14"), numeric_tolerance=Decimal("0.01")
    )
    poll = make_question(quiz, Question.Type.POLL, order=2)
    session = LiveSessionFactory(classroom=classroom, quiz=quiz, started_by=teacher)
    students = {}
    for name in ["Ada", "Bea", "Cy", "Dan"]:
        student = StudentFactory(display_name=name)
        EnrolmentFactory(classroom=classroom, student=student)
        Participant.objects.create(session=session, student=student)
        students[name] = student
    started = timezone.now() - timedelta(hours=1)
    rounds = [
        Round.objects.create(
            session=session, question=q, number=n, opened_at=started + timedelta(seconds=100 * (n - 1))
        )
        for n, q in enumerate([single, numeric, poll], start=1)
    ]
    green, red = (single.choices.get(text=t).pk for t in ["Green", "Red"])
    poll_red, poll_blue = (poll.choices.get(text=t).pk for t in ["Red", "Blue"])

    def answer(round_, name, response, correct, points, after):
        Answer.objects.create(
            round=round_,
            student=students[name],
            client_id=f"{name}-{round_.number}",
            response=response,
            is_correct=correct,
            points=points,
            submitted_at=round_.opened_at + timedelta(seconds=after),
        )

    answer(rounds[0], "Ada", {"choice": green}, True, 100, 10)
    answer(rounds[0], "Bea", {"choice": green}, True, 100, 20)
    answer(rounds[0], "Cy", {"choice": red}, False, 0, 30)
    answer(rounds[1], "Ada", {"value": "3.14"}, True, 100, 5)
    answer(rounds[1], "Bea", {"value": "3"}, False, 0, 15)
    answer(rounds[2], "Ada", {"choice": poll_red}, None, 0, 1)
    answer(rounds[2], "Bea", {"choice": poll_red}, None, 0, 2)
    answer(rounds[2], "Cy", {"choice": poll_blue}, None, 0, 3)
    return GradedSession(session=session, students=students, rounds=rounds, started=started)
