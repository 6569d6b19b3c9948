"""Questions in a spreadsheet: CSV (UTF-8, comma or semicolon) or XLSX, in one of two layouts, alone or in a ZIP
archive with its pictures.

- Quizcast's template, one question per row, every type: `type, prompt, choices, correct, numeric_target,
  tolerance, accepted_answers, points, time_limit, explanation`, then optional columns for the other settings:
  `max_words` (word clouds), `partial_credit` (orderings: yes or no), `scale_min, scale_max, scale_min_label,
  scale_max_label` (rating scales), `image, image_description` (the question's picture) and `choice_images,
  choice_image_descriptions` (pictures of the choices, in the choices' order). Choices and accepted answers are
  separated by line breaks inside the cell or by `|`; `correct` lists choice numbers (`1, 3`), or `true`/`false` for
  a true/false question; a time limit of `none` means the teacher closes the question. In a row with choice
  pictures, an empty place keeps its position (`Cat | | Bird` with `cat.png | dog.png | bird.png`: the second choice
  is a picture alone).
- Kahoot's public quiz template: a header row `Question`, `Answer 1` … `Answer 4`, `Time limit`, `Correct
  answer(s)` (numbers), found anywhere in the first rows, under Kahoot's own instructions.

Pictures travel in a ZIP archive beside the spreadsheet: a cell names a picture by its path from the spreadsheet's
folder (`images/q3.png`). Quizcast's XLSX export of a quiz with pictures is such an archive; a teacher may unpack
it, edit the workbook, add pictures to the folder and pack the folder again. A spreadsheet uploaded alone keeps its
questions and says which pictures it could not find.

An XLSX file or ZIP archive is refused unread when it would unpack to more than 50 MB, and any file with more than
5,000 rows.
"""

import csv
import io
import posixpath
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from itertools import zip_longest

from django.utils.translation import gettext as _

from quizzes.formats.drafts import ChoiceDraft, FileRefused, ImageDraft, ParsedFile, QuestionDraft, Skipped, Type
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
OPTIONAL_COLUMNS = (
    "max_words",
    "partial_credit",
    "scale_min",
    "scale_max",
    "scale_min_label",
    "scale_max_label",
    "image",
    "image_description",
    "choice_images",
    "choice_image_descriptions",
)
ALL_COLUMNS = COLUMNS + OPTIONAL_COLUMNS
# Lists whose empty places count (a choice that is a picture alone): their cells keep leading line breaks.
POSITIONAL_COLUMNS = ("choices", "choice_images", "choice_image_descriptions")
IMAGES_FOLDER = "images"
MAX_ARCHIVE_ENTRIES = 1000
YES = ("yes", "true", "1", "y")
NO = ("no", "false", "0", "n", "")
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
# Finds a picture named in a cell: its path from the spreadsheet's folder -> (file name, content), or None.
ImageLookup = Callable[[str], ImageDraft | None]


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
    return str(value)  # stripped by parse_rows, which knows which cells keep their leading line breaks


def csv_rows(data: bytes) -> list[Row]:
    text = decode_utf8(data)
    first_lines = "\n".join(text.split("\n")[:HEADER_SEARCH_ROWS])
    delimiter = ";" if first_lines.count(";") > first_lines.count(",") else ","
    rows = []
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if number > MAX_ROWS + 1:
            raise _too_many_rows()
        rows.append((number, cells))
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
            return "quizcast", index, {name: position for position, name in enumerate(names) if name in ALL_COLUMNS}
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


def _split_places(cell: str) -> list[str]:
    """A list whose empty places count: 'Cat | | Bird' -> ['Cat', '', 'Bird']; trailing empty places are dropped."""
    cell = cell.replace("\r\n", "\n")
    parts = [part.strip() for part in (cell.split("\n") if "\n" in cell else cell.split("|"))]
    while parts and not parts[-1]:
        parts.pop()
    return parts


def _yes_no(cell: str, column: str, problems: list[str]) -> bool:
    if cell.lower() in YES:
        return True
    if cell.lower() not in NO:
        problems.append(_("%(column)s must be yes or no, not “%(value)s”.") % {"column": column, "value": cell})
    return False


def _signed_integer(cell: str, column: str, default: int, problems: list[str]) -> int:
    if not cell:
        return default
    if not re.fullmatch(r"[-+]?\d{1,5}", cell):
        problems.append(_("%(column)s must be a whole number, not “%(value)s”.") % {"column": column, "value": cell})
        return default
    return int(cell)


