"""Report pages and downloads: their content, and that only the session's teachers reach them."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from classroom import services
from classroom.models import Answer, LiveSession
from tests.classroom.report_fixture import graded_session
from tests.factories import ClassroomFactory, EnrolmentFactory, StudentFactory, TeacherFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(classroom, teacher):
    return graded_session(classroom, teacher)


def teacher_urls(graded):
    session_id = graded.session.pk
    student = graded.students["Bea"]
    return [
        reverse("session_report", args=[session_id]),
        reverse("session_workbook", args=[session_id]),
        reverse("session_totals", args=[session_id]),
        reverse("session_audit", args=[session_id]),
        reverse("session_export", args=[session_id]),
        reverse("student_report", args=[graded.session.classroom_id, student.pk]),
    ]


def test_a_teacher_of_another_class_gets_404_on_every_report_page_and_download(client, graded):
    stranger = TeacherFactory()
    ClassroomFactory(owner=stranger)
    client.force_login(stranger)

    assert [client.get(url).status_code for url in teacher_urls(graded)] == [404] * 6


def test_a_student_gets_404_on_every_report_page_and_download(client, graded):
    client.force_login(graded.students["Ada"])

    assert [client.get(url).status_code for url in teacher_urls(graded)] == [404] * 6


def test_the_teacher_reaches_every_report_page_and_download(client, graded, teacher):
    client.force_login(teacher)

    assert [client.get(url).status_code for url in teacher_urls(graded)] == [200] * 6


def test_a_student_of_another_classroom_has_no_page_in_this_one(client, graded, teacher):
    outsider = EnrolmentFactory(classroom=ClassroomFactory(owner=teacher)).student
    client.force_login(teacher)

    response = client.get(reverse("student_report", args=[graded.session.classroom_id, outsider.pk]))

    assert response.status_code == 404


def test_the_report_page_shows_the_figures(client, graded, teacher):
    client.force_login(teacher)

    page = client.get(reverse("session_report", args=[graded.session.pk])).content.decode()

    assert 'class="h3 mb-0 qc-report-participants">4<' in page
    assert 'class="h3 mb-0 qc-report-accuracy">38%<' in page
    assert "3.14 ± 0.01" in page
    assert "Bea, Cy, Dan" in page
    assert "<svg" in page


def test_the_workbook_has_summary_students_questions_and_answers(client, graded, teacher):
    cy = graded.students["Cy"]
    Answer.objects.filter(student=cy, round=graded.rounds[0]).update(response={"choice": -1})
    cy.display_name = "=HYPERLINK(1)"
    cy.save()
    client.force_login(teacher)

    response = client.get(reverse("session_workbook", args=[graded.session.pk]))

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert graded.session.code in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Summary", "Students", "Questions", "Answers"]
    summary = dict(workbook["Summary"].iter_rows(min_row=2, values_only=True))
    assert (summary["participants"], summary["questions"], summary["accuracy"]) == (4, 3, 0.375)
    assert summary["average_points"] == 75
    students = list(workbook["Students"].iter_rows(values_only=True))
    assert students[0][:4] == ("rank", "student_username", "student_name", "points")
    assert [(row[0], row[2], row[3], row[7]) for row in students[1:]] == [
        (1, "Ada", 200, 1),
        (2, "Bea", 100, 0.5),
        (3, "'=HYPERLINK(1)", 0, 0),
        (3, "Dan", 0, 0),
    ]
    questions = list(workbook["Questions"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[5], row[6], row[7], row[8]) for row in questions] == [
        (1, 3, 2, 0.5, 20),
        (2, 2, 1, 0.25, 10),
        (3, 3, 0, None, 2),
    ]
    answers = list(workbook["Answers"].iter_rows(values_only=True))
    assert len(answers) == 1 + 12
    assert all(cell.data_type != "f" for row in workbook["Answers"].iter_rows() for cell in row)


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_audit_trail_records_every_command_and_answer_with_who_did_it(client, live_session, teacher):
    student = EnrolmentFactory(classroom=live_session.classroom).student
    question = live_session.quiz.questions.first()
    first = services.session_push_question(session_id=live_session.pk, question_id=question.pk, pushed_by=teacher)
    services.answers_submit(
        submissions=[
            services.AnswerSubmission(
                session_id=live_session.pk,
                round_id=first.pk,
                student_id=student.pk,
                client_id="c1",
                raw_response={"choice": question.choices.first().pk},
                received_at=first.opened_at,
            )
        ]
    )
    services.round_close(session_id=live_session.pk, round_id=first.pk)  # the timer: nobody
    services.round_reveal(session_id=live_session.pk, round_id=first.pk, revealed_by=teacher)
    second = services.session_push_question(session_id=live_session.pk, question_id=question.pk, pushed_by=teacher)
    LiveSession.objects.filter(pk=live_session.pk).update(allow_guests=True)
    _session, guest = services.session_join_as_guest(code=live_session.code, display_name="Visitor")
    services.session_remove_participant(session_id=live_session.pk, student_id=guest.pk, removed_by=teacher)
    services.session_end(session_id=live_session.pk, ended_by=teacher)
    client.force_login(teacher)

    header, *rows = read_csv(client.get(reverse("session_audit", args=[live_session.pk])))

    assert header == ["server_time", "event", "round", "question", "by_username", "by_name", "detail"]
    assert [(row[1], row[2], row[4], row[6]) for row in rows] == [
        ("push", "1", teacher.username, ""),
        ("answer", "1", student.username, question.choices.first().text),
        ("close", "1", "", "timer"),
        ("reveal", "1", teacher.username, ""),
        ("push", "2", teacher.username, ""),
        ("guest_removed", "", teacher.username, "Visitor"),
        ("close", "2", teacher.username, "end"),
        ("end", "", teacher.username, ""),
    ]
    times = [row[0] for row in rows]
    assert times == sorted(times)
    assert second.number == 2


def test_a_student_sees_their_own_results_and_nobody_elses(client, graded):
    graded.session.state = "ended"
    graded.session.save()
    client.force_login(graded.students["Bea"])

    page = client.get(reverse("my_results")).content.decode()

    assert "Hand-checked" in page
    assert "100 points" in page
    # As whole words: the page's random CSRF token may hold the letters of a short name.
    assert not re.search(r"\b(Ada|Cy)\b", page)


def test_a_student_with_no_session_sees_an_empty_results_page(client):
    client.force_login(StudentFactory())

    response = client.get(reverse("my_results"))

    assert response.status_code == 200
    assert b"not taken part" in response.content
