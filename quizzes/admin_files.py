"""The quiz admin's question files: import with a preview, export, and the spreadsheet template.

An import takes two steps. The upload is read and checked (`file_preview`) and nothing is saved: the page lists
every question that will be created and every line that will not, with the reason. The drafts wait in the teacher's
session under a random token; "Import" posts the token back and `questions_import` creates them all in one
transaction, or nothing. The file is uploaded once.
"""

import io
import secrets
import zipfile

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from quizzes.formats import (
    ACCEPTED_EXTENSIONS,
    EXPORT_FORMATS,
    FORMAT_LABELS,
    MAX_FILE_BYTES,
    file_too_large,
    template_drafts,
)
from quizzes.formats.checks import file_preview
from quizzes.formats.drafts import FileRefused, drafts_from_json, drafts_to_json
from quizzes.formats.spreadsheet import write_xlsx
from quizzes.models import Quiz
from quizzes.services import ExportedFile, ImportRejected, questions_import, quiz_export

SESSION_KEY = "quizzes.question_import"


class QuestionFileForm(forms.Form):
    file = forms.FileField(
        label=_("Question file"),
        help_text=_(
            "GIFT (.gift, .txt), Moodle XML (.xml), Aiken (.txt), CSV (.csv) or Excel (.xlsx), or a ZIP archive of "
            "a spreadsheet and its pictures (as Quizcast exports it); at most 5 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
    )


def _quiz_to_change(model_admin, request, object_id) -> Quiz:
    quiz = model_admin.get_object(request, object_id)
    if quiz is None:
        raise Http404(gettext("No quiz of yours has this id."))
    if not model_admin.has_change_permission(request, quiz):
        raise PermissionDenied
    return quiz


def _context(model_admin, request, quiz: Quiz, title: str) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": quiz,
        "title": title,
        "template_url": reverse("admin:quizzes_quiz_import_template"),
    }


def import_view(model_admin, request, object_id):
    """Upload (GET, POST with a file), preview, then confirm (POST with the preview's token) or cancel."""
    quiz = _quiz_to_change(model_admin, request, object_id)
    context = _context(model_admin, request, quiz, gettext("Import questions"))
    if request.method == "POST" and "token" in request.POST:
        return _confirm(model_admin, request, quiz, context)
    form = QuestionFileForm(request.POST, request.FILES) if request.method == "POST" else QuestionFileForm()
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_FILE_BYTES:
                raise file_too_large()
            preview = file_preview(quiz=quiz, name=upload.name, data=upload.read(MAX_FILE_BYTES + 1))
        except FileRefused as refused:
            form.add_error("file", refused.message)
        else:
            token = secrets.token_urlsafe(16)
            request.session[SESSION_KEY] = {
                "token": token,
                "quiz": quiz.pk,
                "file": upload.name,
                "drafts": drafts_to_json(preview.ready),
            }
            context.update(
                title=gettext("Import questions: preview"),
                preview=preview,
                format_label=FORMAT_LABELS.get(preview.format, preview.format),
                file_name=upload.name,
                token=token,
            )
            return TemplateResponse(request, "admin/quizzes/quiz/import_preview.html", context)
    context["form"] = form
    context["formats"] = FORMAT_LABELS.values()
    return TemplateResponse(request, "admin/quizzes/quiz/import_questions.html", context)


def _confirm(model_admin, request, quiz: Quiz, context: dict):
    pending = request.session.get(SESSION_KEY)
    change_url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    if not pending or pending["token"] != request.POST["token"] or pending["quiz"] != quiz.pk:
        model_admin.message_user(
            request, gettext("This preview is no longer current; please upload the file again."), messages.ERROR
        )
        return HttpResponseRedirect(reverse("admin:quizzes_quiz_import", args=[quiz.pk]))
    if "cancel" in request.POST:
        del request.session[SESSION_KEY]
        model_admin.message_user(request, gettext("Nothing was imported."), messages.INFO)
        return HttpResponseRedirect(change_url)
    try:
        created = questions_import(quiz=quiz, drafts=drafts_from_json(pending["drafts"]))
    except ImportRejected as rejected:
        context.update(problems=rejected.problems, form=QuestionFileForm(), formats=FORMAT_LABELS.values())
        return TemplateResponse(request, "admin/quizzes/quiz/import_questions.html", context)
    del request.session[SESSION_KEY]
    summary = ngettext(
        "Imported %(count)d question from %(file)s.", "Imported %(count)d questions from %(file)s.", len(created)
    ) % {"count": len(created), "file": pending["file"]}
    model_admin.log_change(request, quiz, summary)
    model_admin.message_user(request, summary, messages.SUCCESS)
    return HttpResponseRedirect(change_url)


def _download(exported: ExportedFile) -> HttpResponse:
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.name}"'
    return response


def export_view(model_admin, request, object_id, format_name: str):
    """The quiz as a file; when the format must leave questions out, first a page that lists them and offers the
    spreadsheet, which keeps them, or the file without them (`?leave_out=1`)."""
    quiz = model_admin.get_object(request, object_id)
    if quiz is None or format_name not in EXPORT_FORMATS:
        raise Http404(gettext("No quiz of yours has this id."))
    exported = quiz_export(quiz=quiz, format_name=format_name)
    if exported.left_out and request.GET.get("leave_out") != "1":
        context = _left_out_context(model_admin, request, format_name, [(quiz, exported)])
        context.update(
            original=quiz,
            download_url=request.path + "?leave_out=1",
            spreadsheet_url=reverse("admin:quizzes_quiz_export", args=[quiz.pk, "xlsx"]),
            back_url=reverse("admin:quizzes_quiz_change", args=[quiz.pk]),
        )
        return TemplateResponse(request, "admin/quizzes/quiz/export_left_out.html", context)
    return _download(exported)


def _left_out_context(model_admin, request, format_name: str, exports: list[tuple[Quiz, ExportedFile]]) -> dict:
    label = EXPORT_FORMATS[format_name].label
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": gettext("Some questions cannot be exported as %(format)s") % {"format": label},
        "format_label": label,
        "left_out": [(quiz, exported.left_out) for quiz, exported in exports if exported.left_out],
    }


def export_response(model_admin, request, queryset, format_name: str) -> HttpResponse:
    """One quiz as its file; several as a ZIP archive of their files. When the format must leave questions out,
    first a page that lists them and offers the spreadsheet instead, or the files without them."""
    exports = [(quiz, quiz_export(quiz=quiz, format_name=format_name)) for quiz in queryset]
    if any(exported.left_out for _quiz, exported in exports) and request.POST.get("leave_out") != "1":
        context = _left_out_context(model_admin, request, format_name, exports)
        context.update(
            action=f"export_{format_name}",
            selected=[quiz.pk for quiz, _exported in exports],
            back_url=reverse("admin:quizzes_quiz_changelist"),
        )
        return TemplateResponse(request, "admin/quizzes/quiz/export_left_out.html", context)
    exported = [file for _quiz, file in exports]
    if len(exported) == 1:
        return _download(exported[0])
    buffer = io.BytesIO()
    names: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, file in enumerate(exported, start=1):
            name = file.name if file.name not in names else f"{number}-{file.name}"
            names.add(name)
            archive.writestr(name, file.content)
    return _download(ExportedFile(f"quizzes-{format_name}.zip", "application/zip", buffer.getvalue()))


def template_view(request):
    """Quizcast's spreadsheet template: the header row and one example question of every type."""
    return _download(
        ExportedFile(
            "quizcast-questions-template.xlsx", EXPORT_FORMATS["xlsx"].content_type, write_xlsx(template_drafts())
        )
    )
