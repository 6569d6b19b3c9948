"""Rate limits on /join/ per client address: guest joins, and codes that lead nowhere.

A whole class behind one school address joins well within them; a script filling a session with guests or guessing
codes does not. Over a limit, /join/ answers 429 without looking the code up.
"""

from functools import wraps

from django.conf import settings
from django.http import Http404

from classroom.codes import normalize_code
from classroom.models import LiveSession
from config.rate_limits import Rate, RateLimit, client_address, rate_limited_response


def join_limits() -> tuple[RateLimit, RateLimit]:
    return (
        RateLimit("join", Rate.parse(settings.JOIN_RATE_LIMIT)),
        RateLimit("join-wrong-code", Rate.parse(settings.JOIN_WRONG_CODE_RATE_LIMIT)),
    )


def code_leads_somewhere(*, code: str, user) -> bool:
    """A live session has the code and takes this visitor: as a guest, or signed in (their rights are checked on
    the session's page). Both "no such session" and "no guests" are the same wrong code to a visitor."""
    sessions = LiveSession.objects.filter(code=code).exclude(state=LiveSession.State.ENDED)
    if not user.is_authenticated or user.is_guest:
        sessions = sessions.filter(allow_guests=True)
    return sessions.exists()


def join_rate_limited(view):
    @wraps(view)
    def limited(request, *args, **kwargs):
        code = normalize_code(request.POST.get("code") or request.GET.get("code") or "")
        if not code:
            return view(request, *args, **kwargs)
        address = client_address(request)
        joins, wrong_codes = join_limits()
        waits = [wait for wait in (joins.retry_after(address), wrong_codes.retry_after(address)) if wait]
        if waits:
            return rate_limited_response(request, max(waits))
        if not code_leads_somewhere(code=code, user=request.user):
            wrong_codes.hit(address)
        elif request.method == "POST" and "display_name" in request.POST:
            joins.hit(address)
        return view(request, *args, **kwargs)

    return limited


def session_page_rate_limited(view):
    """The student page of a session by its code (/s/<code>/): a code that is no session (404) or a session the
    visitor may not join (403) counts as a wrong code, so signed-in students cannot enumerate codes there either."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        address = client_address(request)
        _joins, wrong_codes = join_limits()
        wait = wrong_codes.retry_after(address)
        if wait:
            return rate_limited_response(request, wait)
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            wrong_codes.hit(address)
            raise
        if response.status_code == 403:
            wrong_codes.hit(address)
        return response

    return limited
