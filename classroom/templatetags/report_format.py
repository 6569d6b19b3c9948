"""Filters for the report pages: shares as percentages and durations in seconds."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """0.5 -> '50%'; None (nothing to measure) -> '–'."""
    if value is None:
        return "–"
    return f"{round(value * 100)}%"


@register.filter
def bar_width(value: float | None) -> int:
    """A share as the width of a bar in a chart 100 units wide."""
    return 0 if value is None else round(value * 100)


@register.filter
def seconds(value: float | None) -> str:
    """12.345 -> '12.3 s' (in the reader's number format); None -> '–'."""
    if value is None:
        return "–"
    return f"{number_format(round(value, 1), 1)} s"
