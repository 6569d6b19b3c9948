from django.core.exceptions import ImproperlyConfigured

# The key local.py falls back on: it is in the source, so anyone can sign a session cookie with it.
DEVELOPMENT_SECRET_KEY = "quizcast-local-development-key-not-for-production"
# Django's own deployment check (security.W009) asks for as much.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT_CHARACTERS = 5
HOW_TO_MAKE_A_KEY = (
    'Generate one with: python3 -c "import secrets; print(secrets.token_urlsafe(50))" '
    "and set it as SECRET_KEY in the environment or in .env beside manage.py (`make run` writes one itself)."
)


def secret_key_problem(secret_key: str) -> str | None:
    """Why a secret key is unsafe to sign sessions with, or None if it is fine."""
    if not secret_key:
        return "SECRET_KEY is not set."
    if secret_key == DEVELOPMENT_SECRET_KEY:
        return "SECRET_KEY is the published development key, which anyone can read in the source."
    if len(secret_key) < SECRET_KEY_MIN_LENGTH:
        return f"SECRET_KEY has {len(secret_key)} characters; it needs at least {SECRET_KEY_MIN_LENGTH}."
    if len(set(secret_key)) < SECRET_KEY_MIN_DISTINCT_CHARACTERS:
        return (
            f"SECRET_KEY has only {len(set(secret_key))} distinct characters; "
            f"a random key has at least {SECRET_KEY_MIN_DISTINCT_CHARACTERS}."
        )
    return None


def check_production_settings(*, secret_key: str, allowed_hosts: list[str]) -> None:
    """Refuse to start with a missing, published or weak secret, or a host wildcard: each opens the site to attacks."""
    if problem := secret_key_problem(secret_key):
        raise ImproperlyConfigured(f"{problem} {HOW_TO_MAKE_A_KEY}")
    if not allowed_hosts:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names the site is served under.")
    if any(host.strip() in {"*", ".*", ""} for host in allowed_hosts):
        raise ImproperlyConfigured("ALLOWED_HOSTS may not contain a wildcard '*' in production.")
