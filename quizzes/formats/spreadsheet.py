"""Questions in a spreadsheet: CSV (UTF-8, comma or semicolon) or XLSX, in one of two layouts.

- Quizcast's template, one question per row, every type: `type, prompt, choices, correct, numeric_target,
  tolerance, accepted_answers, points, time_limit, explanation`. Choices and accepted answers are separated by
  line breaks inside the cell or by `|`; `correct` lists choice numbers (`1, 3`), or `true`/`false` for a
  true/false question; a time limit of `none` means the teacher closes the question.
- Kahoot's public quiz template: a header row `Question`, `Answer 1` … `Answer 4`, `Time limit`, `Correct
  answer(s)` (numbers), found anywhere in the first rows, under Kahoot's own instructions.

An XLSX file is refused unread when it would unpack to more than 50 MB, and any file with more than 5,000 rows.
"""

import csv
import io
import re
import zipfile
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from quizzes.formats.drafts import ChoiceDraft, FileRefused, ParsedFile, QuestionDraft, Skipped, Type
from quizzes.formats.text import decode_utf8
from quizzes.grading import plain_decimal

NAME_CSV = "csv"
NAME_XLSX = "xlsx"
MAX_ROWS = 5000
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
HEADER_SEARCH_ROWS = 20
COLUMNS = (
    "type",
    "prompt",
    "choices",
    "correct",
    "numeric_target",
    "tolerance",
    "accepted_answers",
    "points",
    "time_limit",
    "explanation",
)
TYPE_NAMES = {
    "single": Type.SINGLE,
    "single_choice": Type.SINGLE,
    "multiple": Type.MULTIPLE,
    "multiple_select": Type.MULTIPLE,
    "multiple_choice": Type.MULTIPLE,
    "true_false": Type.TRUE_FALSE,
    "truefalse": Type.TRUE_FALSE,
    "true/false": Type.TRUE_FALSE,
    "numeric": Type.NUMERIC,
    "numerical": Type.NUMERIC,
    "number": Type.NUMERIC,
    "text": Type.TEXT,
    "short_text": Type.TEXT,
    "short_answer": Type.TEXT,
    "poll": Type.POLL,
    "wordcloud": Type.WORDCLOUD,
    "word_cloud": Type.WORDCLOUD,
    "ordering": Type.ORDERING,
    "scale": Type.SCALE,
    "rating_scale": Type.SCALE,
}
NO_TIME_LIMIT = ("none", "0")

Row = tuple[int, list[str]]


def _column_name(cell: str) -> str:
    return "_".join(cell.strip().lower().replace("-", " ").split())


# --- reading cells ------------------------------------------------------------------------------------------------
def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def csv_rows(data: bytes) -> list[Row]:
    text = decode_utf8(data)
    first_lines = "\n".join(text.split("\n")[:HEADER_SEARCH_ROWS])
    delimiter = ";" if first_lines.count(";") > first_lines.count(",") else ","
    rows = []
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if number > MAX_ROWS + 1:
            raise _too_many_rows()
        rows.append((number, [cell.strip() for cell in cells]))
    return rows


def _too_many_rows() -> FileRefused:
    return FileRefused(
        "too_many_rows",
        _("The file has more than %(limit)s rows; split it into smaller files.") % {"limit": f"{MAX_ROWS:,}"},
    )


