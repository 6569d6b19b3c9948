import uuid

import pytest

from quizzes.models import Question
from tests.factories import (
    ClassroomFactory,
    EnrolmentFactory,
    LiveSessionFactory,
    QuizFactory,
    StudentFactory,
    TeacherFactory,
    make_question,
)


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Rate-limit counters live in the cache: each test counts from zero under a key prefix of its own."""
    from config.settings.base import caches_for

    settings.CACHES = caches_for(settings.REDIS_URL, prefix=f"quizcast-test-{uuid.uuid4().hex}")


@pytest.fixture
def teacher(db):
    return TeacherFactory()


@pytest.fixture
def other_teacher(db):
    return TeacherFactory()


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


@pytest.fixture
def student(db):
    return StudentFactory()


@pytest.fixture
def classroom(db, teacher):
    return ClassroomFactory(owner=teacher)


@pytest.fixture
def enrolled_students(classroom):
    return [EnrolmentFactory(classroom=classroom).student for _ in range(3)]


@pytest.fixture
def quiz(db, teacher):
    """A quiz with one question of every type, in this order: single, multiple, true/false, numeric, text, poll."""
    quiz = QuizFactory(owner=teacher, title="Every type")
    for order, question_type in enumerate(Question.Type.values):
        make_question(quiz, question_type, order=order)
    return quiz


@pytest.fixture
def live_session(db, classroom, quiz, teacher, enrolled_students):
    return LiveSessionFactory(classroom=classroom, quiz=quiz, started_by=teacher)
