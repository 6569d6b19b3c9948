"""The import service and the admin's import pages: preview first, then all the questions or none."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from PIL import Image

from quizzes.admin_files import SESSION_KEY
from quizzes.formats import MAX_FILE_BYTES, SAMPLES
from quizzes.formats.checks import draft_problems, file_preview
from quizzes.formats.drafts import ChoiceDraft, ImageDraft, QuestionDraft
from quizzes.models import Question
from quizzes.services import ImportRejected, questions_import
from tests.factories import QuizFactory, make_question

Type = Question.Type


def import_url(quiz) -> str:
    return reverse("admin:quizzes_quiz_import", args=[quiz.pk])


def upload(client, quiz, name: str, data: bytes):
    return client.post(import_url(quiz), {"file": _file(name, data)})


def _file(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "#09c").save(buffer, "PNG")
    return buffer.getvalue()


# --- the checks are the admin's -------------------------------------------------------------------------------
def test_drafts_break_the_same_rules_as_the_admin_form_and_every_problem_is_listed(own_quiz):
    draft = QuestionDraft(
        type=Type.SINGLE,
        prompt="x" * 2001,
        choices=[ChoiceDraft("a", True), ChoiceDraft("b", True), ChoiceDraft("c" * 301)],
        points=20_000,
        time_limit=2,
        time_limit_given=True,
    )
    problems = " ".join(draft_problems(draft=draft, quiz=own_quiz))
    assert "2000 characters" in problems  # the prompt
    assert "10000" in problems  # the points
    assert "greater than or equal to 5" in problems  # the time limit
    assert "Choice 3" in problems and "300 characters" in problems
    assert "exactly one correct choice" in problems


def test_an_embedded_image_goes_through_the_upload_checks(own_quiz, settings):
    not_an_image = QuestionDraft(
        type=Type.POLL,
        prompt="Q?",
        choices=[ChoiceDraft("a"), ChoiceDraft("b")],
        image=ImageDraft("x.png", b"#!/bin/sh\n"),
        image_alt="A picture",
    )
    assert "valid image" in " ".join(draft_problems(draft=not_an_image, quiz=own_quiz))
    settings.QUESTION_IMAGE_MAX_BYTES = 10
    too_large = QuestionDraft(
        type=Type.POLL, prompt="Q?", choices=not_an_image.choices, image=ImageDraft("x.png", png_bytes()), image_alt="A"
    )
    assert "images may be at most" in " ".join(draft_problems(draft=too_large, quiz=own_quiz))


def test_an_image_without_a_description_is_refused_as_in_the_admin(own_quiz):
    draft = QuestionDraft(
        type=Type.POLL,
        prompt="Q?",
        choices=[ChoiceDraft("a"), ChoiceDraft("b")],
        image=ImageDraft("x.png", png_bytes()),
    )
    assert "Describe the image" in " ".join(draft_problems(draft=draft, quiz=own_quiz))


# --- the service ------------------------------------------------------------------------------------------------
def test_import_appends_every_question_in_file_order_with_its_choices_and_image(own_quiz):
    make_question(own_quiz, Type.SINGLE, order=4)
    preview = file_preview(quiz=own_quiz, name="questions.xml", data=(SAMPLES / "questions.xml").read_bytes())

    created = questions_import(quiz=own_quiz, drafts=preview.ready)

    assert [question.order for question in created] == [5, 6, 7, 8, 9, 10]
    flag = Question.objects.get(prompt="Which colour is the rectangle in the middle?")
    assert flag.image.name.endswith(".png")
    assert flag.image_alt == "A yellow rectangle on a blue background"
    assert [(choice.text, choice.is_correct, choice.order) for choice in flag.choices.all()] == [
        ("Blue", False, 0),
        ("Yellow", True, 1),
    ]
    assert own_quiz.questions.count() == 7


def test_import_creates_nothing_when_one_draft_breaks_a_rule(own_quiz):
    good = QuestionDraft(type=Type.TRUE_FALSE, prompt="Ok?", choices=[ChoiceDraft("True", True), ChoiceDraft("False")])
    bad = QuestionDraft(type=Type.NUMERIC, prompt="Missing its number", line=7)

    with pytest.raises(ImportRejected) as rejected:
        questions_import(quiz=own_quiz, drafts=[good, bad])

    assert [problem.line for problem in rejected.value.problems] == [7]
    assert "numeric answer" in rejected.value.problems[0].reason
    assert not Question.objects.exists()


def test_a_poll_defaults_to_no_points_and_other_types_to_the_models_default(own_quiz):
    poll = QuestionDraft(type=Type.POLL, prompt="Lunch?", choices=[ChoiceDraft("a"), ChoiceDraft("b")])
    numeric = QuestionDraft(type=Type.NUMERIC, prompt="Pi?", numeric_target=Decimal(3))
    questions_import(quiz=own_quiz, drafts=[poll, numeric])
    assert list(own_quiz.questions.values_list("points", "time_limit")) == [(0, 30), (100, 30)]


# --- the admin pages ------------------------------------------------------------------------------------------
def test_quiz_page_links_to_import_and_every_export(teacher_client, own_quiz):
    page = teacher_client.get(reverse("admin:quizzes_quiz_change", args=[own_quiz.pk])).content.decode()
    assert import_url(own_quiz) in page
    for format_name in ("gift", "moodle_xml", "xlsx"):
        assert reverse("admin:quizzes_quiz_export", args=[own_quiz.pk, format_name]) in page


def test_the_import_page_offers_the_template(teacher_client, own_quiz):
    page = teacher_client.get(import_url(own_quiz))
    assert page.status_code == 200
    template = teacher_client.get(reverse("admin:quizzes_quiz_import_template"))
    assert template["Content-Disposition"] == 'attachment; filename="quizcast-questions-template.xlsx"'
    assert template.content.startswith(b"PK")


def test_preview_lists_what_will_and_will_not_be_imported_and_saves_nothing(teacher_client, own_quiz):
    response = upload(teacher_client, own_quiz, "questions.gift", (SAMPLES / "questions.gift").read_bytes())

    assert response.status_code == 200
    page = response.content.decode()
    assert "8 questions will be added" in page
    assert "What is the capital of France?" in page and "Paris" in page
    assert "Multiple select" in page and "3.14 ± 0.01" in page
    assert "Essay questions cannot be represented" in page and "<td>33</td>" in page
    assert not Question.objects.exists()


def test_confirming_imports_the_previewed_questions_without_the_file_again(teacher_client, own_quiz):
    response = upload(teacher_client, own_quiz, "questions.gift", (SAMPLES / "questions.gift").read_bytes())
    token = response.context["token"]

    confirmed = teacher_client.post(import_url(own_quiz), {"token": token})

    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("admin:quizzes_quiz_change", args=[own_quiz.pk])
    assert own_quiz.questions.count() == 8
    assert SESSION_KEY not in teacher_client.session
    again = teacher_client.post(import_url(own_quiz), {"token": token})
    assert again.status_code == 302 and own_quiz.questions.count() == 8  # a second click imports nothing more


def test_cancelling_imports_nothing(teacher_client, own_quiz):
    response = upload(teacher_client, own_quiz, "questions.gift", (SAMPLES / "questions.gift").read_bytes())
    teacher_client.post(import_url(own_quiz), {"token": response.context["token"], "cancel": "Cancel"})
    assert not Question.objects.exists()


def test_a_token_for_another_quiz_imports_nothing(teacher_client, own_quiz, teacher):
    other = QuizFactory(owner=teacher)
    response = upload(teacher_client, own_quiz, "questions.gift", (SAMPLES / "questions.gift").read_bytes())
    teacher_client.post(import_url(other), {"token": response.context["token"]})
    assert not Question.objects.exists()


def test_a_refused_file_says_why_on_the_page(teacher_client, own_quiz):
    response = upload(teacher_client, own_quiz, "questions.gift", "Café? {=a ~b}".encode("latin-1"))
    assert response.status_code == 200
    assert "Latin-1" in response.content.decode()
    assert not Question.objects.exists()


def test_a_file_over_5_mb_is_refused_before_it_is_read(teacher_client, own_quiz):
    response = upload(teacher_client, own_quiz, "big.gift", b"Q? {=a ~b}\n\n" * (MAX_FILE_BYTES // 12 + 1))
    assert "larger than 5 MB" in response.content.decode()


def test_a_teacher_cannot_import_into_another_teachers_quiz(teacher_client, other_teacher):
    foreign = QuizFactory(owner=other_teacher)
    response = upload(teacher_client, foreign, "questions.gift", (SAMPLES / "questions.gift").read_bytes())
    assert response.status_code in (403, 404)
    assert not Question.objects.exists()


# --- the command -------------------------------------------------------------------------------------------------
def test_the_command_imports_a_file_and_reports_skipped_lines(own_quiz, capsys):
    from django.core.management import call_command

    call_command("import_questions", str(SAMPLES / "questions.gift"), quiz=own_quiz.pk)

    out, err = capsys.readouterr()
    assert "Imported 8 questions" in out
    assert "line 33" in err
    assert own_quiz.questions.count() == 8


def test_the_command_refuses_a_bad_file_and_imports_nothing(own_quiz, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "q.gift"
    path.write_bytes("Q? {=a ~b}".encode("utf-16"))
    with pytest.raises(CommandError, match="UTF-16"):
        call_command("import_questions", str(path), quiz=own_quiz.pk)
    assert not Question.objects.exists()


def test_a_question_breaking_the_admins_rules_is_listed_with_its_line_and_the_others_kept(own_quiz):
    text = "Fine? {=a ~b}\n\n// quizcast: points=20000 time_limit=2\nToo much? {=a ~b}\n"
    preview = file_preview(quiz=own_quiz, name="q.gift", data=text.encode())
    assert [draft.prompt for draft in preview.ready] == ["Fine?"]
    [refused] = preview.skipped
    assert refused.line == 4
    assert "10000" in refused.reason and "greater than or equal to 5" in refused.reason


def test_an_embedded_file_that_is_not_an_image_keeps_its_question_out(own_quiz):
    xml = (
        '<quiz><question type="truefalse"><questiontext format="html">'
        '<text><![CDATA[<p>Q?</p><img src="@@PLUGINFILE@@/x.png" alt="X">]]></text>'
        '<file name="x.png" path="/" encoding="base64">PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==</file></questiontext>'
        '<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>'
        "</question></quiz>"
    )
    preview = file_preview(quiz=own_quiz, name="q.xml", data=xml.encode())
    assert preview.ready == []
    assert "valid image" in preview.skipped[0].reason


def test_an_image_previewed_from_moodle_xml_is_saved_on_confirmation(teacher_client, own_quiz):
    response = upload(teacher_client, own_quiz, "questions.xml", (SAMPLES / "questions.xml").read_bytes())
    assert "flag.png" in response.content.decode()

    teacher_client.post(import_url(own_quiz), {"token": response.context["token"]})

    flag = own_quiz.questions.get(prompt="Which colour is the rectangle in the middle?")
    assert Image.open(flag.image).size == (64, 40)
    assert flag.image_alt == "A yellow rectangle on a blue background"


def test_the_commands_dry_run_lists_and_saves_nothing(own_quiz, capsys):
    from django.core.management import call_command

    call_command("import_questions", str(SAMPLES / "questions.csv"), quiz=own_quiz.pk, dry_run=True)

    assert "9 questions would be imported from questions.csv (CSV)" in capsys.readouterr().out
    assert not Question.objects.exists()


def test_choice_pictures_in_a_zip_are_previewed_and_saved_on_confirmation(teacher_client, own_quiz):
    import zipfile

    sheet = (
        "type,prompt,choices,correct,numeric_target,tolerance,accepted_answers,points,time_limit,explanation,"
        "choice_images,choice_image_descriptions\n"
        "single,Which is blue?,| Red,1,,,,100,30,,images/blue.png,A blue square\n"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("questions.csv", sheet)
        archive.writestr("images/blue.png", png_bytes())
    response = upload(teacher_client, own_quiz, "colours.zip", buffer.getvalue())
    assert "blue.png (A blue square)" in response.content.decode()

    teacher_client.post(import_url(own_quiz), {"token": response.context["token"]})

    first, second = own_quiz.questions.get().choices.all()
    assert (first.text, first.is_correct, first.image_alt) == ("", True, "A blue square")
    assert Image.open(first.image).size == (4, 4) and not first.image.name.endswith("blue.png")
    assert (second.text, bool(second.image)) == ("Red", False)
