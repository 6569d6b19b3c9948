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
        WORDCLOUD = "wordcloud", _("Word cloud")
        ORDERING = "ordering", _("Ordering")
        SCALE = "scale", _("Rating scale")

    CHOICE_TYPES = frozenset({Type.SINGLE, Type.MULTIPLE, Type.TRUE_FALSE, Type.POLL})
    # Choices of these types may carry an image; ordering questions keep their items as choices, in order.
    IMAGE_CHOICE_TYPES = frozenset({Type.SINGLE, Type.MULTIPLE, Type.POLL})
    ITEM_TYPES = frozenset({Type.ORDERING})
    UNGRADED_TYPES = frozenset({Type.POLL, Type.WORDCLOUD, Type.SCALE})
    # Results the projector shows while the question is open, whatever the session's setting: nothing to give away.
    LIVE_RESULT_TYPES = frozenset({Type.WORDCLOUD, Type.SCALE})

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
    max_words = models.PositiveSmallIntegerField(
        _("words per student"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_("Word clouds: how many words or short phrases each student may send (1 to 3)."),
    )
    partial_credit = models.BooleanField(
        _("partial credit"),
        default=False,
        help_text=_("Ordering: an answer earns the share of the points of the items it put in the right place."),
    )
    scale_min = models.SmallIntegerField(_("lowest rating"), default=1)
    scale_max = models.SmallIntegerField(_("highest rating"), default=5)
    scale_min_label = models.CharField(_("label of the lowest rating"), max_length=60, blank=True)
    scale_max_label = models.CharField(_("label of the highest rating"), max_length=60, blank=True)

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
    def uses_items(self) -> bool:
        return self.type in self.ITEM_TYPES

    @property
    def is_graded(self) -> bool:
        return self.type not in self.UNGRADED_TYPES

    @property
    def accepted_answer_list(self) -> list[str]:
        return [line.strip() for line in self.accepted_answers.splitlines() if line.strip()]

    def clean(self) -> None:
        from quizzes.validation import question_field_errors

        question_field_errors(question=self).raise_if_any()


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question"))
    text = models.CharField(_("text"), max_length=300, blank=True)
    is_correct = models.BooleanField(_("correct"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    image = models.ImageField(_("image"), upload_to="choices/%Y/%m/", blank=True)
    image_alt = models.CharField(
        _("image description"), max_length=300, blank=True, help_text=_("Read aloud by screen readers.")
    )

    class Meta:
        ordering = ["question_id", "order", "id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text or self.image_alt
