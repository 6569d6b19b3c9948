"""Pages of live sessions. Each view parses input, calls one service or selector, and renders."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.requests import SignedInRequest
from classroom import services
from classroom.codes import normalize_code
from classroom.errors import DomainError
from classroom.forms import ClassroomJoinForm, GuestJoinForm, JoinCodeForm, SessionStartForm
from classroom.join_limits import (
    join_rate_limited,
    session_page_rate_limited,
    wrong_code_noted,
    wrong_codes_limited,
)
from classroom.joining import join_links, qr_svg
from classroom.models import LiveSession
from classroom.reports import classroom_student, finished_paced_sessions, session_report, student_sessions
from classroom.selectors import accommodations_for, classrooms_taught_by, extra_time_count, sessions_visible_to
from classroom.spreadsheets import (
    session_audit_response,
    session_results_response,
    session_totals_response,
    session_workbook_response,
)


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if request.user.is_teacher:
        return redirect("dashboard")
    return redirect("student_home")


def _teacher_session(request: SignedInRequest, session_id: int) -> LiveSession:
    if not request.user.is_teacher:
        raise Http404
    return get_object_or_404(sessions_visible_to(user=request.user), pk=session_id)


@login_required
@require_http_methods(["GET", "POST"])
def dashboard(request: SignedInRequest) -> HttpResponse:
    if not request.user.is_teacher:
        return redirect("student_home")
    form = SessionStartForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_start(started_by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.localized)
        else:
            return redirect("session_control", session_id=session.pk)
    sessions = sessions_visible_to(user=request.user)
    return render(
        request,
        "classroom/dashboard.html",
        {
            "form": form,
            "live_sessions": sessions.exclude(state=LiveSession.State.ENDED)[:20],
            "past_sessions": sessions.filter(state=LiveSession.State.ENDED)[:20],
            "classrooms": classrooms_taught_by(user=request.user),
        },
    )


def _session_page_context(request: HttpRequest, session: LiveSession, role: str) -> dict:
    adapted: dict[str, object]
    if role == "student" and request.user.is_authenticated:
        adapted = {"accommodations": accommodations_for(classroom_id=session.classroom_id, student=request.user)}
    else:
        adapted = {"extraTimeCount": extra_time_count(classroom_id=session.classroom_id)}
    links = join_links(request, session.code)
    return {
        "session": session,
        "ended": session.state == LiveSession.State.ENDED,
        "join_url": links.session_url,
        "join_address": links.address,
        "join_qr": qr_svg(links.session_url, title=_("QR code of the link to join %(code)s") % {"code": session.code})
        if role != "student"
        else None,
        "page_config": {
            "role": role,
            "sessionId": session.pk,
            "code": session.code,
            "socketPath": f"/ws/sessions/{session.pk}/{role}/",
            "exportUrl": reverse("session_export", args=[session.pk]) if role != "student" else None,
            **adapted,
        },
    }


TEACHER_PAGES = {"teacher": "classroom/session_control.html", "projector": "classroom/session_projector.html"}


def _teacher_page(request: SignedInRequest, session_id: int, role: str) -> HttpResponse:
    session = _teacher_session(request, session_id)
    template = TEACHER_PAGES[role]
    if session.student_paced and role == "teacher":
        template = "classroom/session_paced_control.html"
    if role == "projector" and session.language:  # the teacher fixed the projector's language for the class
        with translation.override(session.language):
            response = render(request, template, _session_page_context(request, session, role))
            response.headers["Content-Language"] = session.language
            return response
    return render(request, template, _session_page_context(request, session, role))


@login_required
def session_control(request: SignedInRequest, session_id: int) -> HttpResponse:
    return _teacher_page(request, session_id, "teacher")


@login_required
def session_projector(request: SignedInRequest, session_id: int) -> HttpResponse:
    return _teacher_page(request, session_id, "projector")


@login_required
def session_export(request: SignedInRequest, session_id: int) -> HttpResponse:
    return session_results_response(_teacher_session(request, session_id))


@login_required
def session_totals_export(request: SignedInRequest, session_id: int) -> HttpResponse:
    return session_totals_response(_teacher_session(request, session_id))


@login_required
def session_workbook_export(request: SignedInRequest, session_id: int) -> HttpResponse:
    return session_workbook_response(_teacher_session(request, session_id))


@login_required
def session_audit_export(request: SignedInRequest, session_id: int) -> HttpResponse:
    return session_audit_response(_teacher_session(request, session_id))


@login_required
def session_report_page(request: SignedInRequest, session_id: int) -> HttpResponse:
    session = _teacher_session(request, session_id)
    return render(request, "classroom/session_report.html", {"report": session_report(session=session)})


@login_required
def student_report_page(request: SignedInRequest, classroom_id: int, student_id: int) -> HttpResponse:
    """One student's sessions in a classroom the user teaches: 404 for anyone else, and for a student who never
    belonged to the classroom or took part in its sessions."""
    if not request.user.is_teacher:
        raise Http404
    classroom = get_object_or_404(classrooms_taught_by(user=request.user), pk=classroom_id)
    student = classroom_student(classroom=classroom, student_id=student_id)
    if student is None:
        raise Http404
    return render(
        request,
        "classroom/student_report.html",
        {
            "classroom": classroom,
            "student": student,
            "taken": student_sessions(student=student, classroom=classroom),
        },
    )


@login_required
def my_results(request: SignedInRequest) -> HttpResponse:
    """A student's own past sessions and answers: only questions already revealed or of sessions that ended."""
    if not request.user.is_student:
        raise Http404
    return render(
        request, "classroom/my_results.html", {"taken": student_sessions(student=request.user, for_student=True)}
    )


