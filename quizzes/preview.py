"""The admin's question preview: a question exactly as a student will see it, with the inputs disabled.

The page renders `question_for_student` with the student page's own script (static/js/question-view.js), so the
preview cannot drift from what students get, and never shows the answer key.
"""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_sameorigin

from quizzes.models import Question
from quizzes.payloads import question_for_student


@xframe_options_sameorigin  # the admin may show it in a frame of its own pages
@staff_member_required
def question_preview(request: HttpRequest, question_id: int) -> HttpResponse:
    """Staff only; a teacher previews the questions of their own quizzes (404 otherwise), a superuser any."""
    question = get_object_or_404(Question.objects.select_related("quiz").prefetch_related("choices"), pk=question_id)
    if not request.user.is_superuser and question.quiz.owner_id != request.user.pk:
        raise Http404
    return render(
        request,
        "quizzes/question_preview.html",
        {"question": question, "payload": question_for_student(question)},
    )
