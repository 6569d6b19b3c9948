"""Importing a class roster from a CSV file: new student accounts, enrolled in a classroom.

The file is UTF-8 (a byte order mark is fine), at most 1 MB and 2000 students, with a header row naming the columns
`username`, `first_name` and `last_name`, and optionally `display_name` and `email`, in any order. Commas, semicolons
or tabs may separate them.

The file is checked at once, and an import is all or nothing: if any row is wrong, nothing is created and every
wrong row is reported with its line number. A good file is imported by a background job (jobs/): hashing the
passwords takes a while. Its initial passwords are kept sealed (classroom/sealing.py) for the teacher to download
until they confirm they saved them, or for LOGINS_KEPT_FOR.

A username that already exists (compared without case) is a wrong row, even when it belongs to a student:
an import only creates accounts, so it never hands an existing person a new password or a second classroom by
mistake. Enrol existing students from the classroom's page instead.
"""

import csv
import io
import json
import os
import secrets
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import CharField, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import students_create
from classroom.errors import DomainError
from classroom.models import Classroom, RosterImport
from classroom.sealing import InvalidToken, seal, unseal
from classroom.services import classroom_enrol
from jobs.models import Job
from jobs.progress import JobFailed, JobProgress
from jobs.services import job_create

MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 2000
REQUIRED_COLUMNS = ("username", "first_name", "last_name")
OPTIONAL_COLUMNS = ("display_name", "email")
DELIMITERS = (",", ";", "\t")
# Passwords are read off a sheet of paper: no letters or digits that look alike (0/o, 1/l/i).
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
PASSWORD_GROUPS = 2
PASSWORD_GROUP_LENGTH = 5
ROSTER_IMPORT_JOB = "roster_import"
HASH_THREADS = 4
HASH_CHUNK = 50
# The initial passwords are kept (sealed) until a teacher confirms they saved them, or this long after the import.
LOGINS_KEPT_FOR = timedelta(days=7)
LOGINS_PURPOSE = "roster-logins"


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
    """A created student and the initial password, kept sealed until a teacher saved it (never in plain text)."""

    username: str
    name: str
    password: str


class RosterRejected(DomainError):
    """The file was refused and nothing was imported; `problems` lists every reason, in line order."""

    def __init__(self, problems: list[RosterProblem]):
        super().__init__("roster_rejected", _("Nothing was imported: the file has problems."))
        self.problems = sorted(problems, key=lambda problem: problem.line or 0)


def _field_max_length(name: str) -> int:
    field = User._meta.get_field(name)
    assert isinstance(field, CharField) and field.max_length is not None, name
    return field.max_length


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

    Checks only the file itself; `roster_validate` also checks the usernames against existing accounts.
    """
    rows, problems, _usernames = _parse(data)
    if problems:
        raise RosterRejected(problems)
    return rows


def roster_validate(*, data: bytes) -> list[RosterRow]:
    """`roster_parse`, and every username already taken by an account reported with the other problems at once."""
    rows, problems, usernames = _parse(data)
    problems += _taken_problems(usernames)
    if problems:
        raise RosterRejected(problems)
    return rows


def _parse(data: bytes) -> tuple[list[RosterRow], list[RosterProblem], list[tuple[int, str]]]:
    """The good rows, the problems, and the (line, username) of every row with a well-formed username.

    A problem with the whole file (too large, not UTF-8, a wrong header...) is raised at once.
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
    usernames: list[tuple[int, str]] = []
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
            if key and not any(problem.code in ("invalid_username", "too_long") for problem in row_problems):
                usernames.append((line, values["username"]))
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
    if not rows and not problems:
        raise RosterRejected([RosterProblem(None, "no_rows", _("The file has a header but no students."))])
    return rows, problems, usernames


def _taken_problems(usernames: list[tuple[int, str]]) -> list[RosterProblem]:
    names = [username for _line, username in usernames]
    lowered = [username.lower() for username in names]
    taken = set(
        User.objects.annotate(lowered=Lower("username"))
        .filter(Q(username__in=names) | Q(lowered__in=lowered))
        .values_list("lowered", flat=True)
    )
    return [
        RosterProblem(
            line,
            "username_taken",
            _("The username “%(username)s” is already taken by an existing account.") % {"username": username},
        )
        for line, username in usernames
        if username.lower() in taken
    ]


def student_password_generate() -> str:
    """A random password that is easy to copy from paper, like 'k7mqp-x3rtd' (about 50 bits)."""
    groups = (
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_GROUP_LENGTH)) for _ in range(PASSWORD_GROUPS)
    )
    return "-".join(groups)


def roster_import_start(*, classroom: Classroom, data: bytes, file_name: str, started_by: User) -> RosterImport:
    """Check the whole file now and queue the import as a job that creates the accounts in the background.

    Raises RosterRejected, having queued nothing, when the file or any row is wrong or a username is taken: every
    problem at once, in line order.
    """
    rows = roster_validate(data=data)
    with transaction.atomic():
        job = job_create(kind=ROSTER_IMPORT_JOB, owner=started_by, payload={"classroom": classroom.pk}, total=len(rows))
        return RosterImport.objects.create(
            job=job, classroom=classroom, file_name=file_name[:255], rows=[asdict(row) for row in rows]
        )


