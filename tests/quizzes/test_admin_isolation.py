"""A teacher sees and changes only their own quizzes, questions and choices, whichever admin path they take.
Superusers see everyone's."""

import pytest
from django.urls import reverse

from quizzes.models import Question, Quiz
from tests.factories import AdminFactory, QuizFactory, make_question
from tests.quizzes.admin_forms import question_form_data


@pytest.fixture
def mine(teacher):
    quiz = QuizFactory(owner=teacher, title="Mine: fractions")
    make_question(quiz, Question.Type.SINGLE, prompt="My question?")
    return quiz


@pytest.fixture
def theirs(other_teacher):
    quiz = QuizFactory(owner=other_teacher, title="Theirs: volcanoes")
    make_question(quiz, Question.Type.SINGLE, prompt="Their question?")
    return quiz


@pytest.fixture
def teacher_client(client, teacher, mine, theirs):
    client.force_login(teacher)
    return client


def autocomplete(client, app_label, model_name, field_name, term=""):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def test_quiz_list_shows_only_the_teachers_own_quizzes(teacher_client, mine):
    response = teacher_client.get(reverse("admin:quizzes_quiz_changelist"))

    assert list(response.context["cl"].result_list) == [mine]
    assert "volcanoes" not in response.content.decode()


def test_question_list_shows_only_questions_of_own_quizzes(teacher_client, mine):
    response = teacher_client.get(reverse("admin:quizzes_question_changelist"))

    assert {question.quiz for question in response.context["cl"].result_list} == {mine}
    content = response.content.decode()
    assert "Their question?" not in content
    assert "volcanoes" not in content  # not even in the quiz filter


def test_search_does_not_reach_other_teachers_questions(teacher_client):
    response = teacher_client.get(reverse("admin:quizzes_question_changelist"), {"q": "volcanoes"})

    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_another_teachers_quiz_pages_redirect_with_does_not_exist(teacher_client, theirs, view):
    response = teacher_client.get(reverse(f"admin:quizzes_quiz_{view}", args=[theirs.pk]))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_another_teachers_question_pages_redirect_with_does_not_exist(teacher_client, theirs, view):
    question = theirs.questions.get()

    response = teacher_client.get(reverse(f"admin:quizzes_question_{view}", args=[question.pk]))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_posting_to_another_teachers_quiz_changes_nothing(teacher_client, theirs):
    teacher_client.post(reverse("admin:quizzes_quiz_change", args=[theirs.pk]), {"title": "Hacked"})
    teacher_client.post(reverse("admin:quizzes_quiz_delete", args=[theirs.pk]), {"post": "yes"})

    theirs.refresh_from_db()
    assert theirs.title == "Theirs: volcanoes"


def test_posting_to_another_teachers_question_changes_nothing(teacher_client, theirs):
    question = theirs.questions.get()
    choices = list(question.choices.order_by("order"))
    data = question_form_data(quiz=theirs, type=question.type, existing_choices=choices, prompt="Hacked?")

    teacher_client.post(reverse("admin:quizzes_question_change", args=[question.pk]), data)

    question.refresh_from_db()
    assert question.prompt == "Their question?"


def test_choices_have_no_admin_pages_of_their_own(teacher_client):
    assert teacher_client.get("/admin/quizzes/choice/").status_code == 404


@pytest.mark.parametrize(
    ("app_label", "model_name", "field_name"),
    [("quizzes", "question", "quiz"), ("classroom", "livesession", "quiz")],
)
def test_quiz_autocomplete_offers_only_own_quizzes(teacher_client, app_label, model_name, field_name):
    assert autocomplete(teacher_client, app_label, model_name, field_name) == ["Mine: fractions"]
    assert autocomplete(teacher_client, app_label, model_name, field_name, term="volcanoes") == []


def test_question_autocomplete_offers_only_own_questions(teacher_client):
    texts = autocomplete(teacher_client, "classroom", "round", "question")

    assert len(texts) == 1
    assert "My question?" in texts[0]


def test_the_raw_id_lookup_popup_lists_only_own_quizzes(teacher_client, mine):
    response = teacher_client.get(reverse("admin:quizzes_quiz_changelist"), {"_popup": "1", "_to_field": "id"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [mine]


def test_the_question_form_offers_only_own_quizzes(teacher_client, mine):
    response = teacher_client.get(reverse("admin:quizzes_question_add"))

    assert list(response.context["adminform"].form.fields["quiz"].queryset) == [mine]


def test_a_question_cannot_be_added_to_another_teachers_quiz(teacher_client, theirs):
    data = question_form_data(quiz=theirs, type=Question.Type.SINGLE, choices=[("A", True), ("B", False)])

    response = teacher_client.post(reverse("admin:quizzes_question_add"), data)

    assert response.status_code == 200
    assert "quiz" in response.context["adminform"].form.errors
    assert theirs.questions.count() == 1


def test_a_quiz_id_of_another_teacher_in_the_add_link_prefills_nothing(teacher_client, theirs):
    response = teacher_client.get(reverse("admin:quizzes_question_add"), {"quiz": theirs.pk})

    assert response.status_code == 200
    assert "volcanoes" not in response.content.decode()


def test_duplicate_action_copies_only_own_quizzes_even_when_others_are_posted(teacher_client, teacher, mine, theirs):
    response = teacher_client.post(
        reverse("admin:quizzes_quiz_changelist"),
        {"action": "duplicate", "_selected_action": [mine.pk, theirs.pk]},
    )

    assert response.status_code == 302
    assert Quiz.objects.filter(title="Mine: fractions (copy)", owner=teacher).count() == 1
    assert not Quiz.objects.filter(title__startswith="Theirs: volcanoes (copy)").exists()


def test_admins_see_every_teachers_quizzes_and_questions(client, mine, theirs):
    client.force_login(AdminFactory())

    quizzes = client.get(reverse("admin:quizzes_quiz_changelist")).context["cl"].result_list
    questions = client.get(reverse("admin:quizzes_question_changelist")).context["cl"].result_list

    assert set(quizzes) == {mine, theirs}
    assert {question.quiz for question in questions} == {mine, theirs}
    assert client.get(reverse("admin:quizzes_quiz_change", args=[theirs.pk])).status_code == 200
    assert set(autocomplete(client, "quizzes", "question", "quiz")) == {"Mine: fractions", "Theirs: volcanoes"}
