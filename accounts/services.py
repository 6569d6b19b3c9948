"""Accounts: roles and the Teachers group that carries a teacher's admin permissions."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from accounts.models import TEACHERS_GROUP_NAME, User

# Exactly what a teacher needs in the admin: author quizzes, manage their classrooms, look at their sessions,
# and find students to enrol. Rows are further limited to their own by each ModelAdmin.
TEACHER_PERMISSIONS: dict[str, list[str]] = {
    "quizzes": [
        "add_quiz", "change_quiz", "delete_quiz", "view_quiz",
        "add_question", "change_question", "delete_question", "view_question",
        "add_choice", "change_choice", "delete_choice", "view_choice",
        "add_tag", "view_tag",
    ],
    "classroom": [
        "add_classroom", "change_classroom", "delete_classroom", "view_classroom",
        "view_livesession", "view_round", "view_answer",
    ],
    "accounts": ["view_user"],
    # Failed sign-ins of their own students (accounts.admin), to unlock them.
    "axes": ["view_accessattempt", "delete_accessattempt"],
}  # fmt: skip


def teachers_group_ensure() -> Group:
    """Create or update the Teachers group so it holds exactly TEACHER_PERMISSIONS (those that exist yet)."""
    group, _ = Group.objects.get_or_create(name=TEACHERS_GROUP_NAME)
    wanted = Q(pk__in=[])
    for app_label, codenames in TEACHER_PERMISSIONS.items():
        wanted |= Q(content_type__app_label=app_label, codename__in=codenames)
    group.permissions.set(Permission.objects.filter(wanted))
    return group


def user_sync_teachers_group(*, user: User) -> None:
    """Teachers belong to the Teachers group; nobody else does."""
    group = Group.objects.filter(name=TEACHERS_GROUP_NAME).first()
    if group is None:
        group = teachers_group_ensure()
    if user.is_teacher:
        user.groups.add(group)
    else:
        user.groups.remove(group)


def user_create(
    *,
    username: str,
    password: str | None,
    role: str = User.Role.STUDENT,
    display_name: str = "",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_guest: bool = False,
) -> User:
    """Create a user with a role. A password of None leaves an unusable password (guests)."""
    user = User(
        username=username,
        role=role,
        display_name=display_name,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_guest=is_guest,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def students_create(*, students: list[User]) -> list[User]:
    """Save new student accounts in one statement, each with its password already hashed.

    The caller has checked that the usernames are free; one taken meanwhile raises IntegrityError and saves none.
    """
    for student in students:
        if student.role != User.Role.STUDENT or student.is_staff or student.is_superuser:
            raise ValueError("students_create only creates students")
        student.full_clean(exclude=["password"], validate_unique=False)
    return User.objects.bulk_create(students)
