"""Writes to quizzes."""

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from quizzes.formats import EXPORT_FORMATS, file_write, spreadsheet
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
        if question.image:
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
            max_words=draft.max_words,
            partial_credit=draft.partial_credit,
            scale_min=draft.scale_min,
            scale_max=draft.scale_max,
            scale_min_label=draft.scale_min_label,
            scale_max_label=draft.scale_max_label,
        )
        if item.image is not None:  # the image as the admin's form cleaned it, as an upload would be stored
            item.image.seek(0)
            question.image.save(item.image.name, item.image, save=False)
        questions.append(question)
    Question.objects.bulk_create(questions)
    choices = []
    for question, item in zip(questions, checked, strict=True):
        for order, (choice, image) in enumerate(zip(item.draft.choices, item.choice_images, strict=True)):
            row = Choice(
                question=question,
                text=choice.text,
                is_correct=choice.is_correct,
                order=order,
                image_alt=choice.image_alt,
            )
            if image is not None:
                row.image.save(image.name, image, save=False)
            choices.append(row)
    Choice.objects.bulk_create(choices)
    Quiz.objects.filter(pk=quiz.pk).update(updated_at=timezone.now())
    return questions


@dataclass(frozen=True)
class LeftOutQuestion:
    """A question a file format cannot hold, left out of an export: its place in the quiz (from 1) and type."""

    number: int
    type: str
    type_label: str
    prompt: str


@dataclass(frozen=True)
class ExportedFile:
    name: str
    content_type: str
    content: bytes
    left_out: tuple[LeftOutQuestion, ...] = ()


# GIFT and Moodle XML have no word cloud, ordering or rating scale: those questions go to the spreadsheet only.
SPREADSHEET_ONLY_TYPES = frozenset({Question.Type.WORDCLOUD, Question.Type.ORDERING, Question.Type.SCALE})


def quiz_export(*, quiz: Quiz, format_name: str) -> ExportedFile:
    """Every question of `quiz`, in order, as a GIFT, Moodle XML or XLSX file (a ZIP of the XLSX and its images
    when questions or choices have images). GIFT and Moodle XML files leave out the word clouds, orderings and
    rating scales, which only Quizcast's spreadsheet carries: they are listed in `left_out`, and a comment at the top
    of the file names them. Nothing of them is written as a question, so the file holds only questions its format
    reads."""
    export_format = EXPORT_FORMATS[format_name]
    questions = list(quiz.questions.order_by("order", "id").prefetch_related("choices"))
    left_out: list[LeftOutQuestion] = []
    kept = []
    for number, question in enumerate(questions, start=1):
        if format_name != "xlsx" and question.type in SPREADSHEET_ONLY_TYPES:
            left_out.append(LeftOutQuestion(number, question.type, str(question.get_type_display()), question.prompt))
        else:
            kept.append(question)
    drafts = [draft_from_question(question) for question in kept]
    if (
        format_name != "xlsx"
    ):  # no choice pictures there: a choice that is a picture alone is written as its description
        for choice in (choice for draft in drafts for choice in draft.choices):
            choice.text = choice.text or choice.image_alt
    comments = [_left_out_comment(left_out, export_format.label)] if left_out else []
    content = file_write(drafts=drafts, format_name=format_name, comments=comments)
    extension = export_format.extension
    if format_name == "xlsx" and spreadsheet.needs_archive(drafts):
        extension = "zip"
    name = f"{slugify(quiz.title) or 'quiz'}.{extension}"
    content_type = "application/zip" if extension == "zip" else export_format.content_type
    return ExportedFile(name, content_type, content, tuple(left_out))


def _left_out_comment(left_out: list[LeftOutQuestion], format_label: str) -> str:
    listed = ", ".join(
        _("question %(number)d (%(type)s)") % {"number": item.number, "type": item.type_label} for item in left_out
    )
    return _(
        "Left out of this file: %(questions)s. %(format)s has no word clouds, orderings or rating scales; "
        "Quizcast's spreadsheet (XLSX) export keeps them."
    ) % {"questions": listed, "format": format_label}
