from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from quizzes.models import Question, Quiz

# Join codes avoid letters and digits that read alike (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class Classroom(models.Model):
    name = models.CharField(_("name"), max_length=120)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_classrooms",
        verbose_name=_("owner"),
        limit_choices_to={"role": "teacher"},
    )
    co_teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="co_taught_classrooms",
        verbose_name=_("co-teachers"),
        limit_choices_to={"role": "teacher"},
    )
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Enrolment",
        blank=True,
        related_name="enrolled_classrooms",
        verbose_name=_("students"),
    )
    self_enrolment = models.BooleanField(
        _("students may join with the code"),
        default=False,
        help_text=_("Signed-in students can enrol themselves with the classroom's join code."),
    )
    join_code = models.CharField(_("join code"), max_length=8, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("classroom")
        verbose_name_plural = _("classrooms")

    def __str__(self) -> str:
        return self.name


class Enrolment(models.Model):
    class ExtraTime(models.TextChoices):
        NONE = "", _("No extra time")
        HALF = "1.5", _("Time and a half (×1.5)")
        DOUBLE = "2", _("Double time (×2)")
        UNLIMITED = "unlimited", _("No time limit")

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="enrolments")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrolments",
        limit_choices_to={"role": "student"},
        verbose_name=_("student"),
    )
    enrolled_at = models.DateTimeField(_("enrolled"), auto_now_add=True)
    extra_time = models.CharField(
        _("extra time"),
        max_length=16,
        choices=ExtraTime.choices,
        default=ExtraTime.NONE,
        blank=True,
        help_text=_("Applied by the server to this student's deadline in live sessions."),
    )
    read_aloud = models.BooleanField(
        _("read questions aloud"),
        default=False,
        help_text=_("The student gets a button that reads each question aloud on their own device."),
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [models.UniqueConstraint(fields=["classroom", "student"], name="enrolment_once_per_classroom")]

    def __str__(self) -> str:
        return f"{self.student} in {self.classroom}"


class LiveSession(models.Model):
    class State(models.TextChoices):
        LOBBY = "lobby", _("Lobby")
        QUESTION_OPEN = "question_open", _("Question open")
        QUESTION_CLOSED = "question_closed", _("Question closed")
        REVEALED = "revealed", _("Answer revealed")
        ENDED = "ended", _("Ended")

    class Pacing(models.TextChoices):
        TEACHER = "teacher", _("Teacher-paced")
        STUDENT = "student", _("Student-paced")

    classroom = models.ForeignKey(
        Classroom, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("classroom")
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("quiz"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    code = models.CharField(_("code"), max_length=8, unique=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.LOBBY)
    speed_bonus = models.BooleanField(
        _("speed bonus"), default=False, help_text=_("Faster correct answers earn up to 50% more points.")
    )
    allow_guests = models.BooleanField(
        _("guests may join with the code"),
        default=False,
        help_text=_("Anyone with the code can join under a display name, without an account."),
    )
    joining_locked = models.BooleanField(
        _("joining locked"),
        default=False,
        help_text=_("No new guests or students may join; those already in stay."),
    )
    language = models.CharField(
        _("projector language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        help_text=_("The projector shows the session in this language. Empty: the projector's browser decides."),
    )
    live_results = models.BooleanField(
        _("show live results on the projector"),
        default=False,
        help_text=_(
            "The projector shows how many answered each choice while a question is open, as for a poll. "
            "Off: only the number of answers, until the question closes."
        ),
    )
    pacing = models.CharField(_("pacing"), max_length=8, choices=Pacing.choices, default=Pacing.TEACHER)
    # Student-paced sessions only: when answers stop counting (server clock; empty: until the teacher ends it),
    # whether each question's answer is shown once answered or timed out, and per-student shuffles.
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    show_correct = models.BooleanField(_("show the correct answer after each question"), default=True)
    shuffle_questions = models.BooleanField(_("shuffle question order per student"), default=False)
    shuffle_choices = models.BooleanField(_("shuffle choice order per student"), default=False)
    # The projector of a student-paced session shows the class's progress without names unless the teacher says so.
    projector_names = models.BooleanField(_("show names on the projector"), default=False)
    current_round = models.OneToOneField(
        "Round", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("current round")
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # Who ended it (the audit trail); empty when the server did.
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")

    def __str__(self) -> str:
        return f"{self.quiz} · {self.classroom} · {self.code}"

    @property
    def student_paced(self) -> bool:
        return self.pacing == self.Pacing.STUDENT


class Participant(models.Model):
    """A student who joined a live session: enrolled students on first connect, guests when they join.

    An enrolled student the teacher removed from the session keeps the row, with `removed_at` set: they are refused
    until the teacher lets them back in."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="participants")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "student"], name="participant_once_per_session")]

    def __str__(self) -> str:
        return f"{self.student} in {self.session}"


class CloseCause(models.TextChoices):
    TEACHER = "teacher", _("the teacher")
    TIMER = "timer", _("the timer")
    NEXT_QUESTION = "next_question", _("the next question")
    REVEAL = "reveal", _("the reveal")
    END = "end", _("the end of the session")


class Round(models.Model):
    """One push of a question to a session. Pushing the same question again opens a new round."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="rounds")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveIntegerField(_("number"))
    opened_at = models.DateTimeField(_("opened"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    # Extra time (classroom.accommodations): the round closes by itself at `closes_at`, later than the deadline, or
    # only when the teacher closes it (`stays_open`); both unset, at the deadline. Each student's own deadline is
    # checked when they answer.
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    stays_open = models.BooleanField(_("open until the teacher closes it"), default=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    revealed_at = models.DateTimeField(_("revealed"), null=True, blank=True)
    # Free-text answers the teacher took off the projector, by their grouping key (quizzes.grading.normalize_text).
    hidden_texts = models.JSONField(_("texts hidden from the projector"), default=list, blank=True)
    # The audit trail reads who pushed, closed and revealed the round from these, written in the same statements
    # as the times, so the trail costs a push nothing. `closed_by` empty and cause "timer": the server's timer.
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    close_cause = models.CharField(_("closed by"), max_length=16, choices=CloseCause.choices, blank=True)
    revealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["session_id", "number"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [models.UniqueConstraint(fields=["session", "number"], name="round_number_unique")]

    def __str__(self) -> str:
        return f"Round {self.number} of {self.session.code}"

    def is_open_at(self, moment) -> bool:
        closes_at = None if self.stays_open else self.closes_at or self.deadline
        return self.closed_at is None and (closes_at is None or moment < closes_at)


class Answer(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="answers")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answers")
    client_id = models.CharField(_("client id"), max_length=64)
    response = models.JSONField(_("response"))
    is_correct = models.BooleanField(_("correct"), null=True)
    points = models.PositiveIntegerField(_("points"), default=0)
    submitted_at = models.DateTimeField(_("submitted"))

    class Meta:
        ordering = ["round_id", "submitted_at"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["round", "student"], name="one_answer_per_student_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.round}"


class PacedAttempt(models.Model):
    """A question of a student-paced session as one student got it: the place it has in their order, when the
    server first sent it to them, and when their time for it ends (the question's limit from that moment)."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="paced_attempts")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="paced_attempts")
    position = models.PositiveIntegerField(_("position"))
    received_at = models.DateTimeField(_("received"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)

    class Meta:
        ordering = ["session_id", "student_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "student"], name="paced_attempt_once_per_round"),
            models.UniqueConstraint(fields=["session", "student", "position"], name="paced_attempt_once_per_place"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} · {self.round} · {self.position}"


def teaches_q(user) -> Q:
    """Classrooms `user` teaches (owns or co-teaches)."""
    return Q(owner=user) | Q(co_teachers=user)


class RosterImport(models.Model):
    """A roster file being imported as a job, then the initial passwords it handed out, sealed
    (classroom/sealing.py) until a teacher confirms they saved them or they expire."""

    class Forgotten(models.TextChoices):
        CONFIRMED = "confirmed", _("a teacher confirmed they saved them")
        EXPIRED = "expired", _("they expired")

    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="roster_import")
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="roster_imports")
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    # The checked rows of the file until the accounts exist (names and emails, no secret).
    rows = models.JSONField(default=list, blank=True)
    created_count = models.PositiveIntegerField(_("students created"), default=0)
    # Set in the transaction that creates the accounts: a resumed job finds the work done.
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    sealed_logins = models.TextField(blank=True)
    logins_forgotten_at = models.DateTimeField(null=True, blank=True)
    logins_forgotten_because = models.CharField(max_length=10, choices=Forgotten.choices, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self) -> str:
        return f"{self.classroom}: {self.file_name}"


class SessionEvent(models.Model):
    """An entry of a session's audit trail that no other row records: a guest removed, a closing time changed.
    Pushes, closes, reveals, the end and answers are read from the rounds, the session and the answers themselves
    (classroom/reports.py)."""

    class Kind(models.TextChoices):
        GUEST_REMOVED = "guest_removed", _("guest removed")
        EXTENDED = "extended", _("closing time changed")

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("server time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        ordering = ["session_id", "at", "id"]
        verbose_name = _("session event")
        verbose_name_plural = _("session events")

    def __str__(self) -> str:
        return f"{self.kind} · {self.session_id} · {self.at:%Y-%m-%d %H:%M:%S}"
