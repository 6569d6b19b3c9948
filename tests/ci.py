"""On CI, tests that need the real services fail instead of skipping: a green run must not hide them.

tests/services/conftest.py marks its tests `services` and uses this module's hook; config/settings/test.py refuses
to fall back to SQLite on CI.
"""

import os

import pytest


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and on_ci() and item.get_closest_marker("services") is not None:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"CI is set, so a test on the real services may not skip: {reason}"
