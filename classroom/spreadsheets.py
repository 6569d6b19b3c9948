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


def _file_name(session, suffix: str) -> str:
    return f"quizcast-{session.code}-{timezone.localtime(session.created_at):%Y-%m-%d}{suffix}"


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_download(rows: list[list[str]], filename: str) -> HttpResponse:
    return _download(csv_bytes(rows), content_type="text/csv; charset=utf-8", filename=filename)


def session_results_response(session) -> HttpResponse:
    """A session's results as a CSV download, for the dashboard and the admin alike: one row per participant and
    question, an unanswered question included."""
    from classroom.reports import session_export_rows

    return _csv_download(session_export_rows(session=session), _file_name(session, ".csv"))


def session_totals_response(session) -> HttpResponse:
    """Each participant's totals (rank, points, answered, correct, accuracy) as a CSV download."""
    from classroom.reports import session_report, session_totals_rows

    return _csv_download(
        session_totals_rows(report=session_report(session=session)), _file_name(session, "-totals.csv")
    )


def session_audit_response(session) -> HttpResponse:
    """The session's audit trail as a CSV download."""
    from classroom.reports import session_audit_rows

    return _csv_download(session_audit_rows(session=session), _file_name(session, "-audit.csv"))


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_safe_cell(value):
    """Numbers stay numbers; text is protected as in CSV files (a spreadsheet would run text starting with "=" as
    a formula once edited)."""
    if value is None or isinstance(value, (int, float)):
        return value
    return csv_safe_cell(str(value))


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    """A workbook with one sheet per entry, each given as rows (the first is the header, in bold).

    Written with XlsxWriter, row by row: a session of 1,000 students x 30 questions is some 330,000 cells, which
    openpyxl's write-only mode took 21 s to write and XlsxWriter writes about eight times faster. Text is never
    read as a formula, a link or a number, and is protected as in CSV files besides."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    bold = workbook.add_format({"bold": True})
    for title, rows in sheets.items():
        sheet = workbook.add_worksheet(title)
        for index, row in enumerate(rows):
            sheet.write_row(index, 0, [xlsx_safe_cell(value) for value in row], bold if index == 0 else None)
    workbook.close()
    return buffer.getvalue()


def session_workbook_response(session) -> HttpResponse:
    """The session's report as an XLSX workbook: summary, students, questions, all answers."""
    from classroom.reports import session_workbook_sheets

    return _download(
        xlsx_bytes(session_workbook_sheets(session=session)),
        content_type=XLSX_TYPE,
        filename=_file_name(session, ".xlsx"),
    )
