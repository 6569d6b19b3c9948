"""Choices with pictures: single, multiple and poll choices may show an image, always described, beside or
instead of their text; students get the picture and its description with the choice."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.models import Choice, Question
from quizzes.payloads import question_for_student
from quizzes.validation import choice_errors
from tests.factories import QuizFactory
from tests.quizzes.admin_forms import choice_formset_errors, question_form_data
from tests.quizzes.test_question_images import png

ADD_URL = reverse("admin:quizzes_question_add")
Type = Question.Type


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


def post_choices_with_image(client, quiz, *, alt: str, question_type=Type.SINGLE):
    data = question_form_data(quiz=quiz, type=question_type, choices=[("", True), ("Dog", False)])
    data["choices-0-image"] = SimpleUploadedFile("cat.png", png(), content_type="image/png")
    data["choices-0-image_alt"] = alt
    return client.post(ADD_URL, data)


def test_a_described_picture_can_stand_instead_of_a_choice_text_and_reaches_students(teacher_client, teacher):
    quiz = QuizFactory(owner=teacher)

    response = post_choices_with_image(teacher_client, quiz, alt="A grey cat asleep")

    assert response.status_code == 302
    question = Question.objects.get(quiz=quiz)
    first, second = question_for_student(question)["choices"]
    assert first["text"] == "" and first["image"].endswith(".png") and first["image_alt"] == "A grey cat asleep"
    assert (second["text"], second["image"]) == ("Dog", None)


def test_a_picture_without_a_description_is_refused_and_nothing_is_saved(teacher_client, teacher):
    quiz = QuizFactory(owner=teacher)

    response = post_choices_with_image(teacher_client, quiz, alt="  ")

    assert response.status_code == 200
    assert any("Describe every choice image" in error for error in choice_formset_errors(response))
    assert not Question.objects.exists() and not Choice.objects.exists()


def test_true_false_choices_and_ordering_items_take_no_picture():
    picture = [(True, "A cat"), (False, "")]
    true_false = choice_errors(
        question_type=Type.TRUE_FALSE, choices=[("True", True), ("False", False)], images=picture
    )
    assert any("Only single-choice" in error for error in true_false)
    ordering = choice_errors(question_type=Type.ORDERING, choices=[("A", False), ("B", False)], images=picture)
    assert any("text only" in error for error in ordering)
    assert choice_errors(question_type=Type.POLL, choices=[("", False), ("Dog", False)], images=picture) == []
