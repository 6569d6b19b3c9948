"""Settings shared by every environment.

Everything an operator may change comes from the environment (see README "Configuration"). With nothing set the
app runs on a SQLite file and the in-memory channel layer, in one process.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _
from redis.connection import parse_url as parse_redis_url

from config.database import pool_options, with_generic_plans
from config.garbage_collection import thresholds_from

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "crispy_forms",
    "crispy_bootstrap5",
    "accounts",
    "quizzes",
    "classroom",
    "realtime",
    "jobs",
    "accounts.apps.SignInLockoutsConfig",  # django-axes
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Connections are opened per unit of work and closed after it: persistent connections are unsafe across the
# threads ASGI code hops between.
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"].setdefault("OPTIONS", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# DATABASE_POOL_SIZE > 0: PostgreSQL connections come from a pool in each process (Django's own, psycopg_pool).
# Opening a connection costs ~7 ms, paid by every database_sync_to_async call of a socket without a pool; with one,
# a push reaches 1,000 students in half the time (docs/performance.md). Closing a connection after a unit of work,
# as above, hands it back to the pool. docker-compose.yml turns it on (8), as the benchmark measured it; the bare
# default stays off for SQLite. While the database is unreachable a pooled worker waits up to `timeout` for a
# connection, so that wait is kept as short as the health check's database budget.
DATABASE_POOL_SIZE = env.int("DATABASE_POOL_SIZE", default=0)
DATABASE_POOL_TIMEOUT = 3
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DATABASE_POOL_SIZE > 0:
    DATABASES["default"]["OPTIONS"]["pool"] = pool_options(max_size=DATABASE_POOL_SIZE, timeout=DATABASE_POOL_TIMEOUT)
    # Django then passes psycopg_pool's `check_connection` as the pool's `check`: every connection is checked (one
    # round trip) before a request gets it, and one that a PostgreSQL restart broke is replaced.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The statements of a push, a batch of answers and the live results are prepared, once per connection, on
# PostgreSQL (config.database.prepared_cursor). That pays where connections live on: with a pool. Off for a pooler
# that hands a connection to a new client every transaction.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=DATABASE_POOL_SIZE > 0)
# ...and each is planned once, from its first run (config.database.with_generic_plans).
with_generic_plans(DATABASES["default"], prepared_statements=DATABASE_PREPARED_STATEMENTS)
# A push's commit does not wait for the disk (classroom/push.py): a crash of PostgreSQL or of its machine within a
# fraction of a second of a push can lose that push, never an acknowledged answer. True: it waits, as every other
# commit does.
DATABASE_PUSH_SYNCHRONOUS_COMMIT = env.bool("DATABASE_PUSH_SYNCHRONOUS_COMMIT", default=False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# The first hasher hashes every password people choose; the last one only the random initial passwords of a roster
# import (accounts/hashers.py), which the first sign-in rehashes with the first.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "accounts.hashers.InitialPasswordHasher",
]
INITIAL_PASSWORD_HASHER = "pbkdf2_sha256_initial"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env("LANGUAGE_CODE", default="en")
# The language follows the browser (Accept-Language) unless a person picks one in the footer (a cookie).
LANGUAGES = [
    ("en", _("English")),
    ("it", _("Italian")),
    ("es", _("Spanish")),
    ("pl", _("Polish")),
    ("de", _("German")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Uploaded question images: anything larger is refused with a message. Accepted images are decoded and encoded
# again by Pillow (quizzes/validation.py): no more than QUESTION_IMAGE_MAX_PIXELS, at most QUESTION_IMAGE_MAX_SIDE
# pixels on their longest side once stored.
QUESTION_IMAGE_MAX_BYTES = env.int("QUESTION_IMAGE_MAX_BYTES", default=2 * 1024 * 1024)
QUESTION_IMAGE_MAX_PIXELS = env.int("QUESTION_IMAGE_MAX_PIXELS", default=16_000_000)
QUESTION_IMAGE_MAX_SIDE = env.int("QUESTION_IMAGE_MAX_SIDE", default=1920)
# A request body larger than this is refused with 413 before it is read (config/request_limits.py); nginx's
# client_max_body_size (deploy/nginx.conf) says the same. Form fields other than files may take 5 MiB of it.
REQUEST_MAX_BODY_BYTES = env.int("REQUEST_MAX_BODY_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Words a word cloud never shows, by interface language; every list applies whatever the page's language, since a
# class may answer in any of them. Edit these lists here, or add words with WORDCLOUD_EXTRA_BLOCKED_WORDS.
# Matching is by whole words, ignoring case and accents: an answer is hidden whole when one of its words is a blocked
# word ("you are STÚPID!" with "stupid" blocked), never because a longer word holds the letters of one ("Scunthorpe"
# is shown though "cunt" is blocked). Words are split at spaces and punctuation; an entry of several words ("son of
# a") hides answers holding those words in a row. Inflected forms are other words: list each one to block.
WORDCLOUD_BLOCKED_WORDS: dict[str, list[str]] = {
    "en": ["fuck", "shit", "bitch", "bastard", "asshole", "dick", "cunt", "wanker", "slut", "whore"],
    "it": ["cazzo", "merda", "stronzo", "vaffanculo", "troia", "puttana", "coglione", "minchia"],
    "es": ["mierda", "puta", "cabron", "gilipollas", "joder", "coño", "pendejo", "culero"],
    "pl": ["kurwa", "chuj", "pierdol", "jebac", "cipa", "skurwysyn", "dupek", "pizda"],
    "de": ["scheisse", "arschloch", "fotze", "hure", "wichser", "schlampe", "fick", "missgeburt"],
}
WORDCLOUD_EXTRA_BLOCKED_WORDS = env.list("WORDCLOUD_EXTRA_BLOCKED_WORDS", default=[])

# --- background jobs (jobs/) ---------------------------------------------------------------------------------
# Each server process runs queued jobs (roster imports) in a thread started with its first request.
JOBS_RUNNER_AUTOSTART = env.bool("JOBS_RUNNER_AUTOSTART", default=True)

# --- realtime -------------------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# "pubsub" or "core": which channels-redis layer carries broadcasts between workers (docs/operations.md).
REDIS_CHANNEL_LAYER = env("REDIS_CHANNEL_LAYER", default="pubsub")
# Browsers whose Origin header may open a WebSocket, besides the site's own host.
WEBSOCKET_ALLOWED_ORIGINS = env.list("WEBSOCKET_ALLOWED_ORIGINS", default=[])
# Largest WebSocket text frame the server accepts from a client; larger ones close the socket with 1009.
WEBSOCKET_MAX_MESSAGE_BYTES = env.int("WEBSOCKET_MAX_MESSAGE_BYTES", default=4096)
# A socket whose client takes no data for this many seconds (it stopped reading) is closed with 1013; the client
# reconnects and resumes by snapshot (realtime/outbox.py).
WEBSOCKET_SLOW_READER_LIMIT = env.float("WEBSOCKET_SLOW_READER_LIMIT", default=10.0)
# Under uvicorn, broadcasts are framed once and written straight to each socket's connection (realtime/direct_send.py);
# false sends every frame through ASGI, as under daphne. The worker logs at start which path its sockets take.
WEBSOCKET_DIRECT_WRITES = env.bool("WEBSOCKET_DIRECT_WRITES", default=True)
# The worker's garbage collector: the young generation collected every 10,000 net new objects rather than 700, so a
# burst of answers no longer sets off full collections that walk every connected socket (config/garbage_collection.py).
# Three numbers for gc.set_threshold; empty keeps Python's (700,10,10).
WORKER_GC_THRESHOLDS = thresholds_from(env("WORKER_GC_THRESHOLDS", default="10000,10,10"))
# Guests (people without an account, when a teacher allows them) one live session takes at most.
MAX_GUESTS_PER_SESSION = env.int("MAX_GUESTS_PER_SESSION", default=200)
# Teacher results are re-sent at most this often per session (seconds).
RESULTS_PUBLISH_INTERVAL = env.float("RESULTS_PUBLISH_INTERVAL", default=0.1)
# The rows of a student-paced session's grid that changed are sent to teachers at most this often (seconds).
PACED_GRID_PUBLISH_INTERVAL = env.float("PACED_GRID_PUBLISH_INTERVAL", default=0.1)


def redis_connection_kwargs(url: str) -> dict:
    """redis-py settings for channels-redis, set explicitly.

    redis-py 8 defaults to a 5 s socket timeout, which collides with the core layer's 5 s blocking read and crashes
    idle consumers; it also caps a pool at 100 connections, and with the core layer every group_send in flight
    holds one, so a busy worker got "Too many connections". Both are set here on purpose. channels-redis hands
    every key but `address` to redis-py's `ConnectionPool.from_url` unchanged (tests/config/test_redis_settings.py).
    """
    return {
        "address": url,
        "socket_timeout": None,
        "socket_connect_timeout": 5,
        "socket_keepalive": True,
        "health_check_interval": 30,
        "retry_on_timeout": True,
        "max_connections": 1000,
    }


def channel_prefix(url: str) -> str:
    """Redis pub/sub channels are shared by every database of a server: PUBLISH ignores the number in REDIS_URL.
    Putting that number in the layer's prefix keeps two deployments on one server with different numbers apart,
    as an operator would expect."""
    return f"quizcast{parse_redis_url(url).get('db') or 0}" if url else "asgi"


def channel_layers_for(redis_url: str, layer: str, prefix: str = "asgi") -> dict:
    if not redis_url:
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    if layer == "core":
        return {
            "default": {
                "BACKEND": "realtime.layers.RedisListLayer",
                "CONFIG": {
                    "hosts": [redis_connection_kwargs(redis_url)],
                    "prefix": prefix,
                    "capacity": 10_000,
                    "expiry": 60,
                    "group_expiry": 24 * 3600,
                },
            }
        }
    if layer == "pubsub":
        return {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [redis_connection_kwargs(redis_url)], "prefix": prefix},
            }
        }
    raise environ.ImproperlyConfigured(f"REDIS_CHANNEL_LAYER must be 'pubsub' or 'core', not {layer!r}")


CHANNEL_LAYERS = channel_layers_for(REDIS_URL, REDIS_CHANNEL_LAYER, prefix=channel_prefix(REDIS_URL))


def caches_for(redis_url: str, prefix: str) -> dict:
    """Rate limits count in the cache: in Redis, shared by every worker, when there is one; else in the process."""
    if not redis_url:  # the prefix names the store: each prefix counts apart, as under Redis
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": prefix}}
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }


CACHES = caches_for(REDIS_URL, prefix=channel_prefix(REDIS_URL))

# --- sign-in lockout, rate limits, security headers (docs/security.md) ---------------------------------------
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_HANDLER = "accounts.lockout.SignInLockoutHandler"
# Failed sign-ins of one username from one address before that pair is locked out...
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# ...and failed sign-ins from one address, whatever the usernames, before the whole address is (password spraying).
# A class behind one address where everyone mistypes a few times stays well below it.
SIGN_IN_ADDRESS_FAILURE_LIMIT = env.int("SIGN_IN_ADDRESS_FAILURE_LIMIT", default=150)
# Minutes a lockout lasts from the last failure counted. Attempts during a lockout are not counted: they neither
# lengthen it nor add up to locking the whole address.
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGN_IN_LOCKOUT_MINUTES", default=15))
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# axes' own defaults, written here because accounts/lockout.py reads them.
AXES_LOCK_OUT_AT_FAILURE = True
AXES_HTTP_RESPONSE_CODE = 429

# Per client address, as "count/seconds": guest joins, and session or classroom codes that lead nowhere.
JOIN_RATE_LIMIT = env("JOIN_RATE_LIMIT", default="60/60")
JOIN_WRONG_CODE_RATE_LIMIT = env("JOIN_WRONG_CODE_RATE_LIMIT", default="30/300")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        # 'self' covers ws: and wss: on the page's own host and port (CSP Level 3).
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# HSTS: set only when every visitor reaches the site over HTTPS (docs/security.md).
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# The container health checks ask the worker over plain HTTP, past the proxy.
SECURE_REDIRECT_EXEMPT = [r"^health/"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"layer_connection_errors": {"()": "realtime.log_filters.DropLayerConnectionErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # psycopg_pool warns at every failed connection attempt, several a second while PostgreSQL is down;
        # config.database says once that it is down and once that it is back.
        "psycopg.pool": {"level": "ERROR"},
        # realtime.hub says once that live updates stopped and once that they resumed.
        "channels_redis.pubsub": {"filters": ["layer_connection_errors"]},
    },
}
