"""`manage.py demo_data`: demo logins, class and quiz, the same after any number of runs."""

import io

import pytest
from django.core.management import call_command

from accounts.models import TEACHERS_GROUP_NAME, User
from classroom.models import Classroom, Enrolment
from quizzes.models import Choice, Question, Quiz
from quizzes.validation import choice_errors, question_field_errors

pytestmark = pytest.mark.django_db


def run() -> str:
    out = io.StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (User, Classroom, Enrolment, Quiz, Question, Choice)}


def test_demo_data_creates_the_documented_logins():
    run()

    for username, password, role in [
        ("admin", "quizcast-admin", User.Role.TEACHER),
        ("teacher", "quizcast-teacher", User.Role.TEACHER),
        *[(f"student{n}", "quizcast-student", User.Role.STUDENT) for n in range(1, 6)],
    ]:
        user = User.objects.get(username=username)
        assert user.check_password(password), username
        assert user.role == role
    assert User.objects.get(username="admin").is_superuser
    teacher = User.objects.get(username="teacher")
    assert teacher.is_staff and not teacher.is_superuser
    assert teacher.groups.filter(name=TEACHERS_GROUP_NAME).exists()


def test_the_demo_class_belongs_to_the_teacher_with_the_five_students_enrolled():
    run()

    classroom = Classroom.objects.get(name="Demo class")
    assert classroom.owner.username == "teacher"
    assert sorted(classroom.students.values_list("username", flat=True)) == [f"student{n}" for n in range(1, 6)]


def test_the_demo_quiz_has_a_valid_question_of_every_type_with_explanations_and_some_time_limits():
    run()

    quiz = Quiz.objects.get(title="Demo quiz: a bit of everything")
    questions = list(quiz.questions.prefetch_related("choices"))
    assert quiz.owner.username == "teacher"
    assert {question.type for question in questions} == set(Question.Type.values)
    for question in questions:
        assert question.explanation
        assert question_field_errors(question=question).by_field == {}
        choices = [(choice.text, choice.is_correct) for choice in question.choices.all()]
        assert choice_errors(question_type=question.type, choices=choices) == []
    limits = [question.time_limit for question in questions]
    assert any(limits) and None in limits


def test_running_it_twice_gives_the_same_data_without_errors():
    run()
    first = counts()

    run()

    assert counts() == first


def test_running_it_again_resets_the_demo_passwords_and_leaves_an_edited_quiz_alone():
    run()
    teacher = User.objects.get(username="teacher")
    teacher.set_password("changed-by-the-teacher")
    teacher.save()
    quiz = Quiz.objects.get(title="Demo quiz: a bit of everything")
    quiz.questions.first().delete()

    run()

    assert User.objects.get(username="teacher").check_password("quizcast-teacher")
    assert quiz.questions.count() == len(Question.Type.values) - 1


def test_the_output_lists_every_login_but_no_address():
    output = run()

    # The server prints the address it really listens on (config/classroom.py); a fixed one here ignored PORT.
    assert "http://" not in output
    for line in [
        "admin    admin     quizcast-admin",
        "teacher  teacher   quizcast-teacher",
        "student  student1  quizcast-student",
        "student  student5  quizcast-student",
    ]:
        assert line in output
    assert "set again every time" in output
