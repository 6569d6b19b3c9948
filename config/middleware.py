"""Middleware of the site as a whole."""

from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.deprecation import MiddlewareMixin

from config.database import RETRY_AFTER_SECONDS, is_unavailable, outage


class DatabaseUnavailableMiddleware(MiddlewareMixin):
    """A page whose database cannot be reached answers a short 503 page with Retry-After, not a 500.

    The page reads nothing from the database (no user, no messages), so it renders while PostgreSQL is down; the
    outage is logged once (config.database), not with a traceback per request. Any other error is left to Django.
    """

    def process_exception(self, request, exception):
        if not is_unavailable(exception):
            return None
        outage.failed(exception)
        response = TemplateResponse(
            request,
            "503.html",
            {"retry_after": RETRY_AFTER_SECONDS, "can_reload": request.method in ("GET", "HEAD")},
            status=503,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        add_never_cache_headers(response)
        return response
