"""Export a quiz with every question type, import the file into an empty quiz: the same questions come back, as far
as each format can say them (docs/authoring.md lists what each one loses)."""

import io
import zipfile

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

    exported = quiz_export(quiz=full_quiz, format_name="xlsx")  # a ZIP: the quiz has a picture
    workbook = load_workbook(io.BytesIO(zipfile.ZipFile(io.BytesIO(exported.content)).read("questions.xlsx")))
    cells = [
        cell for row in workbook.active.iter_rows() for cell in row if cell.value and str(cell.value).startswith("=")
    ]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_the_quiz_page_downloads_each_format(client, teacher, full_quiz):
    client.force_login(teacher)
    for format_name, extension in (("gift", "gift"), ("moodle_xml", "xml"), ("xlsx", "zip")):
        url = reverse("admin:quizzes_quiz_export", args=[full_quiz.pk, format_name])
        response = client.get(url, {"leave_out": "1"})
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="round-trip.{extension}"'


def test_another_teachers_quiz_cannot_be_exported(client, other_teacher, full_quiz):
    client.force_login(other_teacher)
    response = client.get(reverse("admin:quizzes_quiz_export", args=[full_quiz.pk, "gift"]))
    assert response.status_code == 404


def test_the_admin_action_exports_several_quizzes_as_a_zip(client, teacher, full_quiz):
    second = QuizFactory(owner=teacher, title="Round trip")
    make_question(second, Type.NUMERIC)
    client.force_login(teacher)
    response = client.post(
        reverse("admin:quizzes_quiz_changelist"),
        {"action": "export_moodle_xml", "_selected_action": [full_quiz.pk, second.pk], "leave_out": "1"},
    )
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sorted(names) == ["2-round-trip.xml", "round-trip.xml"]


SPREADSHEET_ONLY_NUMBERS = {
    # the place of each word cloud, ordering and rating scale in full_quiz, in Type's order
    number
    for number, question_type in enumerate(Type.values, start=1)
    if question_type in SPREADSHEET_ONLY_TYPES
}


@pytest.mark.parametrize("format_name", ["gift", "moodle_xml"])
def test_the_export_page_lists_the_questions_the_format_leaves_out_and_offers_the_spreadsheet(
    client, teacher, full_quiz, format_name
):
    client.force_login(teacher)
    url = reverse("admin:quizzes_quiz_export", args=[full_quiz.pk, format_name])
    response = client.get(url)
    assert response.status_code == 200 and "Content-Disposition" not in response
    [(quiz, left_out)] = response.context["left_out"]
    assert quiz == full_quiz
    assert {question.number for question in left_out} == SPREADSHEET_ONLY_NUMBERS
    assert {question.type for question in left_out} == SPREADSHEET_ONLY_TYPES
    page = response.content.decode()
    assert "Question 7 (Word cloud):" in page and "keeps every question" in page
    assert reverse("admin:quizzes_quiz_export", args=[full_quiz.pk, "xlsx"]) in page
    assert f"{url}?leave_out=1" in page


def test_a_quiz_whose_questions_all_fit_downloads_at_once(client, teacher):
    quiz = QuizFactory(owner=teacher, title="Plain")
    make_question(quiz, Type.SINGLE)
    client.force_login(teacher)
    response = client.get(reverse("admin:quizzes_quiz_export", args=[quiz.pk, "gift"]))
    assert response["Content-Disposition"] == 'attachment; filename="plain.gift"'


@pytest.mark.parametrize("format_name", ["gift", "moodle_xml"])
def test_a_file_without_the_left_out_questions_holds_only_questions_its_format_reads_and_names_the_others(
    full_quiz, format_name
):
    exported = quiz_export(quiz=full_quiz, format_name=format_name)
    text = exported.content.decode()
    parsed = file_read(name=exported.name, data=exported.content)
    assert parsed.skipped == []
    assert len(parsed.drafts) == len(Type.values) - len(SPREADSHEET_ONLY_TYPES)
    listed = ", ".join(
        f"question {n} ({Type(t).label})" for n, t in enumerate(Type.values, 1) if n in SPREADSHEET_ONLY_NUMBERS
    )
    assert f"Left out of this file: {listed}." in text
    if format_name == "moodle_xml":
        from defusedxml.ElementTree import fromstring

        kinds = {question.get("type") for question in fromstring(exported.content).iter("question")}
        assert kinds == {"multichoice", "truefalse", "numerical", "shortanswer"}
    else:
        assert "{}" not in text.replace(" ", "")


def test_the_admin_action_lists_what_it_would_leave_out_before_exporting(client, teacher, full_quiz):
    plain = QuizFactory(owner=teacher, title="Plain")
    make_question(plain, Type.NUMERIC)
    client.force_login(teacher)
    changelist = reverse("admin:quizzes_quiz_changelist")
    selected = [full_quiz.pk, plain.pk]
    response = client.post(changelist, {"action": "export_gift", "_selected_action": selected})
    assert response.status_code == 200 and "Content-Disposition" not in response
    assert [quiz for quiz, _questions in response.context["left_out"]] == [full_quiz]
    page = response.content.decode()
    assert 'name="leave_out" value="1"' in page and 'value="export_xlsx"' in page

    instead = client.post(changelist, {"action": "export_xlsx", "_selected_action": selected})
    assert instead["Content-Type"] == "application/zip"
    anyway = client.post(changelist, {"action": "export_gift", "_selected_action": selected, "leave_out": "1"})
    assert anyway["Content-Disposition"] == 'attachment; filename="quizzes-gift.zip"'


def test_a_choice_that_is_a_picture_alone_is_written_to_gift_as_its_description(teacher):
    quiz = QuizFactory(owner=teacher)
    question = make_question(quiz, Type.POLL)
    choice = question.choices.first()
    choice.text, choice.image_alt = "", "A red square"
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "#f00").save(buffer, "PNG")
    choice.image.save("red.png", ContentFile(buffer.getvalue()))
    parsed = file_read(name="q.gift", data=quiz_export(quiz=quiz, format_name="gift").content)
    assert parsed.skipped == [] and parsed.drafts[0].choices[0].text == "A red square"
