"""With CI set, a run without PostgreSQL or Redis fails instead of passing on SQLite with the service tests skipped."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.test import require_services

ROOT = Path(__file__).resolve().parents[2]


def load_test_settings(**variables: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("CI", "QUIZCAST_TEST_SERVICES")}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings.test"],
        cwd=ROOT,
        env={**env, **variables},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_on_ci_the_test_settings_refuse_to_do_without_the_services():
    refused = load_test_settings(CI="true", QUIZCAST_TEST_SERVICES="off")
    assert refused.returncode != 0
    assert "refused on CI" in refused.stderr
    assert load_test_settings(QUIZCAST_TEST_SERVICES="off").returncode == 0
    assert load_test_settings(CI="false", QUIZCAST_TEST_SERVICES="off").returncode == 0


def test_on_ci_a_service_that_does_not_answer_stops_the_run():
    with pytest.raises(ImproperlyConfigured, match=r"Redis at 127\.0\.0\.1:6379 did not answer"):
        require_services(ci=True, use_services=True, missing=["Redis at 127.0.0.1:6379"])
    require_services(ci=False, use_services=True, missing=["Redis at 127.0.0.1:6379"])
    require_services(ci=True, use_services=True, missing=[])


SKIPPING_TEST = """
import pytest

pytestmark = pytest.mark.services

def test_needs_redis():
    pytest.skip("needs Redis")
"""


@pytest.mark.parametrize(("ci", "outcome"), [("true", "1 failed"), ("", "1 skipped")])
def test_on_ci_a_test_on_the_services_fails_where_it_would_skip(tmp_path, ci, outcome):
    (tmp_path / "conftest.py").write_text("from tests.ci import pytest_runtest_makereport  # noqa: F401\n")
    (tmp_path / "test_skipping.py").write_text(SKIPPING_TEST)
    env = {key: value for key, value in os.environ.items() if key not in ("CI", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:django",
            "-p",
            "no:asyncio",
            "-c",
            os.devnull,
            "-rA",
        ],
        cwd=tmp_path,
        env={**env, "CI": ci, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert outcome in result.stdout, result.stdout + result.stderr
    if ci:
        assert "may not skip: Skipped: needs Redis" in result.stdout
