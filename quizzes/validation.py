"""The rules a question of each type must satisfy, in one place for the admin, imports and services."""

import io
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from quizzes.models import Question

Type = Question.Type
MAX_ITEMS = 8
MAX_SCALE_STEPS = 10  # 0-10 is the widest scale: eleven buttons still fit a phone


@dataclass
class QuestionErrors:
    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, field_name: str, message: str) -> None:
        self.by_field.setdefault(field_name, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def question_field_errors(*, question: Question) -> QuestionErrors:
    """Rules on the question's own fields (not its choices)."""
    errors = QuestionErrors()
    if question.type == Type.NUMERIC and question.numeric_target is None:
        errors.add("numeric_target", _("A numeric question needs a numeric answer."))
    if question.type == Type.TEXT and not question.accepted_answer_list:
        errors.add("accepted_answers", _("A short-text question needs at least one accepted answer."))
    if question.image and not question.image_alt.strip():
        errors.add("image_alt", _("Describe the image for students who cannot see it."))
    if question.type != Type.NUMERIC and question.numeric_target is not None:
        errors.add("numeric_target", _("Only numeric questions have a numeric answer; clear this field."))
    if question.type != Type.TEXT and question.accepted_answer_list:
        errors.add(
            "accepted_answers",
            _("Only short-text questions have accepted answers; clear this field."),
        )
    if question.type == Type.SCALE:
        if question.scale_min >= question.scale_max:
            errors.add("scale_max", _("The highest rating must be above the lowest."))
        elif question.scale_max - question.scale_min > MAX_SCALE_STEPS:
            errors.add(
                "scale_max",
                _("A scale has at most %(count)d steps between its ends, as 0 to 10 has.") % {"count": MAX_SCALE_STEPS},
            )
    if question.type == Type.WORDCLOUD and not 1 <= (question.max_words or 0) <= 3:
        errors.add("max_words", _("Each student may send 1 to 3 words."))
    return errors


def choice_errors(
    *, question_type: str, choices: list[tuple[str, bool]], images: list[tuple[bool, str]] | None = None
) -> list[str]:
    """Rules on a question's choices, given as (text, is_correct) pairs in order, and optionally each choice's
    (has an image, image description) in the same order. An ordering question's choices are its items, in the
    correct order."""
    images = images or [(False, "")] * len(choices)
    count = len(choices)
    correct = sum(1 for _text, is_correct in choices if is_correct)
    texts = [text.strip().casefold() for text, _is_correct in choices]
    errors: list[str] = []
    if question_type in Question.ITEM_TYPES:
        return _item_errors(texts, correct, images)
    if question_type not in Question.CHOICE_TYPES:
        if count:
            errors.append(_("This type of question has no choices; remove them."))
        return errors
    errors.extend(_image_errors(question_type, texts, images))
    written = [text for text in texts if text]
    if len(set(written)) != len(written):
        errors.append(_("Two choices have the same text."))
    if question_type == Type.TRUE_FALSE:
        if count != 2:
            errors.append(_("A true/false question needs exactly two choices (True and False)."))
        if correct != 1:
            errors.append(_("Mark exactly one of the two choices as correct."))
        return errors
    if count < 2:
        errors.append(_("Add at least two choices."))
    if count > MAX_ITEMS:
        errors.append(_("A question can have at most eight choices."))
    if question_type == Type.SINGLE and correct != 1:
        errors.append(_("A single-choice question needs exactly one correct choice."))
    if question_type == Type.MULTIPLE and correct < 1:
        errors.append(_("A multiple-select question needs at least one correct choice."))
    if question_type == Type.POLL and correct:
        errors.append(_("A poll has no correct answer: untick every choice."))
    return errors


def _image_errors(question_type: str, texts: list[str], images: list[tuple[bool, str]]) -> list[str]:
    errors = []
    has_image = [image for image, _alt in images]
    if any(has_image) and question_type not in Question.IMAGE_CHOICE_TYPES:
        errors.append(_("Only single-choice, multiple-select and poll choices may have an image."))
    if any(image and not alt.strip() for image, alt in images):
        errors.append(_("Describe every choice image for students who cannot see it."))
    if any(not text and not image for text, (image, _alt) in zip(texts, images, strict=True)):
        errors.append(_("Every choice needs a text, an image, or both."))
    return errors


def _item_errors(texts: list[str], correct: int, images: list[tuple[bool, str]]) -> list[str]:
    errors = []
    if len(texts) < 2:
        errors.append(_("An ordering question needs at least two items."))
    if len(texts) > MAX_ITEMS:
        errors.append(_("An ordering question can have at most eight items."))
    if any(not text for text in texts):
        errors.append(_("Every item needs a text."))
    if len(set(texts)) != len(texts):
        errors.append(_("Two items have the same text."))
    if correct:
        errors.append(_("Items are put in order, not marked correct: untick every item."))
    if any(image for image, _alt in images):
        errors.append(_("Ordering items are text only; remove the images."))
    return errors


# Pillow format name -> the extension a stored image gets. Nothing else is accepted.
QUESTION_IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}


