"""Question images: only real PNG, JPEG, WebP or GIF images, no larger than settings.QUESTION_IMAGE_MAX_BYTES or 16
megapixels, always described; stored as new pixels only, at most 1,920 pixels on their longest side."""

import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

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


def test_a_stored_image_is_named_at_random_so_its_address_says_nothing_of_the_answer(teacher_client, own_quiz):
    first = SimpleUploadedFile("correct-answer-is-paris.png", png(), content_type="image/png")
    second = SimpleUploadedFile("correct-answer-is-paris.png", png(), content_type="image/png")

    post_with_image(teacher_client, own_quiz, first, image_alt="A map", order=1)
    post_with_image(teacher_client, own_quiz, second, image_alt="A map", order=2)

    names = [question.image.name for question in Question.objects.all()]
    assert len(names) == 2 and len(set(names)) == 2
    for name in names:
        assert "correct" not in name and "paris" not in name
        assert name.endswith(".png")


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


def encoded(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def saved_image_bytes() -> bytes:
    with Question.objects.get().image.open("rb") as stored:
        return stored.read()


def test_a_png_that_is_also_html_and_a_zip_is_stored_without_its_payload(teacher_client, own_quiz):
    payload_html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    zip_buffer = io.BytesIO()
    with zipfile.ZipFile(zip_buffer, "w") as archive:
        archive.writestr("evil.js", "alert(1)")
    polyglot = png(16) + payload_html + zip_buffer.getvalue()
    upload = SimpleUploadedFile("map.png", polyglot, content_type="image/png")

    response = post_with_image(teacher_client, own_quiz, upload, image_alt="A map")

    assert response.status_code == 302
    stored = saved_image_bytes()
    assert b"<script" not in stored
    assert b"PK\x03\x04" not in stored
    assert b"evil.js" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, image.size) == ("PNG", (16, 16))


def test_text_chunks_of_a_png_are_dropped(teacher_client, own_quiz):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<svg onload=alert(1)>")
    upload = SimpleUploadedFile("map.png", encoded(Image.new("RGB", (8, 8)), "PNG", pnginfo=info))

    post_with_image(teacher_client, own_quiz, upload, image_alt="A map")

    stored = saved_image_bytes()
    assert b"onload" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert "Comment" not in image.info


def test_exif_metadata_of_a_photo_is_removed_and_its_orientation_applied(teacher_client, own_quiz):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x013B] = "Ada Lovelace"  # Artist
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    photo = encoded(Image.new("RGB", (40, 20), "red"), "JPEG", exif=exif.tobytes())
    upload = SimpleUploadedFile("photo.jpg", photo, content_type="image/jpeg")

    post_with_image(teacher_client, own_quiz, upload, image_alt="A red square")

    stored = saved_image_bytes()
    assert b"Ada Lovelace" not in stored
    assert b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert image.size == (20, 40)


def test_an_image_above_sixteen_megapixels_is_refused(teacher_client, own_quiz, settings):
    settings.QUESTION_IMAGE_MAX_BYTES = 10 * 1024 * 1024
    upload = SimpleUploadedFile("huge.png", encoded(Image.new("L", (4100, 4000)), "PNG"), content_type="image/png")

    response = post_with_image(teacher_client, own_quiz, upload, image_alt="Nothing")

    assert response.status_code == 200
    [message] = question_form_errors(response)["image"]
    assert "4100 × 4000 pixels (16.4 megapixels)" in message
    assert "at most 16 megapixels" in message
    assert not Question.objects.exists()


def test_an_image_of_exactly_sixteen_megapixels_is_accepted_and_scaled_down(teacher_client, own_quiz, settings):
    settings.QUESTION_IMAGE_MAX_BYTES = 10 * 1024 * 1024
    upload = SimpleUploadedFile("big.png", encoded(Image.new("L", (4000, 4000)), "PNG"), content_type="image/png")

    response = post_with_image(teacher_client, own_quiz, upload, image_alt="Nothing")

    assert response.status_code == 302
    with Image.open(io.BytesIO(saved_image_bytes())) as image:
        assert image.size == (1920, 1920)


@pytest.mark.parametrize(
    ("size", "expected"),
    [((3000, 1500), (1920, 960)), ((1000, 2400), (800, 1920)), ((640, 480), (640, 480))],
)
def test_images_are_scaled_to_at_most_1920_pixels_on_their_longest_side(teacher_client, own_quiz, size, expected):
    upload = SimpleUploadedFile("wide.png", encoded(Image.new("RGB", size, "blue"), "PNG"), content_type="image/png")

    post_with_image(teacher_client, own_quiz, upload, image_alt="Blue")

    with Image.open(io.BytesIO(saved_image_bytes())) as image:
        assert image.size == expected


@pytest.mark.parametrize(("image_format", "extension"), [("JPEG", "jpg"), ("WEBP", "webp"), ("GIF", "gif")])
def test_jpeg_webp_and_gif_are_accepted_and_stored_in_their_own_format(
    teacher_client, own_quiz, image_format, extension
):
    upload = SimpleUploadedFile("picture.png", encoded(Image.new("RGB", (30, 20), "green"), image_format))

    response = post_with_image(teacher_client, own_quiz, upload, image_alt="Green")

    assert response.status_code == 302
    name = Question.objects.get().image.name
    assert name.endswith(f".{extension}") and "picture" not in name
    with Image.open(io.BytesIO(saved_image_bytes())) as image:
        assert (image.format, image.size) == (image_format, (30, 20))


@pytest.mark.parametrize("image_format", ["BMP", "TIFF"])
def test_other_image_formats_are_refused_with_the_formats_allowed(teacher_client, own_quiz, image_format):
    upload = SimpleUploadedFile("picture.png", encoded(Image.new("RGB", (8, 8)), image_format))

    response = post_with_image(teacher_client, own_quiz, upload, image_alt="Picture")

    assert response.status_code == 200
    [message] = question_form_errors(response)["image"]
    assert message == f"Images may be PNG, JPEG, WebP or GIF; this one is {image_format}."
    assert not Question.objects.exists()


def test_an_animated_gif_keeps_its_first_frame(teacher_client, own_quiz):
    frames = [Image.new("P", (10, 10), colour) for colour in (1, 2, 3)]
    animation = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    upload = SimpleUploadedFile("spin.gif", animation, content_type="image/gif")

    post_with_image(teacher_client, own_quiz, upload, image_alt="Spinner")

    with Image.open(io.BytesIO(saved_image_bytes())) as image:
        assert image.format == "GIF"
        assert getattr(image, "n_frames", 1) == 1


def test_the_validation_imports_call_cleans_an_image_given_as_bytes(settings):
    from django.core.files.base import ContentFile

    from quizzes.validation import question_image_clean

    cleaned = question_image_clean(image=ContentFile(png(8) + b"<html>", name="from moodle.png"))

    assert cleaned.name.endswith(".png") and "from-moodle" not in cleaned.name
    assert b"<html>" not in cleaned.read()
