"""Live session services: rounds, closing, revealing, scoring and the leaderboard."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from classroom import services
from classroom.errors import DomainError
from classroom.models import Answer, LiveSession
from classroom.reports import session_export_rows
from classroom.selectors import session_leaderboard
from quizzes.models import Question
from tests.factories import AdminFactory, LiveSessionFactory, QuizFactory, StudentFactory, TeacherFactory

pytestmark = pytest.mark.django_db
State = LiveSession.State


def question(session, question_type=Question.Type.SINGLE):
    return session.quiz.questions.get(type=question_type)


def correct_choice(q):
    return q.choices.get(is_correct=True).pk


def answer(session, round_, student, choice, at=None, client_id=None):
    submission = services.AnswerSubmission(
        session_id=session.pk,
        round_id=round_.pk,
        student_id=student.pk,
        client_id=client_id or f"c-{student.pk}-{round_.pk}",
        raw_response={"choice": choice},
        received_at=at or timezone.now(),
    )
    return services.answers_submit(submissions=[submission])[0]


def test_pushing_opens_a_round_with_a_server_deadline(live_session, teacher):
    q = question(live_session)
    now = timezone.now()
    round_ = services.session_push_question(session_id=live_session.pk, question_id=q.pk, pushed_by=teacher, now=now)
    live_session.refresh_from_db()
    assert live_session.state == State.QUESTION_OPEN
    assert live_session.current_round == round_
    assert round_.deadline == now + timedelta(seconds=q.time_limit)


def test_pushing_the_same_question_again_opens_a_new_round_and_closes_the_old_one(live_session, teacher):
    q = question(live_session)
    first = services.session_push_question(session_id=live_session.pk, question_id=q.pk, pushed_by=teacher)
    second = services.session_push_question(session_id=live_session.pk, question_id=q.pk, pushed_by=teacher)
    first.refresh_from_db()
    assert first.closed_at is not None
    assert (first.number, second.number) == (1, 2)


def test_a_question_from_another_quiz_cannot_be_pushed(live_session, teacher):
    foreign = QuizFactory(owner=teacher)
    from tests.factories import make_question

    other_question = make_question(foreign)
    with pytest.raises(DomainError) as refused:
        services.session_push_question(session_id=live_session.pk, question_id=other_question.pk, pushed_by=teacher)
    assert refused.value.code == "not_found"


def test_closing_twice_announces_only_once(live_session, teacher):
    round_ = services.session_push_question(
        session_id=live_session.pk, question_id=question(live_session).pk, pushed_by=teacher
    )
    assert services.round_close(session_id=live_session.pk, round_id=round_.pk) is not None
    assert services.round_close(session_id=live_session.pk, round_id=round_.pk) is None


def test_only_the_current_round_can_be_closed_or_revealed(live_session, teacher):
    q = question(live_session)
    old = services.session_push_question(session_id=live_session.pk, question_id=q.pk, pushed_by=teacher)
    services.session_push_question(session_id=live_session.pk, question_id=q.pk, pushed_by=teacher)
    for action in (services.round_close, services.round_reveal):
        with pytest.raises(DomainError) as refused:
            action(session_id=live_session.pk, round_id=old.pk)
        assert refused.value.code == "not_current"


def test_revealing_twice_is_refused(live_session, teacher):
    round_ = services.session_push_question(
        session_id=live_session.pk, question_id=question(live_session).pk, pushed_by=teacher
    )
    services.round_reveal(session_id=live_session.pk, round_id=round_.pk)
    with pytest.raises(DomainError) as refused:
        services.round_reveal(session_id=live_session.pk, round_id=round_.pk)
    assert refused.value.code == "already_revealed"


def test_overdue_rounds_close_at_their_deadline(live_session, teacher):
    now = timezone.now()
    round_ = services.session_push_question(
        session_id=live_session.pk,
        question_id=question(live_session).pk,
        pushed_by=teacher,
        now=now - timedelta(minutes=5),
    )
    closed = services.rounds_close_overdue(now=now)
    assert [r.pk for r in closed] == [round_.pk]
    round_.refresh_from_db()
    assert round_.closed_at == round_.deadline
    assert services.rounds_close_overdue(now=now) == []


def test_an_ended_session_takes_no_more_pushes(live_session, teacher):
    services.session_end(session_id=live_session.pk)
    with pytest.raises(DomainError) as refused:
        services.session_push_question(
            session_id=live_session.pk, question_id=question(live_session).pk, pushed_by=teacher
        )
    assert refused.value.code == "session_ended"


def test_a_correct_answer_earns_the_questions_points(live_session, teacher, enrolled_students):
    q = question(live_session)
    round_ = services.session_push_question(session_id=live_session.pk, question_id=q.pk, pushed_by=teacher)
    outcome = answer(live_session, round_, enrolled_students[0], correct_choice(q))
    assert outcome.answer.is_correct is True
    assert outcome.answer.points == q.points


def test_the_speed_bonus_rewards_faster_correct_answers(live_session, teacher, enrolled_students):
    live_session.speed_bonus = True
    live_session.save()
    q = question(live_session)
    start = timezone.now()
    round_ = services.session_push_question(session_id=live_session.pk, question_id=q.pk, pushed_by=teacher, now=start)
    instant = answer(live_session, round_, enrolled_students[0], correct_choice(q), at=start)
    halfway = answer(live_session, round_, enrolled_students[1], correct_choice(q), at=start + timedelta(seconds=15))
    assert instant.answer.points == 150
    assert halfway.answer.points == 125


def test_the_leaderboard_counts_revealed_rounds_only_and_shares_ranks_on_ties(live_session, teacher, enrolled_students):
    q = question(live_session)
    round_ = services.session_push_question(session_id=live_session.pk, question_id=q.pk, pushed_by=teacher)
    wrong = q.choices.filter(is_correct=False).first().pk
    answer(live_session, round_, enrolled_students[0], correct_choice(q))
    answer(live_session, round_, enrolled_students[1], correct_choice(q))
    answer(live_session, round_, enrolled_students[2], wrong)
    assert session_leaderboard(session=live_session) == []  # nothing revealed: no one is on the board yet

    services.round_reveal(session_id=live_session.pk, round_id=round_.pk)
    board = session_leaderboard(session=live_session)
    assert [(s.points, s.rank) for s in board] == [(100, 1), (100, 1), (0, 3)]
    assert board[2].student_id == enrolled_students[2].pk


def test_the_export_has_a_row_per_answer_with_server_timestamps(live_session, teacher, enrolled_students):
    q = question(live_session)
    round_ = services.session_push_question(session_id=live_session.pk, question_id=q.pk, pushed_by=teacher)
    answer(live_session, round_, enrolled_students[0], correct_choice(q))
    header, row = session_export_rows(session=live_session)
    assert header[:3] == ["student_username", "student_name", "round"]
    record = dict(zip(header, row, strict=True))
    assert record["student_username"] == enrolled_students[0].username
    assert record["answer"] == q.choices.get(is_correct=True).text
    assert record["correct"] == "yes"
    assert record["points"] == "100"
    assert record["answered_at"] >= record["round_opened_at"]


def test_a_guest_can_join_only_a_session_that_allows_guests(live_session):
    with pytest.raises(DomainError):
        services.session_join_as_guest(code=live_session.code, display_name="Guest")
    live_session.allow_guests = True
    live_session.save()
    session, guest = services.session_join_as_guest(code=live_session.code.lower(), display_name="  Ada   L. ")
    assert session == live_session
    assert guest.is_guest and guest.is_student and not guest.has_usable_password()
    assert guest.name == "Ada L."
    assert services.student_may_join(student=guest, session=live_session)


def test_guest_usernames_carry_nothing_of_the_session_code(db, settings):
    settings.MAX_GUESTS_PER_SESSION = 50
    sessions = [LiveSessionFactory(allow_guests=True) for _ in range(5)]

    usernames = [
        services.session_join_as_guest(code=session.code, display_name=f"Guest {n}")[1].username
        for session in sessions
        for n in range(10)
    ]

    assert len(set(usernames)) == 50
    for session in sessions:
        assert not any(session.code.lower() in name.lower() for name in usernames)
    assert all(name.startswith("guest-") for name in usernames)


def test_a_teacher_can_only_start_their_own_quiz_in_a_classroom_they_teach(classroom, quiz, teacher, other_teacher):
    with pytest.raises(DomainError):
        services.session_start(classroom=classroom, quiz=quiz, started_by=other_teacher)
    session = services.session_start(classroom=classroom, quiz=quiz, started_by=teacher)
    assert len(session.code) == 6
    assert session.state == State.LOBBY


def test_an_answer_not_stored_before_the_reveal_is_refused_even_if_it_arrived_earlier(
    live_session, teacher, enrolled_students
):
    q = question(live_session)
    start = timezone.now()
    round_ = services.session_push_question(session_id=live_session.pk, question_id=q.pk, pushed_by=teacher, now=start)
    services.round_reveal(session_id=live_session.pk, round_id=round_.pk, now=start + timedelta(seconds=5))
    late = answer(live_session, round_, enrolled_students[0], correct_choice(q), at=start + timedelta(seconds=4))
    assert late.error_code == "round_closed"
    assert not round_.answers.exists()


def test_an_answer_that_arrived_before_the_teacher_closed_the_round_still_counts(
    live_session, teacher, enrolled_students
):
    q = question(live_session)
    start = timezone.now()
    round_ = services.session_push_question(session_id=live_session.pk, question_id=q.pk, pushed_by=teacher, now=start)
    services.round_close(session_id=live_session.pk, round_id=round_.pk, now=start + timedelta(seconds=10))
    queued = answer(live_session, round_, enrolled_students[0], correct_choice(q), at=start + timedelta(seconds=9))
    after = answer(live_session, round_, enrolled_students[1], correct_choice(q), at=start + timedelta(seconds=11))
    assert queued.accepted
    assert after.error_code == "round_closed"


def test_after_the_round_closed_a_retry_gets_its_stored_answer_and_anything_else_is_refused(
    live_session, teacher, enrolled_students
):
    """One batch after the close: the retry of a stored answer (its acknowledgement was lost) is acknowledged again,
    a second answer from another device is already_answered, a first answer is round_closed; nothing is stored."""
    q = question(live_session)
    start = timezone.now()
    round_ = services.session_push_question(session_id=live_session.pk, question_id=q.pk, pushed_by=teacher, now=start)
    first = answer(live_session, round_, enrolled_students[0], correct_choice(q), client_id="phone")
    services.round_close(session_id=live_session.pk, round_id=round_.pk, now=timezone.now())

    late = timezone.now()
    retry, other_device, newcomer = services.answers_submit(
        submissions=[
            services.AnswerSubmission(
                live_session.pk, round_.pk, enrolled_students[0].pk, "phone", {"choice": correct_choice(q)}, late
            ),
            services.AnswerSubmission(
                live_session.pk, round_.pk, enrolled_students[0].pk, "laptop", {"choice": correct_choice(q)}, late
            ),
            services.AnswerSubmission(
                live_session.pk, round_.pk, enrolled_students[1].pk, "late", {"choice": correct_choice(q)}, late
            ),
        ]
    )

    assert (retry.duplicate, retry.answer.pk, retry.answer.submitted_at) == (
        True,
        first.answer.pk,
        first.answer.submitted_at,
    )
    assert other_device.error_code == "already_answered"
    assert newcomer.error_code == "round_closed"
    assert Answer.objects.filter(round=round_).count() == 1


def test_a_batch_grades_each_answer_by_its_own_response_and_gives_each_its_own(live_session, teacher):
    """Answers giving the same response are parsed and graded once per batch; each still gets a response object of
    its own, and a response refused once is refused again, for the same reason."""
    q = question(live_session)
    right, wrong = correct_choice(q), q.choices.filter(is_correct=False).first().pk
    round_ = services.session_push_question(session_id=live_session.pk, question_id=q.pk, pushed_by=teacher)
    now = timezone.now()
    responses = [{"choice": right}, {"choice": wrong}, {"choice": right}, {"choice": -1}, {"choice": -1}]
    responses.append({"choice": 10**30})  # no 64-bit integer: graded as it is
    students = StudentFactory.create_batch(len(responses))

    outcomes = services.answers_submit(
        submissions=[
            services.AnswerSubmission(live_session.pk, round_.pk, student.pk, f"c{index}", response, now)
            for index, (student, response) in enumerate(zip(students, responses, strict=True))
        ]
    )

    first, second, third, *refused = outcomes
    assert [first.answer.is_correct, second.answer.is_correct, third.answer.is_correct] == [True, False, True]
    assert first.answer.response == third.answer.response == {"choice": right}
    assert first.answer.response is not third.answer.response
    assert [(outcome.answer, outcome.error_code) for outcome in refused] == [(None, "invalid_answer")] * 3
    assert refused[0].error_message == refused[1].error_message == refused[2].error_message
    stored = dict(Answer.objects.filter(round=round_).values_list("student_id", "is_correct"))
    assert stored == {students[0].pk: True, students[1].pk: False, students[2].pk: True}


def test_an_answer_that_arrived_before_the_deadline_counts_after_the_sweeper_closed_the_round(
    live_session, teacher, enrolled_students
):
    q = question(live_session)
    start = timezone.now() - timedelta(minutes=1)
    round_ = services.session_push_question(session_id=live_session.pk, question_id=q.pk, pushed_by=teacher, now=start)
    services.rounds_close_overdue()
    in_time = answer(
        live_session, round_, enrolled_students[0], correct_choice(q), at=round_.deadline - timedelta(milliseconds=50)
    )
    assert in_time.accepted


@pytest.mark.parametrize("command", ["close", "reveal"])
def test_an_ended_session_cannot_be_brought_back_by_a_late_command(command, live_session, teacher):
    round_ = services.session_push_question(
        session_id=live_session.pk, question_id=question(live_session).pk, pushed_by=teacher
    )
    services.session_end(session_id=live_session.pk)
    action = services.round_close if command == "close" else services.round_reveal
    with pytest.raises(DomainError) as refused:
        action(session_id=live_session.pk, round_id=round_.pk)
    assert refused.value.code == "session_ended"
    live_session.refresh_from_db()
    assert live_session.state == State.ENDED


def test_a_co_teacher_removed_mid_session_loses_control_at_once(live_session, teacher, other_teacher):
    live_session.classroom.co_teachers.add(other_teacher)
    round_ = services.session_push_question(
        session_id=live_session.pk, question_id=question(live_session).pk, pushed_by=other_teacher
    )
    live_session.classroom.co_teachers.remove(other_teacher)
    with pytest.raises(DomainError) as refused:
        services.round_reveal(session_id=live_session.pk, round_id=round_.pk, revealed_by=other_teacher)
    assert refused.value.code == "forbidden"


@pytest.mark.parametrize(
    ("who", "outcome"),
    [
        ("owner", None),
        ("co_teacher", None),
        ("admin", None),
        ("teacher_of_another_class", "forbidden"),
        ("enrolled_student", "forbidden"),
    ],
)
def test_only_those_who_teach_the_class_control_its_session(who, outcome, live_session, enrolled_students):
    people = {
        "owner": lambda: live_session.classroom.owner,
        "co_teacher": lambda: (
            live_session.classroom.co_teachers.add(TeacherFactory()) or live_session.classroom.co_teachers.get()
        ),
        "admin": AdminFactory,
        "teacher_of_another_class": TeacherFactory,
        "enrolled_student": lambda: enrolled_students[0],
    }
    person = people[who]()
    if outcome is None:
        round_ = services.session_push_question(
            session_id=live_session.pk, question_id=question(live_session).pk, pushed_by=person
        )
        assert LiveSession.objects.get(pk=live_session.pk).current_round == round_
        return
    with pytest.raises(DomainError) as refused:
        services.session_push_question(
            session_id=live_session.pk, question_id=question(live_session).pk, pushed_by=person
        )
    assert refused.value.code == outcome
    assert LiveSession.objects.get(pk=live_session.pk).current_round is None


def test_a_command_on_a_missing_session_is_not_found(teacher):
    with pytest.raises(DomainError) as refused:
        services.session_push_question(session_id=999_999, question_id=1, pushed_by=teacher)
    assert refused.value.code == "not_found"


def test_a_guest_cannot_enrol_in_a_classroom_with_its_join_code(live_session, classroom):
    live_session.allow_guests = True
    live_session.save()
    classroom.self_enrolment = True
    classroom.save()
    _session, guest = services.session_join_as_guest(code=live_session.code, display_name="Guest")
    with pytest.raises(DomainError) as refused:
        services.classroom_self_enrol(student=guest, join_code=classroom.join_code)
    assert refused.value.code == "not_a_student"
    assert not classroom.enrolments.filter(student=guest).exists()


def test_a_session_takes_guests_up_to_its_cap(live_session, settings):
    settings.MAX_GUESTS_PER_SESSION = 2
    live_session.allow_guests = True
    live_session.save()
    services.session_join_as_guest(code=live_session.code, display_name="One")
    services.session_join_as_guest(code=live_session.code, display_name="Two")
    with pytest.raises(DomainError) as refused:
        services.session_join_as_guest(code=live_session.code, display_name="Three")
    assert refused.value.code == "session_full"


def test_removing_a_guest_takes_their_answers_and_closes_their_account(live_session, teacher):
    live_session.allow_guests = True
    live_session.save()
    _session, guest = services.session_join_as_guest(code=live_session.code, display_name="Prank")
    q = question(live_session)
    round_ = services.session_push_question(session_id=live_session.pk, question_id=q.pk, pushed_by=teacher)
    assert answer(live_session, round_, guest, correct_choice(q)).accepted

    services.session_remove_participant(session_id=live_session.pk, student_id=guest.pk, removed_by=teacher)

    guest.refresh_from_db()
    assert not guest.is_active
    assert not round_.answers.exists()
    assert not services.student_may_join(student=guest, session=live_session)
    assert guest.pk not in {s.student_id for s in session_leaderboard(session=live_session)}


def test_a_push_costs_a_fixed_handful_of_queries(live_session, teacher):
    """Every statement of a push is paid before the first student sees the question (docs/performance.md): lock the
    session with its current round if the teacher still teaches it, read the question, close the old round, insert
    the new one, update the session, read the choices."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from realtime.session_actions import push_question

    first, second = live_session.quiz.questions.all()[:2]
    push_question(session_id=live_session.pk, teacher=teacher, question_id=first.pk)
    with CaptureQueriesContext(connection) as queries:
        push_question(session_id=live_session.pk, teacher=teacher, question_id=second.pk)
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    if connection.vendor == "postgresql":  # one statement reads, one locks and writes (classroom/push.py)
        read, write = [sql.strip() for sql in statements]
        assert read.startswith("SELECT s.state"), read
        assert write.startswith("WITH as_read AS"), write
    else:
        assert len(statements) <= 6, statements


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement insert is PostgreSQL's")
@pytest.mark.parametrize(
    ("their_client_id", "outcome"),
    [("another-device", "already_answered"), ("c-same", "duplicate")],
    ids=["a different answer", "the same answer"],
)
def test_an_answer_stored_by_another_worker_during_the_batch_wins(
    live_session, teacher, enrolled_students, monkeypatch, their_client_id, outcome
):
    """While the batch is built, another worker stores the student's answer: the insert keeps it out, and the
    student gets what a retry or a second answer gets."""
    q = question(live_session)
    round_ = services.session_push_question(session_id=live_session.pk, question_id=q.pk, pushed_by=teacher)
    student = enrolled_students[0]
    insert = services._insert_answers_postgresql

    def another_worker_first(new_answers):
        Answer.objects.create(
            round=round_,
            student=student,
            client_id=their_client_id,
            response={"choice": correct_choice(q)},
            is_correct=True,
            points=100,
            submitted_at=timezone.now(),
        )
        return insert(new_answers)

    monkeypatch.setattr(services, "_insert_answers_postgresql", another_worker_first)
    result = answer(live_session, round_, student, correct_choice(q), client_id="c-same")

    [stored] = Answer.objects.filter(round=round_, student=student)
    assert stored.client_id == their_client_id
    if outcome == "duplicate":
        # Acknowledged: it is this answer, stored before this batch's insert (the other worker counted it).
        assert (result.duplicate, result.answer.pk) == (True, stored.pk)
    else:
        assert result.error_code == "already_answered"
