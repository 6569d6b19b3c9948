"""Checking drafts with the admin's own rules, and the preview of an import.

A draft is bound to the question admin's form (`QuestionAdminForm`, without its quiz and order fields), exactly as
if a teacher had typed it into the admin: the same field limits, the same `Question.clean`, and the same image
checks as an upload (an embedded image is handed to the form as an uploaded file). Its choices get the choice
model's field rules and the choice rules the admin's choice formset applies (`quizzes.validation.choice_errors`).
Every problem of every draft is reported, not only the first.
"""

from dataclasses import dataclass, field
from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from quizzes.formats import file_read
from quizzes.formats.drafts import QuestionDraft, Skipped
from quizzes.grading import plain_decimal
from quizzes.models import Choice, Question, Quiz
from quizzes.validation import choice_errors, question_image_clean


@cache
def _question_form_class() -> type[forms.ModelForm]:
    from quizzes.admin import QuestionAdminForm  # the admin's form itself, so the rules cannot drift apart

    fields = [name for name in QuestionAdminForm.Meta.fields if name not in ("quiz", "order")]
    return forms.modelform_factory(Question, form=QuestionAdminForm, fields=fields)


def _form_data(draft: QuestionDraft) -> dict[str, object]:
    limit = draft.effective_time_limit()
    return {
        "type": draft.type,
        "prompt": draft.prompt,
        "points": draft.effective_points(),
        "time_limit": "" if limit is None else limit,
        "numeric_target": "" if draft.numeric_target is None else plain_decimal(draft.numeric_target),
        "numeric_tolerance": plain_decimal(draft.numeric_tolerance),
        "accepted_answers": "\n".join(draft.accepted_answers),
        "image_alt": draft.image_alt,
        "explanation": draft.explanation,
        "max_words": draft.max_words,
        "partial_credit": draft.partial_credit,
        "scale_min": draft.scale_min,
        "scale_max": draft.scale_max,
        "scale_min_label": draft.scale_min_label,
        "scale_max_label": draft.scale_max_label,
    }


def _messages(form: forms.BaseForm, label_prefix: str = "") -> list[str]:
    messages = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.append(f"{label_prefix}{label}: {error}" if label else f"{label_prefix}{error}")
    return messages


@dataclass
class CheckedDraft:
    """A draft and what the admin's form made of it: every problem, and the image as an upload is stored (the
    form's cleaned file, so an imported image is kept exactly as an uploaded one would be)."""

    draft: QuestionDraft
    problems: list[str]
    image: File | None = None
    choice_images: list[File | None] = field(default_factory=list)


def draft_check(*, draft: QuestionDraft, quiz: Quiz) -> CheckedDraft:
    """Everything the admin would refuse in this draft, as sentences for the teacher; no problems when it is valid."""
    files = {}
    if draft.image is not None:
        files["image"] = SimpleUploadedFile(draft.image.name, draft.image.content)
    question_form = _question_form_class()(data=_form_data(draft), files=files, instance=Question(quiz=quiz))
    valid = question_form.is_valid()
    problems = [] if valid else _messages(question_form)
    choice_images: list[File | None] = []
    for number, choice in enumerate(draft.choices, start=1):
        prefix = _("Choice %(number)d, ") % {"number": number}
        for name, value in (("text", choice.text.strip()), ("image_alt", choice.image_alt.strip())):
            model_field = Choice._meta.get_field(name)
            try:
                model_field.clean(value, None)
            except ValidationError as error:
                problems.extend(f"{prefix}{model_field.verbose_name}: {message}" for message in error.messages)
        cleaned_image = None
        if choice.image is not None:  # the choice form's own image rules, as for an upload
            try:
                cleaned_image = question_image_clean(image=SimpleUploadedFile(choice.image.name, choice.image.content))
            except ValidationError as error:
                prefix += str(Choice._meta.get_field("image").verbose_name)
                problems.extend(f"{prefix}: {message}" for message in error.messages)
        choice_images.append(cleaned_image)
    choices = [(choice.text, choice.is_correct) for choice in draft.choices]
    images = [(choice.image is not None, choice.image_alt) for choice in draft.choices]
    problems.extend(choice_errors(question_type=draft.type, choices=choices, images=images))
    image = question_form.cleaned_data.get("image") if valid and draft.image is not None else None
    return CheckedDraft(draft, problems, image or None, choice_images)


def draft_problems(*, draft: QuestionDraft, quiz: Quiz) -> list[str]:
    return draft_check(draft=draft, quiz=quiz).problems


@dataclass
class ImportPreview:
    """What an import would create (`ready`, in file order) and what it would leave out (`skipped`, with the line
    and reason), before anything is saved."""

    format: str
    ready: list[QuestionDraft] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def drafts_checked(*, drafts: list[QuestionDraft], quiz: Quiz) -> tuple[list[CheckedDraft], list[Skipped]]:
    """The drafts that pass every rule, and where and why each other one fails."""
    ready, refused = [], []
    for draft in drafts:
        checked = draft_check(draft=draft, quiz=quiz)
        if checked.problems:
            refused.append(Skipped(draft.line, " ".join(checked.problems)))
        else:
            ready.append(checked)
    return ready, refused


def file_preview(*, quiz: Quiz, name: str, data: bytes) -> ImportPreview:
    """Read and check a question file for `quiz`; raises FileRefused when the whole file is unusable."""
    parsed = file_read(name=name, data=data)
    ready, refused = drafts_checked(drafts=parsed.drafts, quiz=quiz)
    skipped = sorted([*parsed.skipped, *refused], key=lambda item: item.line)
    return ImportPreview(format=parsed.format, ready=[checked.draft for checked in ready], skipped=skipped)
