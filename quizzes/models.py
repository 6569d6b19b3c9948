from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Quiz(models.Model):
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="quizzes",
        verbose_name=_("owner"),
        limit_choices_to={"role": "teacher"},
    )
    description = models.TextField(_("description"), blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="quizzes", verbose_name=_("tags"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "title"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Type(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple select")
        TRUE_FALSE = "true_false", _("True / false")
        NUMERIC = "numeric", _("Numeric")
        TEXT = "text", _("Short text")
        POLL = "poll", _("Poll (no correct answer)")

    CHOICE_TYPES = frozenset({Type.SINGLE, Type.MULTIPLE, Type.TRUE_FALSE, Type.POLL})

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions", verbose_name=_("quiz"))
    order = models.PositiveIntegerField(_("order"), default=0)
    prompt = models.TextField(_("prompt"), max_length=2000)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices, default=Type.SINGLE)
    image = models.ImageField(_("image"), upload_to="questions/%Y/%m/", blank=True)
    image_alt = models.CharField(
        _("image description"), max_length=300, blank=True, help_text=_("Read aloud by screen readers.")
    )
    time_limit = models.PositiveIntegerField(
        _("time limit (seconds)"),
        null=True,
        blank=True,
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(3600)],
        help_text=_("Leave empty for no limit: the teacher closes the question."),
    )
    points = models.PositiveIntegerField(_("points"), default=100, validators=[MaxValueValidator(10_000)])
    explanation = models.TextField(_("explanation"), blank=True, help_text=_("Shown to students at the reveal."))
    numeric_target = models.DecimalField(_("numeric answer"), max_digits=20, decimal_places=6, null=True, blank=True)
    numeric_tolerance = models.DecimalField(
        _("tolerance"),
        max_digits=20,
        decimal_places=6,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Answers within this distance of the numeric answer count as correct."),
    )
    accepted_answers = models.TextField(
        _("accepted answers"),
        blank=True,
        help_text=_("One per line. Case, accents and surrounding spaces are ignored when matching."),
    )

    class Meta:
        ordering = ["quiz_id", "order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        prompt = self.prompt if len(self.prompt) <= 60 else self.prompt[:57] + "..."
        return f"{self.quiz.title} #{self.order}: {prompt}"

    @property
    def uses_choices(self) -> bool:
        return self.type in self.CHOICE_TYPES

    @property
    def accepted_answer_list(self) -> list[str]:
        return [line.strip() for line in self.accepted_answers.splitlines() if line.strip()]

    def clean(self) -> None:
        from quizzes.validation import question_field_errors

        question_field_errors(question=self).raise_if_any()


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question"))
    text = models.CharField(_("text"), max_length=300)
    is_correct = models.BooleanField(_("correct"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["question_id", "order", "id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text
