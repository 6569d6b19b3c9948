"""Question files in and out: GIFT, Moodle XML, Aiken and spreadsheets (CSV, XLSX).

`file_read` finds a file's format from its name and content and reads it into question drafts; `file_write`
writes drafts in a format. What is done with drafts (checked, previewed, saved) is up to `quizzes.services`.
"""

from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from quizzes.formats import aiken, gift, moodle_xml, spreadsheet
from quizzes.formats.drafts import FileRefused, ParsedFile, QuestionDraft
from quizzes.formats.text import decode_utf8

MAX_FILE_BYTES = 5 * 1024 * 1024
SAMPLES = Path(__file__).resolve().parent / "samples"
ACCEPTED_EXTENSIONS = (".gift", ".txt", ".xml", ".csv", ".xlsx", ".zip")
OTHER_SPREADSHEETS = (".xls", ".ods", ".numbers", ".xlsm", ".xlsb")


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    extension: str
    content_type: str


EXPORT_FORMATS = {
    "gift": ExportFormat("gift", "GIFT", "gift", "text/plain; charset=utf-8"),
    "moodle_xml": ExportFormat("moodle_xml", "Moodle XML", "xml", "application/xml; charset=utf-8"),
    "xlsx": ExportFormat("xlsx", "XLSX", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
FORMAT_LABELS = {
    gift.NAME: "GIFT",
    moodle_xml.NAME: "Moodle XML",
    aiken.NAME: "Aiken",
    spreadsheet.NAME_CSV: "CSV",
    spreadsheet.NAME_XLSX: "XLSX",
}


def file_too_large() -> FileRefused:
    return FileRefused(
        "file_too_large",
        _("The file is larger than %(limit)d MB; split it into smaller files.") % {"limit": MAX_FILE_BYTES >> 20},
    )


def file_read(*, name: str, data: bytes) -> ParsedFile:
    """Read a question file of any supported format; raise FileRefused when the whole file is unusable."""
    parsed = _read_by_format(name=name, data=data)
    if not parsed.drafts and not parsed.skipped:
        raise FileRefused("no_questions", _("The file has no questions."))
    return parsed


def _read_by_format(*, name: str, data: bytes) -> ParsedFile:
    if len(data) > MAX_FILE_BYTES:
        raise file_too_large()
    if not data.strip():
        raise FileRefused("empty_file", _("The file is empty."))
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in OTHER_SPREADSHEETS:
        raise FileRefused(
            "other_spreadsheet",
            _("Quizcast reads spreadsheets as .xlsx or CSV; save this %(extension)s file as one of those.")
            % {"extension": extension},
        )
    if extension and extension not in ACCEPTED_EXTENSIONS:
        raise unknown_format()
    if extension == ".zip" or (
        extension != ".xlsx" and data.startswith(b"PK\x03\x04") and spreadsheet.is_archive(data)
    ):
        return spreadsheet.read_archive(data)
    if data.startswith(b"PK\x03\x04") or extension == ".xlsx":
        return spreadsheet.parse_rows(spreadsheet.xlsx_rows(data), spreadsheet.NAME_XLSX)
    if extension == ".xml" or moodle_xml.looks_like(data):
        return moodle_xml.parse(data)
    if extension == ".csv":
        return spreadsheet.parse_rows(spreadsheet.csv_rows(data), spreadsheet.NAME_CSV)
    text = decode_utf8(data)
    if extension != ".gift" and aiken.looks_like(text) and not gift.looks_like(text):
        return aiken.parse(text)
    if gift.looks_like(text):
        return gift.parse(text)
    raise unknown_format()


def unknown_format() -> FileRefused:
    return FileRefused(
        "unknown_format",
        _(
            "Quizcast cannot tell this file's format. It reads GIFT (.gift, .txt), Moodle XML (.xml), Aiken (.txt), "
            "CSV (.csv) and Excel (.xlsx) files, and ZIP archives of a spreadsheet with its pictures."
        ),
    )


def file_write(*, drafts: list[QuestionDraft], format_name: str, comments: list[str] = ()) -> bytes:
    """The drafts as a file of `format_name`. GIFT and Moodle XML write `comments` at the top, where their readers
    ignore them; the spreadsheet is a ZIP of the workbook and its images when any draft has an image."""
    if format_name == "gift":
        return gift.write(drafts, comments=comments)
    if format_name == "moodle_xml":
        return moodle_xml.write(drafts, comments=comments)
    return spreadsheet.write_export(drafts)


def template_drafts() -> list[QuestionDraft]:
    """The example questions of Quizcast's spreadsheet template: the shipped CSV sample, one of every type."""
    return file_read(name="questions.csv", data=(SAMPLES / "questions.csv").read_bytes()).drafts
