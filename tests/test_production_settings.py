"""Production settings refuse to start with values that would expose the site; the classroom server (`make run`)
is production over plain HTTP that answers to this machine's own addresses."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "quizcast-production-settings-test-key-0123456789-abcdefghij"
HOW_TO_MAKE_A_KEY = 'python3 -c "import secrets; print(secrets.token_urlsafe(50))"'


def start_production(settings_module: str = "config.settings.production", **env: str) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter, as a server worker would; print DEBUG and the rest as JSON."""
    app_variables = {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "SECURE_COOKIES"}
    environment = {key: value for key, value in os.environ.items() if key not in app_variables}
    environment.update({"DJANGO_SETTINGS_MODULE": settings_module, **env})
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, json; django.setup(); from django.conf import settings as s; print(s.DEBUG); "
            "print(json.dumps({name: getattr(s, name) for name in ['ALLOWED_HOSTS', 'SESSION_COOKIE_SECURE', "
            "'CSRF_COOKIE_SECURE', 'SECURE_PROXY_SSL_HEADER', 'SECURE_CONTENT_TYPE_NOSNIFF']}))",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("hosts", ["*", "quiz.example,*", ".*"])
def test_production_refuses_a_wildcard_allowed_hosts(hosts):
    started = start_production(SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS=hosts)
    assert started.returncode != 0
    assert "ALLOWED_HOSTS may not contain a wildcard" in started.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    started = start_production(SECRET_KEY=GOOD_KEY)
    assert started.returncode != 0
    assert "ALLOWED_HOSTS must list" in started.stderr


def test_production_refuses_to_start_without_a_secret_key():
    started = start_production(SECRET_KEY="", ALLOWED_HOSTS="quiz.example")
    assert started.returncode != 0
    assert "SECRET_KEY is not set" in started.stderr
    assert HOW_TO_MAKE_A_KEY in started.stderr


def test_production_refuses_the_published_development_key():
    from config.checks import DEVELOPMENT_SECRET_KEY

    started = start_production(SECRET_KEY=DEVELOPMENT_SECRET_KEY, ALLOWED_HOSTS="quiz.example")
    assert started.returncode != 0
    assert "SECRET_KEY is the published development key" in started.stderr
    assert HOW_TO_MAKE_A_KEY in started.stderr


def test_production_refuses_a_key_shorter_than_50_characters():
    started = start_production(SECRET_KEY=GOOD_KEY[:49], ALLOWED_HOSTS="quiz.example")
    assert started.returncode != 0
    assert "SECRET_KEY has 49 characters; it needs at least 50" in started.stderr
    assert HOW_TO_MAKE_A_KEY in started.stderr


def test_production_refuses_a_long_key_of_fewer_than_5_distinct_characters():
    started = start_production(SECRET_KEY="abcd" * 20, ALLOWED_HOSTS="quiz.example")
    assert started.returncode != 0
    assert "SECRET_KEY has only 4 distinct characters" in started.stderr
    assert HOW_TO_MAKE_A_KEY in started.stderr


def test_a_key_of_50_characters_and_5_distinct_ones_is_enough():
    from config.checks import secret_key_problem

    assert secret_key_problem("abcde" * 10) is None
    assert secret_key_problem("abcde" * 10 + "x") is None
    assert secret_key_problem("abcd" * 12 + "e") is not None  # 49 characters


def test_production_starts_with_real_values_and_debug_off():
    started = start_production(SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="quiz.example")
    assert started.returncode == 0, started.stderr
    assert started.stdout.splitlines()[0] == "False"


def test_production_sends_cookies_over_https_only_unless_told_otherwise():
    started = start_production(SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="quiz.example")
    values = json.loads(started.stdout.splitlines()[1])
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True


# --- the classroom server -------------------------------------------------------------------------------------
CLASSROOM = "config.settings.classroom"


def start_classroom(**env: str) -> tuple[bool, dict]:
    started = start_production(CLASSROOM, **env)
    assert started.returncode == 0, started.stderr
    debug, values = started.stdout.splitlines()[-2:]
    return debug == "True", json.loads(values)


def test_the_classroom_server_answers_to_this_machines_addresses_and_names_without_allowed_hosts():
    from config.network import host_names, network_addresses

    _debug, values = start_classroom(SECRET_KEY=GOOD_KEY)
    hosts = values["ALLOWED_HOSTS"]
    assert set(hosts) >= {"127.0.0.1", "localhost", "[::1]", *network_addresses(), *host_names()}
    assert len(hosts) == len(set(hosts))
    assert not {"*", ".*", ""} & set(hosts)


def test_the_classroom_server_keeps_the_hosts_an_operator_adds():
    _debug, values = start_classroom(SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="quiz.school.example, quiz")
    assert values["ALLOWED_HOSTS"][:3] == ["quiz.school.example", "quiz", "127.0.0.1"]


def test_the_classroom_server_is_production_over_plain_http():
    debug, values = start_classroom(SECRET_KEY=GOOD_KEY, DEBUG="true", SECURE_COOKIES="true")
    assert debug is False
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    # No TLS: a Secure cookie would never come back from a phone, and no proxy's X-Forwarded-Proto is believed.
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] is None


@pytest.mark.parametrize("key", ["", "quizcast-local-development-key-not-for-production", "too-short", "ab" * 40])
def test_the_classroom_server_refuses_every_key_production_refuses(key):
    started = start_production(CLASSROOM, SECRET_KEY=key)
    assert started.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY" in started.stderr
    assert HOW_TO_MAKE_A_KEY in started.stderr


def test_the_check_itself_names_the_bad_value():
    from config.checks import check_production_settings

    with pytest.raises(ImproperlyConfigured, match="wildcard"):
        check_production_settings(secret_key=GOOD_KEY, allowed_hosts=["*"])
