"""Importing a class roster from a CSV file: new student accounts, enrolled in a classroom.

The file is UTF-8 (a byte order mark is fine), at most 1 MB and 2000 students, with a header row naming the columns
`username`, `first_name` and `last_name`, and optionally `display_name` and `email`, in any order. Commas, semicolons
or tabs may separate them.

An import is all or nothing: if any row is wrong, nothing is created and every wrong row is reported with its line
number. A username that already exists (compared without case) is a wrong row, even when it belongs to a student:
an import only creates accounts, so it never hands an existing person a new password or a second classroom by
mistake. Enrol existing students from the classroom's page instead.
"""

import csv
import io
import os
import secrets
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import user_create
from classroom.errors import DomainError
from classroom.models import Classroom
from classroom.services import classroom_enrol

MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 2000
REQUIRED_COLUMNS = ("username", "first_name", "last_name")
OPTIONAL_COLUMNS = ("display_name", "email")
DELIMITERS = (",", ";", "\t")
# Passwords are read off a sheet of paper: no letters or digits that look alike (0/o, 1/l/i).
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
PASSWORD_GROUPS = 2
PASSWORD_GROUP_LENGTH = 5


@dataclass(frozen=True)
class RosterRow:
    line: int
    username: str
    first_name: str
    last_name: str
    display_name: str = ""
    email: str = ""


@dataclass(frozen=True)
class RosterProblem:
    """What is wrong with the file (`line` None) or with the row that starts on `line`."""

    line: int | None
    code: str
    message: str


@dataclass(frozen=True)
class StudentLogin:
    """A created student and the initial password, which is shown once and stored nowhere in plain text."""

    username: str
    name: str
    password: str


class RosterRejected(DomainError):
    """The file was refused and nothing was imported; `problems` lists every reason, in line order."""

    def __init__(self, problems: list[RosterProblem]):
        super().__init__("roster_rejected", _("Nothing was imported: the file has problems."))
        self.problems = sorted(problems, key=lambda problem: problem.line or 0)


def _field_max_length(name: str) -> int:
    return User._meta.get_field(name).max_length


def _column_name(cell: str) -> str:
    """'First name', 'first-name' and ' FIRST_NAME ' all name the first_name column."""
    return "_".join(cell.strip().lower().replace("-", " ").split())


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise RosterRejected(
            [
                RosterProblem(
                    line,
                    "not_utf8",
                    _(
                        "The file is not UTF-8 text (first bad character on line %(line)d). "
                        "Save it as “CSV UTF-8” and try again."
                    )
                    % {"line": line},
                )
            ]
        ) from None


def _delimiter_for(header_line: str) -> str:
    for delimiter in DELIMITERS:
        names = {_column_name(cell) for cell in next(csv.reader([header_line], delimiter=delimiter))}
        if set(REQUIRED_COLUMNS) <= names:
            return delimiter
    return ","


def _header_problems(columns: list[str]) -> list[RosterProblem]:
    problems = []
    named = [column for column in columns if column]
    missing = [column for column in REQUIRED_COLUMNS if column not in named]
    unknown = [column for column in named if column not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    repeated = sorted({column for column in named if named.count(column) > 1})
    expected = ", ".join(REQUIRED_COLUMNS)
    if missing:
        problems.append(
            RosterProblem(
                1,
                "missing_columns",
                _(
                    "The first line must name the columns %(expected)s (and optionally display_name, email); "
                    "missing: %(missing)s."
                )
                % {"expected": expected, "missing": ", ".join(missing)},
            )
        )
    if unknown:
        problems.append(
            RosterProblem(
                1,
                "unknown_columns",
                _("Unknown columns: %(unknown)s. The columns are %(allowed)s.")
                % {"unknown": ", ".join(unknown), "allowed": ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)},
            )
        )
    if repeated:
        problems.append(
            RosterProblem(
                1,
                "repeated_columns",
                _("These columns appear twice: %(columns)s.") % {"columns": ", ".join(repeated)},
            )
        )
    return problems


def _row_problems(line: int, values: dict[str, str]) -> list[RosterProblem]:
    problems = []

    def add(code: str, message: str) -> None:
        problems.append(RosterProblem(line, code, message))

    username = values["username"]
    if not username:
        add("blank_username", _("The username is empty."))
    else:
        try:
            User.username_validator(username)
        except ValidationError:
            add(
                "invalid_username",
                _("The username “%(username)s” may only contain letters, digits and @ . + - _ (no spaces).")
                % {"username": username},
            )
    for column, value in values.items():
        if len(value) > _field_max_length(column):
            add(
                "too_long",
                _("%(column)s is longer than %(limit)d characters.")
                % {"column": column, "limit": _field_max_length(column)},
            )
        if any(unicodedata.category(character) == "Cc" for character in value):
            add("control_characters", _("%(column)s contains control characters.") % {"column": column})
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            add("invalid_email", _("“%(email)s” is not an email address.") % {"email": values["email"]})
    return problems


def _row_values(line: int, columns: list[str], cells: list[str]) -> tuple[dict[str, str], list[RosterProblem]]:
    """The row's values by column (every column present, blank when absent) and what is wrong with its shape."""
    problems = []
    if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns) :]):
        problems.append(
            RosterProblem(
                line,
                "too_many_values",
                _("This row has more values than the header has columns (%(count)d).") % {"count": len(columns)},
            )
        )
    cells = cells[: len(columns)] + [""] * (len(columns) - len(cells))
    if any(cell.strip() for column, cell in zip(columns, cells, strict=True) if not column):
        problems.append(RosterProblem(line, "value_without_column", _("This row has a value under no column name.")))
    named = {column: cell.strip() for column, cell in zip(columns, cells, strict=True) if column}
    return {column: named.get(column, "") for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}, problems


