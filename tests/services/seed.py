"""Create what the service tests need in a fresh database, through the app's own services, and print it as JSON.

Run with a worker's environment: `python -m tests.services.seed --students 6 --sessions 5`. Session ids start at a
random offset: test runs sharing one Redis server then never share a group name.
"""

import argparse
import json
import os
import secrets


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--last-time-limit", type=int, default=120, help="seconds to answer the last question")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()

    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from accounts.models import User
    from accounts.services import user_create
    from classroom.services import classroom_create, classroom_enrol, session_start
    from quizzes.models import Choice, Question, Quiz

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('classroom_livesession', 'id'), %s)",
            [1_000_000 + secrets.randbelow(2_000_000_000)],
        )

    teacher_password = secrets.token_urlsafe(12)
    teacher = user_create(
        username="services-teacher", password=teacher_password, role=User.Role.TEACHER, display_name="Ms Services"
    )
    student_password = secrets.token_urlsafe(12)
    hashed = make_password(student_password)  # hashed once: PBKDF2 for every student would take seconds
    students = []
    for number in range(1, args.students + 1):
        student = user_create(username=f"services-student-{number}", password=None, display_name=f"Student {number}")
        student.password = hashed
        student.save(update_fields=["password"])
        students.append(student)
    classroom = classroom_create(name="Services class", owner=teacher)
    classroom_enrol(classroom=classroom, students=students)
    quiz = Quiz.objects.create(title="Services quiz", owner=teacher)
    questions = []
    for order in range(args.questions):
        question = Question.objects.create(
            quiz=quiz,
            order=order,
            type=Question.Type.SINGLE,
            prompt=f"Question {order + 1}: which of these fractions equals one half?",
            time_limit=args.last_time_limit if order == args.questions - 1 else 120,
            explanation="Two quarters make a half.",
        )
        choices = Choice.objects.bulk_create(
            Choice(question=question, text=text, is_correct=correct, order=index)
            for index, (text, correct) in enumerate([("2/4", True), ("2/6", False), ("3/4", False)])
        )
        questions.append({"id": question.pk, "correct": choices[0].pk, "wrong": choices[1].pk})
    sessions = [session_start(classroom=classroom, quiz=quiz, started_by=teacher).pk for _ in range(args.sessions)]
    print(
        json.dumps(
            {
                "teacher": {"id": teacher.pk, "username": teacher.username, "password": teacher_password},
                "students": [{"id": s.pk, "username": s.username, "name": s.name} for s in students],
                "student_password": student_password,
                "questions": questions,
                "sessions": sessions,
            }
        )
    )


if __name__ == "__main__":
    main()