def _image(cell: str, find_image: ImageLookup | None, draft: QuestionDraft) -> ImageDraft | None:
    """The picture a cell names, or None with a note saying why it was left out."""
    if not cell:
        return None
    found = find_image(cell) if find_image is not None else None
    if found is None:
        if find_image is None:
            note = _(
                "The picture “%(name)s” is left out: upload the spreadsheet and its pictures together as a ZIP archive."
            )
        else:
            note = _("The picture “%(name)s” is not in the ZIP archive; it is left out.")
        draft.notes.append(note % {"name": cell})
    return found


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


def _quizcast_row(cells: dict[str, str], find_image: ImageLookup | None) -> tuple[QuestionDraft | None, list[str]]:
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
    choice_images = _split_places(cells["choice_images"])
    choices = _split_places(cells["choices"]) if choice_images else _split_list(cells["choices"])
    if choice_images:
        count = max(len(choices), len(choice_images))
        choices += [""] * (count - len(choices))
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
    _read_type_settings(cells, draft, problems)
    draft.image = _image(cells["image"], find_image, draft)
    draft.image_alt = cells["image_description"]
    descriptions = _split_places(cells["choice_image_descriptions"])
    for choice, name, description in zip_longest(draft.choices, choice_images, descriptions, fillvalue=""):
        if not choice:
            problems.append(_("There are more choice pictures or descriptions than choices."))
            break
        choice.image = _image(name, find_image, draft)
        choice.image_alt = description
    return draft, problems


def _read_type_settings(cells: dict[str, str], draft: QuestionDraft, problems: list[str]) -> None:
    draft.max_words = _signed_integer(cells["max_words"], "max_words", draft.max_words, problems)
    draft.partial_credit = _yes_no(cells["partial_credit"], "partial_credit", problems)
    draft.scale_min = _signed_integer(cells["scale_min"], "scale_min", draft.scale_min, problems)
    draft.scale_max = _signed_integer(cells["scale_max"], "scale_max", draft.scale_max, problems)
    draft.scale_min_label = cells["scale_min_label"]
    draft.scale_max_label = cells["scale_max_label"]


def _kahoot_row(cells: dict[str, str], find_image: ImageLookup | None) -> tuple[QuestionDraft | None, list[str]]:
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


def parse_rows(rows: list[Row], format_name: str, find_image: ImageLookup | None = None) -> ParsedFile:
    """The questions of a spreadsheet's rows; `find_image` finds the pictures cells name (None: no pictures came
    with the spreadsheet)."""
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
        if not any(cell.strip() for cell in cells):
            continue
        values = {name: "" for name in OPTIONAL_COLUMNS} if layout == "quizcast" else {}
        for name, position in positions.items():
            cell = cells[position] if position < len(cells) else ""
            values[name] = cell.strip(" \t") if name in POSITIONAL_COLUMNS else cell.strip()
        draft, problems = read_row(values, find_image)
        if problems or draft is None:
            parsed.skipped.append(Skipped(number, " ".join(problems)))
            continue
        draft.line = number
        parsed.drafts.append(draft)
    return parsed


# --- ZIP archives: the spreadsheet and its pictures -------------------------------------------------------------
def is_archive(data: bytes) -> bool:
    """A ZIP archive that is not itself an XLSX workbook (which is a ZIP holding `[Content_Types].xml`)."""
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" not in names


