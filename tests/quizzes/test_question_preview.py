"""The admin's question preview: what a student will see, for the quiz's teacher or an admin, and nothing more."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import RequestFactory

from quizzes.grading import plain_decimal
from quizzes.models import Question
from quizzes.payloads import question_for_student
from quizzes.preview import question_preview
from tests.factories import AdminFactory, QuizFactory, StudentFactory, TeacherFactory, make_question

pytestmark = pytest.mark.django_db


def preview(user, question_id: int):
    request = RequestFactory().get(f"/admin/quizzes/question/{question_id}/preview/")
    request.user = user
    return question_preview(request, question_id)


def payload_in(response) -> dict:
    content = response.content.decode()
    marker = '<script id="question-payload" type="application/json">'
    start = content.index(marker) + len(marker)
    return json.loads(content[start : content.index("</script>", start)])


@pytest.mark.parametrize("question_type", Question.Type.values)
def test_the_quiz_teacher_sees_the_question_as_students_will(teacher, quiz, question_type):
    question = quiz.questions.get(type=question_type)

    response = preview(teacher, question.pk)

    assert response.status_code == 200
    assert payload_in(response) == question_for_student(question)
    content = response.content.decode()
    assert "Preview" in content
    assert "js/question-preview.js" in content


def test_the_preview_never_shows_the_answer_key(teacher, quiz):
    for question in quiz.questions.all():
        content = preview(teacher, question.pk).content.decode()
        assert "is_correct" not in content
        assert "answer_key" not in content
        assert question.explanation not in content
        for accepted in question.accepted_answer_list:
            assert accepted not in content
        if question.numeric_target is not None:
            assert plain_decimal(question.numeric_target) not in content


def test_another_teacher_gets_404(quiz):
    question = quiz.questions.first()

    with pytest.raises(Http404):
        preview(TeacherFactory(), question.pk)


def test_a_superuser_may_preview_any_question(quiz):
    question = quiz.questions.first()

    assert preview(AdminFactory(), question.pk).status_code == 200


@pytest.mark.parametrize("make_user", [StudentFactory, AnonymousUser])
def test_students_and_visitors_are_sent_to_the_admin_sign_in(quiz, make_user):
    response = preview(make_user(), quiz.questions.first().pk)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_unknown_question_is_404(teacher):
    with pytest.raises(Http404):
        preview(teacher, 999_999)


def test_user_text_is_escaped_in_the_page(teacher):
    question = make_question(QuizFactory(owner=teacher), prompt="</script><script>alert(1)</script>")

    content = preview(teacher, question.pk).content.decode()

    assert "<script>alert(1)</script>" not in content


def test_the_question_admin_links_to_the_preview_and_serves_it(client, db):
    from tests.factories import QuizFactory, TeacherFactory, make_question

    teacher = TeacherFactory()
    question = make_question(QuizFactory(owner=teacher))
    client.force_login(teacher)
    change_page = client.get(f"/admin/quizzes/question/{question.pk}/change/")
    preview_url = f"/admin/quizzes/question/{question.pk}/preview/"
    assert preview_url in change_page.content.decode()
    preview = client.get(preview_url)
    assert preview.status_code == 200
    assert question.prompt in preview.content.decode()


def test_the_admin_preview_of_another_teachers_question_is_not_found(client, db):
    from tests.factories import QuizFactory, TeacherFactory, make_question

    question = make_question(QuizFactory())
    client.force_login(TeacherFactory())
    assert client.get(f"/admin/quizzes/question/{question.pk}/preview/").status_code == 404
