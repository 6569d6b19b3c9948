import pytest

from tests.factories import QuizFactory


@pytest.fixture
def teacher_client(client, teacher):
    """The test client, signed in as `teacher`."""
    client.force_login(teacher)
    return client


@pytest.fixture
def own_quiz(teacher):
    """An empty quiz of `teacher`'s."""
    return QuizFactory(owner=teacher)