def roster_parse(*, data: bytes) -> list[RosterRow]:
    """Read the rows of a roster file, or raise RosterRejected listing every problem of the file and its rows.

    Checks only the file itself; `roster_import` also checks the usernames against existing accounts.
    """
    if len(data) > MAX_FILE_BYTES:
        raise RosterRejected(
            [RosterProblem(None, "file_too_large", _("The file is larger than 1 MB; split it into smaller files."))]
        )
    text = _decode(data)
    if not text.strip():
        raise RosterRejected([RosterProblem(None, "empty_file", _("The file is empty."))])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter_for(text.splitlines()[0]), strict=True)
    problems: list[RosterProblem] = []
    rows: list[RosterRow] = []
    first_line_of: dict[str, int] = {}  # by lower-case username
    try:
        columns = [_column_name(cell) for cell in next(reader, [])]
        if header_problems := _header_problems(columns):
            raise RosterRejected(header_problems)
        previous_end, students = reader.line_num, 0
        for cells in reader:
            # A quoted value may span lines: a row is reported on the line where it starts.
            line, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            students += 1
            if students > MAX_ROWS:
                raise RosterRejected(
                    [
                        RosterProblem(
                            None,
                            "too_many_rows",
                            _("The file has more than %(limit)d students; split it into smaller files.")
                            % {"limit": MAX_ROWS},
                        )
                    ]
                )
            values, row_problems = _row_values(line, columns, cells)
            row_problems += _row_problems(line, values)
            key = values["username"].lower()
            if key in first_line_of:
                row_problems.append(
                    RosterProblem(
                        line,
                        "duplicate_username",
                        _("The username “%(username)s” is also on line %(first)d.")
                        % {"username": values["username"], "first": first_line_of[key]},
                    )
                )
            elif key:
                first_line_of[key] = line
            if row_problems:
                problems += row_problems
            else:
                rows.append(RosterRow(line=line, **values))
    except csv.Error as error:
        problems.append(
            RosterProblem(
                reader.line_num,
                "malformed_csv",
                _("Line %(line)d cannot be read as CSV (%(error)s).") % {"line": reader.line_num, "error": error},
            )
        )
    if problems:
        raise RosterRejected(problems)
    if not rows:
        raise RosterRejected([RosterProblem(None, "no_rows", _("The file has a header but no students."))])
    return rows


def _taken_problems(rows: list[RosterRow]) -> list[RosterProblem]:
    usernames = [row.username for row in rows]
    lowered = [username.lower() for username in usernames]
    taken = set(
        User.objects.annotate(lowered=Lower("username"))
        .filter(Q(username__in=usernames) | Q(lowered__in=lowered))
        .values_list("lowered", flat=True)
    )
    return [
        RosterProblem(
            row.line,
            "username_taken",
            _("The username “%(username)s” is already taken by an existing account.") % {"username": row.username},
        )
        for row in rows
        if row.username.lower() in taken
    ]


def student_password_generate() -> str:
    """A random password that is easy to copy from paper, like 'k7mqp-x3rtd' (about 50 bits)."""
    groups = (
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_GROUP_LENGTH)) for _ in range(PASSWORD_GROUPS)
    )
    return "-".join(groups)


def _hash_all(passwords: list[str]) -> list[str]:
    # Hashing is deliberately slow (a third of a second each); the hash functions release the GIL, so threads
    # spread a large roster over the cores.
    workers = max(1, min(8, os.cpu_count() or 1, len(passwords)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(make_password, passwords))


def roster_import(*, classroom: Classroom, data: bytes) -> list[StudentLogin]:
    """Create a student account for every row of the file and enrol them all in `classroom`.

    Returns the new logins with their initial passwords, in file order. Raises RosterRejected, having created
    nothing, when the file or any row is wrong or a username is already taken.
    """
    rows = roster_parse(data=data)
    taken = _taken_problems(rows)
    if taken:
        raise RosterRejected(taken)
    passwords = [student_password_generate() for _row in rows]
    hashes = _hash_all(passwords)
    logins: list[StudentLogin] = []
    students: list[User] = []
    with transaction.atomic():
        for row, password, hashed in zip(rows, passwords, hashes, strict=True):
            try:
                student = user_create(
                    username=row.username,
                    password=None,
                    role=User.Role.STUDENT,
                    display_name=row.display_name,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    email=row.email,
                )
            except ValidationError as error:  # e.g. the username was taken since the check above
                messages = [message for field_messages in error.message_dict.values() for message in field_messages]
                raise RosterRejected([RosterProblem(row.line, "invalid_row", " ".join(messages))]) from None
            student.password = hashed
            student.save(update_fields=["password"])
            students.append(student)
            logins.append(StudentLogin(username=student.username, name=student.name, password=password))
        classroom_enrol(classroom=classroom, students=students)
    return logins


def roster_logins_rows(*, logins: list[StudentLogin]) -> list[list[str]]:
    """The rows of the passwords file handed to the teacher: a header, then one row per new student."""
    return [["username", "name", "password"]] + [[login.username, login.name, login.password] for login in logins]
