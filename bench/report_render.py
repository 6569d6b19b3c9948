"""Time the report of a session with N students and Q questions: the page (selector and template), the XLSX
workbook and the CSV downloads, through the app's own views.

    python -m bench.report_render --students 1000 --questions 30
    python -m bench.report_render --database-url postgres://postgres@127.0.0.1:5432/quizcast

It creates a throw-away database (Django's test database for the given DATABASE_URL), fills it with one session
whose every student answered every question (a mix of right and wrong, a few unanswered), renders each download
`--repeat` times and prints the median and the slowest time of each, with the load average, as JSON.
"""

import argparse
import json
import os
import statistics
import time
from datetime import timedelta


def fill(*, students: int, questions: int):
    """One session with `questions` single-choice questions and `students` participants; returns (session, teacher)."""
    from django.utils import timezone

    from accounts.models import User
    from classroom.codes import random_code
    from classroom.models import Answer, Classroom, Enrolment, LiveSession, Participant, Round
    from quizzes.models import Choice, Question, Quiz

    teacher = User.objects.create(username="bench-teacher", role=User.Role.TEACHER, display_name="Teacher")
    classroom = Classroom.objects.create(name="Benchmark class", owner=teacher, join_code=random_code(8))
    quiz = Quiz.objects.create(title="Benchmark quiz", owner=teacher)
    started = timezone.now() - timedelta(hours=2)
    session = LiveSession.objects.create(
        classroom=classroom, quiz=quiz, started_by=teacher, code=random_code(6), state="ended", ended_at=started
    )
    learners = User.objects.bulk_create(
        User(username=f"bench.s{n}", display_name=f"Student {n}", role=User.Role.STUDENT) for n in range(students)
    )
    Enrolment.objects.bulk_create(Enrolment(classroom=classroom, student=s) for s in learners)
    Participant.objects.bulk_create(Participant(session=session, student=s) for s in learners)
    rounds = []
    for number in range(1, questions + 1):
        question = Question.objects.create(quiz=quiz, order=number, prompt=f"Question {number}?", time_limit=30)
        choices = Choice.objects.bulk_create(
            Choice(question=question, text=f"Choice {c}", is_correct=c == 0, order=c) for c in range(4)
        )
        round_ = Round.objects.create(
            session=session, question=question, number=number, opened_at=started + timedelta(minutes=number)
        )
        rounds.append((round_, choices))
    answers = []
    for index, student in enumerate(learners):
        for number, (round_, choices) in enumerate(rounds):
            if (index + number) % 17 == 0:
                continue  # a few unanswered
            choice = choices[(index * 7 + number) % 4]
            answers.append(
                Answer(
                    round=round_,
                    student=student,
                    client_id=f"{index}-{number}",
                    response={"choice": choice.pk},
                    is_correct=choice.is_correct,
                    points=100 if choice.is_correct else 0,
                    submitted_at=round_.opened_at + timedelta(seconds=1 + (index % 29)),
                )
            )
    Answer.objects.bulk_create(answers, batch_size=5000)
    return session, teacher, len(answers)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/quizcast")
    )
    args = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    load_before = os.getloadavg()
    test_database = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        session, teacher, stored = fill(students=args.students, questions=args.questions)
        client = Client()
        client.force_login(teacher)
        timings = {}
        for name in ("session_report", "session_workbook", "session_export", "session_totals", "session_audit"):
            url = reverse(name, args=[session.pk])
            seconds = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                response = client.get(url)
                seconds.append(time.perf_counter() - started)
                assert response.status_code == 200, (name, response.status_code)
            timings[name] = {
                "median_s": round(statistics.median(seconds), 3),
                "max_s": round(max(seconds), 3),
                "bytes": len(response.content),
            }
        report = {
            "students": args.students,
            "questions": args.questions,
            "answers": stored,
            "database": connection.vendor,
            "timings": timings,
            "cpu_count": os.cpu_count(),
            "load_average_before": [round(value, 2) for value in load_before],
            "load_average_after": [round(value, 2) for value in os.getloadavg()],
        }
    finally:
        connection.creation.destroy_test_db(test_database, verbosity=0)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
