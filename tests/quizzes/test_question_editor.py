"""The question editor's server side: defaults that follow the type, the order of new choices, and the first
error summarised at the top with a link to its field."""

from django.urls import reverse

from quizzes.models import Question
from tests.factories import make_question
from tests.quizzes.admin_forms import question_form_data

Type = Question.Type
ADD_URL = reverse("admin:quizzes_question_add")


def test_a_true_false_question_saved_without_choices_gets_true_and_false(teacher_client, own_quiz):
    response = teacher_client.post(ADD_URL, question_form_data(quiz=own_quiz, type=Type.TRUE_FALSE))
    assert response.status_code == 302
    question = Question.objects.get()
    assert [(c.text, c.is_correct, c.order) for c in question.choices.all()] == [
        ("True", True, 0),
        ("False", False, 1),
    ]


def test_new_choices_whose_order_was_left_alone_go_after_the_others(teacher_client, own_quiz):
    question = make_question(own_quiz, Type.SINGLE)
    existing = list(question.choices.all())
    data = question_form_data(quiz=own_quiz, type=Type.SINGLE, existing_choices=existing, choices=[("Purple", False)])
    data["choices-4-order"] = "0"  # the blank row's untouched default
    response = teacher_client.post(reverse("admin:quizzes_question_change", args=[question.pk]), data)
    assert response.status_code == 302
    assert [c.text for c in question.choices.all()] == ["Red", "Green", "Blue", "Yellow", "Purple"]
    assert question.choices.get(text="Purple").order == 4


def test_the_first_field_error_is_summarised_with_a_link_to_the_field(teacher_client, own_quiz):
    data = question_form_data(quiz=own_quiz, type=Type.NUMERIC, numeric_target="", points="-1")
    response = teacher_client.post(ADD_URL, data)
    first = response.context["first_error"]
    assert (first.label, first.anchor) == ("Points", "id_points")
    page = response.content.decode()
    assert 'class="qc-error-summary"' in page and 'href="#id_points"' in page


def test_a_choice_error_is_summarised_with_a_link_to_the_choices(teacher_client, own_quiz):
    data = question_form_data(quiz=own_quiz, type=Type.SINGLE, choices=[("A", False), ("B", False)])
    response = teacher_client.post(ADD_URL, data)
    first = response.context["first_error"]
    assert first.anchor == "choices-group"
    assert "exactly one correct choice" in first.message


def test_an_error_in_one_choice_row_links_to_that_row(teacher_client, own_quiz):
    data = question_form_data(quiz=own_quiz, type=Type.SINGLE, choices=[("A", True), ("x" * 301, False)])
    first = teacher_client.post(ADD_URL, data).context["first_error"]
    assert (first.label, first.anchor) == ("Choice 2, Text", "id_choices-1-text")


def test_a_page_without_errors_has_no_summary(teacher_client, own_quiz):
    response = teacher_client.get(ADD_URL + f"?quiz={own_quiz.pk}")
    assert response.context["first_error"] is None
    assert "qc-error-summary" not in response.content.decode()


def test_the_editor_pages_load_their_scripts_as_modules_and_no_inline_code(teacher_client, own_quiz):
    question = make_question(own_quiz, Type.SINGLE)
    for url in (
        reverse("admin:quizzes_question_change", args=[question.pk]),
        reverse("admin:quizzes_quiz_change", args=[own_quiz.pk]),
        reverse("admin:quizzes_quiz_import", args=[own_quiz.pk]),
    ):
        page = teacher_client.get(url).content.decode()
        assert "<style" not in page
        assert 'style="' not in page.split('id="content"', 1)[1]
    assert (
        'src="/static/js/question-editor.js"'
        in teacher_client.get(reverse("admin:quizzes_question_change", args=[question.pk])).content.decode()
    )


def test_polls_word_clouds_and_scales_are_saved_with_no_points_whatever_was_posted(teacher_client, own_quiz):
    poll_choices = {"choices": [("A", False), ("B", False)]}
    for question_type, extra in ((Type.WORDCLOUD, {}), (Type.SCALE, {}), (Type.POLL, poll_choices)):
        data = question_form_data(quiz=own_quiz, type=question_type, points=100, **extra)
        response = teacher_client.post(ADD_URL, data)
        assert response.status_code == 302, question_type
    assert list(Question.objects.values_list("type", "points").order_by("id")) == [
        (Type.WORDCLOUD, 0),
        (Type.SCALE, 0),
        (Type.POLL, 0),
    ]


def test_the_points_field_says_that_ungraded_types_score_nothing(teacher_client, own_quiz):
    page = teacher_client.get(ADD_URL).content.decode()
    assert "Polls, word clouds and rating scales score no points: they are saved with 0." in page


def test_the_quiz_page_does_not_offer_points_for_a_word_cloud(teacher_client, own_quiz):
    make_question(own_quiz, Type.WORDCLOUD, points=0)
    make_question(own_quiz, Type.SINGLE)
    response = teacher_client.get(reverse("admin:quizzes_quiz_change", args=[own_quiz.pk]))
    forms = response.context["inline_admin_formsets"][0].formset.forms
    disabled = {form.instance.type: form.fields["points"].disabled for form in forms}
    assert disabled == {Type.WORDCLOUD: True, Type.SINGLE: False}
