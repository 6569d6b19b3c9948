from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

TEACHERS_GROUP_NAME = "Teachers"


class QuizcastUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", User.Role.TEACHER)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: a teacher (staff, in the Teachers group) or a student (never staff).

    Admins are superusers; they keep the teacher role.
    """

    class Role(models.TextChoices):
        TEACHER = "teacher", _("Teacher")
        STUDENT = "student", _("Student")

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STUDENT)
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
        help_text=_("Shown to the class instead of the username."),
    )
    is_guest = models.BooleanField(
        _("guest"),
        default=False,
        help_text=_("Joined a live session with its code, without an account."),
    )

    objects: ClassVar[QuizcastUserManager] = QuizcastUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_teacher(self) -> bool:
        return self.role == self.Role.TEACHER

    @property
    def is_student(self) -> bool:
        return self.role == self.Role.STUDENT

    def save(self, *args, **kwargs):
        # The role decides admin access; a student can never be made staff by editing a flag.
        if self.role == self.Role.STUDENT:
            self.is_staff = False
            self.is_superuser = False
        else:
            self.is_staff = True
        super().save(*args, **kwargs)
        from accounts.services import user_sync_teachers_group

        user_sync_teachers_group(user=self)