def question_image_clean(*, image: File) -> ContentFile:
    """An uploaded question image, decoded and encoded again by Pillow, or ValidationError.

    Only PNG, JPEG, WebP and GIF; at most settings.QUESTION_IMAGE_MAX_BYTES and QUESTION_IMAGE_MAX_PIXELS; scaled
    down to QUESTION_IMAGE_MAX_SIDE pixels on its longest side. Only the pixels are kept: metadata (EXIF, text
    chunks, colour profiles) and anything after the image data are dropped, so a file that is also HTML or a ZIP
    archive loses that payload. A JPEG's EXIF orientation is applied first; an animated GIF keeps its first frame.
    Every upload path (the admin, imports) goes through here.
    """
    if image.size is not None and image.size > settings.QUESTION_IMAGE_MAX_BYTES:
        raise ValidationError(
            _("This image is %(size)s; images may be at most %(limit)s. Please upload a smaller one."),
            code="image_too_large",
            params={"size": filesizeformat(image.size), "limit": filesizeformat(settings.QUESTION_IMAGE_MAX_BYTES)},
        )
    not_an_image = ValidationError(
        _("Upload a valid image: PNG, JPEG, WebP or GIF. This file is not one, or it is damaged."),
        code="invalid_image",
    )
    image.seek(0)
    try:
        with Image.open(image) as opened:
            if opened.format not in QUESTION_IMAGE_FORMATS:
                raise ValidationError(
                    _("Images may be PNG, JPEG, WebP or GIF; this one is %(format)s."),
                    code="image_format",
                    params={"format": opened.format},
                )
            _refuse_too_many_pixels(*opened.size)
            image_format = opened.format
            opened.seek(0)
            opened.load()
            pixels = _only_pixels(opened, image_format)
    except Image.DecompressionBombError as error:
        raise ValidationError(
            _("This image has too many pixels to be read safely."), code="image_too_many_pixels"
        ) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise not_an_image from error
    longest = settings.QUESTION_IMAGE_MAX_SIDE
    pixels.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    encoded = io.BytesIO()
    pixels.save(encoded, format=image_format, **_ENCODER_OPTIONS[image_format])
    return ContentFile(encoded.getvalue(), name=_stored_name(QUESTION_IMAGE_FORMATS[image_format]))


_ENCODER_OPTIONS: dict[str, dict[str, object]] = {
    "PNG": {"optimize": True},
    "JPEG": {"quality": 85, "optimize": True},
    "WEBP": {"quality": 85},
    "GIF": {"optimize": True},
}


def _refuse_too_many_pixels(width: int, height: int) -> None:
    limit = settings.QUESTION_IMAGE_MAX_PIXELS
    if width * height > limit:
        raise ValidationError(
            _(
                "This image is %(width)s × %(height)s pixels (%(megapixels)s megapixels); images may have at most "
                "%(limit)s megapixels. Please upload a smaller one."
            ),
            code="image_too_many_pixels",
            params={
                "width": width,
                "height": height,
                "megapixels": f"{width * height / 1_000_000:.1f}",
                "limit": f"{limit / 1_000_000:g}",
            },
        )


def _only_pixels(opened: Image.Image, image_format: str) -> Image.Image:
    """A new image holding the pixels alone, in a mode the format's encoder writes."""
    if image_format in {"JPEG", "WEBP"}:
        opened = ImageOps.exif_transpose(opened)
    if image_format == "JPEG":
        target = "L" if opened.mode in {"L", "1"} else "RGB"
    elif image_format == "GIF":
        target = "P" if opened.mode in {"P", "L", "1"} else "RGBA"
    else:
        target = opened.mode if opened.mode in {"RGB", "RGBA", "L", "LA", "P"} else "RGBA"
    pixels = opened.convert(target)
    clean = Image.new(pixels.mode, pixels.size)
    if pixels.mode == "P":
        clean.putpalette(pixels.getpalette() or [])
        if "transparency" in pixels.info and isinstance(pixels.info["transparency"], int):
            clean.info["transparency"] = pixels.info["transparency"]
    clean.paste(pixels)
    return clean


def _stored_name(extension: str) -> str:
    """A random name: the uploaded one may say what the picture is ("correct.png"), and an image's address reaches
    every student's browser with the question."""
    return f"{secrets.token_hex(12)}.{extension}"
