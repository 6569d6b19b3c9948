"""Classrooms and live sessions in the admin.

A teacher sees and changes only the classrooms they teach (own or co-teach), and sees only the live sessions of
those classrooms; superusers see everything. Classroom pages add a roster import and a join-code reset; live
session pages are read-only and offer the results as CSV.
"""

from typing import TYPE_CHECKING, TypedDict

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from classroom.models import Classroom, Enrolment, LiveSession, RosterImport, Round, teaches_q
from classroom.roster import (
    LOGINS_KEPT_FOR,
    MAX_FILE_BYTES,
    MAX_ROWS,
    RosterRejected,
    roster_import_start,
    roster_imports_open,
    roster_logins,
    roster_logins_expire_at,
    roster_logins_forget,
    roster_logins_rows,
)
from classroom.selectors import sessions_visible_to, students_taught_by
from classroom.services import classroom_create, classroom_regenerate_join_code
from classroom.spreadsheets import csv_bytes, session_results_response

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class StudentCount(TypedDict):
    student_count: int


class AnswerCount(TypedDict):
    answer_count: int


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("Roster (CSV)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "A UTF-8 CSV file of at most 1 MB and %(max_rows)d students. The first line names the columns "
            "username, first_name, last_name, and optionally display_name and email."
        ) % {"max_rows": MAX_ROWS}


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    fields = ("student", "extra_time", "read_aloud", "enrolled_at")
    readonly_fields = ("enrolled_at",)
    autocomplete_fields = ("student",)
    ordering = ("student__username",)
    extra = 1
    verbose_name = _("enrolled student")
    verbose_name_plural = _("enrolled students")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A teacher enrols students they already teach (others join with the classroom's code or a roster import):
        # what the autocomplete offers is also all the form accepts.
        if db_field.name == "student" and not request.user.is_superuser:
            kwargs["queryset"] = students_taught_by(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # Enrolling students is part of changing a classroom; the Teachers group carries no enrolment permissions.
    def has_view_permission(self, request, obj=None):
        return self.parent_admin_allows(request, obj, "view")

    def has_add_permission(self, request, obj=None):
        return self.parent_admin_allows(request, obj, "change")

    def has_change_permission(self, request, obj=None):
        return self.parent_admin_allows(request, obj, "change")

    def has_delete_permission(self, request, obj=None):
        return self.parent_admin_allows(request, obj, "change")

    def parent_admin_allows(self, request, obj, action: str) -> bool:
        classroom_admin = self.admin_site.get_model_admin(Classroom)
        if action == "view":
            return classroom_admin.has_view_permission(request, obj)
        return classroom_admin.has_change_permission(request, obj)


@admin.register(Classroom)
class ClassroomAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "join_code", "self_enrolment", "student_count")
    list_filter = ("self_enrolment",)
    search_fields = ("name",)
    ordering = ("name",)
    autocomplete_fields = ("co_teachers",)
    readonly_fields = ("join_code",)
    inlines = (EnrolmentInline,)
    actions = ("regenerate_join_codes",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(student_count=Count("enrolments", distinct=True))
        if request.user.is_superuser:
            return queryset
        # A subquery rather than a join on co-teachers, so that each classroom appears once.
        return queryset.filter(pk__in=Classroom.objects.filter(teaches_q(request.user)).values("pk"))

    def get_fields(self, request, obj=None):
        fields = ["name", "co_teachers", "self_enrolment"]
        if request.user.is_superuser:
            fields.insert(1, "owner")
        if obj is not None:
            fields.append("join_code")
        return fields

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)  # a co-teacher may not delete; the change page checks the owner
        return actions

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or request.user.is_superuser or obj.owner_id == request.user.pk)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        owner = obj.owner if request.user.is_superuser else request.user
        created = classroom_create(name=obj.name, owner=owner, self_enrolment=obj.self_enrolment)
        # The admin goes on to save co-teachers and enrolments on `obj`: make it the row the service created.
        obj.pk, obj.owner, obj.join_code, obj.created_at = created.pk, owner, created.join_code, created.created_at
        obj._state.adding = False

    @admin.display(description=_("students"), ordering="student_count")
    def student_count(self, classroom: "WithAnnotations[Classroom, StudentCount]") -> int:
        return classroom.student_count

    @admin.action(description=_("Regenerate join codes"), permissions=["change"])
    def regenerate_join_codes(self, request, queryset):
        classrooms = [classroom_regenerate_join_code(classroom=classroom) for classroom in queryset]
        for classroom in classrooms:
            self.log_change(request, classroom, [{"changed": {"fields": ["join_code"]}}])
        self.message_user(
            request,
            ngettext(
                "%(count)d classroom has a new join code; the old one no longer works.",
                "%(count)d classrooms have new join codes; the old ones no longer work.",
                len(classrooms),
            )
            % {"count": len(classrooms)},
            messages.SUCCESS,
        )

    # --- pages of one classroom -------------------------------------------------------------------------------
    def get_urls(self):
        return [
            path(
                "<path:object_id>/import-roster/",
                self.admin_site.admin_view(self.import_roster_view),
                name="classroom_classroom_import_roster",
            ),
            path(
                "<path:object_id>/roster-imports/<int:import_id>/",
                self.admin_site.admin_view(self.roster_import_view),
                name="classroom_classroom_roster_import",
            ),
            path(
                "<path:object_id>/roster-imports/<int:import_id>/progress/",
                self.admin_site.admin_view(self.roster_import_progress_view),
                name="classroom_classroom_roster_import_progress",
            ),
            path(
                "<path:object_id>/roster-imports/<int:import_id>/passwords.csv",
                self.admin_site.admin_view(self.roster_logins_csv_view),
                name="classroom_classroom_roster_logins_csv",
            ),
            path(
                "<path:object_id>/roster-imports/<int:import_id>/cards/",
                self.admin_site.admin_view(self.roster_logins_cards_view),
                name="classroom_classroom_roster_logins_cards",
            ),
            path(
                "<path:object_id>/roster-imports/<int:import_id>/forget-passwords/",
                self.admin_site.admin_view(self.roster_logins_forget_view),
                name="classroom_classroom_roster_logins_forget",
            ),
            path(
                "<path:object_id>/regenerate-join-code/",
                self.admin_site.admin_view(self.regenerate_join_code_view),
                name="classroom_classroom_regenerate_join_code",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "sessions_url": reverse("admin:classroom_livesession_changelist")
            + "?"
            + urlencode({"classroom__id__exact": object_id}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _classroom_to_change(self, request, object_id) -> Classroom:
        classroom = self.get_object(request, object_id)
        if classroom is None:
            raise Http404(gettext("No classroom you teach has this id."))
        if not self.has_change_permission(request, classroom):
            raise PermissionDenied
        return classroom

    @method_decorator(require_POST)
    def regenerate_join_code_view(self, request, object_id):
        classroom = classroom_regenerate_join_code(classroom=self._classroom_to_change(request, object_id))
        self.log_change(request, classroom, [{"changed": {"fields": ["join_code"]}}])
        self.message_user(
            request,
            gettext("The new join code is %(code)s; the old one no longer works.") % {"code": classroom.join_code},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:classroom_classroom_change", args=[classroom.pk]))

    def _page_context(self, request, classroom: Classroom, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": classroom,
            "title": title,
        }

    def import_roster_view(self, request, object_id):
        classroom = self._classroom_to_change(request, object_id)
        context = {**self._page_context(request, classroom, gettext("Import roster (CSV)")), "problems": None}
        form = RosterUploadForm(request.POST, request.FILES) if request.method == "POST" else RosterUploadForm()
        if form.is_bound and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                # Read one byte past the limit: enough for the import to tell the file is too large.
                roster_import = roster_import_start(
                    classroom=classroom,
                    data=upload.read(MAX_FILE_BYTES + 1),
                    file_name=upload.name,
                    started_by=request.user,
                )
            except RosterRejected as rejected:
                context["problems"] = rejected.problems
            else:
                self.log_change(
                    request,
                    classroom,
                    ngettext(
                        "Started importing %(count)d student from %(file)s.",
                        "Started importing %(count)d students from %(file)s.",
                        roster_import.job.progress_total,
                    )
                    % {"count": roster_import.job.progress_total, "file": upload.name},
                )
                return HttpResponseRedirect(self._roster_import_url(roster_import))
        context["form"] = form
        context["roster_imports"] = roster_imports_open(classroom=classroom)
        return TemplateResponse(request, "admin/classroom/classroom/import_roster.html", context)

    # --- one roster import: its progress, then its passwords until a teacher saved them -------------------------
    def _roster_import(self, request, object_id, import_id) -> RosterImport:
        """The import, for teachers of its classroom and admins; 404 for everyone else."""
        classroom = self.get_object(request, object_id)
        if classroom is None or not self.has_view_permission(request, classroom):
            raise Http404(gettext("No classroom you teach has this id."))
        roster_import = classroom.roster_imports.select_related("job", "classroom").filter(pk=import_id).first()
        if roster_import is None:
            raise Http404(gettext("This classroom has no roster import with this id."))
        return roster_import

    def _roster_import_url(self, roster_import: RosterImport, view: str = "roster_import") -> str:
        return reverse(f"admin:classroom_classroom_{view}", args=[roster_import.classroom_id, roster_import.pk])

    def roster_import_view(self, request, object_id, import_id):
        roster_import = self._roster_import(request, object_id, import_id)
        job = roster_import.job
        logins = roster_logins(roster_import=roster_import) if job.state == job.State.SUCCEEDED else []
        expires_at = roster_logins_expire_at(roster_import=roster_import)
        context = {
            **self._page_context(request, roster_import.classroom, gettext("Roster import")),
            "roster_import": roster_import,
            "job": job,
            "logins": logins,
            "expires_at": expires_at,
            "logins_expired": expires_at is not None and expires_at <= timezone.now(),
            "kept_days": LOGINS_KEPT_FOR.days,
            "problems": job.result.get("problems", []),
            "progress_url": self._roster_import_url(roster_import, "roster_import_progress"),
            "csv_url": self._roster_import_url(roster_import, "roster_logins_csv"),
            "cards_url": self._roster_import_url(roster_import, "roster_logins_cards"),
            "forget_url": self._roster_import_url(roster_import, "roster_logins_forget"),
        }
        return TemplateResponse(request, "admin/classroom/classroom/roster_import.html", context)

    def roster_import_progress_view(self, request, object_id, import_id):
        job = self._roster_import(request, object_id, import_id).job
        return JsonResponse(
            {
                "state": job.state,
                "done": job.progress_done,
                "total": job.progress_total,
                "percent": job.percent,
                "finished": job.is_finished,
            }
        )

    def _logins_or_404(self, roster_import: RosterImport):
        logins = roster_logins(roster_import=roster_import)
        if not logins:
            raise Http404(gettext("The passwords of this import are no longer kept."))
        return logins

    def _logins_file_name(self, roster_import: RosterImport, extension: str) -> str:
        name = slugify(roster_import.classroom.name) or "classroom"
        return f"{name}-passwords-{timezone.localtime(roster_import.completed_at):%Y-%m-%d}.{extension}"

    def roster_logins_csv_view(self, request, object_id, import_id):
        roster_import = self._roster_import(request, object_id, import_id)
        logins = self._logins_or_404(roster_import)
        response = HttpResponse(csv_bytes(roster_logins_rows(logins=logins)), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self._logins_file_name(roster_import, "csv")}"'
        return response

    def roster_logins_cards_view(self, request, object_id, import_id):
        """One card per student to print and cut: the site's address, the username and the password."""
        roster_import = self._roster_import(request, object_id, import_id)
        context = {
            "roster_import": roster_import,
            "classroom": roster_import.classroom,
            "logins": self._logins_or_404(roster_import),
            "site_url": request.build_absolute_uri(reverse("home")),
            "back_url": self._roster_import_url(roster_import),
        }
        return TemplateResponse(request, "classroom/sign_in_cards.html", context)

    @method_decorator(require_POST)
    def roster_logins_forget_view(self, request, object_id, import_id):
        roster_import = self._roster_import(request, object_id, import_id)
        if roster_import.sealed_logins:
            roster_logins_forget(roster_import=roster_import)
            self.log_change(
                request,
                roster_import.classroom,
                gettext("Deleted the initial passwords of the import of %(file)s.") % {"file": roster_import.file_name},
            )
            self.message_user(
                request,
                gettext("The initial passwords of this import are deleted from the server."),
                messages.SUCCESS,
            )
        return HttpResponseRedirect(self._roster_import_url(roster_import))


class RoundInline(admin.TabularInline):
    model = Round
    fields = ("number", "question", "opened_at", "closed_at", "revealed_at", "answer_count")
    readonly_fields = fields
    ordering = ("number",)
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question__quiz").annotate(answer_count=Count("answers"))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("answers"))
    def answer_count(self, round_: "WithAnnotations[Round, AnswerCount]") -> int:
        return round_.answer_count


@admin.register(LiveSession)
class LiveSessionAdmin(admin.ModelAdmin):
    """Sessions are run from the live pages; here they are only looked at, and their results downloaded."""

    list_display = ("quiz", "classroom", "code", "state", "created_at", "ended_at", "export_link")
    list_filter = ("state", ("classroom", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("quiz", "classroom")
    search_fields = ("code", "quiz__title", "classroom__name")
    date_hierarchy = "created_at"
    fields = (
        "quiz",
        "classroom",
        "code",
        "state",
        "started_by",
        "speed_bonus",
        "allow_guests",
        "created_at",
        "ended_at",
        "export_link",
    )
    readonly_fields = fields
    inlines = (RoundInline,)

    def get_queryset(self, request):
        return sessions_visible_to(user=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<path:object_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name="classroom_livesession_export",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("results"))
    def export_link(self, session: LiveSession) -> str:
        url = reverse("admin:classroom_livesession_export", args=[session.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Download CSV"))

    def export_view(self, request, object_id):
        """Every answer of the session as CSV, for the teachers of its classroom."""
        session = self.get_object(request, object_id)
        if session is None or not self.has_view_permission(request, session):
            raise Http404(gettext("No live session of a classroom you teach has this id."))
        return session_results_response(session)
