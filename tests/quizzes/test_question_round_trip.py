"""Export a quiz with every question type, import the file into an empty quiz: the same questions come back, as far
as each format can say them (docs/authoring.md lists what each one loses)."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from quizzes.formats import file_read
from quizzes.models import Question
from quizzes.services import SPREADSHEET_ONLY_TYPES, questions_import, quiz_export
from tests.factories import ORDERING_ITEMS, QuizFactory, make_question

Type = Question.Type


@pytest.fixture
def full_quiz(teacher):
    """Every type, with awkward text: characters GIFT escapes, line breaks, formulas, no time limit, an image."""
    quiz = QuizFactory(owner=teacher, title="Round trip")
    for order, question_type in enumerate(Type.values):
        make_question(quiz, question_type, order=order)
    single = quiz.questions.get(type=Type.SINGLE)
    single.prompt = "Is {this} = that: ~ maybe # or\nnot?\n\nSecond paragraph."
    single.explanation = "=SUM(A1) is not a formula here.\nSecond line."
    single.time_limit = None
    single.points = 250
    buffer = io.BytesIO()
    Image.new("RGB", (6, 6), "#f80").save(buffer, "PNG")
    single.image.save("diagram.png", ContentFile(buffer.getvalue()), save=False)
    single.image_alt = "An orange square"
    single.save()
    text = quiz.questions.get(type=Type.TEXT)
    text.accepted_answers = "Paris\nParís\nla | ville"
    text.save()
    poll = quiz.questions.get(type=Type.POLL)
    poll.points = 0
    poll.save()
    return quiz


def snapshot(quiz, *, with_image: bool) -> list[tuple]:
    rows = []
    for question in quiz.questions.order_by("order").prefetch_related("choices"):
        image = None
        if with_image and question.image:
            # Pixels, not bytes: an imported image is stored as an upload is, which may encode it again.
            with question.image.open("rb") as handle, Image.open(handle) as opened:
                image = (opened.size, opened.convert("RGB").tobytes(), question.image_alt)
        rows.append(
            (
                question.type,
                question.prompt,
                [(choice.text, choice.is_correct) for choice in question.choices.all()],
                question.numeric_target,
                question.numeric_tolerance if question.type == Type.NUMERIC else None,
                question.accepted_answer_list,
                question.points,
                question.time_limit,
                question.explanation,
                image,
            )
        )
    return rows


@pytest.mark.parametrize(("format_name", "with_image"), [("gift", False), ("moodle_xml", True), ("xlsx", False)])
def test_export_then_import_gives_the_same_questions(full_quiz, teacher, format_name, with_image):
    exported = quiz_export(quiz=full_quiz, format_name=format_name)
    parsed = file_read(name=exported.name, data=exported.content)
    assert parsed.skipped == []
    copy = QuizFactory(owner=teacher)

    questions_import(quiz=copy, drafts=parsed.drafts)

    carried = [row for row in snapshot(full_quiz, with_image=with_image) if format_carries(format_name, row[0])]
    assert snapshot(copy, with_image=with_image) == carried


def format_carries(format_name: str, question_type: str) -> bool:
    """GIFT and Moodle XML have no word cloud, ordering or rating scale; only the spreadsheet carries them."""
    return format_name == "xlsx" or question_type not in SPREADSHEET_ONLY_TYPES


def test_gift_and_moodle_xml_leave_out_word_clouds_orderings_and_scales_which_the_spreadsheet_keeps(full_quiz):
    for format_name in ("gift", "moodle_xml"):
        exported = file_read(
            name="q." + ("gift" if format_name == "gift" else "xml"),
            data=quiz_export(quiz=full_quiz, format_name=format_name).content,
        )
        assert {draft.type for draft in exported.drafts} == set(Type.values) - SPREADSHEET_ONLY_TYPES
    workbook = quiz_export(quiz=full_quiz, format_name="xlsx")
    drafts = file_read(name=workbook.name, data=workbook.content).drafts
    ordering = next(draft for draft in drafts if draft.type == Type.ORDERING)
    assert [choice.text for choice in ordering.choices] == ORDERING_ITEMS
    assert {Type.WORDCLOUD, Type.SCALE} <= {draft.type for draft in drafts}


def test_the_exported_gift_escapes_gifts_special_characters(full_quiz):
    content = quiz_export(quiz=full_quiz, format_name="gift").content.decode()
    assert r"Is \{this\} \= that\: \~ maybe \# or\nnot?\n\nSecond paragraph." in content


def test_the_exported_workbook_keeps_formulas_as_text(full_quiz):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(quiz_export(quiz=full_quiz, format_name="xlsx").content))
    cells = [
        cell for row in workbook.active.iter_rows() for cell in row if cell.value and str(cell.value).startswith("=")
    ]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_the_quiz_page_downloads_each_format(client, teacher, full_quiz):
    client.force_login(teacher)
    for format_name, extension in (("gift", "gift"), ("moodle_xml", "xml"), ("xlsx", "xlsx")):
        response = client.get(reverse("admin:quizzes_quiz_export", args=[full_quiz.pk, format_name]))
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="round-trip.{extension}"'


def test_another_teachers_quiz_cannot_be_exported(client, other_teacher, full_quiz):
    client.force_login(other_teacher)
    response = client.get(reverse("admin:quizzes_quiz_export", args=[full_quiz.pk, "gift"]))
    assert response.status_code == 404


def test_the_admin_action_exports_several_quizzes_as_a_zip(client, teacher, full_quiz):
    import zipfile

    second = QuizFactory(owner=teacher, title="Round trip")
    make_question(second, Type.NUMERIC)
    client.force_login(teacher)
    response = client.post(
        reverse("admin:quizzes_quiz_changelist"),
        {"action": "export_moodle_xml", "_selected_action": [full_quiz.pk, second.pk]},
    )
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sorted(names) == ["2-round-trip.xml", "round-trip.xml"]
