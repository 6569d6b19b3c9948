"""Settings read for every frame a socket sends or receives, held where reading them costs a dictionary lookup.

`django.conf.settings` is a lazy object: every attribute read goes through a Python-level `__getattribute__` that
looks for a marker on the value and catches the AttributeError a plain value raises, about a microsecond each. Read
for every answer and every acknowledgement, that was a measurable share of a burst's CPU (docs/performance.md,
"The CPU of each answer, cut again"). A value is read from the settings once, and read again after a test changes
it (`setting_changed`, which `override_settings` sends).
"""

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

_values: dict[str, Any] = {}


def frame_setting(name: str) -> Any:
    """The setting `name`, read from Django's settings once and then from here."""
    try:
        return _values[name]
    except KeyError:
        value = _values[name] = getattr(settings, name)
        return value


@receiver(setting_changed)
def _forget_changed_setting(*, setting: str, **kwargs: object) -> None:
    _values.pop(setting, None)
