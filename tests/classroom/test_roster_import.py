"""Importing a class roster from CSV: every problem reported at once with its line number, then all rows or nothing
created by a background job, and the initial passwords kept sealed until the teacher saved them."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from classroom.models import RosterImport
from classroom.roster import (
    LOGINS_KEPT_FOR,
    MAX_FILE_BYTES,
    MAX_ROWS,
    RosterRejected,
    roster_import_start,
    roster_logins,
    roster_logins_expire,
    roster_parse,
    roster_validate,
    student_password_generate,
)
from jobs.models import Job
from jobs.runner import JobRunner
from tests.factories import AdminFactory, StudentFactory, TeacherFactory

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
def import_roster(classroom, data: bytes) -> RosterImport:
    """Start an import as its classroom's owner, and run the job to its end as the server's runner would."""
    roster_import = roster_import_start(
        classroom=classroom, data=data, file_name="roster.csv", started_by=classroom.owner
    )
    JobRunner().run_pending()
    roster_import.refresh_from_db()
    roster_import.job.refresh_from_db()
    return roster_import


def test_passwords_are_random_and_easy_to_copy():
    passwords = {student_password_generate() for _ in range(50)}

    assert len(passwords) == 50
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", password) for password in passwords)
    assert not any(set(password) & set("01ilo") for password in passwords)


def test_import_creates_students_with_working_passwords_and_enrols_them(classroom):
    roster_import = import_roster(classroom, GOOD.encode())

    assert roster_import.job.state == Job.State.SUCCEEDED
    assert roster_import.job.result == {"classroom": classroom.pk, "created": 3}
    logins = roster_logins(roster_import=roster_import)
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


def test_the_job_counts_every_password_prepared(classroom):
    roster_import = roster_import_start(
        classroom=classroom, data=GOOD.encode(), file_name="roster.csv", started_by=classroom.owner
    )
    assert (roster_import.job.state, roster_import.job.progress_done, roster_import.job.progress_total) == (
        Job.State.QUEUED,
        0,
        3,
    )
    assert not User.objects.filter(username="ada.l").exists()

    JobRunner().run_pending()

    roster_import.job.refresh_from_db()
    assert (roster_import.job.state, roster_import.job.progress_done, roster_import.job.percent) == (
        Job.State.SUCCEEDED,
        3,
        100,
    )


def test_the_largest_roster_is_imported_in_one_job(classroom):
    data = b"username,first_name,last_name\n" + b"".join(b"s%d,S,T\n" % n for n in range(MAX_ROWS))

    roster_import = import_roster(classroom, data)

    assert roster_import.job.state == Job.State.SUCCEEDED
    assert roster_import.created_count == MAX_ROWS
    assert classroom.students.count() == MAX_ROWS
    logins = roster_logins(roster_import=roster_import)
    assert len(logins) == MAX_ROWS
    assert User.objects.get(username="s1999").check_password(logins[-1].password)


def test_the_stored_passwords_are_encrypted_never_plain_text(classroom):
    roster_import = import_roster(classroom, GOOD.encode())

    stored = RosterImport.objects.values_list("sealed_logins", flat=True).get(pk=roster_import.pk)
    assert stored
    for login in roster_logins(roster_import=roster_import):
        assert login.password not in stored
        assert login.username not in stored
    assert roster_import.rows == []  # the file's rows are not kept once the accounts exist


def test_passwords_sealed_under_another_key_are_not_readable(classroom, settings):
    roster_import = import_roster(classroom, GOOD.encode())

    settings.SECRET_KEY = "another-secret-key-another-secret-key"
    assert roster_logins(roster_import=roster_import) == []
    settings.SECRET_KEY_FALLBACKS = ["quizcast-test-key"]
    assert len(roster_logins(roster_import=roster_import)) == 3


def test_the_passwords_are_deleted_seven_days_after_the_import(classroom):
    roster_import = import_roster(classroom, GOOD.encode())
    almost = roster_import.completed_at + LOGINS_KEPT_FOR - timedelta(minutes=1)

    assert roster_logins_expire(now=almost) == 0
    assert len(roster_logins(roster_import=roster_import, now=almost)) == 3
    assert roster_logins(roster_import=roster_import, now=almost + timedelta(minutes=1)) == []

    assert roster_logins_expire(now=almost + timedelta(minutes=1)) == 1
    roster_import.refresh_from_db()
    assert roster_import.sealed_logins == ""
    assert roster_import.logins_forgotten_because == RosterImport.Forgotten.EXPIRED


@pytest.mark.parametrize("existing_role", [User.Role.STUDENT, User.Role.TEACHER])
def test_a_username_that_already_exists_is_a_bad_row_and_nothing_is_imported(classroom, existing_role):
    existing = StudentFactory(username="Alan.T") if existing_role == User.Role.STUDENT else TeacherFactory()
    data = GOOD if existing_role == User.Role.STUDENT else GOOD.replace("alan.t", existing.username)
    users_before = User.objects.count()

    with pytest.raises(RosterRejected) as rejected:
        roster_import_start(classroom=classroom, data=data.encode(), file_name="r.csv", started_by=classroom.owner)

    assert [(problem.line, problem.code) for problem in rejected.value.problems] == [(3, "username_taken")]
    assert User.objects.count() == users_before
    assert not classroom.enrolments.exists()
    assert not Job.objects.exists()


def test_taken_usernames_are_reported_in_the_first_pass_with_every_other_problem(db):
    StudentFactory(username="taken")
    StudentFactory(username="also.taken")
    data = (
        b"username,first_name,last_name,email\n"
        b"fine,Fi,Ne,\n"  # 2
        b"taken,Ta,Ken,\n"  # 3
        b",No,Name,\n"  # 4
        b"ALSO.TAKEN,Bad,Mail,not-an-email\n"  # 5: taken, and a bad email
    )

    with pytest.raises(RosterRejected) as rejected:
        roster_validate(data=data)

    assert sorted((problem.line, problem.code) for problem in rejected.value.problems) == [
        (3, "username_taken"),
        (4, "blank_username"),
        (5, "invalid_email"),
        (5, "username_taken"),
    ]


@pytest.mark.parametrize("taken", ["grace.h", "Grace.H"])
def test_a_username_taken_while_the_job_waited_fails_the_job_and_creates_nothing(classroom, taken):
    roster_import = roster_import_start(
        classroom=classroom, data=GOOD.encode(), file_name="roster.csv", started_by=classroom.owner
    )
    StudentFactory(username=taken)
    users_before = User.objects.count()

    JobRunner().run_pending()

    job = Job.objects.get(pk=roster_import.job_id)
    assert job.state == Job.State.FAILED
    assert [(problem["line"], problem["code"]) for problem in job.result["problems"]] == [(4, "username_taken")]
    assert User.objects.count() == users_before
    assert not classroom.enrolments.exists()


def test_an_import_interrupted_after_creating_the_accounts_reports_them_when_resumed(classroom):
    roster_import = import_roster(classroom, GOOD.encode())
    # As if the server stopped between creating the accounts and recording the job's end.
    Job.objects.filter(pk=roster_import.job_id).update(
        state=Job.State.RUNNING, attempts=1, heartbeat_at=timezone.now() - timedelta(minutes=5)
    )

    JobRunner().run_pending()

    job = Job.objects.get(pk=roster_import.job_id)
    assert (job.state, job.attempts, job.result["created"]) == (Job.State.SUCCEEDED, 2, 3)
    assert len(roster_logins(roster_import=roster_import)) == 3
    assert classroom.students.count() == 3


def test_an_import_interrupted_while_hashing_starts_over_and_creates_every_account_once(classroom):
    roster_import = roster_import_start(
        classroom=classroom, data=GOOD.encode(), file_name="roster.csv", started_by=classroom.owner
    )
    Job.objects.filter(pk=roster_import.job_id).update(
        state=Job.State.RUNNING, attempts=1, progress_done=2, heartbeat_at=timezone.now() - timedelta(minutes=5)
    )

    JobRunner().run_pending()

    roster_import.refresh_from_db()
    assert roster_import.job.state == Job.State.SUCCEEDED
    assert classroom.students.count() == 3
    for login in roster_logins(roster_import=roster_import):
        assert User.objects.get(username=login.username).check_password(login.password)


# --- through the admin ----------------------------------------------------------------------------------------
@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


def upload(client, classroom, data: bytes, name="roster.csv"):
    url = reverse("admin:classroom_classroom_import_roster", args=[classroom.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def import_url(view: str, roster_import: RosterImport) -> str:
    return reverse(f"admin:classroom_classroom_{view}", args=[roster_import.classroom_id, roster_import.pk])


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert re.fullmatch(
        r'attachment; filename="[a-z0-9-]+-passwords-\d{4}-\d{2}-\d{2}\.csv"', response["Content-Disposition"]
    )
    return list(csv.reader(io.StringIO(b"".join(response).decode("utf-8-sig"))))


def test_the_import_page_shows_an_upload_form(teacher_client, classroom):
    response = teacher_client.get(reverse("admin:classroom_classroom_import_roster", args=[classroom.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'type="file"' in content
    assert 'enctype="multipart/form-data"' in content
    assert "username, first_name, last_name" in content


def test_a_good_file_starts_a_job_whose_page_shows_its_progress(teacher_client, classroom):
    response = upload(teacher_client, classroom, GOOD.encode())

    roster_import = RosterImport.objects.get(classroom=classroom)
    assert response.status_code == 302
    assert response["Location"] == import_url("roster_import", roster_import)
    assert roster_import.job.owner == classroom.owner
    page = teacher_client.get(response["Location"])
    content = page.content.decode()
    assert '<progress id="job-progress-bar" max="3" value="0">' in content
    assert f'data-progress-url="{import_url("roster_import_progress", roster_import)}"' in content
    assert "Refresh</a>" in content
    assert "js/job-progress.js" in content
    progress = teacher_client.get(import_url("roster_import_progress", roster_import)).json()
    assert progress == {"state": "queued", "done": 0, "total": 3, "percent": 0, "finished": False}
    # The import page links back to the import while it runs, and while its passwords are kept.
    import_page = reverse("admin:classroom_classroom_import_roster", args=[classroom.pk])
    assert import_url("roster_import", roster_import) in teacher_client.get(import_page).content.decode()
    JobRunner().run_pending()
    assert import_url("roster_import", roster_import) in teacher_client.get(import_page).content.decode()


def test_the_passwords_can_be_downloaded_until_the_teacher_confirms_they_saved_them(teacher_client, classroom):
    upload(teacher_client, classroom, GOOD.encode())
    JobRunner().run_pending()
    roster_import = RosterImport.objects.get(classroom=classroom)

    assert teacher_client.get(import_url("roster_import_progress", roster_import)).json()["finished"] is True
    page = teacher_client.get(import_url("roster_import", roster_import))
    assert "no-store" in page["Cache-Control"]
    rows = csv_rows(teacher_client.get(import_url("roster_logins_csv", roster_import)))
    assert rows[0] == ["username", "name", "password"]
    assert [row[:2] for row in rows[1:]] == [["ada.l", "Ada"], ["alan.t", "Alan Turing"], ["grace.h", "Amazing Grace"]]
    cards = teacher_client.get(import_url("roster_logins_cards", roster_import))
    assert cards.status_code == 200
    for username, _name, password in rows[1:]:
        assert User.objects.get(username=username).check_password(password)
        assert f"<code>{password}</code>" in page.content.decode()
        assert f"<code>{username}</code>" in cards.content.decode()
        assert f"<code>{password}</code>" in cards.content.decode()
    assert cards.content.decode().count('class="qc-card"') == 3
    assert "http://testserver/</dd>" in cards.content.decode()

    confirmed = teacher_client.post(import_url("roster_logins_forget", roster_import))

    assert confirmed.status_code == 302
    roster_import.refresh_from_db()
    assert roster_import.sealed_logins == ""
    assert roster_import.logins_forgotten_because == RosterImport.Forgotten.CONFIRMED
    assert teacher_client.get(import_url("roster_logins_csv", roster_import)).status_code == 404
    assert teacher_client.get(import_url("roster_logins_cards", roster_import)).status_code == 404
    after = teacher_client.get(import_url("roster_import", roster_import)).content.decode()
    assert not any(password in after for _u, _n, password in rows[1:])
    assert "deleted from the server" in after
    import_page = teacher_client.get(reverse("admin:classroom_classroom_import_roster", args=[classroom.pk]))
    assert import_url("roster_import", roster_import) not in import_page.content.decode()


def test_after_seven_days_the_page_says_the_passwords_expired_and_serves_none(teacher_client, classroom):
    upload(teacher_client, classroom, GOOD.encode())
    JobRunner().run_pending()
    roster_import = RosterImport.objects.get(classroom=classroom)
    RosterImport.objects.filter(pk=roster_import.pk).update(completed_at=timezone.now() - LOGINS_KEPT_FOR)

    content = teacher_client.get(import_url("roster_import", roster_import)).content.decode()

    assert "when they expired" in content
    assert 'id="roster-logins"' not in content
    assert teacher_client.get(import_url("roster_logins_csv", roster_import)).status_code == 404


def test_a_bad_file_imports_nothing_and_the_page_lists_every_bad_row(teacher_client, classroom):
    StudentFactory(username="taken")
    data = b"username,first_name,last_name\nfine,Fi,Ne\n,No,Name\ntaken,Ta,Ken\nbad name,Ba,D\n"
    users_before = User.objects.count()

    response = upload(teacher_client, classroom, data)

    assert response.status_code == 200
    assert User.objects.count() == users_before
    assert not classroom.students.exists()
    assert not Job.objects.exists()
    assert [(p.line, p.code) for p in response.context["problems"]] == [
        (3, "blank_username"),
        (4, "username_taken"),
        (5, "invalid_username"),
    ]
    content = response.content.decode()
    assert "Nothing was imported" in content
    assert "The username is empty." in content
    assert "The username “taken” is already taken by an existing account." in content


def test_a_file_that_is_too_large_is_refused_without_reading_it_all(teacher_client, classroom):
    response = upload(teacher_client, classroom, b"username,first_name,last_name\n" + b"a" * (2 * MAX_FILE_BYTES))

    assert [p.code for p in response.context["problems"]] == ["file_too_large"]
    assert "larger than 1 MB" in response.content.decode()


def test_the_passwords_file_is_safe_to_open_in_a_spreadsheet(teacher_client, classroom):
    upload(teacher_client, classroom, b"username,first_name,last_name,display_name\nx,X,Y,=HYPERLINK(1)\n")
    JobRunner().run_pending()
    roster_import = RosterImport.objects.get(classroom=classroom)

    assert csv_rows(teacher_client.get(import_url("roster_logins_csv", roster_import)))[1][1] == "'=HYPERLINK(1)"


def test_a_failed_import_shows_its_problems_and_that_nothing_was_created(teacher_client, classroom):
    upload(teacher_client, classroom, GOOD.encode())
    StudentFactory(username="ada.l")
    JobRunner().run_pending()
    roster_import = RosterImport.objects.get(classroom=classroom)

    content = teacher_client.get(import_url("roster_import", roster_import)).content.decode()

    assert "no account was created" in content
    assert "Since the file was checked, some of its rows became wrong" in content
    assert "The username “ada.l” is already taken by an existing account." in content
    assert teacher_client.get(import_url("roster_logins_csv", roster_import)).status_code == 404


# --- who may see an import ------------------------------------------------------------------------------------
IMPORT_VIEWS = ["roster_import", "roster_import_progress", "roster_logins_csv", "roster_logins_cards"]


@pytest.fixture
def finished_import(classroom):
    return import_roster(classroom, GOOD.encode())


@pytest.mark.parametrize("view", IMPORT_VIEWS)
def test_teachers_of_the_classroom_and_admins_see_an_import(client, classroom, finished_import, view):
    co_teacher = TeacherFactory()
    classroom.co_teachers.add(co_teacher)
    for user in (classroom.owner, co_teacher, AdminFactory()):
        client.force_login(user)
        assert client.get(import_url(view, finished_import)).status_code == 200, user


@pytest.mark.parametrize("view", [*IMPORT_VIEWS, "roster_logins_forget"])
def test_another_teacher_gets_404_for_an_import_and_its_passwords(client, other_teacher, finished_import, view):
    client.force_login(other_teacher)

    response = (
        client.post(import_url(view, finished_import))
        if view.endswith("forget")
        else client.get(import_url(view, finished_import))
    )

    assert response.status_code == 404
    finished_import.refresh_from_db()
    assert finished_import.sealed_logins


def test_an_import_of_another_classroom_is_404_under_this_one(teacher_client, teacher, finished_import):
    from tests.factories import ClassroomFactory

    mine = ClassroomFactory(owner=teacher)
    url = reverse("admin:classroom_classroom_roster_logins_csv", args=[mine.pk, finished_import.pk])

    assert teacher_client.get(url).status_code == 404


@pytest.mark.parametrize("view", IMPORT_VIEWS)
def test_a_student_never_sees_an_import(client, student, finished_import, view):
    client.force_login(student)

    response = client.get(import_url(view, finished_import))

    assert response.status_code == 302  # to the admin's sign-in page
    assert "password" not in response.content.decode()
