"""The user admin. Superusers manage every account. Teachers do not see "Accounts > Users": they only look at the
students of classrooms they teach (through autocomplete, and those students' read-only pages) and pick co-teachers
by name. Students never reach the admin because they are never staff."""

import axes.admin as axes_admin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import user_sync_teachers_group
from classroom.selectors import students_taught_by

# Autocomplete fields whose choices are teachers: a teacher may search teachers through them (to add a co-teacher),
# while everywhere else in the user admin a teacher sees students only.
TEACHER_AUTOCOMPLETE_FIELDS = frozenset({("classroom", "classroom", "co_teachers")})
# Autocomplete fields that enrol someone: guests are left out, they only ever belong to one live session.
ENROLMENT_AUTOCOMPLETE_FIELDS = frozenset({("classroom", "enrolment", "student")})


def autocomplete_source(request) -> tuple[str, str, str] | None:
    """(app_label, model_name, field_name) of an admin autocomplete request, or None for any other request."""
    match = request.resolver_match
    if match is None or match.view_name != "admin:autocomplete":
        return None
    return (
        request.GET.get("app_label", ""),
        request.GET.get("model_name", ""),
        request.GET.get("field_name", ""),
    )


class QuizcastUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "role", "display_name")


class QuizcastUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = QuizcastUserChangeForm
    add_form = QuizcastUserCreationForm
    list_display = ("username", "display_name", "first_name", "last_name", "role", "is_guest", "is_active")
    list_filter = ("role", "is_guest", "is_superuser", "is_active")
    search_fields = ("username", "display_name", "first_name", "last_name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Quizcast"), {"fields": ("role", "display_name", "is_guest")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Permissions"),
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "description": _(
                    "The role decides admin access: teachers are staff and in the Teachers group, students never."
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "role", "display_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("is_staff",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        if autocomplete_source(request) in TEACHER_AUTOCOMPLETE_FIELDS:
            return queryset.filter(role=User.Role.TEACHER, is_active=True)
        return queryset.filter(pk__in=students_taught_by(user=request.user).values("pk"))

    def get_search_fields(self, request):
        # Searching by e-mail would tell a teacher whose address it is, even with the address itself not shown.
        if request.user.is_superuser:
            return self.search_fields
        return tuple(field for field in self.search_fields if field != "email")

    # "Accounts > Users" is for admins. A teacher reaches users only through autocomplete, and the read-only page of
    # a student they teach; every other user id answers 403, as one that does not exist.
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        if request.user.is_superuser or not allowed:
            return allowed
        return obj is not None or autocomplete_source(request) is not None

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if autocomplete_source(request) in ENROLMENT_AUTOCOMPLETE_FIELDS:
            queryset = queryset.filter(is_guest=False, is_active=True)
        return queryset, may_have_duplicates

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return self.list_filter
        return ("is_guest", "is_active")

    # Only superusers ever write users; a teacher's view_user permission is all the Teachers group grants, and
    # these checks keep it that way even if someone grants more by hand.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_related(self, request, form, formsets, change):
        # Saving the form's groups replaces them; the role, not that list, decides the Teachers group.
        super().save_related(request, form, formsets, change)
        user_sync_teachers_group(user=form.instance)


# Axes registers its own admin for sign-in attempts (imported above so that it has); this one replaces it.
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class SignInAttemptAdmin(axes_admin.AccessAttemptAdmin):
    """Failed sign-ins. Deleting a row unlocks that username at that address. Admins see every row; a teacher sees
    the rows of the students they teach, so they can unlock one in class without waiting for the lockout to end."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(username__in=students_taught_by(user=request.user).values("username"))
