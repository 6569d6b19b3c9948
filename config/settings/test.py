"""The test suite. Uses DATABASE_URL / REDIS_URL when set (CI sets both), else SQLite and the in-memory layer."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "quizcast-test-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
RESULTS_PUBLISH_INTERVAL = env.float("RESULTS_PUBLISH_INTERVAL", default=0.05)
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