@login_required
def student_home(request: SignedInRequest) -> HttpResponse:
    sessions = (
        LiveSession.objects.filter(classroom__enrolments__student=request.user)
        .exclude(state=LiveSession.State.ENDED)
        .select_related("quiz", "classroom")
    )
    return render(
        request,
        "classroom/student_home.html",
        {
            "sessions": sessions,
            "finished_paced": finished_paced_sessions(student=request.user),
            "form": JoinCodeForm(),
            "classroom_form": ClassroomJoinForm(),
        },
    )


MAX_CODE_LENGTH = 12  # the join form's limit; session codes have 6 characters, classroom codes 8


def _live_session(code: str) -> LiveSession | None:
    if not code:
        return None
    return (
        LiveSession.objects.select_related("quiz", "classroom")
        .exclude(state=LiveSession.State.ENDED)
        .filter(code=code)
        .first()
    )


def _sign_in_to_join(request: HttpRequest, code: str) -> HttpResponse:
    """The one answer a signed-out visitor gets for a code that has no live session and for a session that takes
    no guests, so that codes cannot be tried out: sign in, then come back to the session. (Text that cannot be a
    code at all, such as one with a slash, is simply refused: no session could have it.)"""
    if not (code.isalnum() and len(code) <= MAX_CODE_LENGTH):
        messages.error(request, _("No live session has that code. Check it and try again."))
        return render(request, "classroom/join.html", {"form": JoinCodeForm(initial={"code": code[:MAX_CODE_LENGTH]})})
    return render(
        request,
        "classroom/join.html",
        {
            "form": JoinCodeForm(initial={"code": code}),
            "sign_in_code": code,
            "sign_in_next": reverse("student_session", args=[code]),
        },
    )


@session_page_rate_limited
def student_session(request: HttpRequest, code: str) -> HttpResponse:
    """The session's direct link (the QR code on the wall). Signed-in students of the class go straight in; a
    visitor signs in and comes back here, or types a name where the teacher lets guests join."""
    code = normalize_code(code)
    if not request.user.is_authenticated:
        session = _live_session(code)
        if session is None or not session.allow_guests:
            return _sign_in_to_join(request, code)
        return _guest_join_page(request, session, GuestJoinForm())
    session = get_object_or_404(LiveSession.objects.select_related("quiz", "classroom"), code=code)
    if request.user.is_teacher and services.user_teaches(user=request.user, classroom=session.classroom):
        return redirect("session_control", session_id=session.pk)
    if not services.student_may_join(student=request.user, session=session):
        # Holding the code does not make someone a member: the page names neither the classroom nor the quiz. Only a
        # member (removed, or enrolled while joining is locked) is told why.
        if services.student_is_removed(student=request.user, session=session):
            reason = "removed"
        elif session.joining_locked and session.classroom.enrolments.filter(student=request.user).exists():
            reason = "locked"
        else:
            reason = "not_enrolled"
        return render(request, "classroom/not_in_classroom.html", {"reason": reason}, status=403)
    template = "classroom/student_paced.html" if session.student_paced else "classroom/student_session.html"
    return render(request, template, _session_page_context(request, session, "student"))


def _guest_join_page(request: HttpRequest, session: LiveSession, guest_form: GuestJoinForm) -> HttpResponse:
    return render(
        request,
        "classroom/join.html",
        {"form": JoinCodeForm(initial={"code": session.code}), "session": session, "guest_form": guest_form},
    )


@require_http_methods(["GET", "POST"])
@join_rate_limited
def join(request: HttpRequest) -> HttpResponse:
    """Enter a session code. Signed-in users go to the session; others sign in, or join as a guest if allowed."""
    code = normalize_code(request.POST.get("code") or request.GET.get("code") or "")
    session = _live_session(code)
    if code and not request.user.is_authenticated and (session is None or not session.allow_guests):
        return _sign_in_to_join(request, code)
    if code and session is None:
        messages.error(request, _("No live session has that code. Check it and try again."))
    if session and request.user.is_authenticated:
        if (
            request.user.is_guest
            and session.allow_guests
            and not services.student_may_join(student=request.user, session=session)
        ):
            logout(request)  # a guest of an earlier session joins this one as a new guest
        else:
            return redirect("student_session", code=session.code)
    if session is None:
        return render(request, "classroom/join.html", {"form": JoinCodeForm(initial={"code": code})})
    guest_form = GuestJoinForm(request.POST if "display_name" in request.POST else None)
    if guest_form.is_bound and guest_form.is_valid():
        try:
            session, guest = services.session_join_as_guest(
                code=session.code, display_name=guest_form.cleaned_data["display_name"]
            )
        except DomainError as error:
            guest_form.add_error(None, error.localized)
        else:
            login(request, guest, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("student_session", code=session.code)
    return _guest_join_page(request, session, guest_form)


@login_required
@require_http_methods(["POST"])
@wrong_codes_limited
def classroom_join(request: SignedInRequest) -> HttpResponse:
    form = ClassroomJoinForm(request.POST)
    if form.is_valid():
        try:
            classroom = services.classroom_self_enrol(student=request.user, join_code=form.cleaned_data["join_code"])
        except DomainError as error:
            wrong_code_noted(request)
            messages.error(request, error.localized)
        else:
            messages.success(request, _("You joined %(name)s.") % {"name": classroom.name})
    return redirect("student_home")
