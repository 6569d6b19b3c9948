"""Production settings refuse to start with values that would expose the site."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 50


def start_production(**env: str) -> subprocess.CompletedProcess:
    """Load the production settings in a fresh interpreter, as a server worker would."""
    environment = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **env})
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
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


def test_production_refuses_a_missing_or_short_secret_key():
    started = start_production(SECRET_KEY="short", ALLOWED_HOSTS="quiz.example")
    assert started.returncode != 0
    assert "SECRET_KEY must be set" in started.stderr


def test_production_starts_with_real_values_and_debug_off():
    started = start_production(SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="quiz.example")
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "False"


def test_the_check_itself_names_the_bad_value():
    from config.checks import check_production_settings

    with pytest.raises(ImproperlyConfigured, match="wildcard"):
        check_production_settings(secret_key=GOOD_KEY, allowed_hosts=["*"])
