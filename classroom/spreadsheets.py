"""CSV files that teachers download and open in a spreadsheet."""

import csv
import io
import re

from django.http import HttpResponse
from django.utils import timezone

# A cell that starts with one of these is run as a formula by spreadsheet programs ("CSV injection"); answers and
# names come from students and file uploads, so such cells are prefixed with an apostrophe. Plain numbers such as
# "-3" are left alone.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def csv_safe_cell(value: str) -> str:
    if value.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(rows: list[list[str]]) -> str:
    """The rows as CSV text, every cell made safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_safe_cell(str(cell)) for cell in row])
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]]) -> bytes:
    """UTF-8 with a byte order mark, which spreadsheet programs need to read accented names correctly."""
    return csv_text(rows).encode("utf-8-sig")


def session_results_response(session) -> HttpResponse:
    """A live session's results (one row per answer) as a CSV download, for the dashboard and the admin alike."""
    from classroom.selectors import session_export_rows

    filename = f"quizcast-{session.code}-{timezone.localtime(session.created_at):%Y-%m-%d}.csv"
    response = HttpResponse(csv_bytes(session_export_rows(session=session)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
