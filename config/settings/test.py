"""The test suite.

`make test` runs on the real services when they answer: PostgreSQL at 127.0.0.1:5432 (database `test`) and Redis at
127.0.0.1:6379, as on CI. Otherwise, or with QUIZCAST_TEST_SERVICES=off, it runs on SQLite and the in-memory layer.
DATABASE_URL and REDIS_URL, when set, win over both.

With CI set (any CI service sets it), there is no falling back: a run without PostgreSQL or Redis would pass while
leaving out every test on the real services, so it stops here instead (and tests/services fail rather than skip).
"""

import os
import socket

from django.core.exceptions import ImproperlyConfigured

from config.database import with_generic_plans

from .base import *  # noqa: F403
from .base import (
    REDIS_CHANNEL_LAYER,
    caches_for,
    channel_layers_for,
    env,
)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def require_services(*, ci: bool, use_services: bool, missing: list[str]) -> None:
    """On CI the suite runs on the real services or not at all."""
    if not ci:
        return
    if not use_services:
        raise ImproperlyConfigured("QUIZCAST_TEST_SERVICES=off is refused on CI: the suite must run on the services")
    if missing:
        raise ImproperlyConfigured(f"CI is set but {' and '.join(missing)} did not answer: start them (.ci/run does)")


# Set to anything but a "false" word (GitHub and GitLab set "true", Woodpecker its own name); as in tests/ci.py.
ON_CI = env("CI", default="").strip().lower() not in ("", "0", "false", "no", "off")
USE_SERVICES = env("QUIZCAST_TEST_SERVICES", default="auto") != "off"
require_services(
    ci=ON_CI,
    use_services=USE_SERVICES,
    missing=[
        f"{name} at 127.0.0.1:{port}"
        for name, port, configured in (("PostgreSQL", 5432, "DATABASE_URL"), ("Redis", 6379, "REDIS_URL"))
        if ON_CI and configured not in os.environ and not reachable("127.0.0.1", port)
    ],
)
if "DATABASE_URL" not in os.environ and USE_SERVICES and reachable("127.0.0.1", 5432):
    DATABASES = {"default": env.db_url_config("postgres://postgres@127.0.0.1:5432/test")}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Several test runs may share one server (a developer's and CI's): each gets its own database.
    DATABASES["default"]["TEST"] = {"NAME": f"test_quizcast_{os.getpid()}"}
# The live path's statements run prepared, as on a pooled worker (config.database.prepared_cursor), though the
# suite has no pool: a test's connection lives through the test.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
with_generic_plans(DATABASES["default"], prepared_statements=DATABASE_PREPARED_STATEMENTS)
TEST_REDIS_URL = env("REDIS_URL", default="")
if not TEST_REDIS_URL and USE_SERVICES and reachable("127.0.0.1", 6379):
    TEST_REDIS_URL = "redis://127.0.0.1:6379/1"
REDIS_URL = TEST_REDIS_URL
CHANNEL_LAYERS = channel_layers_for(REDIS_URL, REDIS_CHANNEL_LAYER, prefix=f"quizcast-test-{os.getpid()}")
# Every test gets a fresh key prefix as well (tests/conftest.py), so rate-limit counters never carry over.
CACHES = caches_for(REDIS_URL, prefix=f"quizcast-test-{os.getpid()}")

DEBUG = False
SECRET_KEY = "quizcast-test-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
INITIAL_PASSWORD_HASHER = "md5"
# Tests run jobs themselves (tests/jobs/): no runner thread of its own in the test process.
JOBS_RUNNER_AUTOSTART = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
RESULTS_PUBLISH_INTERVAL = env.float("RESULTS_PUBLISH_INTERVAL", default=0.05)
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
