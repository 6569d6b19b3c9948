"""Files refused whole, each with a message that says what to do; none of them creates anything."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from quizzes.formats import MAX_FILE_BYTES, file_read
from quizzes.formats.drafts import FileRefused
from quizzes.formats.spreadsheet import COLUMNS, MAX_ROWS


def refusal(name: str, data: bytes) -> FileRefused:
    with pytest.raises(FileRefused) as refused:
        file_read(name=name, data=data)
    return refused.value


@pytest.mark.parametrize("name", ["q.gift", "q.txt", "q.csv"])
def test_utf16_is_named_and_saving_as_utf8_explained(name):
    refused = refusal(name, "Q? {=a ~b}".encode("utf-16"))
    assert refused.code == "utf16"
    assert "UTF-16" in refused.message and "UTF-8" in refused.message


@pytest.mark.parametrize("name", ["q.gift", "q.csv"])
def test_latin1_is_named_with_its_line(name):
    refused = refusal(name, "type,prompt\n\nCafé? {=a ~b}".encode("latin-1"))
    assert refused.code == "not_utf8"
    assert "Latin-1" in refused.message and "line 3" in refused.message and "UTF-8" in refused.message


def test_a_file_over_5_mb_is_refused():
    refused = refusal("q.gift", b"Q? {=a ~b}\n\n" * (MAX_FILE_BYTES // 12 + 1))
    assert refused.code == "file_too_large"


@pytest.mark.parametrize("data", [b"", b"   \n\n"])
def test_an_empty_file_is_refused(data):
    assert refusal("q.gift", data).code == "empty_file"


def test_a_file_with_only_comments_has_no_questions():
    assert refusal("q.gift", b"// nothing here {=a}\n").code == "no_questions"


def test_a_text_file_of_no_known_format_is_refused():
    assert refusal("notes.txt", b"Just some notes.\nNothing else.\n").code == "unknown_format"


def test_an_xlsx_that_unpacks_to_more_than_50_mb_is_refused_unread():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (51 * 1024 * 1024))
    assert len(buffer.getvalue()) < MAX_FILE_BYTES
    refused = refusal("bomb.xlsx", buffer.getvalue())
    assert refused.code == "xlsx_too_large"


def test_an_xlsx_with_more_than_5000_rows_is_refused():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(COLUMNS))
    for number in range(MAX_ROWS + 1):
        sheet.append(["poll", f"Question {number}?", "a | b"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    refused = refusal("big.xlsx", buffer.getvalue())
    assert refused.code == "too_many_rows"
    assert "5,000" in refused.message


def test_a_csv_with_more_than_5000_rows_is_refused():
    text = ",".join(COLUMNS) + "\n" + "poll,Q?,a | b\n" * (MAX_ROWS + 1)
    assert refusal("big.csv", text.encode()).code == "too_many_rows"


def test_a_broken_xlsx_is_refused():
    assert refusal("q.xlsx", b"PK\x03\x04 not really a zip").code == "xlsx_invalid"


@pytest.mark.parametrize("name", ["quiz.xls", "quiz.ods"])
def test_other_spreadsheet_formats_are_asked_to_be_saved_as_xlsx_or_csv(name):
    refused = refusal(name, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 binary")
    assert refused.code == "other_spreadsheet"
    assert ".xlsx or CSV" in refused.message


def test_a_file_of_another_kind_is_refused_by_its_extension():
    refused = refusal("slides.pdf", b"%PDF-1.7\n\xe2\xe3\xcf\xd3\n")
    assert refused.code == "unknown_format"
    assert ".gift" in refused.message and ".xlsx" in refused.message
