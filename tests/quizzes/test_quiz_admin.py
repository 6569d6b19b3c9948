"""Authoring quizzes in the admin: owner, duplicate action, and the way to add questions."""

import pytest
from django.urls import reverse

from quizzes.models import Question, Quiz, Tag
from tests.factories import AdminFactory, QuizFactory, make_question
from tests.quizzes.admin_forms import question_form_data


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


def test_a_new_quiz_belongs_to_the_teacher_who_adds_it_whatever_owner_is_posted(teacher_client, teacher, other_teacher):
    response = teacher_client.post(
        reverse("admin:quizzes_quiz_add"),
        {
            "title": "Rivers",
            "description": "",
            "owner": other_teacher.pk,
            "questions-TOTAL_FORMS": 0,
            "questions-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302
    assert Quiz.objects.get(title="Rivers").owner == teacher


def test_teachers_do_not_see_the_owner_field_admins_do(teacher_client, client):
    form = teacher_client.get(reverse("admin:quizzes_quiz_add")).context["adminform"].form
    assert "owner" not in form.fields

    admin = AdminFactory()
    client.force_login(admin)
    form = client.get(reverse("admin:quizzes_quiz_add")).context["adminform"].form
    assert "owner" in form.fields
    assert form.initial["owner"] == admin.pk


def test_duplicating_a_quiz_copies_its_questions_choices_and_tags_for_the_acting_user(client, other_teacher):
    original = QuizFactory(owner=other_teacher, title="Planets")
    original.tags.add(Tag.objects.create(name="space"))
    for question_type in Question.Type.values:
        make_question(original, question_type)
    admin = AdminFactory()
    client.force_login(admin)

    response = client.post(
        reverse("admin:quizzes_quiz_changelist"), {"action": "duplicate", "_selected_action": [original.pk]}
    )

    assert response.status_code == 302
    copy = Quiz.objects.get(title="Planets (copy)")
    assert copy.owner == admin
    assert [tag.name for tag in copy.tags.all()] == ["space"]
    assert copy.questions.count() == len(Question.Type.values)
    assert sum(q.choices.count() for q in copy.questions.all()) == sum(
        q.choices.count() for q in original.questions.all()
    )
    assert "Duplicated 1 quiz" in client.get(response.url).content.decode()


def test_the_quiz_page_lists_its_questions_in_order_without_adding_rows(teacher_client, teacher):
    quiz = QuizFactory(owner=teacher)
    second = make_question(quiz, Question.Type.TEXT, order=2, prompt="Second?")
    first = make_question(quiz, Question.Type.NUMERIC, order=1, prompt="First?")

    response = teacher_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))

    formset = response.context["inline_admin_formsets"][0].formset
    assert [form.instance for form in formset.forms] == [first, second]
    assert formset.extra == 0
    assert not response.context["inline_admin_formsets"][0].has_add_permission


def test_the_quiz_page_links_to_adding_a_question_with_the_quiz_prefilled(teacher_client, teacher):
    quiz = QuizFactory(owner=teacher)
    make_question(quiz, Question.Type.SINGLE, order=4)
    add_url = reverse("admin:quizzes_question_add") + f"?quiz={quiz.pk}"

    page = teacher_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content.decode()
    assert f'href="{add_url}"' in page
    assert "Add question" in page

    form = teacher_client.get(add_url).context["adminform"].form
    assert str(form.initial["quiz"]) == str(quiz.pk)
    assert form.initial["order"] == 5  # after the last question


def test_saving_a_question_added_from_the_quiz_page_returns_to_the_quiz(teacher_client, teacher):
    quiz = QuizFactory(owner=teacher)
    data = question_form_data(quiz=quiz, type=Question.Type.TEXT, accepted_answers="Paris")

    response = teacher_client.post(reverse("admin:quizzes_question_add") + f"?quiz={quiz.pk}", data)

    assert response.status_code == 302
    assert response.url == reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    assert quiz.questions.count() == 1


def test_question_list_can_be_searched_by_prompt_and_quiz_title_and_filtered_by_type_and_tag(teacher_client, teacher):
    volcanoes = QuizFactory(owner=teacher, title="Volcanoes")
    volcanoes.tags.add(Tag.objects.create(name="geology"))
    lava = make_question(volcanoes, Question.Type.TEXT, prompt="What is molten rock called?")
    other = make_question(QuizFactory(owner=teacher, title="Rivers"), Question.Type.NUMERIC, prompt="How long?")
    url = reverse("admin:quizzes_question_changelist")

    def listed(**params):
        return set(teacher_client.get(url, params).context["cl"].result_list)

    assert listed(q="molten") == {lava}
    assert listed(q="rivers") == {other}
    assert listed(type__exact="numeric") == {other}
    assert listed(quiz__tags__id__exact=volcanoes.tags.get().pk) == {lava}


def test_tags_can_be_picked_by_autocomplete(teacher_client):
    Tag.objects.create(name="geology")
    Tag.objects.create(name="history")

    response = teacher_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "quizzes", "model_name": "quiz", "field_name": "tags", "term": "geo"},
    )

    assert [result["text"] for result in response.json()["results"]] == ["geology"]


def test_the_question_page_shows_its_choices_in_order_to_edit(teacher_client, teacher):
    question = make_question(QuizFactory(owner=teacher), Question.Type.MULTIPLE)

    response = teacher_client.get(reverse("admin:quizzes_question_change", args=[question.pk]))

    assert response.status_code == 200
    [choices] = response.context["inline_admin_formsets"]
    assert [form.instance.text for form in choices.formset.forms if form.instance.pk] == ["2", "3", "4", "5"]
    assert choices.has_add_permission and choices.has_change_permission


def test_duplicating_a_quiz_copies_its_images_as_files_of_their_own(client, teacher):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    original = QuizFactory(owner=teacher, title="Maps")
    question = make_question(original, Question.Type.SINGLE, image_alt="A map")
    buffer = io.BytesIO()
    Image.new("RGB", (3, 3), "#0a0").save(buffer, "PNG")
    question.image.save("map.png", ContentFile(buffer.getvalue()))
    client.force_login(teacher)

    client.post(reverse("admin:quizzes_quiz_changelist"), {"action": "duplicate", "_selected_action": [original.pk]})

    copied = Quiz.objects.get(title="Maps (copy)").questions.get()
    assert copied.quiz.owner == teacher
    assert copied.image.name != question.image.name
    assert copied.image.read() == buffer.getvalue()
    assert [(c.text, c.is_correct) for c in copied.choices.all()] == [
        (c.text, c.is_correct) for c in question.choices.all()
    ]
    assert copied.image_alt == "A map"
