"""Which database errors mean "unreachable, try again", the 503 page they get, and the outage logged once."""

import logging

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError, ProgrammingError
from django.test import RequestFactory

from config.database import RETRY_AFTER_SECONDS, Outage, is_unavailable
from config.middleware import DatabaseUnavailableMiddleware


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (OperationalError("connection refused"), True),
        (InterfaceError("connection already closed"), True),
        (IntegrityError("duplicate key"), False),
        (ProgrammingError("no such column"), False),
        (ValueError("not a database error"), False),
    ],
)
def test_only_an_unreachable_database_counts_as_unavailable(error, retryable):
    assert is_unavailable(error) is retryable


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(caplog):
    outage = Outage()
    with caplog.at_level(logging.WARNING, logger="config.database"):
        for _ in range(50):
            outage.failed(OperationalError("connection to server failed: Connection refused\nIs it running?"))
        for _ in range(50):
            outage.answered()
        outage.answered()
    messages = [record.getMessage() for record in caplog.records]
    assert messages == [
        "database unreachable (OperationalError: connection to server failed: Connection refused); requests are "
        "refused with 503 until it answers",
        "database reachable again",
    ]
    assert all(record.exc_info is None for record in caplog.records)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_page_whose_database_is_unreachable_answers_a_short_503_page(method):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = RequestFactory().generic(method, "/me/")
    response = middleware.process_exception(request, OperationalError("the database system is shutting down"))
    response.render()
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "no-cache" in response["Cache-Control"]
    text = response.content.decode()
    assert "Back in a moment" in text
    assert f"Please try again in {RETRY_AFTER_SECONDS} seconds." in text
    assert ("Try again</a>" in text) is (method == "GET")  # a link would not repeat a form's POST
    assert "shutting down" not in text  # the error itself is for the log, not for the page


def test_other_errors_are_left_to_django():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    assert middleware.process_exception(RequestFactory().get("/"), IntegrityError("duplicate key")) is None
