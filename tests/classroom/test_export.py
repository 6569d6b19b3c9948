"""Downloading a live session's answers as CSV from the admin, for the teachers of its classroom only."""

import csv
import io

import pytest
from django.urls import reverse

from classroom.reports import EXPORT_HEADER
from classroom.spreadsheets import csv_safe_cell
from quizzes.models import Question
from tests.factories import AdminFactory, AnswerFactory, LiveSessionFactory, RoundFactory, TeacherFactory


@pytest.fixture
def answered_session(live_session, enrolled_students):
    single = live_session.quiz.questions.get(type=Question.Type.SINGLE)
    text = live_session.quiz.questions.get(type=Question.Type.TEXT)
    first = RoundFactory(session=live_session, question=single, number=1)
    second = RoundFactory(session=live_session, question=text, number=2)
    correct = single.choices.get(is_correct=True)
    for student in enrolled_students:
        AnswerFactory(round=first, student=student, response={"choice": correct.pk}, is_correct=True, points=100)
    AnswerFactory(round=second, student=enrolled_students[0], response={"text": "=1+1"}, is_correct=False)
    return live_session


def export_url(session) -> str:
    return reverse("admin:classroom_livesession_export", args=[session.pk])


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_export_is_a_csv_file_with_a_row_per_student_and_round_answered_or_not(client, teacher, answered_session):
    client.force_login(teacher)

    response = client.get(export_url(answered_session))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert f"quizcast-{answered_session.code}-" in disposition
    rows = read_csv(response)
    assert rows[0] == EXPORT_HEADER
    assert len(rows) == 1 + 3 * 2
    assert [row[2] for row in rows[1:]] == ["1", "1", "1", "2", "2", "2"]
    assert {row[0] for row in rows[1:4]} == {s.username for s in answered_session.classroom.students.all()}
    assert [row[-1] for row in rows[4:]] == ["answered", "unanswered", "unanswered"]


def test_answers_that_look_like_formulas_are_neutralised(client, teacher, answered_session):
    client.force_login(teacher)

    rows = read_csv(client.get(export_url(answered_session)))

    assert rows[4][5] == "'=1+1"


def test_the_session_list_links_to_the_export(client, teacher, answered_session):
    client.force_login(teacher)

    page = client.get(reverse("admin:classroom_livesession_changelist")).content.decode()

    assert export_url(answered_session) in page


def test_a_co_teacher_and_an_admin_may_export(client, answered_session):
    co_teacher = TeacherFactory()
    answered_session.classroom.co_teachers.add(co_teacher)

    for user in (co_teacher, AdminFactory()):
        client.force_login(user)
        assert client.get(export_url(answered_session)).status_code == 200


def test_a_teacher_of_another_classroom_gets_not_found(client, other_teacher, answered_session):
    LiveSessionFactory(classroom__owner=other_teacher)  # they have sessions of their own
    client.force_login(other_teacher)

    response = client.get(export_url(answered_session))

    assert response.status_code == 404


def test_a_student_is_sent_to_the_admin_login(client, answered_session):
    client.force_login(answered_session.classroom.students.first())

    response = client.get(export_url(answered_session))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+33 6 00", "'+33 6 00"),
        ("@cmd", "'@cmd"),
        ("-x", "'-x"),
        ("-3.5", "-3.5"),
        ("+2", "+2"),
        ("Paris", "Paris"),
        ("", ""),
    ],
)
def test_cells_that_a_spreadsheet_would_run_get_an_apostrophe_but_numbers_do_not(cell, safe):
    assert csv_safe_cell(cell) == safe


def test_workbook_text_stays_text_and_formulas_are_defused():
    from openpyxl import load_workbook

    from classroom.spreadsheets import xlsx_bytes

    content = xlsx_bytes({"Sheet": [["name", "code", "link"], ["=1+1", "0123", "https://example.org"], [3, 0.5, None]]})

    sheet = load_workbook(io.BytesIO(content))["Sheet"]
    assert list(sheet.iter_rows(values_only=True)) == [
        ("name", "code", "link"),
        ("'=1+1", "0123", "https://example.org"),
        (3, 0.5, None),
    ]
    assert sheet["A1"].font.bold and not sheet["A2"].font.bold
    assert not any(cell.hyperlink for row in sheet.iter_rows() for cell in row)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
