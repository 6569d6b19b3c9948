"""Production: every secret and host comes from the environment, and unsafe values are refused at start."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, SECRET_KEY, env

DEBUG = False


def check_production_settings(*, secret_key: str, allowed_hosts: list[str]) -> None:
    """Refuse to start with a missing secret or a host wildcard: both open the site to attacks."""
    if not secret_key or len(secret_key) < 32:
        raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 32 characters.")
    if not allowed_hosts:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names the site is served under.")
    if any(host.strip() in {"*", ".*"} or host.strip() == "" for host in allowed_hosts):
        raise ImproperlyConfigured("ALLOWED_HOSTS may not contain a wildcard '*' in production.")


check_production_settings(secret_key=SECRET_KEY, allowed_hosts=ALLOWED_HOSTS)

SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
