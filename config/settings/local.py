"""Development: `make dev`. Debug on, a fixed development key, this machine only. `make run` uses classroom.py."""

from config.checks import DEVELOPMENT_SECRET_KEY

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
