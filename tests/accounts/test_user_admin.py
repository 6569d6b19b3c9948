"""Who reaches the admin, and what the user admin shows: students never get in, teachers may only look up the
students they teach (and pick co-teachers), superusers manage every account."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import TEACHERS_GROUP_NAME, User
from tests.admin_helpers import autocomplete_names
from tests.factories import AdminFactory, ClassroomFactory, EnrolmentFactory, StudentFactory, TeacherFactory

pytestmark = pytest.mark.django_db

ADMIN_URLS = [
    reverse("admin:index"),
    reverse("admin:quizzes_quiz_changelist"),
    reverse("admin:classroom_classroom_changelist"),
    reverse("admin:accounts_user_changelist"),
    reverse("admin:autocomplete") + "?app_label=classroom&model_name=enrolment&field_name=student",
]


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_a_signed_in_student_is_sent_to_the_admin_login_and_sees_nothing(client, student, url):
    client.force_login(student)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_a_student_cannot_sign_in_to_the_admin(client):
    student = StudentFactory(username="pupil")

    response = client.post(reverse("admin:login"), {"username": "pupil", "password": "correct-horse-battery"})

    assert response.status_code == 200  # the form again, with its error
    assert "staff account" in response.content.decode()
    assert not student.is_staff


def test_a_student_can_never_be_made_staff_or_superuser():
    student = StudentFactory.build(is_staff=True, is_superuser=True)
    student.save()

    student.refresh_from_db()
    assert (student.is_staff, student.is_superuser) == (False, False)


@pytest.fixture
def taught_student(teacher):
    return EnrolmentFactory(classroom=ClassroomFactory(owner=teacher)).student


def test_teachers_may_look_at_a_student_they_teach_but_change_nobody(teacher_client, taught_student, other_teacher):
    student = taught_student
    page = teacher_client.get(reverse("admin:accounts_user_change", args=[student.pk]))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]

    response = teacher_client.post(
        reverse("admin:accounts_user_change", args=[student.pk]), {"username": "renamed", "role": "teacher"}
    )
    assert response.status_code == 403
    student.refresh_from_db()
    assert (student.username, student.role) != ("renamed", "teacher")

    other = teacher_client.get(reverse("admin:accounts_user_change", args=[other_teacher.pk]))
    assert other.status_code == 403  # as for an id that does not exist


@pytest.mark.parametrize(
    ("name", "needs_user"),
    [("accounts_user_add", False), ("auth_user_password_change", True), ("accounts_user_delete", True)],
)
def test_teachers_cannot_add_delete_or_set_passwords_of_users(teacher_client, student, name, needs_user):
    url = reverse(f"admin:{name}", args=[student.pk] if needs_user else [])

    assert teacher_client.get(url).status_code == 403


def test_student_autocomplete_for_enrolment_lists_students_but_no_teachers_or_guests(
    teacher_client, teacher, other_teacher
):
    classroom = ClassroomFactory(owner=teacher)
    EnrolmentFactory(classroom=classroom, student=StudentFactory(display_name="Ada Pupil"))
    EnrolmentFactory(classroom=classroom, student=StudentFactory(display_name="Guest Visitor", is_guest=True))

    found = autocomplete_names(teacher_client, "classroom", "enrolment", "student")

    assert "Ada Pupil" in found
    assert "Guest Visitor" not in found
    assert other_teacher.name not in found


def test_students_can_be_searched_by_name_or_username(teacher_client, teacher):
    classroom = ClassroomFactory(owner=teacher)
    for username, first, last in [("ada.l", "Ada", "Lovelace"), ("alan.t", "Alan", "Turing")]:
        student = StudentFactory(username=username, display_name="", first_name=first, last_name=last)
        EnrolmentFactory(classroom=classroom, student=student)

    assert autocomplete_names(teacher_client, "classroom", "enrolment", "student", term="lovelace") == {"Ada Lovelace"}
    assert autocomplete_names(teacher_client, "classroom", "enrolment", "student", term="alan.t") == {"Alan Turing"}


def test_co_teacher_autocomplete_lists_teachers_only(teacher_client, other_teacher, student):
    found = autocomplete_names(teacher_client, "classroom", "classroom", "co_teachers")

    assert other_teacher.name in found
    assert student.name not in found


def test_no_other_user_autocomplete_reveals_teachers_to_a_teacher(teacher_client, other_teacher):
    assert autocomplete_names(teacher_client, "quizzes", "quiz", "owner") == set()


def test_admins_see_and_manage_every_user(client, teacher, student):
    admin = AdminFactory()
    client.force_login(admin)

    listed = set(client.get(reverse("admin:accounts_user_changelist")).context["cl"].result_list)
    assert {admin, teacher, student} <= listed

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newteacher",
            "role": "teacher",
            "display_name": "Mr New",
            "usable_password": "true",
            "password1": "a-long-enough-password-1",
            "password2": "a-long-enough-password-1",
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="newteacher")
    assert created.is_teacher and created.is_staff
    assert created.groups.filter(name=TEACHERS_GROUP_NAME).exists()


def test_saving_a_teacher_in_the_admin_keeps_them_in_the_teachers_group(client):
    client.force_login(AdminFactory())
    colleague = TeacherFactory()
    url = reverse("admin:accounts_user_change", args=[colleague.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(groups=[], user_permissions=[], date_joined_0="2026-01-01", date_joined_1="10:00:00")
    data.pop("date_joined", None)
    data.pop("last_login", None)

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert colleague.groups.filter(name=TEACHERS_GROUP_NAME).exists()
    assert Group.objects.get(name=TEACHERS_GROUP_NAME).permissions.exists()


def test_the_user_list_can_be_filtered_by_role(client, teacher, student):
    client.force_login(AdminFactory())

    response = client.get(reverse("admin:accounts_user_changelist"), {"role__exact": "student"})

    assert set(response.context["cl"].result_list) == {student}
