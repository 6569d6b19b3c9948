"""Importing a class roster from CSV: all rows or nothing, every bad row reported with its line number, and the
initial passwords shown once."""

import base64
import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from classroom.roster import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    RosterRejected,
    roster_import,
    roster_parse,
    student_password_generate,
)
from tests.factories import StudentFactory, TeacherFactory

GOOD = (
    "username,first_name,last_name,display_name,email\n"
    "ada.l,Ada,Lovelace,Ada,ada@example.org\n"
    "alan.t,Alan,Turing,,\n"
    "grace.h,Grace,Hopper,Amazing Grace,\n"
)


def problems_of(data: bytes) -> list[tuple[int | None, str]]:
    with pytest.raises(RosterRejected) as rejected:
        roster_parse(data=data)
    return [(problem.line, problem.code) for problem in rejected.value.problems]


# --- reading the file -----------------------------------------------------------------------------------------
def test_a_good_file_gives_one_row_per_student_with_its_line():
    rows = roster_parse(data=GOOD.encode())

    assert [(row.line, row.username, row.first_name, row.display_name) for row in rows] == [
        (2, "ada.l", "Ada", "Ada"),
        (3, "alan.t", "Alan", ""),
        (4, "grace.h", "Grace", "Amazing Grace"),
    ]
    assert rows[0].email == "ada@example.org"


def test_optional_columns_may_be_left_out_and_columns_come_in_any_order_and_spelling():
    rows = roster_parse(data=b"Last Name,USERNAME,first-name\nLovelace,ada.l,Ada\n")

    assert [(row.username, row.first_name, row.last_name, row.email) for row in rows] == [
        ("ada.l", "Ada", "Lovelace", "")
    ]


def test_a_byte_order_mark_semicolons_windows_line_ends_and_blank_lines_are_fine():
    data = "\ufeffusername;first_name;last_name\r\nzoë;Zoë;Müller\r\n\r\n;;\r\nbo;Bo;Li\r\n".encode()

    rows = roster_parse(data=data)

    assert [(row.line, row.username, row.last_name) for row in rows] == [(2, "zoë", "Müller"), (5, "bo", "Li")]


def test_every_bad_row_is_reported_with_its_line_number():
    data = (
        "username,first_name,last_name,email\n"
        "ok.one,Ok,One,\n"  # 2
        ",No,Username,\n"  # 3
        "has space,Bad,Chars,\n"  # 4
        "OK.ONE,Same,Name,\n"  # 5: the same username as line 2, in another case
        f"long,{'x' * 151},Name,\n"  # 6
        "mail,Bad,Mail,not-an-email\n"  # 7
        "extra,Too,Many,,surprise\n"  # 8
        "ok.two,Ok,Two,\n"  # 9
    ).encode()

    assert problems_of(data) == [
        (3, "blank_username"),
        (4, "invalid_username"),
        (5, "duplicate_username"),
        (6, "too_long"),
        (7, "invalid_email"),
        (8, "too_many_values"),
    ]


def test_a_duplicate_names_the_line_it_repeats():
    with pytest.raises(RosterRejected) as rejected:
        roster_parse(data=b"username,first_name,last_name\nada,A,L\nbob,B,C\nada,A,L\n")

    [problem] = rejected.value.problems
    assert (problem.line, problem.message) == (4, "The username “ada” is also on line 2.")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        pytest.param(b"username,first_name\nada,Ada\n", "missing_columns", id="missing-column"),
        pytest.param(b"ada.l,Ada,Lovelace\n", "missing_columns", id="no-header"),
        pytest.param(b"username,first_name,last_name,age\nada,A,L,36\n", "unknown_columns", id="unknown-column"),
        pytest.param(b"username,first_name,last_name,username\na,A,L,b\n", "repeated_columns", id="repeated-column"),
    ],
)
def test_a_wrong_header_is_reported_on_line_one(data, code):
    assert (1, code) in problems_of(data)


def test_the_missing_columns_are_named():
    with pytest.raises(RosterRejected) as rejected:
        roster_parse(data=b"username,first_name\nada,Ada\n")

    assert "missing: last_name" in rejected.value.problems[0].message


def test_a_file_that_is_not_utf8_is_refused_with_the_line_of_the_first_bad_character():
    data = "username,first_name,last_name\nada,Ada,Lovelace\nzoe,Zoë,Müller\n".encode("latin-1")

    assert problems_of(data) == [(3, "not_utf8")]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        pytest.param(b"", "empty_file", id="empty"),
        pytest.param(b"username,first_name,last_name\n\n", "no_rows", id="header-only"),
        pytest.param(b"username,first_name,last_name\n" + b"x" * MAX_FILE_BYTES, "file_too_large", id="too-large"),
        pytest.param(
            b"username,first_name,last_name\n" + b"".join(b"s%d,S,T\n" % n for n in range(MAX_ROWS + 1)),
            "too_many_rows",
            id="too-many-rows",
        ),
        pytest.param(b'username,first_name,last_name\n"ada,Ada,Lovelace\n', "malformed_csv", id="open-quote"),
    ],
)
def test_a_file_that_cannot_be_a_roster_is_refused_as_a_whole(data, code):
    assert [found for _line, found in problems_of(data)] == [code]


def test_exactly_the_maximum_number_of_rows_is_accepted():
    data = b"username,first_name,last_name\n" + b"".join(b"s%d,S,T\n" % n for n in range(MAX_ROWS))

    assert len(roster_parse(data=data)) == MAX_ROWS


