"""factory_boy factories for every model the tests build."""

from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
from classroom.codes import random_code
from classroom.models import Answer, Classroom, Enrolment, LiveSession, Round
from quizzes.models import Choice, Question, Quiz

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"User {n}")
    role = User.Role.STUDENT
    password = factory.django.Password(PASSWORD)


class TeacherFactory(UserFactory):
    username = factory.Sequence(lambda n: f"teacher{n}")
    display_name = factory.Sequence(lambda n: f"Teacher {n}")
    role = User.Role.TEACHER


class StudentFactory(UserFactory):
    username = factory.Sequence(lambda n: f"student{n}")
    display_name = factory.Sequence(lambda n: f"Student {n}")
    role = User.Role.STUDENT


class AdminFactory(UserFactory):
    username = factory.Sequence(lambda n: f"admin{n}")
    role = User.Role.TEACHER
    is_superuser = True


class ClassroomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Classroom

    name = factory.Sequence(lambda n: f"Class {n}")
    owner = factory.SubFactory(TeacherFactory)
    join_code = factory.LazyFunction(lambda: random_code(8))


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    classroom = factory.SubFactory(ClassroomFactory)
    student = factory.SubFactory(StudentFactory)


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    title = factory.Sequence(lambda n: f"Quiz {n}")
    owner = factory.SubFactory(TeacherFactory)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    quiz = factory.SubFactory(QuizFactory)
    order = factory.Sequence(lambda n: n)
    prompt = factory.Sequence(lambda n: f"Question {n}?")
    type = Question.Type.SINGLE
    time_limit = 30
    points = factory.LazyAttribute(lambda question: 0 if question.type in Question.UNGRADED_TYPES else 100)
    explanation = "Because."


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"Choice {n}")
    is_correct = False
    order = factory.Sequence(lambda n: n)


def make_question(quiz: Quiz, type: str = Question.Type.SINGLE, **fields) -> Question:
    """A valid question of any type, with choices where the type has them."""
    Type = Question.Type
    defaults: dict = {}
    if type == Type.NUMERIC:
        defaults = {"numeric_target": Decimal("3.14"), "numeric_tolerance": Decimal("0.01")}
    elif type == Type.TEXT:
        defaults = {"accepted_answers": "Paris\nParís"}
    question = QuestionFactory(quiz=quiz, type=type, **{**defaults, **fields})
    if type == Type.TRUE_FALSE:
        ChoiceFactory(question=question, text="True", is_correct=True, order=0)
        ChoiceFactory(question=question, text="False", is_correct=False, order=1)
    elif type in (Type.SINGLE, Type.POLL):
        for index, text in enumerate(["Red", "Green", "Blue", "Yellow"]):
            ChoiceFactory(
                question=question,
                text=text,
                is_correct=(type == Type.SINGLE and index == 1),
                order=index,
            )
    elif type == Type.MULTIPLE:
        for index, text in enumerate(["2", "3", "4", "5"]):
            ChoiceFactory(question=question, text=text, is_correct=text in {"2", "3", "5"}, order=index)
    elif type == Type.ORDERING:
        for index, text in enumerate(ORDERING_ITEMS):
            ChoiceFactory(question=question, text=text, order=index)
    return question


# An ordering question's items in their correct order (make_question).
ORDERING_ITEMS = ["Egg", "Caterpillar", "Chrysalis", "Butterfly"]


class LiveSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LiveSession

    classroom = factory.SubFactory(ClassroomFactory)
    quiz = factory.SubFactory(QuizFactory, owner=factory.SelfAttribute("..classroom.owner"))
    started_by = factory.SelfAttribute("classroom.owner")
    code = factory.LazyFunction(lambda: random_code(6))


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    session = factory.SubFactory(LiveSessionFactory)
    question = factory.SubFactory(QuestionFactory, quiz=factory.SelfAttribute("..session.quiz"))
    number = factory.Sequence(lambda n: n + 1)
    opened_at = factory.LazyFunction(timezone.now)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    round = factory.SubFactory(RoundFactory)
    student = factory.SubFactory(StudentFactory)
    client_id = factory.Sequence(lambda n: f"client-{n}")
    response = factory.LazyAttribute(
        lambda o: {"choice": first.pk} if (first := o.round.question.choices.first()) else {"text": "an answer"}
    )
    submitted_at = factory.LazyFunction(timezone.now)
