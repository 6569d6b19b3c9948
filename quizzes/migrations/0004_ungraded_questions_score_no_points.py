"""Polls, word clouds and rating scales score no points: questions of those types saved with the model's default
(100) before the admin forced 0 get 0, so totals and lists no longer show points nobody can earn."""

from django.db import migrations

UNGRADED_TYPES = ("poll", "wordcloud", "scale")


def ungraded_to_zero(apps, schema_editor):
    Question = apps.get_model("quizzes", "Question")
    Question.objects.filter(type__in=UNGRADED_TYPES).exclude(points=0).update(points=0)


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0003_question_types_wordcloud_ordering_scale_and_choice_images")]

    operations = [migrations.RunPython(ungraded_to_zero, migrations.RunPython.noop)]
