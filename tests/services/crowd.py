"""Add a crowd to the service tests' database: a classroom of the seeded teacher with many students, signed in
already (their session cookies made as the sign-in form makes them, without hashing a password per student), and
two live sessions of it: one of a quiz with a small question, one of a quiz with a large question (a long prompt and
many long choices, some 30 KB as a student receives it). Prints it as JSON.

Run with a worker's environment (the same SECRET_KEY, so the cookies' auth hashes hold):
`python -m tests.services.crowd --students 200`.
"""

import argparse
import json
import os

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--choices", type=int, default=100)
    parser.add_argument("--name", default="crowd")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User
    from accounts.services import user_create
    from classroom.services import classroom_create, classroom_enrol, session_start
    from quizzes.models import Choice, Question, Quiz

    teacher = User.objects.get(username="services-teacher")
    students = [
        user_create(username=f"{args.name}-{number}", password=None, display_name=f"{args.name} {number}")
        for number in range(1, args.students + 1)
    ]
    classroom = classroom_create(name=f"{args.name} class", owner=teacher)
    classroom_enrol(classroom=classroom, students=students)
    sessions = {}
    for size, prompt, choices in (
        ("small", "Which fraction equals one half?", [("2/4", True), ("2/6", False)]),
        (
            "large",
            "Which fraction equals one half? " * 60,
            [(f"{number}/{2 * number} " + "is a fraction. " * 19, True) for number in range(1, args.choices + 1)],
        ),
    ):
        quiz = Quiz.objects.create(title=f"{args.name} {size} quiz", owner=teacher)
        question = Question.objects.create(quiz=quiz, order=0, type=Question.Type.SINGLE, prompt=prompt, time_limit=0)
        Choice.objects.bulk_create(
            Choice(question=question, text=text[:300], is_correct=correct, order=index)
            for index, (text, correct) in enumerate(choices)
        )
        session = session_start(classroom=classroom, quiz=quiz, started_by=teacher)
        sessions[size] = {"id": session.pk, "question": question.pk}

    cookies = {}
    for student in students:
        store = SessionStore()
        store[SESSION_KEY] = str(student.pk)
        store[BACKEND_SESSION_KEY] = MODEL_BACKEND  # the backend that signs a password in, as the form records it
        store[HASH_SESSION_KEY] = student.get_session_auth_hash()
        store.create()
        cookies[student.pk] = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
    print(
        json.dumps(
            {
                "sessions": sessions,
                "students": [{"id": s.pk, "name": s.name, "cookie": cookies[s.pk]} for s in students],
            }
        )
    )


if __name__ == "__main__":
    main()
