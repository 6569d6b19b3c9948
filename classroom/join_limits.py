"""Rate limits per client address on the pages that take a code: guest joins, and codes that lead nowhere.

A whole class behind one school address joins well within them; a script filling a session with guests or guessing
codes does not. Over a limit, a page answers 429 without looking the code up.
"""

from functools import wraps

from django.conf import settings

from classroom.codes import normalize_code
from classroom.models import LiveSession
from config.rate_limits import Rate, RateLimit, client_address, rate_limited_response


def join_limits() -> tuple[RateLimit, RateLimit]:
    return (
        RateLimit("join", Rate.parse(settings.JOIN_RATE_LIMIT)),
        RateLimit("join-wrong-code", Rate.parse(settings.JOIN_WRONG_CODE_RATE_LIMIT)),
    )


def over_limit_response(request, *limits: RateLimit):
    """The 429 answer if the client is over any of `limits`, else None."""
    address = client_address(request)
    waits = [wait for wait in (limit.retry_after(address) for limit in limits) if wait]
    return rate_limited_response(request, max(waits)) if waits else None


def wrong_code_noted(request) -> None:
    """Count a code that led nowhere against the client's address."""
    join_limits()[1].hit(client_address(request))


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
        refused = over_limit_response(request, joins, wrong_codes)
        if refused:
            return refused
        if not code_leads_somewhere(code=code, user=request.user):
            wrong_codes.hit(address)
        elif request.method == "POST" and "display_name" in request.POST:
            joins.hit(address)
        return view(request, *args, **kwargs)

    return limited


def session_page_rate_limited(view):
    """The page of a session by its code (/s/<code>/): a code that leads nowhere for this visitor (as on /join/), or
    a session a signed-in visitor may not join (403), counts as a wrong code, so codes cannot be enumerated there
    either."""

    @wraps(view)
    def limited(request, code: str, *args, **kwargs):
        refused = over_limit_response(request, join_limits()[1])
        if refused:
            return refused
        if not code_leads_somewhere(code=normalize_code(code), user=request.user):
            wrong_code_noted(request)
            return view(request, code, *args, **kwargs)
        response = view(request, code, *args, **kwargs)
        if response.status_code == 403:
            wrong_code_noted(request)
        return response

    return limited


def wrong_codes_limited(view):
    """Refuse a client over the wrong-code limit; the view calls wrong_code_noted for each code that fails."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        return over_limit_response(request, join_limits()[1]) or view(request, *args, **kwargs)

    return limited
