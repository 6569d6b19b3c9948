"""Question images: only real images, no larger than settings.QUESTION_IMAGE_MAX_BYTES, always described."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from quizzes.models import Question
from tests.factories import QuizFactory
from tests.quizzes.admin_forms import question_form_data, question_form_errors

ADD_URL = reverse("admin:quizzes_question_add")
CHOICES = [("Red", True), ("Green", False)]


def png(size: int = 8, *, noisy: bool = False) -> bytes:
    image = (
        Image.frombytes("RGB", (size, size), os.urandom(size * size * 3)) if noisy else Image.new("RGB", (size, size))
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


@pytest.fixture
def own_quiz(teacher):
    return QuizFactory(owner=teacher)


def post_with_image(client, quiz, upload, **fields):
    data = question_form_data(quiz=quiz, type=Question.Type.SINGLE, choices=CHOICES, image=upload, **fields)
    return client.post(ADD_URL, data)


def test_a_small_described_image_is_saved(teacher_client, own_quiz):
    upload = SimpleUploadedFile("map.png", png(), content_type="image/png")

    response = post_with_image(teacher_client, own_quiz, upload, image_alt="A map of Europe")

    assert response.status_code == 302
    question = Question.objects.get()
    assert question.image.name.endswith(".png")


def test_an_image_larger_than_the_limit_is_refused_with_its_size_and_the_limit(teacher_client, own_quiz, settings):
    settings.QUESTION_IMAGE_MAX_BYTES = 1024
    data = png(64, noisy=True)
    assert len(data) > 1024
    upload = SimpleUploadedFile("big.png", data, content_type="image/png")

    response = post_with_image(teacher_client, own_quiz, upload, image_alt="Noise")

    assert response.status_code == 200
    [message] = question_form_errors(response)["image"]
    assert "images may be at most 1.0\xa0KB" in message
    assert not Question.objects.exists()


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(teacher_client, own_quiz):
    upload = SimpleUploadedFile("photo.png", b"#!/bin/sh\necho not a picture\n", content_type="image/png")

    response = post_with_image(teacher_client, own_quiz, upload, image_alt="A photo")

    assert response.status_code == 200
    assert "valid image" in " ".join(question_form_errors(response)["image"])
    assert not Question.objects.exists()


def test_an_image_without_a_description_is_refused(teacher_client, own_quiz):
    upload = SimpleUploadedFile("map.png", png(), content_type="image/png")

    response = post_with_image(teacher_client, own_quiz, upload, image_alt="  ")

    assert response.status_code == 200
    assert "Describe the image" in " ".join(question_form_errors(response)["image_alt"])
    assert not Question.objects.exists()
