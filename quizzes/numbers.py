"""Numbers as people type them in each language: "1,440" is one thousand four hundred and forty in English and
one point four four in Italian. static/js/numbers.js reads them by the same rules, so the student sees the number
the server will grade before submitting it."""

import re
from decimal import Decimal, InvalidOperation

# (decimal separator, digit-group separators) per language; a space always groups digits.
SEPARATORS: dict[str, tuple[str, str]] = {
    "en": (".", ","),
    "it": (",", "."),
    "es": (",", "."),
    "de": (",", "."),
    "pl": (",", "."),
}
SPACES = re.compile(r"[\s\u00a0\u202f']")


def separators_for(language: str) -> tuple[str, str]:
    return SEPARATORS.get((language or "en").split("-")[0].lower(), SEPARATORS["en"])


def number_parse(text: str, *, language: str) -> Decimal:
    """Read `text` as a person writing `language` means it; raise ValueError when it is not a number.

    Digit groups count only in groups of three ("1.440" in Italian, "1,440" in English); a lone separator that
    does not group digits is a decimal point in any language ("3.14" in Italian, "3,14" in English)."""
    decimal, group = separators_for(language)
    compact = SPACES.sub("", text.strip())
    grouped = re.fullmatch(rf"([+-]?\d{{1,3}}(?:{re.escape(group)}\d{{3}})+)({re.escape(decimal)}\d+)?", compact)
    if grouped:
        canonical = grouped.group(1).replace(group, "") + (grouped.group(2) or "").replace(decimal, ".")
    elif re.fullmatch(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)", compact):
        canonical = compact.replace(",", ".")
    else:
        canonical = compact  # plain or exponent notation ("1.44E+3"), as JSON numbers arrive
    try:
        number = Decimal(canonical)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    return number
