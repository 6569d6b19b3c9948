"""The per-type rules of a question, checked directly and through the question admin page.

Through the admin, a question that breaks a rule is refused with a message and nothing at all is saved: neither the
question nor any of its choices.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from quizzes.models import Choice, Question
from quizzes.validation import choice_errors, question_field_errors
from tests.factories import ChoiceFactory, QuestionFactory, QuizFactory, make_question
from tests.quizzes.admin_forms import choice_formset_errors, question_form_data, question_form_errors

Type = Question.Type
ADD_URL = reverse("admin:quizzes_question_add")

GOOD_CHOICES = {
    Type.SINGLE: [("Red", False), ("Green", True), ("Blue", False)],
    Type.MULTIPLE: [("2", True), ("3", True), ("4", False)],
    Type.TRUE_FALSE: [("True", False), ("False", True)],
    Type.POLL: [("Tea", False), ("Coffee", False)],
    Type.NUMERIC: [],
    Type.TEXT: [],
    Type.WORDCLOUD: [],
    Type.SCALE: [],
    Type.ORDERING: [("Egg", False), ("Caterpillar", False), ("Butterfly", False)],
}
GOOD_FIELDS = {
    Type.NUMERIC: {"numeric_target": "3.5", "numeric_tolerance": "0.1"},
    Type.TEXT: {"accepted_answers": "Paris\nParís"},
}

BAD_CHOICES = [
    pytest.param(Type.SINGLE, [("Red", True), ("Green", True)], "exactly one correct", id="single-two-correct"),
    pytest.param(Type.SINGLE, [("Red", False), ("Green", False)], "exactly one correct", id="single-none-correct"),
    pytest.param(Type.SINGLE, [("Red", True)], "at least two choices", id="single-one-choice"),
    pytest.param(Type.SINGLE, [("Red", True), (" red ", False)], "same text", id="single-same-text"),
    pytest.param(Type.SINGLE, [(f"Choice {n}", n == 0) for n in range(9)], "at most eight", id="single-nine-choices"),
    pytest.param(Type.MULTIPLE, [("2", False), ("4", False)], "at least one correct", id="multiple-none-correct"),
    pytest.param(Type.TRUE_FALSE, [("True", True)], "exactly two choices", id="true-false-one-choice"),
    pytest.param(
        Type.TRUE_FALSE, [("True", True), ("False", False), ("Maybe", False)], "exactly two", id="true-false-three"
    ),
    pytest.param(Type.TRUE_FALSE, [("True", True), ("False", True)], "exactly one", id="true-false-both-correct"),
    pytest.param(Type.POLL, [("Tea", True), ("Coffee", False)], "no correct answer", id="poll-with-correct"),
    pytest.param(Type.POLL, [("Tea", False)], "at least two choices", id="poll-one-choice"),
    pytest.param(Type.NUMERIC, [("1", True), ("2", False)], "has no choices", id="numeric-with-choices"),
    pytest.param(Type.TEXT, [("Paris", True)], "has no choices", id="text-with-choices"),
    pytest.param(Type.WORDCLOUD, [("Sun", False)], "has no choices", id="wordcloud-with-choices"),
    pytest.param(Type.SCALE, [("1", False), ("2", False)], "has no choices", id="scale-with-choices"),
    pytest.param(Type.ORDERING, [("Egg", False)], "at least two items", id="ordering-one-item"),
    pytest.param(Type.ORDERING, [(f"Step {n}", False) for n in range(9)], "at most eight", id="ordering-nine"),
    pytest.param(Type.ORDERING, [("Egg", False), (" egg", False)], "same text", id="ordering-same-text"),
    pytest.param(Type.ORDERING, [("Egg", True), ("Larva", False)], "not marked correct", id="ordering-ticked"),
    pytest.param(Type.ORDERING, [("Egg", False), ("", False)], "needs a text", id="ordering-blank-item"),
    pytest.param(Type.SINGLE, [("Red", True), ("", False)], "a text, an image", id="single-blank-choice"),
]

BAD_FIELDS = [
    pytest.param(Type.NUMERIC, {}, "numeric_target", "needs a numeric answer", id="numeric-without-answer"),
    pytest.param(Type.TEXT, {}, "accepted_answers", "at least one accepted answer", id="text-without-answers"),
    pytest.param(
        Type.TEXT, {"accepted_answers": "  \n  "}, "accepted_answers", "at least one", id="text-blank-answers"
    ),
    pytest.param(
        Type.SINGLE, {"numeric_target": "4"}, "numeric_target", "Only numeric questions", id="single-with-number"
    ),
    pytest.param(
        Type.POLL, {"accepted_answers": "Tea"}, "accepted_answers", "Only short-text", id="poll-with-accepted"
    ),
    pytest.param(
        Type.NUMERIC,
        {"numeric_target": "3", "accepted_answers": "three"},
        "accepted_answers",
        "Only short-text",
        id="numeric-with-accepted",
    ),
    pytest.param(Type.SCALE, {"scale_min": 5, "scale_max": 1}, "scale_max", "above the lowest", id="scale-upside-down"),
    pytest.param(Type.SCALE, {"scale_min": 3, "scale_max": 3}, "scale_max", "above the lowest", id="scale-one-step"),
    pytest.param(Type.SCALE, {"scale_min": 0, "scale_max": 11}, "scale_max", "at most 10 steps", id="scale-too-wide"),
    pytest.param(Type.WORDCLOUD, {"max_words": 4}, "max_words", "1 to 3 words", id="wordcloud-four-words"),
    pytest.param(Type.WORDCLOUD, {"max_words": 0}, "max_words", "1 to 3 words", id="wordcloud-no-words"),
]


# --- the rules themselves -------------------------------------------------------------------------------------
@pytest.mark.parametrize("question_type", Type.values)
def test_good_choices_of_every_type_break_no_rule(question_type):
    assert choice_errors(question_type=question_type, choices=GOOD_CHOICES[question_type]) == []


@pytest.mark.parametrize(("question_type", "choices", "message"), BAD_CHOICES)
def test_bad_choices_break_a_rule(question_type, choices, message):
    errors = choice_errors(question_type=question_type, choices=choices)
    assert any(message in str(error) for error in errors), errors


@pytest.mark.parametrize("question_type", Type.values)
def test_good_fields_of_every_type_break_no_rule(question_type):
    fields = {
        key: Decimal(value) if key.startswith("numeric") else value
        for key, value in GOOD_FIELDS.get(question_type, {}).items()
    }
    question = Question(type=question_type, prompt="?", **fields)
    assert question_field_errors(question=question).by_field == {}


@pytest.mark.parametrize(("question_type", "fields", "field", "message"), BAD_FIELDS)
def test_bad_fields_break_a_rule(question_type, fields, field, message):
    values = {key: Decimal(value) if key == "numeric_target" else value for key, value in fields.items()}
    question = Question(type=question_type, prompt="?", **values)
    errors = question_field_errors(question=question).by_field
    assert any(message in error for error in errors[field]), errors


# --- through the admin ----------------------------------------------------------------------------------------
@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


@pytest.fixture
def own_quiz(teacher):
    return QuizFactory(owner=teacher)


@pytest.mark.parametrize("question_type", Type.values)
def test_admin_saves_a_valid_question_of_every_type_with_its_choices(teacher_client, own_quiz, question_type):
    data = question_form_data(
        quiz=own_quiz,
        type=question_type,
        choices=GOOD_CHOICES[question_type],
        **GOOD_FIELDS.get(question_type, {}),
    )

    response = teacher_client.post(ADD_URL, data)

    assert response.status_code == 302, response.context and question_form_errors(response)
    question = Question.objects.get(quiz=own_quiz)
    assert question.type == question_type
    assert [(c.text, c.is_correct) for c in question.choices.order_by("order")] == GOOD_CHOICES[question_type]


@pytest.mark.parametrize(("question_type", "choices", "message"), BAD_CHOICES)
def test_admin_refuses_bad_choices_and_saves_nothing(teacher_client, own_quiz, question_type, choices, message):
    data = question_form_data(quiz=own_quiz, type=question_type, choices=choices, **GOOD_FIELDS.get(question_type, {}))

    response = teacher_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert any(message in error for error in choice_formset_errors(response))
    assert "Please correct the error" in response.content.decode()
    assert not Question.objects.exists()
    assert not Choice.objects.exists()


@pytest.mark.parametrize(("question_type", "fields", "field", "message"), BAD_FIELDS)
def test_admin_refuses_bad_fields_and_saves_nothing(teacher_client, own_quiz, question_type, fields, field, message):
    data = question_form_data(quiz=own_quiz, type=question_type, choices=GOOD_CHOICES[question_type], **fields)

    response = teacher_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert any(message in error for error in question_form_errors(response)[field])
    assert not Question.objects.exists()
    assert not Choice.objects.exists()


def test_changing_the_type_so_the_choices_no_longer_fit_is_refused_and_changes_nothing(teacher_client, own_quiz):
    question = make_question(own_quiz, Type.SINGLE)
    choices = list(question.choices.order_by("order"))
    data = question_form_data(quiz=own_quiz, type=Type.POLL, existing_choices=choices, prompt="Changed?")

    response = teacher_client.post(reverse("admin:quizzes_question_change", args=[question.pk]), data)

    assert response.status_code == 200
    assert any("no correct answer" in error for error in choice_formset_errors(response))
    question.refresh_from_db()
    assert question.type == Type.SINGLE
    assert question.prompt != "Changed?"
    assert list(question.choices.order_by("order")) == choices


def test_deleting_choices_below_the_minimum_is_refused_and_deletes_nothing(teacher_client, own_quiz):
    question = QuestionFactory(quiz=own_quiz, type=Type.SINGLE)
    red = ChoiceFactory(question=question, text="Red", is_correct=True, order=0)
    green = ChoiceFactory(question=question, text="Green", order=1)
    data = question_form_data(quiz=own_quiz, type=Type.SINGLE, existing_choices=[red, green])
    data["choices-1-DELETE"] = "on"

    response = teacher_client.post(reverse("admin:quizzes_question_change", args=[question.pk]), data)

    assert response.status_code == 200
    assert any("at least two choices" in error for error in choice_formset_errors(response))
    assert question.choices.count() == 2


def test_deleted_rows_do_not_count_towards_the_rules(teacher_client, own_quiz):
    question = make_question(own_quiz, Type.SINGLE)  # Red, Green (correct), Blue, Yellow
    choices = list(question.choices.order_by("order"))
    data = question_form_data(quiz=own_quiz, type=Type.SINGLE, existing_choices=choices)
    data["choices-1-DELETE"] = "on"  # the correct one goes...
    data["choices-0-is_correct"] = "on"  # ...and Red becomes correct

    response = teacher_client.post(reverse("admin:quizzes_question_change", args=[question.pk]), data)

    assert response.status_code == 302
    assert [(c.text, c.is_correct) for c in question.choices.order_by("order")] == [
        ("Red", True),
        ("Blue", False),
        ("Yellow", False),
    ]


def test_the_quiz_page_shows_the_question_type_read_only_so_choices_cannot_be_bypassed(teacher_client, own_quiz):
    question = make_question(own_quiz, Type.SINGLE)
    url = reverse("admin:quizzes_quiz_change", args=[own_quiz.pk])
    data = {
        "title": own_quiz.title,
        "description": "",
        "questions-TOTAL_FORMS": 1,
        "questions-INITIAL_FORMS": 1,
        "questions-MIN_NUM_FORMS": 0,
        "questions-MAX_NUM_FORMS": 1000,
        "questions-0-id": question.pk,
        "questions-0-quiz": own_quiz.pk,
        "questions-0-order": 7,
        "questions-0-prompt": "Reordered",
        "questions-0-type": Type.NUMERIC,
        "questions-0-time_limit": 20,
        "questions-0-points": 50,
    }

    response = teacher_client.post(url, data)

    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.order, question.prompt, question.points, question.type) == (7, "Reordered", 50, Type.SINGLE)


def test_a_question_broken_outside_the_admin_gets_a_message_not_a_crash_on_the_quiz_page(teacher_client, own_quiz):
    question = QuestionFactory(quiz=own_quiz, type=Type.NUMERIC, numeric_target=None)  # saved without clean()
    data = {
        "title": own_quiz.title,
        "description": "",
        "questions-TOTAL_FORMS": 1,
        "questions-INITIAL_FORMS": 1,
        "questions-MIN_NUM_FORMS": 0,
        "questions-MAX_NUM_FORMS": 1000,
        "questions-0-id": question.pk,
        "questions-0-quiz": own_quiz.pk,
        "questions-0-order": 1,
        "questions-0-prompt": "Edited",
        "questions-0-time_limit": 20,
        "questions-0-points": 50,
    }

    response = teacher_client.post(reverse("admin:quizzes_quiz_change", args=[own_quiz.pk]), data)

    assert response.status_code == 200
    assert "needs a numeric answer" in response.content.decode()
    question.refresh_from_db()
    assert question.prompt != "Edited"