def read_archive(data: bytes) -> ParsedFile:
    """The one spreadsheet (.xlsx or .csv) of a ZIP archive, with the pictures its cells name from the archive."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise FileRefused("zip_invalid", _("The file is not a valid ZIP archive.")) from None
    if len(entries) > MAX_ARCHIVE_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise FileRefused(
            "zip_too_large",
            _("The ZIP archive would unpack to more than 50 MB or 1,000 files; Quizcast refuses it."),
        )
    names = {entry.filename for entry in entries if not entry.is_dir()}
    spreadsheets = [
        name
        for name in names
        if name.lower().endswith((".xlsx", ".csv"))
        and not name.startswith("__MACOSX/")
        and not posixpath.basename(name).startswith(("._", "~$"))
    ]
    if len(spreadsheets) != 1:
        raise FileRefused(
            "zip_spreadsheet",
            _(
                "A ZIP archive of questions holds one spreadsheet (.xlsx or .csv) and its pictures; this one holds "
                "%(count)d spreadsheets."
            )
            % {"count": len(spreadsheets)},
        )
    [sheet] = spreadsheets
    folder = posixpath.dirname(sheet)

    def find_image(cell: str) -> ImageDraft | None:
        path = posixpath.normpath(posixpath.join(folder, cell.replace("\\", "/").lstrip("/")))
        if path not in names or path == sheet:
            return None
        return ImageDraft(name=posixpath.basename(path), content=archive.read(path))

    content = archive.read(sheet)
    if sheet.lower().endswith(".xlsx"):
        return parse_rows(xlsx_rows(content), NAME_XLSX, find_image)
    return parse_rows(csv_rows(content), NAME_CSV, find_image)


# --- writing ----------------------------------------------------------------------------------------------------
def _joined(items: list[str]) -> str:
    return "\n".join(items) if any("|" in item for item in items) else " | ".join(items)


def _has_images(draft: QuestionDraft) -> bool:
    return draft.image is not None or any(choice.image is not None for choice in draft.choices)


def needs_archive(drafts: list[QuestionDraft]) -> bool:
    return any(_has_images(draft) for draft in drafts)


def _picture_names(drafts: list[QuestionDraft]) -> dict[int, str]:
    """The path each picture gets in an exported archive, by the id of its ImageDraft: images/q3.png for question
    3's picture, images/q3-choice2.png for its second choice's."""
    paths = {}
    for number, draft in enumerate(drafts, start=1):
        pictures = [(f"q{number}", draft.image)]
        pictures += [(f"q{number}-choice{place}", choice.image) for place, choice in enumerate(draft.choices, 1)]
        for stem, image in pictures:
            if image is not None:
                extension = posixpath.splitext(image.name)[1].lower() or ".png"
                paths[id(image)] = f"{IMAGES_FOLDER}/{stem}{extension}"
    return paths


def template_rows(drafts: list[QuestionDraft], pictures: dict[int, str] | None = None) -> list[list[object]]:
    """The spreadsheet's rows; `pictures` gives the path written for each picture (none: pictures are not named)."""
    pictures = pictures or {}
    rows: list[list[object]] = [list(ALL_COLUMNS)]
    for draft in drafts:
        if draft.type == Type.TRUE_FALSE:
            first_is_correct = bool(draft.choices) and draft.choices[0].is_correct
            correct = "true" if first_is_correct else "false"
        else:
            correct = ", ".join(str(index) for index, choice in enumerate(draft.choices, 1) if choice.is_correct)
        limit = draft.effective_time_limit()
        choice_pictures = [pictures.get(id(choice.image), "") for choice in draft.choices]
        descriptions = [choice.image_alt for choice in draft.choices]
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
                draft.max_words if draft.type == Type.WORDCLOUD else "",
                ("yes" if draft.partial_credit else "no") if draft.type == Type.ORDERING else "",
                draft.scale_min if draft.type == Type.SCALE else "",
                draft.scale_max if draft.type == Type.SCALE else "",
                draft.scale_min_label,
                draft.scale_max_label,
                pictures.get(id(draft.image), ""),
                draft.image_alt,
                _joined(choice_pictures) if any(choice_pictures) else "",
                _joined(descriptions) if any(descriptions) else "",
            ]
        )
    return rows


def write_xlsx(drafts: list[QuestionDraft], pictures: dict[int, str] | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Questions"
    for row in template_rows(drafts, pictures):
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula, even when it starts with "="
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = (12, 50, 40, 10, 14, 10, 30, 8, 10, 40, 10, 10, 10, 10, 20, 20, 20, 30, 30, 40)
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_export(drafts: list[QuestionDraft], name: str = "questions.xlsx") -> bytes:
    """The drafts as an XLSX workbook; when any has a picture, a ZIP archive of the workbook (`name`) and an
    `images/` folder, the workbook naming each picture by its path, as `read_archive` reads it back."""
    if not needs_archive(drafts):
        return write_xlsx(drafts)
    pictures = _picture_names(drafts)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, write_xlsx(drafts, pictures))
        for draft in drafts:
            for image in (draft.image, *(choice.image for choice in draft.choices)):
                if image is not None:
                    archive.writestr(pictures[id(image)], image.content)
    return buffer.getvalue()
