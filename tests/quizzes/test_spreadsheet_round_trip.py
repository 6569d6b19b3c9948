"""Quizcast's spreadsheet keeps every field of every type: a quiz exported as XLSX (a ZIP of the workbook and its
pictures when it has any), or that workbook saved as CSV, imports into an empty quiz as the same questions."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from quizzes.formats import file_read
from quizzes.models import Question
from quizzes.services import questions_import, quiz_export
from tests.factories import ChoiceFactory, QuizFactory, make_question

Type = Question.Type


def png(colour: str) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (5, 4), colour).save(buffer, "PNG")
    return ContentFile(buffer.getvalue())


def with_pictures(question: Question) -> None:
    """A picture on the question and on some choices; the first choice a picture alone, another with a `|`."""
    question.image.save("diagram.png", png("#f80"), save=False)
    question.image_alt = "An orange square"
    question.save()
    choices = list(question.choices.all())
    choices[0].text = ""
    choices[0].image.save("red.png", png("#f00"), save=False)
    choices[0].image_alt = "A red square"
    choices[1].text = "Green | teal"
    choices[2].image.save("blue.png", png("#00f"), save=False)
    choices[2].image_alt = "Blue, as the sea"
    for choice in choices:
        choice.save()


def question_of(question_type: str, quiz) -> Question:
    """One question of the type with every field it has set away from its default."""
    settings = {
        Type.NUMERIC: {"numeric_target": Decimal("-2.5"), "numeric_tolerance": Decimal("0.25")},
        Type.TEXT: {"accepted_answers": "Paris\nParís\nla | ville"},
        Type.WORDCLOUD: {"max_words": 2},
        Type.ORDERING: {"partial_credit": True},
        Type.SCALE: {
            "scale_min": 0,
            "scale_max": 10,
            "scale_min_label": "Not at all",
            "scale_max_label": "Completely, =really",
        },
    }.get(question_type, {})
    question = make_question(
        quiz,
        question_type,
        prompt="Is \\(x^2\\) = {that}?\nSecond line | with a bar.",
        explanation="=SUM(A1) stays text.",
        time_limit=None if question_type in (Type.POLL, Type.SCALE) else 45,
        **({} if question_type in Question.UNGRADED_TYPES else {"points": 250}),
        **settings,
    )
    if question_type in Question.IMAGE_CHOICE_TYPES:
        with_pictures(question)
    return question


def pixels(field) -> tuple | None:
    if not field:
        return None
    with field.open("rb") as handle, Image.open(handle) as opened:
        return opened.size, opened.convert("RGB").tobytes()


def snapshot(quiz) -> list[dict]:
    """Every field a teacher sets, as the student and the teacher see it (pictures as their pixels)."""
    fields = [
        "type", "prompt", "points", "time_limit", "explanation", "numeric_target", "accepted_answers",
        "image_alt", "max_words", "partial_credit", "scale_min", "scale_max", "scale_min_label", "scale_max_label",
    ]  # fmt: skip
    rows = []
    for question in quiz.questions.order_by("order").prefetch_related("choices"):
        row = {name: getattr(question, name) for name in fields}
        row["numeric_tolerance"] = question.numeric_tolerance if question.type == Type.NUMERIC else None
        row["image"] = pixels(question.image)
        row["choices"] = [
            (choice.text, choice.is_correct, choice.image_alt, pixels(choice.image))
            for choice in question.choices.all()
        ]
        rows.append(row)
    return rows


def as_csv(exported: bytes, name: str) -> tuple[str, bytes]:
    """The exported workbook saved as CSV, as a teacher's spreadsheet program would; in its ZIP when it has one."""
    from openpyxl import load_workbook

    archive = zipfile.ZipFile(io.BytesIO(exported)) if name.endswith(".zip") else None
    workbook_bytes = archive.read("questions.xlsx") if archive else exported
    text = io.StringIO()
    writer = csv.writer(text)
    for row in load_workbook(io.BytesIO(workbook_bytes)).active.iter_rows(values_only=True):
        writer.writerow(["" if value is None else value for value in row])
    content = text.getvalue().encode("utf-8")
    if archive is None:
        return "questions.csv", content
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as repacked:
        repacked.writestr("questions.csv", content)
        for entry in archive.namelist():
            if entry != "questions.xlsx":
                repacked.writestr(entry, archive.read(entry))
    return "questions.zip", buffer.getvalue()


