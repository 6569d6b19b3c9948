"""The HTML pages of live sessions: the dashboard, the session pages, the CSV export and joining with a code."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from classroom import services
from classroom.models import LiveSession, Participant
from classroom.pacing import paced_advance
from classroom.reports import EXPORT_HEADER
from quizzes.models import Question
from tests.factories import (
    AdminFactory,
    AnswerFactory,
    ClassroomFactory,
    EnrolmentFactory,
    LiveSessionFactory,
    QuizFactory,
    RoundFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


def page_config(response) -> dict:
    content = response.content.decode()
    start = content.index('<script id="page-config" type="application/json">') + len(
        '<script id="page-config" type="application/json">'
    )
    return json.loads(content[start : content.index("</script>", start)])


# --- dashboard ----------------------------------------------------------------------------------------------------
def test_dashboard_requires_sign_in(client):
    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_students_are_sent_from_the_dashboard_to_their_own_page(client, student):
    client.force_login(student)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"] == reverse("student_home")


def test_dashboard_lists_the_teachers_live_and_past_sessions_with_their_links(client, teacher, live_session):
    ended = LiveSessionFactory(classroom=live_session.classroom, quiz=live_session.quiz, state="ended")
    someone_elses = LiveSessionFactory()
    client.force_login(teacher)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    assert list(response.context["live_sessions"]) == [live_session]
    assert list(response.context["past_sessions"]) == [ended]
    content = response.content.decode()
    for name in ("session_control", "session_projector", "session_export"):
        assert reverse(name, args=[live_session.pk]) in content
    assert reverse("session_export", args=[ended.pk]) in content
    assert reverse("session_control", args=[someone_elses.pk]) not in content
    assert 'name="classroom"' in content and 'name="quiz"' in content


def test_starting_a_session_from_the_dashboard_opens_its_control_page(client, teacher, classroom, quiz):
    client.force_login(teacher)

    response = client.post(
        reverse("dashboard"),
        {"classroom": classroom.pk, "quiz": quiz.pk, "speed_bonus": "on", "allow_guests": "on", "live_results": "on"},
    )

    session = LiveSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("session_control", args=[session.pk])
    assert (session.classroom, session.quiz, session.started_by) == (classroom, quiz, teacher)
    assert session.speed_bonus and session.allow_guests and session.live_results
    assert session.state == LiveSession.State.LOBBY


def test_a_teacher_cannot_start_a_session_with_another_teachers_quiz(client, teacher, classroom):
    foreign_quiz = QuizFactory()
    client.force_login(teacher)

    response = client.post(reverse("dashboard"), {"classroom": classroom.pk, "quiz": foreign_quiz.pk})

    assert response.status_code == 200
    assert "quiz" in response.context["form"].errors
    assert not LiveSession.objects.exists()


def test_a_teacher_cannot_start_a_session_in_another_teachers_classroom(client, teacher, quiz):
    foreign_classroom = ClassroomFactory()
    client.force_login(teacher)

    response = client.post(reverse("dashboard"), {"classroom": foreign_classroom.pk, "quiz": quiz.pk})

    assert "classroom" in response.context["form"].errors
    assert not LiveSession.objects.exists()


def test_live_results_on_the_projector_are_off_unless_the_teacher_asks(client, teacher, classroom, quiz):
    client.force_login(teacher)

    client.post(reverse("dashboard"), {"classroom": classroom.pk, "quiz": quiz.pk})

    assert LiveSession.objects.get().live_results is False


def test_starting_a_session_of_an_empty_quiz_shows_why_it_cannot_start(client, teacher, classroom):
    empty = QuizFactory(owner=teacher)
    client.force_login(teacher)

    response = client.post(reverse("dashboard"), {"classroom": classroom.pk, "quiz": empty.pk})

    assert response.status_code == 200
    assert "This quiz has no questions yet." in response.content.decode()
    assert not LiveSession.objects.exists()


def test_user_text_on_the_dashboard_is_escaped(client, teacher, classroom):
    quiz = QuizFactory(owner=teacher, title="<script>alert(1)</script>")
    LiveSessionFactory(classroom=classroom, quiz=quiz)
    client.force_login(teacher)

    content = client.get(reverse("dashboard")).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


# --- the teacher's session pages: control, projector, export ----------------------------------------------------
@pytest.mark.parametrize(("name", "role"), [("session_control", "teacher"), ("session_projector", "projector")])
def test_the_teacher_session_pages_carry_the_code_the_join_link_and_the_socket(
    client, teacher, live_session, name, role
):
    client.force_login(teacher)

    response = client.get(reverse(name, args=[live_session.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert live_session.code in content
    assert "testserver/join/" in content
    config = page_config(response)
    assert config["role"] == role
    assert config["sessionId"] == live_session.pk
    assert config["socketPath"] == f"/ws/sessions/{live_session.pk}/{role}/"
    assert config["exportUrl"] == reverse("session_export", args=[live_session.pk])


@pytest.mark.parametrize("name", ["session_control", "session_projector", "session_export"])
def test_another_teacher_gets_404_on_the_session_pages(client, live_session, other_teacher, name):
    client.force_login(other_teacher)

    assert client.get(reverse(name, args=[live_session.pk])).status_code == 404


@pytest.mark.parametrize("name", ["session_control", "session_projector", "session_export"])
def test_a_student_gets_404_on_the_teacher_session_pages(client, live_session, enrolled_students, name):
    client.force_login(enrolled_students[0])

    assert client.get(reverse(name, args=[live_session.pk])).status_code == 404


def test_a_co_teacher_and_an_admin_may_open_the_control_page(client, live_session, other_teacher):
    live_session.classroom.co_teachers.add(other_teacher)
    for user in (other_teacher, AdminFactory()):
        client.force_login(user)
        assert client.get(reverse("session_control", args=[live_session.pk])).status_code == 200


def test_the_control_page_escapes_user_text(client, teacher, classroom):
    quiz = QuizFactory(owner=teacher, title='</script><img src=x onerror="alert(1)">')
    session = LiveSessionFactory(classroom=classroom, quiz=quiz)
    client.force_login(teacher)

    content = client.get(reverse("session_control", args=[session.pk])).content.decode()

    assert "<img src=x" not in content
    assert "&lt;/script&gt;&lt;img" in content


@pytest.fixture
def answered_session(live_session, enrolled_students):
    single = live_session.quiz.questions.get(type=Question.Type.SINGLE)
    round_ = RoundFactory(session=live_session, question=single, number=1)
    correct = single.choices.get(is_correct=True)
    for student in enrolled_students[:2]:
        AnswerFactory(round=round_, student=student, response={"choice": correct.pk}, is_correct=True, points=100)
    return live_session


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def test_the_export_is_a_utf8_csv_with_a_header_and_one_row_per_answer(client, teacher, answered_session):
    client.force_login(teacher)

    response = client.get(reverse("session_export", args=[answered_session.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert answered_session.code in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = read_csv(response)
    assert rows[0] == ["\ufeff" + EXPORT_HEADER[0], *EXPORT_HEADER[1:]]
    assert len(rows) == 3
    assert {row[6] for row in rows[1:]} == {"yes"}


def test_the_dashboard_export_defuses_spreadsheet_formulas(client, teacher, live_session, enrolled_students):
    text = live_session.quiz.questions.get(type=Question.Type.TEXT)
    round_ = RoundFactory(session=live_session, question=text, number=1)
    AnswerFactory(round=round_, student=enrolled_students[0], response={"text": "=HYPERLINK(1)"})
    client.force_login(teacher)

    rows = read_csv(client.get(reverse("session_export", args=[live_session.pk])))

    assert rows[1][5] == "'=HYPERLINK(1)"


# --- the student's pages ------------------------------------------------------------------------------------------
def test_an_enrolled_student_gets_the_session_page_with_the_student_socket(client, live_session, enrolled_students):
    client.force_login(enrolled_students[0])

    response = client.get(reverse("student_session", args=[live_session.code]))

    assert response.status_code == 200
    config = page_config(response)
    assert config["role"] == "student"
    assert config["socketPath"] == f"/ws/sessions/{live_session.pk}/student/"
    assert config["exportUrl"] is None
    assert reverse("session_export", args=[live_session.pk]) not in response.content.decode()


def test_the_student_page_accepts_the_code_in_lower_case(client, live_session, enrolled_students):
    client.force_login(enrolled_students[0])

    response = client.get(reverse("student_session", args=[live_session.code.lower()]))

    assert response.status_code == 200


def test_a_student_not_in_the_classroom_gets_the_403_page_naming_neither_classroom_nor_quiz(
    client, live_session, student
):
    live_session.classroom.name = "Mrs Smith's 9X2"
    live_session.classroom.save()
    client.force_login(student)

    response = client.get(reverse("student_session", args=[live_session.code]))

    page = response.content.decode()
    assert response.status_code == 403
    assert "classroom/not_in_classroom.html" in [t.name for t in response.templates]
    assert "a class you are not enrolled in" in page
    assert "9X2" not in page
    assert live_session.quiz.title not in page
    assert live_session.classroom.owner.name not in page
    assert "page-config" not in page


def test_the_classrooms_teacher_is_sent_to_the_control_page(client, teacher, live_session):
    client.force_login(teacher)

    response = client.get(reverse("student_session", args=[live_session.code]))

    assert response.status_code == 302
    assert response["Location"] == reverse("session_control", args=[live_session.pk])


def test_an_unknown_code_is_404(client, student):
    client.force_login(student)

    assert client.get(reverse("student_session", args=["ZZZZZZ"])).status_code == 404


def test_student_home_lists_the_live_sessions_of_the_students_classrooms(client, live_session, enrolled_students):
    LiveSessionFactory(classroom=live_session.classroom, quiz=live_session.quiz, state="ended")
    LiveSessionFactory()  # another classroom
    client.force_login(enrolled_students[0])

    response = client.get(reverse("student_home"))

    assert list(response.context["sessions"]) == [live_session]
    assert reverse("student_session", args=[live_session.code]) in response.content.decode()


# --- joining with a code ------------------------------------------------------------------------------------------
def test_the_join_page_asks_for_the_code(client):
    response = client.get(reverse("join"))

    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


@pytest.mark.parametrize("code", ["NOPE99", "x"])
def test_a_wrong_code_says_so_to_a_signed_in_student(client, student, code):
    client.force_login(student)

    response = client.post(reverse("join"), {"code": code})

    assert response.status_code == 200
    assert "No live session has that code." in response.content.decode()


def test_the_code_of_an_ended_session_is_refused(client, live_session, enrolled_students):
    live_session.state = LiveSession.State.ENDED
    live_session.save()
    client.force_login(enrolled_students[0])

    response = client.post(reverse("join"), {"code": live_session.code})

    assert "No live session has that code." in response.content.decode()


def test_a_signed_in_student_goes_straight_to_the_session(client, live_session, enrolled_students):
    client.force_login(enrolled_students[0])

    response = client.post(reverse("join"), {"code": f" {live_session.code.lower()} "})

    assert response.status_code == 302
    assert response["Location"] == reverse("student_session", args=[live_session.code])


def test_without_guests_an_anonymous_visitor_is_asked_to_sign_in(client, live_session):
    response = client.get(reverse("join"), {"code": live_session.code})

    student_url = reverse("student_session", args=[live_session.code])
    assert response.status_code == 200
    content = response.content.decode()
    assert "this session is for its class's students: sign in to join." in content
    assert f'href="{reverse("accounts:login")}?next={student_url}"' in content


def test_a_guest_joins_under_a_display_name_and_reaches_the_session(client, live_session):
    live_session.allow_guests = True
    live_session.save()

    form = client.get(reverse("join"), {"code": live_session.code})
    assert 'name="display_name"' in form.content.decode()
    response = client.post(reverse("join"), {"code": live_session.code, "display_name": "  Ada   L. "})

    guest = User.objects.get(is_guest=True)
    assert response.status_code == 302
    assert response["Location"] == reverse("student_session", args=[live_session.code])
    assert guest.display_name == "Ada L."
    assert live_session.code.lower() not in guest.username.lower()
    assert Participant.objects.filter(session=live_session, student=guest).exists()
    assert client.get(response["Location"]).status_code == 200


def test_a_guest_must_give_a_name(client, live_session):
    live_session.allow_guests = True
    live_session.save()

    response = client.post(reverse("join"), {"code": live_session.code, "display_name": "   "})

    assert response.status_code == 200
    assert not User.objects.filter(is_guest=True).exists()
    assert response.context["guest_form"].errors


def test_a_guest_of_one_session_is_refused_by_another(client, live_session):
    live_session.allow_guests = True
    live_session.save()
    client.post(reverse("join"), {"code": live_session.code, "display_name": "Ada"})
    other = LiveSessionFactory(classroom=EnrolmentFactory().classroom)

    response = client.get(reverse("student_session", args=[other.code]))

    assert response.status_code == 403


def test_a_student_joins_a_classroom_with_its_code(client):
    classroom = ClassroomFactory(self_enrolment=True)
    student = StudentFactory()
    client.force_login(student)

    response = client.post(reverse("classroom_join"), {"join_code": classroom.join_code.lower()})

    assert response.status_code == 302
    assert classroom.enrolments.filter(student=student).exists()


def test_a_guest_of_an_earlier_session_can_join_the_next_one_as_a_new_guest(client, db):
    from classroom import services as classroom_services
    from tests.factories import LiveSessionFactory

    earlier = LiveSessionFactory(allow_guests=True)
    later = LiveSessionFactory(allow_guests=True)
    _session, old_guest = classroom_services.session_join_as_guest(code=earlier.code, display_name="Ada")
    client.force_login(old_guest)

    page = client.get(f"/join/?code={later.code}")
    assert page.status_code == 200
    assert "display_name" in page.content.decode()
    joined = client.post("/join/", {"code": later.code, "display_name": "Ada"})
    assert joined.status_code == 302
    assert joined["Location"].endswith(f"/s/{later.code}/")
    assert client.get(joined["Location"]).status_code == 200


def test_a_teacher_starts_a_student_paced_session_with_a_closing_time(client, teacher, classroom, quiz):
    client.force_login(teacher)
    closes = (timezone.localtime() + timedelta(days=3)).replace(second=0, microsecond=0)

    response = client.post(
        reverse("dashboard"),
        {
            "classroom": classroom.pk,
            "quiz": quiz.pk,
            "pacing": "student",
            "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
            "show_correct": "on",
            "shuffle_questions": "on",
        },
    )

    session = LiveSession.objects.get()
    assert response.status_code == 302
    assert (session.pacing, session.closes_at, session.show_correct, session.shuffle_questions) == (
        "student",
        closes,
        True,
        True,
    )
    assert session.rounds.count() == quiz.questions.count()
    assert b"qc-grid" in client.get(reverse("session_control", args=[session.pk])).content


def test_a_closing_time_in_the_past_is_refused_with_a_reason(client, teacher, classroom, quiz):
    client.force_login(teacher)
    past = timezone.localtime() - timedelta(hours=1)

    response = client.post(
        reverse("dashboard"),
        {"classroom": classroom.pk, "quiz": quiz.pk, "pacing": "student", "closes_at": past.strftime("%Y-%m-%dT%H:%M")},
    )

    assert "The closing time must be in the future." in response.content.decode()
    assert not LiveSession.objects.exists()


def test_a_student_finds_open_and_finished_paced_sessions_on_their_home_page(client, teacher, classroom, quiz):
    student = EnrolmentFactory(classroom=classroom).student
    closes = timezone.now() + timedelta(days=2)
    open_one = services.session_start(
        classroom=classroom, quiz=quiz, started_by=teacher, pacing="student", closes_at=closes
    )
    done = services.session_start(classroom=classroom, quiz=quiz, started_by=teacher, pacing="student")
    first = done.rounds.get(number=1)
    paced_advance(session=done, student=student)
    services.answers_submit(
        submissions=[
            services.AnswerSubmission(
                session_id=done.pk,
                round_id=first.pk,
                student_id=student.pk,
                client_id="c",
                raw_response={"choice": first.question.choices.get(is_correct=True).pk},
                received_at=timezone.now(),
            )
        ]
    )
    services.session_end(session_id=done.pk, ended_by=teacher)
    client.force_login(student)

    page = client.get(reverse("student_home")).content.decode()

    assert f'href="{reverse("student_session", args=[open_one.code])}"' in page
    assert "At your own pace" in page
    assert "closes " in page
    assert f'data-session-id="{done.pk}"' in page
    assert "100 points" in page


def test_a_student_paced_session_has_its_own_projector_page_linked_from_its_control_page(client, teacher, live_session):
    live_session.pacing = LiveSession.Pacing.STUDENT
    live_session.save()
    client.force_login(teacher)

    control = client.get(reverse("session_control", args=[live_session.pk]))
    projector = client.get(reverse("session_projector", args=[live_session.pk]))

    assert reverse("session_projector", args=[live_session.pk]) in control.content.decode()
    assert next(t.name for t in projector.templates) == "classroom/session_paced_projector.html"
    assert page_config(projector)["socketPath"] == f"/ws/sessions/{live_session.pk}/projector/"
