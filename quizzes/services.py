"""Writes to quizzes."""

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from quizzes.formats import EXPORT_FORMATS, file_write
from quizzes.formats.checks import drafts_checked
from quizzes.formats.drafts import QuestionDraft, Skipped, draft_from_question
from quizzes.models import Choice, Question, Quiz


@transaction.atomic
def quiz_duplicate(*, quiz: Quiz, owner: User) -> Quiz:
    """Copy a quiz with its questions, choices, images and tags; the copy belongs to `owner`. Each image is a file
    of its own, so deleting or replacing it in one quiz leaves the other alone."""
    copy = Quiz.objects.create(title=f"{quiz.title} (copy)", owner=owner, description=quiz.description)
    copy.tags.set(quiz.tags.all())
    for question in quiz.questions.prefetch_related("choices"):
        choices = list(question.choices.all())
        question.pk = None
        question.id = None
        question.quiz = copy
        if question.image and question.image.name:
            with question.image.open("rb") as image:
                content = image.read()
            question.image.save(question.image.name.rsplit("/", 1)[-1], ContentFile(content), save=False)
        question.save()
        for choice in choices:
            choice.pk = None
            choice.id = None
            choice.question = question
            choice.save()
    return copy


class ImportRejected(ValueError):
    """Nothing was imported; `problems` lists every draft that broke a rule, with its line."""

    def __init__(self, problems: list[Skipped]):
        super().__init__(_("Nothing was imported: some questions break the rules."))
        self.problems = problems


@transaction.atomic
def questions_import(*, quiz: Quiz, drafts: list[QuestionDraft]) -> list[Question]:
    """Create every draft as a question at the end of `quiz`, in order, or nothing: each draft is checked again with
    the admin's rules first, and any failure raises ImportRejected before a row is written."""
    checked, refused = drafts_checked(drafts=drafts, quiz=quiz)
    if refused:
        raise ImportRejected(refused)
    Quiz.objects.select_for_update().filter(pk=quiz.pk).first()  # imports into one quiz take their turn
    last = quiz.questions.aggregate(last=Max("order"))["last"]
    start = 0 if last is None else last + 1
    questions = []
    ready = [item.draft for item in checked]
    for offset, item in enumerate(checked):
        draft = item.draft
        question = Question(
            quiz=quiz,
            order=start + offset,
            type=draft.type,
            prompt=draft.prompt,
            points=draft.effective_points(),
            time_limit=draft.effective_time_limit(),
            explanation=draft.explanation,
            numeric_target=draft.numeric_target,
            numeric_tolerance=draft.numeric_tolerance,
            accepted_answers="\n".join(draft.accepted_answers),
            image_alt=draft.image_alt,
        )
        if item.image is not None and item.image.name:  # the image as the admin's form cleaned it, as an upload
            item.image.seek(0)
            question.image.save(item.image.name, item.image, save=False)
        questions.append(question)
    Question.objects.bulk_create(questions)
    Choice.objects.bulk_create(
        Choice(question=question, text=choice.text, is_correct=choice.is_correct, order=order)
        for question, draft in zip(questions, ready, strict=True)
        for order, choice in enumerate(draft.choices)
    )
    Quiz.objects.filter(pk=quiz.pk).update(updated_at=timezone.now())
    return questions


@dataclass(frozen=True)
class ExportedFile:
    name: str
    content_type: str
    content: bytes


# GIFT and Moodle XML have no word cloud, ordering or rating scale: those questions go to the spreadsheet only.
SPREADSHEET_ONLY_TYPES = frozenset({Question.Type.WORDCLOUD, Question.Type.ORDERING, Question.Type.SCALE})


def quiz_export(*, quiz: Quiz, format_name: str) -> ExportedFile:
    """Every question of `quiz`, in order, as a GIFT, Moodle XML or XLSX file. GIFT and Moodle XML files leave out
    the word clouds, orderings and rating scales, which only Quizcast's spreadsheet carries (with its items for an
    ordering, but not the number of words, the partial credit nor the scale's range and labels)."""
    export_format = EXPORT_FORMATS[format_name]
    questions = quiz.questions.order_by("order", "id").prefetch_related("choices")
    if format_name != "xlsx":
        questions = questions.exclude(type__in=SPREADSHEET_ONLY_TYPES)
    drafts = [draft_from_question(question) for question in questions]
    name = f"{slugify(quiz.title) or 'quiz'}.{export_format.extension}"
    return ExportedFile(name, export_format.content_type, file_write(drafts=drafts, format_name=format_name))
