from django.core.exceptions import ImproperlyConfigured


def check_production_settings(*, secret_key: str, allowed_hosts: list[str]) -> None:
    """Refuse to start with a missing secret or a host wildcard: both open the site to attacks."""
    if not secret_key or len(secret_key) < 32:
        raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 32 characters.")
    if not allowed_hosts:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names the site is served under.")
    if any(host.strip() in {"*", ".*", ""} for host in allowed_hosts):
        raise ImproperlyConfigured("ALLOWED_HOSTS may not contain a wildcard '*' in production.")