@pytest.mark.parametrize("spreadsheet", ["xlsx", "csv"])
@pytest.mark.parametrize("question_type", Type.values)
def test_every_field_of_every_type_survives_export_and_import(teacher, question_type, spreadsheet):
    quiz = QuizFactory(owner=teacher)
    question_of(question_type, quiz)
    exported = quiz_export(quiz=quiz, format_name="xlsx")
    name, content = exported.name, exported.content
    if spreadsheet == "csv":
        name, content = as_csv(content, name)
    parsed = file_read(name=name, data=content)
    assert parsed.skipped == []
    assert [note for draft in parsed.drafts for note in draft.notes] == []
    copy = QuizFactory(owner=teacher)

    questions_import(quiz=copy, drafts=parsed.drafts)

    assert snapshot(copy) == snapshot(quiz)


def test_a_quiz_with_pictures_exports_as_a_zip_of_the_workbook_and_its_pictures(teacher):
    quiz = QuizFactory(owner=teacher, title="Colours")
    question_of(Type.SINGLE, quiz)
    exported = quiz_export(quiz=quiz, format_name="xlsx")
    assert (exported.name, exported.content_type) == ("colours.zip", "application/zip")
    names = sorted(zipfile.ZipFile(io.BytesIO(exported.content)).namelist())
    assert names == ["images/q1-choice1.png", "images/q1-choice3.png", "images/q1.png", "questions.xlsx"]


def test_a_quiz_without_pictures_exports_as_a_plain_workbook(teacher):
    quiz = QuizFactory(owner=teacher, title="Words")
    question_of(Type.WORDCLOUD, quiz)
    exported = quiz_export(quiz=quiz, format_name="xlsx")
    assert exported.name == "words.xlsx" and exported.content.startswith(b"PK")
    assert file_read(name=exported.name, data=exported.content).drafts[0].max_words == 2


def test_a_spreadsheet_uploaded_without_its_pictures_keeps_its_questions_and_says_which_pictures_are_missing(teacher):
    text = (
        "type,prompt,choices,correct,numeric_target,tolerance,accepted_answers,points,time_limit,explanation,"
        "image,image_description\n"
        "single,Which?,A | B,1,,,,100,30,,images/q1.png,A map\n"
    )
    [draft] = file_read(name="q.csv", data=text.encode()).drafts
    assert draft.image is None
    assert draft.notes == [
        "The picture “images/q1.png” is left out: upload the spreadsheet and its pictures together as a ZIP archive."
    ]


def test_a_teachers_own_zip_names_pictures_from_the_spreadsheets_folder(teacher):
    text = (
        "type,prompt,choices,correct,numeric_target,tolerance,accepted_answers,points,time_limit,explanation,"
        "choice_images,choice_image_descriptions\n"
        "poll,Which pet?,Cat | | Bird,,,,,0,none,,cat.png | pics/dog.png | missing.png,A cat | A dog | A bird\n"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("My quiz/questions.csv", text)
        archive.writestr("My quiz/cat.png", png("#111").read())
        archive.writestr("My quiz/pics/dog.png", png("#222").read())
    [draft] = file_read(name="my-quiz.zip", data=buffer.getvalue()).drafts
    assert [(choice.text, choice.image and choice.image.name, choice.image_alt) for choice in draft.choices] == [
        ("Cat", "cat.png", "A cat"),
        ("", "dog.png", "A dog"),
        ("Bird", None, "A bird"),
    ]
    assert draft.notes == ["The picture “missing.png” is not in the ZIP archive; it is left out."]


def test_imported_ungraded_questions_score_nothing_whatever_the_file_says():
    text = (
        "type,prompt,choices,correct,numeric_target,tolerance,accepted_answers,points,time_limit,explanation\n"
        "wordcloud,Words?,,,,,,100,30,\nscale,Rate it,,,,,,50,30,\n"
    )
    drafts = file_read(name="q.csv", data=text.encode()).drafts
    assert [draft.effective_points() for draft in drafts] == [0, 0]


def test_a_choice_picture_is_checked_as_an_upload_is(teacher):
    quiz = QuizFactory(owner=teacher)
    question = make_question(quiz, Type.POLL)
    ChoiceFactory(question=question, text="", image_alt="Broken", order=9).image.save(
        "broken.png", ContentFile(b"not a picture"), save=True
    )
    exported = quiz_export(quiz=quiz, format_name="xlsx")
    parsed = file_read(name=exported.name, data=exported.content)
    from quizzes.formats.checks import drafts_checked

    ready, refused = drafts_checked(drafts=parsed.drafts, quiz=QuizFactory(owner=teacher))
    assert ready == [] and "Upload a valid image" in refused[0].reason
