"""Create what one benchmark run needs, through the app's own services, and print it as JSON.

`python -m bench.setup_data --password-students 5` (with the server's environment: DJANGO_SETTINGS_MODULE,
DATABASE_URL, ...) creates a teacher with a password, a classroom with a few enrolled students who have passwords,
a quiz of single-choice questions without a time limit, and a live session that lets guests join with its code.
"""

import argparse
import json
import os
import secrets


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--password-students", type=int, default=5)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--pacing", choices=["teacher", "student"], default="teacher")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()

    from accounts.models import User
    from accounts.services import user_create
    from classroom.services import classroom_create, classroom_enrol, session_start
    from quizzes.models import Choice, Question, Quiz

    teacher_password = secrets.token_urlsafe(12)
    teacher = user_create(
        username="bench-teacher", password=teacher_password, role=User.Role.TEACHER, display_name="Ms Bench"
    )
    student_password = secrets.token_urlsafe(12)
    students = [
        user_create(
            username=f"bench-student-{number}",
            password=student_password,
            role=User.Role.STUDENT,
            display_name=f"Enrolled {number}",
        )
        for number in range(1, args.password_students + 1)
    ]
    classroom = classroom_create(name="Benchmark class", owner=teacher)
    classroom_enrol(classroom=classroom, students=students)
    quiz = Quiz.objects.create(title="Benchmark quiz", owner=teacher)
    question_ids = []
    for order in range(args.questions):
        question = Question.objects.create(
            quiz=quiz,
            order=order,
            type=Question.Type.SINGLE,
            prompt=f"Question {order + 1}: which of these fractions equals one half?",
            time_limit=None,
            explanation="Two quarters make a half.",
        )
        Choice.objects.bulk_create(
            Choice(question=question, text=text, is_correct=correct, order=index)
            for index, (text, correct) in enumerate([("2/4", True), ("2/6", False), ("3/4", False), ("1/3", False)])
        )
        question_ids.append(question.pk)
    session = session_start(classroom=classroom, quiz=quiz, started_by=teacher, allow_guests=True, pacing=args.pacing)
    print(
        json.dumps(
            {
                "session_id": session.pk,
                "code": session.code,
                "question_ids": question_ids,
                "teacher": {"username": teacher.username, "password": teacher_password},
                "students": [{"username": s.username, "password": student_password} for s in students],
            }
        )
    )


if __name__ == "__main__":
    main()
