"""Security headers: a Content-Security-Policy without inline script or style on every page, HSTS and the HTTPS
redirect from the environment, and `manage.py check --deploy` clean in production with TLS settings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for directive in response["Content-Security-Policy"].split(";"):
        name, *values = directive.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("url", [reverse("accounts:login"), reverse("join"), reverse("admin:login")])
def test_pages_carry_a_content_security_policy_without_inline_code(client, url):
    response = client.get(url)

    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_hsts_is_sent_over_https_when_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    response = client.get(reverse("accounts:login"), secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_no_hsts_by_default(client):
    assert "Strict-Transport-Security" not in client.get(reverse("accounts:login"), secure=True)


@pytest.mark.django_db
def test_the_https_redirect_spares_the_workers_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(reverse("accounts:login"))["Location"].startswith("https://")
    for name in ("health", "health-live", "health-ready"):
        assert client.get(reverse(name)).status_code != 301, name


def check_deploy(**settings_from_environment: str) -> subprocess.CompletedProcess:
    """`manage.py check --deploy` with the production settings, a strong key and a real host, as an operator runs it."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("SECURE_", "DJANGO_"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="quiz.school.example",
        **settings_from_environment,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_in_production_with_tls_settings():
    checked = check_deploy(
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
        SECURE_SSL_REDIRECT="true",
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "System check identified no issues" in checked.stdout


def test_check_deploy_warns_without_tls_settings():
    checked = check_deploy()

    assert checked.returncode != 0
    assert "security.W004" in checked.stderr + checked.stdout
