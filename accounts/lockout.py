"""Sign-in lockout (django-axes): a username is locked at one address after a few failures, an address after many.

Classmates behind one school address are not locked out by one student's typos: the low limit counts failures of
one username from one address; only the much higher SIGN_IN_ADDRESS_FAILURE_LIMIT counts every username. Attempts
made while locked out are not counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is off), so hammering one
locked username never adds up to locking the whole address, and a lockout ends at a time the page can tell.
"""

from datetime import datetime

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


def axes_address(request: HttpRequest) -> str:
    """The client address axes' middleware read for this request (it stores it on the request)."""
    address: str = vars(request)["axes_ip_address"]
    return address


class SignInLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, plus a lockout of a whole address once it sprays failures over many usernames."""

    def recent_attempts(self, request: HttpRequest, **filters):
        attempts = AccessAttempt.objects.filter(**filters)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts

    def address_failures(self, request: HttpRequest) -> int:
        attempts = self.recent_attempts(request, ip_address=axes_address(request))
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
                ip_address=axes_address(request),
            )

    def lockout_ends_at(self, request: HttpRequest, credentials=None) -> datetime | None:
        """When the lockouts that hold for this request end: that of the username at this address, once its last
        counted failure is AXES_COOLOFF_TIME old; that of the address, once enough of its failures are."""
        cool_off = get_cool_off(request)
        if cool_off is None:
            return None
        ends = []
        address = axes_address(request)
        username = get_client_username(request, credentials)
        own = list(self.recent_attempts(request, ip_address=address, username=username))
        if sum(attempt.failures_since_start for attempt in own) >= settings.AXES_FAILURE_LIMIT:
            ends.append(max(attempt.attempt_time for attempt in own) + cool_off)
        remaining = self.address_failures(request)
        for attempt in self.recent_attempts(request, ip_address=address).order_by("attempt_time"):
            if remaining < settings.SIGN_IN_ADDRESS_FAILURE_LIMIT:
                break
            remaining -= attempt.failures_since_start
            ends.append(attempt.attempt_time + cool_off)
        return max(ends, default=timezone.now() + cool_off)


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The sign-in page's answer while locked out: 429, until when, and who can unlock sooner."""
    credentials = getattr(request, "axes_credentials", None) or credentials
    ends_at = SignInLockoutHandler().lockout_ends_at(request, credentials)
    context: dict[str, object] = {"retry_minutes": None, "retry_at": None}
    seconds = None
    if ends_at is not None:
        seconds = max(1, int((ends_at - timezone.now()).total_seconds()))
        context["retry_minutes"] = -(-seconds // 60)
        context["retry_at"] = timezone.localtime(ends_at)
    response = render(request, "accounts/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    if seconds is not None:
        response["Retry-After"] = str(seconds)
    return response
