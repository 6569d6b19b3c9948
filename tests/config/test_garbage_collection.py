"""A worker's garbage collector: its thresholds come from WORKER_GC_THRESHOLDS, and a bad value stops the worker
from starting with a message that says what is wrong."""

import os

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.garbage_collection import thresholds_from
from tests.processes import run_python


@pytest.mark.parametrize(
    ("text", "thresholds"),
    [("10000,10,10", (10000, 10, 10)), (" 700, 10 ,10 ", (700, 10, 10)), ("0,10,10", (0, 10, 10)), ("", None)],
)
def test_the_thresholds_are_three_whole_numbers_or_nothing(text, thresholds):
    assert thresholds_from(text) == thresholds


@pytest.mark.parametrize("text", ["50000", "50000,20", "50000,20,10,5", "a,b,c", "-1,10,10", "1.5,10,10", "50000,,10"])
def test_anything_else_is_refused_naming_the_setting(text):
    with pytest.raises(ImproperlyConfigured, match="WORKER_GC_THRESHOLDS must be three whole numbers"):
        thresholds_from(text)


def thresholds_of_a_worker(setting: str) -> str:
    """The garbage collector's thresholds in a process that loaded the ASGI application, as a worker does."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "WORKER_GC_THRESHOLDS": setting}
    loaded = run_python(
        "-c", "import gc, config.asgi; print(gc.get_threshold(), gc.get_freeze_count() > 0)", env=environment
    )
    assert loaded.returncode == 0, loaded.stderr
    return loaded.stdout.strip()


def test_a_worker_collects_with_the_configured_thresholds_and_its_start_up_objects_frozen():
    assert thresholds_of_a_worker("12345,6,7") == "(12345, 6, 7) True"


def test_an_empty_setting_keeps_pythons_thresholds():
    assert thresholds_of_a_worker("") == "(700, 10, 10) True"