def xlsx_rows(data: bytes) -> list[Row]:
    from openpyxl import load_workbook  # a few hundred milliseconds to import; only XLSX imports pay for it

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise FileRefused("xlsx_invalid", _("The file is not a valid XLSX workbook.")) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileRefused(
            "xlsx_too_large",
            _("The workbook would unpack to more than 50 MB; Quizcast refuses it. Remove unused sheets or rows."),
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on broken workbooks
        raise FileRefused("xlsx_invalid", _("The file is not a valid XLSX workbook.")) from None
    try:
        rows = []
        for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:
                raise _too_many_rows()
            rows.append((number, [_cell_text(value) for value in values]))
        return rows
    finally:
        workbook.close()


# --- the two layouts -------------------------------------------------------------------------------------------
def _find_header(rows: list[Row]) -> tuple[str, int, dict[str, int]] | None:
    """('quizcast' or 'kahoot', index of the header row, column positions by name)."""
    for index, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [_column_name(cell) for cell in cells]
        if "type" in names and "prompt" in names:
            return "quizcast", index, {name: position for position, name in enumerate(names) if name in COLUMNS}
        positions: dict[str, int] = {}
        for position, name in enumerate(names):
            answer = re.match(r"answer_(\d+)", name)
            if answer:
                positions[f"answer_{answer.group(1)}"] = position
            elif name.startswith("question") and "question" not in positions:
                positions["question"] = position
            elif name.startswith("time_limit"):
                positions["time_limit"] = position
            elif name.startswith("correct_answer"):
                positions["correct"] = position
        if "question" in positions and "answer_1" in positions and "correct" in positions:
            return "kahoot", index, positions
    return None


def _split_list(cell: str) -> list[str]:
    parts = cell.split("\n") if "\n" in cell else cell.split("|")
    return [part.strip() for part in parts if part.strip()]


def _numbers(cell: str) -> list[int] | None:
    parts = [part for part in re.split(r"[,;\s]+", cell) if part]
    if not all(part.isdigit() for part in parts):
        return None
    return [int(part) for part in parts]


def _decimal(cell: str) -> Decimal:
    value = Decimal(cell.replace(",", "."))
    if not value.is_finite():
        raise InvalidOperation
    return value


def _marked(count: int, cell: str, problems: list[str]) -> list[bool]:
    numbers = _numbers(cell)
    if numbers is None:
        problems.append(_("“%(value)s” is not a list of answer numbers such as 1 or 1, 3.") % {"value": cell})
        return [False] * count
    outside = [number for number in numbers if not 1 <= number <= count]
    if outside:
        problems.append(
            _("There is no answer %(numbers)s in this row.") % {"numbers": ", ".join(str(n) for n in outside)}
        )
    return [position in numbers for position in range(1, count + 1)]


def _integer(cell: str, column: str, problems: list[str]) -> int | None:
    if not cell:
        return None
    if not cell.isdigit():
        problems.append(_("%(column)s must be a whole number, not “%(value)s”.") % {"column": column, "value": cell})
        return None
    return int(cell)


def _quizcast_row(cells: dict[str, str]) -> tuple[QuestionDraft | None, list[str]]:
    problems: list[str] = []
    type_cell = cells["type"]
    question_type = TYPE_NAMES.get(_column_name(type_cell)) or next(
        (value for value, label in Type.choices if _column_name(str(label)) == _column_name(type_cell)), None
    )
    if question_type is None:
        return None, [
            _("“%(type)s” is not a question type; use one of %(types)s.")
            % {"type": type_cell, "types": ", ".join(Type.values)}
        ]
    draft = QuestionDraft(type=question_type, prompt=cells["prompt"], explanation=cells["explanation"])
    choices = _split_list(cells["choices"])
    if question_type == Type.TRUE_FALSE:
        answer = cells["correct"].strip().lower()
        labels = choices or [_("True"), _("False")]
        if answer in ("true", "t", "1", "yes"):
            draft.choices = [ChoiceDraft(labels[0], True), *(ChoiceDraft(label) for label in labels[1:])]
        elif answer in ("false", "f", "2", "no"):
            draft.choices = [ChoiceDraft(label, index == 1) for index, label in enumerate(labels)]
        else:
            problems.append(_("A true/false question's correct answer is true or false."))
    elif choices:
        flags = _marked(len(choices), cells["correct"], problems) if cells["correct"] else [False] * len(choices)
        draft.choices = [ChoiceDraft(text, flag) for text, flag in zip(choices, flags, strict=True)]
    for column, attribute in (("numeric_target", "numeric_target"), ("tolerance", "numeric_tolerance")):
        if cells[column]:
            try:
                setattr(draft, attribute, _decimal(cells[column]))
            except InvalidOperation:
                problems.append(
                    _("%(column)s must be a number, not “%(value)s”.") % {"column": column, "value": cells[column]}
                )
    draft.accepted_answers = _split_list(cells["accepted_answers"])
    draft.points = _integer(cells["points"], "points", problems)
    if cells["time_limit"].lower() in NO_TIME_LIMIT:
        draft.time_limit, draft.time_limit_given = None, True
    elif cells["time_limit"]:
        draft.time_limit = _integer(cells["time_limit"], "time_limit", problems)
        draft.time_limit_given = draft.time_limit is not None
    return draft, problems


def _kahoot_row(cells: dict[str, str]) -> tuple[QuestionDraft | None, list[str]]:
    problems: list[str] = []
    numbered = sorted((int(name.split("_")[1]), value) for name, value in cells.items() if name.startswith("answer_"))
    answers = [(number, value) for number, value in numbered if value]
    correct_numbers = set(_numbers(cells["correct"]) or [])
    if _numbers(cells["correct"]) is None or not correct_numbers:
        problems.append(_("The correct answer(s) must be answer numbers such as 1 or 1, 3."))
    missing = sorted(number for number in correct_numbers if number not in dict(answers))
    if missing:
        problems.append(
            _("There is no answer %(numbers)s in this row.") % {"numbers": ", ".join(str(n) for n in missing)}
        )
    draft = QuestionDraft(
        type=Type.MULTIPLE if len(correct_numbers) > 1 else Type.SINGLE,
        prompt=cells["question"],
        choices=[ChoiceDraft(value, number in correct_numbers) for number, value in answers],
    )
    if cells.get("time_limit"):
        draft.time_limit = _integer(cells["time_limit"], _("time limit"), problems)
        draft.time_limit_given = draft.time_limit is not None
    return draft, problems


def parse_rows(rows: list[Row], format_name: str) -> ParsedFile:
    header = _find_header(rows)
    if header is None:
        raise FileRefused(
            "no_header",
            _(
                "No header row found. Use Quizcast's template (columns %(columns)s) or Kahoot's "
                "(Question, Answer 1 … Answer 4, Time limit, Correct answer(s))."
            )
            % {"columns": ", ".join(COLUMNS)},
        )
    layout, header_index, positions = header
    missing = [column for column in COLUMNS if column not in positions] if layout == "quizcast" else []
    if missing:
        raise FileRefused(
            "missing_columns",
            _("The header row lacks the columns %(missing)s.") % {"missing": ", ".join(missing)},
        )
    parsed = ParsedFile(format=format_name)
    read_row = _quizcast_row if layout == "quizcast" else _kahoot_row
    for number, cells in rows[header_index + 1 :]:
        if not any(cells):
            continue
        values = {name: (cells[position] if position < len(cells) else "") for name, position in positions.items()}
        draft, problems = read_row(values)
        if problems or draft is None:
            parsed.skipped.append(Skipped(number, " ".join(problems)))
            continue
        draft.line = number
        parsed.drafts.append(draft)
    return parsed


# --- writing ----------------------------------------------------------------------------------------------------
def _joined(items: list[str]) -> str:
    return "\n".join(items) if any("|" in item for item in items) else " | ".join(items)


def template_rows(drafts: list[QuestionDraft]) -> list[list[object]]:
    rows: list[list[object]] = [list(COLUMNS)]
    for draft in drafts:
        if draft.type == Type.TRUE_FALSE:
            first_is_correct = bool(draft.choices) and draft.choices[0].is_correct
            correct = "true" if first_is_correct else "false"
        else:
            correct = ", ".join(str(index) for index, choice in enumerate(draft.choices, 1) if choice.is_correct)
        limit = draft.effective_time_limit()
        rows.append(
            [
                draft.type,
                draft.prompt,
                _joined([choice.text for choice in draft.choices]),
                correct,
                "" if draft.numeric_target is None else plain_decimal(draft.numeric_target),
                plain_decimal(draft.numeric_tolerance) if draft.type == Type.NUMERIC else "",
                _joined(draft.accepted_answers),
                draft.effective_points(),
                "none" if limit is None else limit,
                draft.explanation,
            ]
        )
    return rows


def write_xlsx(drafts: list[QuestionDraft]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook opens on one worksheet
    sheet.title = "Questions"
    for row in template_rows(drafts):
        sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula, even when it starts with "="
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHIJ", (12, 50, 40, 10, 14, 10, 30, 8, 10, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
