"""Managing a classroom in the admin: owner, co-teachers, enrolled students and the join code."""

import pytest
from django.urls import reverse

from classroom.models import Classroom
from tests.factories import AdminFactory, ClassroomFactory, EnrolmentFactory, StudentFactory, TeacherFactory


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


def classroom_form_data(**fields) -> dict:
    data = {
        "name": "7D",
        "enrolments-TOTAL_FORMS": 0,
        "enrolments-INITIAL_FORMS": 0,
        "enrolments-MIN_NUM_FORMS": 0,
        "enrolments-MAX_NUM_FORMS": 1000,
    }
    data.update(fields)
    return data


def test_a_teacher_adds_a_classroom_they_own_with_a_join_code_co_teachers_and_students(teacher_client, teacher):
    colleague = TeacherFactory()
    pupil = EnrolmentFactory(classroom=ClassroomFactory(owner=teacher)).student  # taught in another class
    data = classroom_form_data(
        co_teachers=[colleague.pk],
        self_enrolment="on",
        **{"enrolments-TOTAL_FORMS": 1, "enrolments-0-student": pupil.pk},
    )

    response = teacher_client.post(reverse("admin:classroom_classroom_add"), data)

    assert response.status_code == 302
    classroom = Classroom.objects.get(name="7D")
    assert classroom.owner == teacher
    assert len(classroom.join_code) == 6
    assert classroom.self_enrolment
    assert list(classroom.co_teachers.all()) == [colleague]
    assert list(classroom.students.all()) == [pupil]


def test_the_owner_posted_by_a_teacher_is_ignored(teacher_client, teacher, other_teacher):
    teacher_client.post(reverse("admin:classroom_classroom_add"), classroom_form_data(owner=other_teacher.pk))

    assert Classroom.objects.get(name="7D").owner == teacher


def test_an_admin_chooses_the_owner(client, other_teacher):
    client.force_login(AdminFactory())

    client.post(reverse("admin:classroom_classroom_add"), classroom_form_data(owner=other_teacher.pk))

    assert Classroom.objects.get(name="7D").owner == other_teacher


def test_only_students_can_be_enrolled_and_only_teachers_be_co_teachers(teacher_client, teacher):
    classroom = ClassroomFactory(owner=teacher)
    student, colleague = StudentFactory(), TeacherFactory()
    data = classroom_form_data(
        name=classroom.name,
        co_teachers=[student.pk],
        **{"enrolments-TOTAL_FORMS": 1, "enrolments-0-student": colleague.pk},
    )

    response = teacher_client.post(reverse("admin:classroom_classroom_change", args=[classroom.pk]), data)

    assert response.status_code == 200
    assert "co_teachers" in response.context["adminform"].form.errors
    assert not classroom.students.exists()
    assert not classroom.co_teachers.exists()


def test_the_join_code_is_read_only_and_regenerated_with_the_button(teacher_client, teacher):
    classroom = ClassroomFactory(owner=teacher)
    old_code = classroom.join_code
    change_url = reverse("admin:classroom_classroom_change", args=[classroom.pk])
    regenerate_url = reverse("admin:classroom_classroom_regenerate_join_code", args=[classroom.pk])

    page = teacher_client.get(change_url)
    assert "join_code" not in page.context["adminform"].form.fields
    assert regenerate_url in page.content.decode()
    assert teacher_client.get(regenerate_url).status_code == 405  # a link cannot change it

    response = teacher_client.post(regenerate_url)

    assert response.status_code == 302
    assert response.url == change_url
    classroom.refresh_from_db()
    assert classroom.join_code != old_code
    assert classroom.join_code in teacher_client.get(change_url).content.decode()


def test_the_classroom_page_links_to_the_roster_import(teacher_client, teacher):
    classroom = ClassroomFactory(owner=teacher)

    page = teacher_client.get(reverse("admin:classroom_classroom_change", args=[classroom.pk])).content.decode()

    assert reverse("admin:classroom_classroom_import_roster", args=[classroom.pk]) in page
    assert "Import roster (CSV)" in page
