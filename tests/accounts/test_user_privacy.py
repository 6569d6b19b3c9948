"""Teachers see only the students of classrooms they teach, nobody's e-mail address unless they teach them, and no
Accounts › Users in the admin unless they are admins."""

import pytest
from django.urls import reverse

from classroom.models import Enrolment
from tests.admin_helpers import autocomplete, autocomplete_names
from tests.factories import AdminFactory, ClassroomFactory, EnrolmentFactory, StudentFactory, TeacherFactory

pytestmark = pytest.mark.django_db

USERS = reverse("admin:accounts_user_changelist")


def texts(response) -> set[str]:
    return {result["text"] for result in response.json()["results"]}


@pytest.fixture
def my_student(teacher):
    student = StudentFactory(display_name="Mine", email="mine@school.example")
    EnrolmentFactory(classroom=ClassroomFactory(owner=teacher), student=student)
    return student


@pytest.fixture
def their_student(other_teacher):
    student = StudentFactory(display_name="Theirs", email="theirs@school.example")
    EnrolmentFactory(classroom=ClassroomFactory(owner=other_teacher), student=student)
    return student


def test_a_teacher_has_no_accounts_users_in_the_admin(teacher_client):
    index = teacher_client.get(reverse("admin:index"))

    assert index.status_code == 200
    assert USERS not in index.content.decode()
    assert "accounts" not in {app["app_label"] for app in index.context["app_list"]}
    assert teacher_client.get(USERS).status_code == 403
    assert teacher_client.get(reverse("admin:app_list", args=["accounts"])).status_code in {403, 404}


def test_an_admin_has_accounts_users_in_the_admin(client):
    client.force_login(AdminFactory())

    index = client.get(reverse("admin:index"))

    assert USERS in index.content.decode()
    assert client.get(USERS).status_code == 200


def test_enrolment_autocomplete_offers_only_students_the_teacher_teaches(teacher_client, my_student, their_student):
    found = autocomplete_names(teacher_client, "classroom", "enrolment", "student")

    assert found == {"Mine"}


def test_a_co_teacher_is_offered_the_students_of_the_classroom_they_co_teach(client, other_teacher, their_student):
    colleague = TeacherFactory()
    Enrolment.objects.get(student=their_student).classroom.co_teachers.add(colleague)
    client.force_login(colleague)

    assert autocomplete_names(client, "classroom", "enrolment", "student") == {"Theirs"}


def test_a_teacher_opens_the_page_of_a_student_they_teach_with_their_email(teacher_client, my_student):
    page = teacher_client.get(reverse("admin:accounts_user_change", args=[my_student.pk]))

    assert page.status_code == 200
    assert "mine@school.example" in page.content.decode()


def test_a_teacher_cannot_open_the_page_of_a_student_they_do_not_teach(teacher_client, their_student):
    page = teacher_client.get(reverse("admin:accounts_user_change", args=[their_student.pk]))
    no_such_user = teacher_client.get(reverse("admin:accounts_user_change", args=[their_student.pk + 1000]))

    assert page.status_code == no_such_user.status_code == 403
    assert "theirs@school.example" not in page.content.decode()


def test_a_teacher_cannot_enrol_a_student_they_do_not_teach_by_posting_their_id(teacher_client, teacher, their_student):
    classroom = ClassroomFactory(owner=teacher, name="7D")
    url = reverse("admin:classroom_classroom_change", args=[classroom.pk])
    data = {
        "name": "7D",
        "enrolments-TOTAL_FORMS": 1,
        "enrolments-INITIAL_FORMS": 0,
        "enrolments-MIN_NUM_FORMS": 0,
        "enrolments-MAX_NUM_FORMS": 1000,
        "enrolments-0-student": their_student.pk,
    }

    response = teacher_client.post(url, data)

    assert response.status_code == 200
    assert not classroom.students.exists()


def test_searching_colleagues_by_email_finds_nobody_and_shows_no_addresses(teacher_client, other_teacher):
    other_teacher.email = "colleague@school.example"
    other_teacher.save()

    by_email = autocomplete(teacher_client, "classroom", "classroom", "co_teachers", term="colleague@school")
    by_name = autocomplete(teacher_client, "classroom", "classroom", "co_teachers", term=other_teacher.display_name)

    assert texts(by_email) == set()
    assert texts(by_name) == {other_teacher.name}
    assert "@" not in by_name.content.decode()


def test_no_email_of_students_a_teacher_does_not_teach_in_their_autocomplete(teacher_client, their_student):
    response = autocomplete(teacher_client, "classroom", "enrolment", "student", term="theirs")

    assert texts(response) == set()
    assert "theirs@school.example" not in response.content.decode()
