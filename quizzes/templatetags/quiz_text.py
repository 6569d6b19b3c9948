"""The one place user-authored quiz text becomes HTML: escaped, line breaks kept.

Markdown or math rendering, when it comes, changes this filter and nothing else.
"""

from django import template
from django.utils.html import linebreaks

register = template.Library()


@register.filter(name="quiz_text")
def quiz_text(value: object) -> str:
    return linebreaks(str(value or ""), autoescape=True)
