"""A teacher sees and changes only the classrooms they teach (own or co-teach) and the live sessions of those,
whichever admin path they take. Superusers see everything."""

import pytest
from django.urls import reverse

from classroom.models import Classroom
from tests.factories import AdminFactory, ClassroomFactory, LiveSessionFactory


@pytest.fixture
def mine(teacher):
    return ClassroomFactory(owner=teacher, name="Mine 5B")


@pytest.fixture
def co_taught(teacher, other_teacher):
    classroom = ClassroomFactory(owner=other_teacher, name="Shared 6A")
    classroom.co_teachers.add(teacher)
    return classroom


@pytest.fixture
def theirs(other_teacher):
    return ClassroomFactory(owner=other_teacher, name="Theirs 4C")


@pytest.fixture
def teacher_client(client, teacher, mine, co_taught, theirs):
    client.force_login(teacher)
    return client


def autocomplete(client, app_label, model_name, field_name, term=""):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def test_classroom_list_shows_owned_and_co_taught_classrooms_once_each(teacher_client, mine, co_taught):
    response = teacher_client.get(reverse("admin:classroom_classroom_changelist"))

    assert list(response.context["cl"].result_list) == [mine, co_taught]
    assert "Theirs 4C" not in response.content.decode()


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_another_teachers_classroom_pages_redirect_with_does_not_exist(teacher_client, theirs, view):
    response = teacher_client.get(reverse(f"admin:classroom_classroom_{view}", args=[theirs.pk]))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_posting_to_another_teachers_classroom_changes_nothing(teacher_client, theirs):
    code = theirs.join_code
    teacher_client.post(reverse("admin:classroom_classroom_change", args=[theirs.pk]), {"name": "Hacked"})
    teacher_client.post(reverse("admin:classroom_classroom_regenerate_join_code", args=[theirs.pk]))
    teacher_client.post(reverse("admin:classroom_classroom_delete", args=[theirs.pk]), {"post": "yes"})

    theirs.refresh_from_db()
    assert (theirs.name, theirs.join_code) == ("Theirs 4C", code)


@pytest.mark.parametrize("name", ["import_roster", "regenerate_join_code"])
def test_classroom_pages_of_another_teachers_classroom_are_not_found(teacher_client, theirs, name):
    response = teacher_client.post(reverse(f"admin:classroom_classroom_{name}", args=[theirs.pk]))

    assert response.status_code == 404


def test_classroom_autocomplete_offers_only_classrooms_taught(teacher_client):
    assert autocomplete(teacher_client, "classroom", "livesession", "classroom") == ["Mine 5B", "Shared 6A"]


def test_regenerate_action_ignores_classrooms_not_taught(teacher_client, mine, theirs):
    codes = {mine.pk: mine.join_code, theirs.pk: theirs.join_code}

    teacher_client.post(
        reverse("admin:classroom_classroom_changelist"),
        {"action": "regenerate_join_codes", "_selected_action": [mine.pk, theirs.pk]},
    )

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.join_code != codes[mine.pk]
    assert theirs.join_code == codes[theirs.pk]


def test_a_co_teacher_may_change_the_classroom_but_not_delete_it(teacher_client, co_taught):
    change = teacher_client.get(reverse("admin:classroom_classroom_change", args=[co_taught.pk]))
    delete = teacher_client.get(reverse("admin:classroom_classroom_delete", args=[co_taught.pk]))

    assert change.status_code == 200
    assert change.context["has_change_permission"]
    assert delete.status_code == 403


def test_the_owner_may_delete_their_classroom(teacher_client, mine):
    response = teacher_client.post(reverse("admin:classroom_classroom_delete", args=[mine.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Classroom.objects.filter(pk=mine.pk).exists()


def test_teachers_cannot_bulk_delete_classrooms(teacher_client):
    response = teacher_client.get(reverse("admin:classroom_classroom_changelist"))

    assert "delete_selected" not in dict(response.context["action_form"].fields["action"].choices)


def test_live_session_list_shows_only_sessions_of_classrooms_taught(teacher_client, mine, co_taught, theirs):
    own_session = LiveSessionFactory(classroom=mine)
    shared_session = LiveSessionFactory(classroom=co_taught)
    their_session = LiveSessionFactory(classroom=theirs)

    response = teacher_client.get(reverse("admin:classroom_livesession_changelist"))

    assert set(response.context["cl"].result_list) == {own_session, shared_session}
    other = teacher_client.get(reverse("admin:classroom_livesession_change", args=[their_session.pk]))
    assert other.status_code == 302


def test_live_sessions_are_read_only_even_for_their_teacher(teacher_client, mine):
    session = LiveSessionFactory(classroom=mine)

    response = teacher_client.get(reverse("admin:classroom_livesession_change", args=[session.pk]))

    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert teacher_client.get(reverse("admin:classroom_livesession_add")).status_code == 403


def test_admins_see_every_classroom_and_session(client, mine, co_taught, theirs):
    their_session = LiveSessionFactory(classroom=theirs)
    client.force_login(AdminFactory())

    classrooms = client.get(reverse("admin:classroom_classroom_changelist")).context["cl"].result_list
    sessions = client.get(reverse("admin:classroom_livesession_changelist")).context["cl"].result_list

    assert set(classrooms) == {mine, co_taught, theirs}
    assert list(sessions) == [their_session]
    assert client.get(reverse("admin:classroom_classroom_change", args=[theirs.pk])).status_code == 200
