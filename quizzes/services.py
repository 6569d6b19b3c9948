"""Writes to quizzes."""

from django.db import transaction

from accounts.models import User
from quizzes.models import Quiz


@transaction.atomic
def quiz_duplicate(*, quiz: Quiz, owner: User) -> Quiz:
    """Copy a quiz with its questions, choices and tags; the copy belongs to `owner`."""
    copy = Quiz.objects.create(title=f"{quiz.title} (copy)", owner=owner, description=quiz.description)
    copy.tags.set(quiz.tags.all())
    for question in quiz.questions.prefetch_related("choices"):
        choices = list(question.choices.all())
        question.pk = None
        question.id = None
        question.quiz = copy
        question.save()
        for choice in choices:
            choice.pk = None
            choice.id = None
            choice.question = question
            choice.save()
    return copy
