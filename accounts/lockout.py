"""Sign-in lockout (django-axes): a username is locked at one address after a few failures, an address after many.

Classmates behind one school address are not locked out by one student's typos: the low limit counts failures of
one username from one address; only the much higher SIGN_IN_ADDRESS_FAILURE_LIMIT counts every username.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


class SignInLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, plus a lockout of a whole address once it sprays failures over many usernames."""

    def address_failures(self, request: HttpRequest) -> int:
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def address_locked(self, request: HttpRequest) -> bool:
        return (
            settings.AXES_LOCK_OUT_AT_FAILURE
            and self.address_failures(request) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
        )

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False) or self.is_whitelisted(request, credentials):
            return
        if self.address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The sign-in page's answer while locked out: 429, when to try again, and who can unlock sooner."""
    cool_off = get_cool_off(request)
    context = {"retry_minutes": None, "retry_at": None}
    response_headers = {}
    if cool_off is not None:
        seconds = int(cool_off.total_seconds())
        context["retry_minutes"] = max(1, -(-seconds // 60))
        started = getattr(request, "axes_attempt_time", None) or timezone.now()
        context["retry_at"] = timezone.localtime(started + cool_off)
        response_headers["Retry-After"] = str(seconds)
    response = render(request, "accounts/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    for header, value in response_headers.items():
        response[header] = value
    return response
