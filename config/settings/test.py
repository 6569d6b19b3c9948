"""The test suite.

`make test` runs on the real services when they answer: PostgreSQL at 127.0.0.1:5432 (database `test`) and Redis at
127.0.0.1:6379, as on CI. Otherwise, or with QUIZCAST_TEST_SERVICES=off, it runs on SQLite and the in-memory layer.
DATABASE_URL and REDIS_URL, when set, win over both.
"""

import os
import socket

from .base import *  # noqa: F403
from .base import REDIS_CHANNEL_LAYER, channel_layers_for, env


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


USE_SERVICES = env("QUIZCAST_TEST_SERVICES", default="auto") != "off"
if "DATABASE_URL" not in os.environ and USE_SERVICES and reachable("127.0.0.1", 5432):
    DATABASES = {"default": env.db_url_config("postgres://postgres@127.0.0.1:5432/test")}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Several test runs may share one server (a developer's and CI's): each gets its own database.
    DATABASES["default"]["TEST"] = {"NAME": f"test_quizcast_{os.getpid()}"}
TEST_REDIS_URL = env("REDIS_URL", default="")
if not TEST_REDIS_URL and USE_SERVICES and reachable("127.0.0.1", 6379):
    TEST_REDIS_URL = "redis://127.0.0.1:6379/1"
REDIS_URL = TEST_REDIS_URL
CHANNEL_LAYERS = channel_layers_for(REDIS_URL, REDIS_CHANNEL_LAYER, prefix=f"quizcast-test-{os.getpid()}")

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