def roster_import_run(job: Job, progress: JobProgress) -> dict:
    """The job's work: hash new passwords (the progress), then create, enrol and seal the logins in one
    transaction, so the accounts never exist without their passwords kept for the teacher.

    Run again after an interruption it starts over when nothing was created, and reports the earlier run's
    outcome when it was.
    """
    roster_import = RosterImport.objects.select_related("classroom").get(job=job)
    if roster_import.completed_at is None:
        rows = [RosterRow(**row) for row in roster_import.rows]
        progress.restart()
        passwords = [student_password_generate() for _row in rows]
        hashes = _hash_all(passwords, progress)
        try:
            _accounts_create(roster_import, rows, passwords, hashes)
        except RosterRejected as rejected:
            raise JobFailed(
                _(
                    "Since the file was checked, some of its rows became wrong (listed below). "
                    "Fix them and import it again."
                ),
                result={"problems": [asdict(problem) for problem in rejected.problems]},
            ) from None
    return {"classroom": roster_import.classroom_id, "created": roster_import.created_count}


def _hash_all(passwords: list[str], progress: JobProgress) -> list[str]:
    # The hashes are computed in threads (hashlib releases the GIL), a chunk at a time to report progress.
    hasher = settings.INITIAL_PASSWORD_HASHER
    workers = max(1, min(HASH_THREADS, os.cpu_count() or 1))
    hashes: list[str] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for start in range(0, len(passwords), HASH_CHUNK):
            chunk = passwords[start : start + HASH_CHUNK]
            hashes += pool.map(lambda password: make_password(password, hasher=hasher), chunk)
            progress.advance(len(chunk))
    progress.flush()
    return hashes


def _accounts_create(
    roster_import: RosterImport, rows: list[RosterRow], passwords: list[str], hashes: list[str]
) -> None:
    drafts = [
        User(
            username=row.username,
            role=User.Role.STUDENT,
            display_name=row.display_name,
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            password=hashed,
        )
        for row, hashed in zip(rows, hashes, strict=True)
    ]
    # Usernames taken since the file was checked, in another case too (the database compares them with case).
    if taken := _taken_problems([(row.line, row.username) for row in rows]):
        raise RosterRejected(taken)
    try:
        with transaction.atomic():
            students = students_create(students=drafts)
            classroom_enrol(classroom=roster_import.classroom, students=students)
            logins = [
                [student.username, student.name, password]
                for student, password in zip(students, passwords, strict=True)
            ]
            roster_import.sealed_logins = seal(json.dumps(logins).encode(), purpose=LOGINS_PURPOSE)
            roster_import.created_count = len(students)
            roster_import.completed_at = timezone.now()
            roster_import.rows = []
            roster_import.save(update_fields=["sealed_logins", "created_count", "completed_at", "rows"])
    except (IntegrityError, ValidationError):
        # A username was taken in the last instant: report which, as the first check would have.
        problems = _taken_problems([(row.line, row.username) for row in rows])
        raise RosterRejected(
            problems or [RosterProblem(None, "invalid_row", _("An account could not be created; nothing was."))]
        ) from None


# --- the initial passwords, until a teacher has saved them ---------------------------------------------------
def roster_imports_open(*, classroom: Classroom, limit: int = 20) -> list[RosterImport]:
    """The classroom's imports still running or whose passwords are still kept, newest first."""
    running = Q(job__state__in=[Job.State.QUEUED, Job.State.RUNNING])
    kept = ~Q(sealed_logins="") & Q(completed_at__gt=timezone.now() - LOGINS_KEPT_FOR)
    return list(classroom.roster_imports.filter(running | kept).select_related("job").defer("sealed_logins")[:limit])


def roster_logins_expire_at(*, roster_import: RosterImport) -> datetime | None:
    if roster_import.completed_at is None:
        return None
    return roster_import.completed_at + LOGINS_KEPT_FOR


def roster_logins(*, roster_import: RosterImport, now: datetime | None = None) -> list[StudentLogin]:
    """The initial passwords of the import, in file order; empty once forgotten, expired or unreadable."""
    expires_at = roster_logins_expire_at(roster_import=roster_import)
    if not roster_import.sealed_logins or expires_at is None or expires_at <= (now or timezone.now()):
        return []
    try:
        logins = json.loads(unseal(roster_import.sealed_logins, purpose=LOGINS_PURPOSE))
    except InvalidToken:  # SECRET_KEY changed without the old one in SECRET_KEY_FALLBACKS
        return []
    return [StudentLogin(username=username, name=name, password=password) for username, name, password in logins]


def roster_logins_forget(*, roster_import: RosterImport, because: str = RosterImport.Forgotten.CONFIRMED) -> None:
    """Delete the stored passwords for good: a teacher saved them, or they expired."""
    roster_import.sealed_logins = ""
    roster_import.logins_forgotten_at = timezone.now()
    roster_import.logins_forgotten_because = because
    roster_import.save(update_fields=["sealed_logins", "logins_forgotten_at", "logins_forgotten_because"])


def roster_logins_expire(*, now: datetime | None = None) -> int:
    """Delete the passwords of every import older than LOGINS_KEPT_FOR. Returns how many imports had some."""
    return (
        RosterImport.objects.exclude(sealed_logins="")
        .filter(completed_at__lte=(now or timezone.now()) - LOGINS_KEPT_FOR)
        .update(
            sealed_logins="",
            logins_forgotten_at=now or timezone.now(),
            logins_forgotten_because=RosterImport.Forgotten.EXPIRED,
        )
    )


def roster_logins_rows(*, logins: list[StudentLogin]) -> list[list[str]]:
    """The rows of the passwords file handed to the teacher: a header, then one row per new student."""
    return [["username", "name", "password"]] + [[login.username, login.name, login.password] for login in logins]