# --- importing ------------------------------------------------------------------------------------------------
def test_passwords_are_random_and_easy_to_copy():
    passwords = {student_password_generate() for _ in range(50)}

    assert len(passwords) == 50
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", password) for password in passwords)
    assert not any(set(password) & set("01ilo") for password in passwords)


def test_import_creates_students_with_working_passwords_and_enrols_them(classroom):
    logins = roster_import(classroom=classroom, data=GOOD.encode())

    assert [(login.username, login.name) for login in logins] == [
        ("ada.l", "Ada"),
        ("alan.t", "Alan Turing"),
        ("grace.h", "Amazing Grace"),
    ]
    for login in logins:
        student = User.objects.get(username=login.username)
        assert student.is_student and not student.is_staff and not student.is_guest
        assert student.check_password(login.password)
        assert login.password not in student.password  # only the hash is stored
        assert classroom.enrolments.filter(student=student).exists()


@pytest.mark.parametrize("existing_role", [User.Role.STUDENT, User.Role.TEACHER])
def test_a_username_that_already_exists_is_a_bad_row_and_nothing_is_imported(classroom, existing_role):
    existing = StudentFactory(username="Alan.T") if existing_role == User.Role.STUDENT else TeacherFactory()
    data = GOOD if existing_role == User.Role.STUDENT else GOOD.replace("alan.t", existing.username)
    users_before = User.objects.count()

    with pytest.raises(RosterRejected) as rejected:
        roster_import(classroom=classroom, data=data.encode())

    assert [(problem.line, problem.code) for problem in rejected.value.problems] == [(3, "username_taken")]
    assert User.objects.count() == users_before
    assert not classroom.enrolments.exists()


# --- through the admin ----------------------------------------------------------------------------------------
@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


def upload(client, classroom, data: bytes, name="roster.csv"):
    url = reverse("admin:classroom_classroom_import_roster", args=[classroom.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def download_rows(response) -> list[list[str]]:
    match = re.search(
        r'href="data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)" download="([^"]+)"', response.content.decode()
    )
    assert match, "no download link"
    assert match.group(2).endswith(".csv")
    return list(csv.reader(io.StringIO(base64.b64decode(match.group(1)).decode("utf-8-sig"))))


def test_the_import_page_shows_an_upload_form(teacher_client, classroom):
    response = teacher_client.get(reverse("admin:classroom_classroom_import_roster", args=[classroom.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'type="file"' in content
    assert 'enctype="multipart/form-data"' in content
    assert "username, first_name, last_name" in content


def test_a_good_file_creates_the_students_and_shows_their_passwords_once(teacher_client, classroom):
    response = upload(teacher_client, classroom, GOOD.encode())

    assert response.status_code == 200
    assert classroom.students.count() == 3
    content = response.content.decode()
    rows = download_rows(response)
    assert rows[0] == ["username", "name", "password"]
    assert [row[:2] for row in rows[1:]] == [["ada.l", "Ada"], ["alan.t", "Alan Turing"], ["grace.h", "Amazing Grace"]]
    for username, _name, password in rows[1:]:
        assert User.objects.get(username=username).check_password(password)
        assert f"<code>{password}</code>" in content
    assert "no-store" in response["Cache-Control"]

    again = teacher_client.get(reverse("admin:classroom_classroom_import_roster", args=[classroom.pk]))
    assert not any(password in again.content.decode() for _u, _n, password in rows[1:])


def test_a_bad_file_imports_nothing_and_the_page_lists_every_bad_row(teacher_client, classroom):
    StudentFactory(username="taken")
    data = b"username,first_name,last_name\nfine,Fi,Ne\n,No,Name\ntaken,Ta,Ken\nbad name,Ba,D\n"
    users_before = User.objects.count()

    response = upload(teacher_client, classroom, data)

    assert response.status_code == 200
    assert User.objects.count() == users_before
    assert not classroom.students.exists()
    assert [(p.line, p.code) for p in response.context["problems"]] == [(3, "blank_username"), (5, "invalid_username")]
    content = response.content.decode()
    assert "Nothing was imported" in content
    assert "The username is empty." in content
    assert "data:text/csv" not in content


def test_taken_usernames_are_reported_once_the_file_itself_is_right(teacher_client, classroom):
    StudentFactory(username="taken")

    response = upload(teacher_client, classroom, b"username,first_name,last_name\nfine,Fi,Ne\ntaken,Ta,Ken\n")

    assert [(p.line, p.code) for p in response.context["problems"]] == [(3, "username_taken")]
    assert not User.objects.filter(username="fine").exists()


def test_a_file_that_is_too_large_is_refused_without_reading_it_all(teacher_client, classroom):
    response = upload(teacher_client, classroom, b"username,first_name,last_name\n" + b"a" * (2 * MAX_FILE_BYTES))

    assert [p.code for p in response.context["problems"]] == ["file_too_large"]
    assert "larger than 1 MB" in response.content.decode()


def test_the_passwords_file_is_safe_to_open_in_a_spreadsheet(teacher_client, classroom):
    response = upload(teacher_client, classroom, b"username,first_name,last_name,display_name\nx,X,Y,=HYPERLINK(1)\n")

    assert download_rows(response)[1][1] == "'=HYPERLINK(1)"
