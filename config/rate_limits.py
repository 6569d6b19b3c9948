"""Fixed-window request counters in Django's cache (Redis when REDIS_URL is set, so every worker counts together)."""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from redis.exceptions import RedisError

# Seconds since the epoch; tests replace it to step from one window to the next.
clock = time.time

logger = logging.getLogger(__name__)
# What the cache raises while Redis is unreachable. Limits then let requests through: an outage must not stop a class
# from joining, and the database still caps guests per session.
CACHE_ERRORS = (RedisError, OSError)


@dataclass(frozen=True)
class Rate:
    """At most `count` events per window of `seconds`."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """'60/60' is sixty per minute."""
        count, _, seconds = text.partition("/")
        try:
            rate = cls(int(count), int(seconds))
        except ValueError:
            rate = None
        if rate is None or rate.count < 1 or rate.seconds < 1:
            raise ValueError(f"a rate is 'count/seconds' with both at least 1, not {text!r}")
        return rate


@dataclass(frozen=True)
class RateLimit:
    name: str
    rate: Rate

    def _key(self, client: str, window: int) -> str:
        return f"rate:{self.name}:{client}:{window}"

    def _window(self) -> tuple[int, int]:
        """(the current window's number, seconds until it ends)."""
        now = clock()
        window = int(now // self.rate.seconds)
        return window, max(1, int((window + 1) * self.rate.seconds - now + 0.999))

    def retry_after(self, client: str) -> int | None:
        """Seconds until `client` may go on, or None if it is under the limit (or the cache is unreachable)."""
        window, remaining = self._window()
        try:
            count = cache.get(self._key(client, window), 0)
        except CACHE_ERRORS as error:
            logger.warning("rate limit %s not checked: the cache is unreachable (%s)", self.name, error)
            return None
        return remaining if count >= self.rate.count else None

    def hit(self, client: str) -> None:
        window, remaining = self._window()
        key = self._key(client, window)
        try:
            cache.add(key, 0, timeout=remaining + 1)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr: this event opens the next window
                cache.set(key, 1, timeout=self.rate.seconds + 1)
        except CACHE_ERRORS as error:
            logger.warning("rate limit %s not counted: the cache is unreachable (%s)", self.name, error)


def client_address(request: HttpRequest) -> str:
    """The address the server saw; behind the proxy, uvicorn and daphne put the client's there (config/serve.py)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limited_response(request: HttpRequest, retry_after: int) -> HttpResponse:
    """429 with when to try again, in the page and in Retry-After."""
    retry_at = timezone.localtime(timezone.now() + timedelta(seconds=retry_after))
    response = render(
        request,
        "rate_limited.html",
        {"retry_seconds": retry_after, "retry_at": retry_at},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response
