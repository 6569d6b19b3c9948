"""Student-paced sessions: each student's own timer, resuming, secrecy, the closing time and its extension."""

from datetime import timedelta

import pytest
from django.utils import timezone

from classroom import services
from classroom.errors import DomainError
from classroom.models import Enrolment, LiveSession, PacedAttempt
from classroom.pacing import (
    paced_advance,
    paced_order,
    paced_progress,
    paced_session_extend,
    paced_sessions_close_overdue,
)
from classroom.reports import session_audit_rows, session_report
from quizzes.models import Question

pytestmark = pytest.mark.django_db
Pacing = LiveSession.Pacing


@pytest.fixture
def start():
    return timezone.now()


@pytest.fixture
def paced(classroom, quiz, teacher, enrolled_students, start):
    return services.session_start(classroom=classroom, quiz=quiz, started_by=teacher, pacing=Pacing.STUDENT, now=start)


def submit(session, round_, student, raw, at, client_id=None):
    return services.answers_submit(
        submissions=[
            services.AnswerSubmission(
                session_id=session.pk,
                round_id=round_.pk,
                student_id=student.pk,
                client_id=client_id or f"c-{student.pk}-{round_.pk}",
                raw_response=raw,
                received_at=at,
            )
        ]
    )[0]


def right_answer(round_):
    return {"choice": round_.question.choices.get(is_correct=True).pk}


def test_starting_a_student_paced_session_opens_a_round_per_question(paced, quiz):
    assert paced.state == LiveSession.State.QUESTION_OPEN
    assert [r.question_id for r in paced.rounds.order_by("number")] == list(quiz.questions.values_list("pk", flat=True))


def test_each_student_gets_the_first_question_with_their_own_deadline(paced, enrolled_students, start):
    ada, bea = enrolled_students[:2]

    first = paced_advance(session=paced, student=ada, now=start).after.current
    later = paced_advance(session=paced, student=bea, now=start + timedelta(seconds=20)).after.current

    assert first.round == later.round
    limit = first.round.question.time_limit
    assert first.attempt.deadline == start + timedelta(seconds=limit)
    assert later.attempt.deadline == start + timedelta(seconds=20 + limit)


def test_an_answer_after_the_students_own_deadline_is_refused_with_round_closed(paced, enrolled_students, start):
    ada, bea = enrolled_students[:2]
    round_ = paced_advance(session=paced, student=ada, now=start).after.current.round
    paced_advance(session=paced, student=bea, now=start + timedelta(seconds=20))
    limit = round_.question.time_limit
    too_late = start + timedelta(seconds=limit + 1)

    assert submit(paced, round_, ada, right_answer(round_), too_late).error_code == "round_closed"
    assert submit(paced, round_, bea, right_answer(round_), too_late).accepted


def test_a_student_with_extra_time_gets_a_later_deadline_of_their_own(paced, classroom, enrolled_students, start):
    ada, bea, cai = enrolled_students[:3]
    classroom.enrolments.filter(student=bea).update(extra_time=Enrolment.ExtraTime.DOUBLE)
    classroom.enrolments.filter(student=cai).update(extra_time=Enrolment.ExtraTime.UNLIMITED)

    steps = {
        student: paced_advance(session=paced, student=student, now=start).after.current for student in (ada, bea, cai)
    }

    round_ = steps[ada].round
    limit = round_.question.time_limit
    assert steps[ada].attempt.deadline == start + timedelta(seconds=limit)
    assert steps[bea].attempt.deadline == start + timedelta(seconds=2 * limit)
    assert steps[cai].attempt.deadline is None
    after_the_class_deadline = start + timedelta(seconds=limit + 1)
    assert submit(paced, round_, ada, right_answer(round_), after_the_class_deadline).error_code == "round_closed"
    assert submit(paced, round_, bea, right_answer(round_), after_the_class_deadline).accepted
    assert submit(paced, round_, cai, right_answer(round_), start + timedelta(seconds=10 * limit)).accepted
    assert submit(paced, round_, bea, right_answer(round_), start + timedelta(seconds=2 * limit + 1)).accepted, (
        "a retry of an answer already stored is still accepted"
    )


def test_a_question_not_reached_yet_cannot_be_answered(paced, enrolled_students, start):
    ada = enrolled_students[0]
    paced_advance(session=paced, student=ada, now=start)
    second = paced.rounds.get(number=2)

    outcome = submit(paced, second, ada, {"choices": [1]}, start)

    assert outcome.error_code == "not_found"
    assert not second.answers.exists()


def test_asking_again_before_answering_returns_the_same_question_on_every_device(paced, enrolled_students, start):
    ada = enrolled_students[0]
    on_phone = paced_advance(session=paced, student=ada, now=start).after

    on_laptop = paced_advance(session=paced, student=ada, now=start + timedelta(seconds=12)).after
    resumed = paced_progress(session=paced, student=ada, now=start + timedelta(seconds=12))

    assert on_laptop.current.round == on_phone.current.round == resumed.current.round
    assert resumed.current.attempt.deadline == on_phone.current.attempt.deadline
    assert PacedAttempt.objects.filter(student=ada).count() == 1


def test_an_answered_question_leads_to_the_next_one(paced, enrolled_students, start):
    ada = enrolled_students[0]
    first = paced_advance(session=paced, student=ada, now=start).after.current.round
    assert submit(paced, first, ada, right_answer(first), start + timedelta(seconds=3)).accepted

    progress = paced_advance(session=paced, student=ada, now=start + timedelta(seconds=4)).after

    assert progress.current.round.number == 2
    assert (progress.answered, progress.correct, progress.points) == (1, 1, 100)


def test_a_timed_out_question_counts_as_unanswered_and_the_student_moves_on(paced, enrolled_students, start):
    ada = enrolled_students[0]
    first = paced_advance(session=paced, student=ada, now=start).after.current
    after = start + timedelta(seconds=first.round.question.time_limit)

    progress = paced_advance(session=paced, student=ada, now=after).after

    assert progress.items[0].timed_out(after)
    assert progress.current.round.number == 2
    assert progress.answered == 0


def test_the_answer_key_is_shown_only_once_answered_or_timed_out(paced, enrolled_students, start):
    ada = enrolled_students[0]
    progress = paced_advance(session=paced, student=ada, now=start).after
    assert not progress.may_see_key(progress.current)

    first = progress.current.round
    submit(paced, first, ada, right_answer(first), start + timedelta(seconds=1))
    progress = paced_progress(session=paced, student=ada, now=start + timedelta(seconds=2))

    assert progress.may_see_key(progress.current)


def test_a_session_that_hides_answers_shows_no_key_until_it_is_over(paced, enrolled_students, start):
    LiveSession.objects.filter(pk=paced.pk).update(show_correct=False)
    paced.refresh_from_db()
    ada = enrolled_students[0]
    first = paced_advance(session=paced, student=ada, now=start).after.current.round
    submit(paced, first, ada, right_answer(first), start + timedelta(seconds=1))

    progress = paced_progress(session=paced, student=ada, now=start + timedelta(seconds=2))

    assert not progress.may_see_key(progress.current)


def test_shuffled_order_is_the_students_own_and_stable(paced, enrolled_students):
    LiveSession.objects.filter(pk=paced.pk).update(shuffle_questions=True)
    paced.refresh_from_db()
    rounds = list(paced.rounds.all())
    orders = {
        s.pk: [r.number for r in paced_order(session=paced, student_id=s.pk, rounds=rounds)] for s in enrolled_students
    }

    assert all(sorted(order) == list(range(1, len(rounds) + 1)) for order in orders.values())
    assert len({tuple(order) for order in orders.values()}) > 1
    again = [r.number for r in paced_order(session=paced, student_id=enrolled_students[0].pk, rounds=rounds[::-1])]
    assert again == orders[enrolled_students[0].pk]


def test_no_answer_counts_after_the_closing_time(classroom, quiz, teacher, enrolled_students, start):
    session = services.session_start(
        classroom=classroom,
        quiz=quiz,
        started_by=teacher,
        pacing=Pacing.STUDENT,
        closes_at=start + timedelta(seconds=10),
        now=start,
    )
    ada = enrolled_students[0]
    first = paced_advance(session=session, student=ada, now=start).after.current.round

    assert submit(session, first, ada, right_answer(first), start + timedelta(seconds=11)).error_code == "round_closed"
    with pytest.raises(DomainError) as refused:
        paced_advance(session=session, student=ada, now=start + timedelta(seconds=11))
    assert refused.value.code == "session_ended"


def test_the_server_ends_a_session_at_its_closing_time(classroom, quiz, teacher, start):
    closes = timezone.now() + timedelta(seconds=10)
    session = services.session_start(
        classroom=classroom, quiz=quiz, started_by=teacher, pacing=Pacing.STUDENT, closes_at=closes
    )

    assert paced_sessions_close_overdue(now=closes - timedelta(seconds=1)) == []
    [ended] = paced_sessions_close_overdue(now=closes + timedelta(seconds=1))

    assert ended.pk == session.pk
    session.refresh_from_db()
    assert (session.state, session.ended_at, session.ended_by) == ("ended", closes, None)
    assert not session.rounds.filter(revealed_at__isnull=True).exists()


def test_extending_the_closing_time_lets_later_answers_count(classroom, quiz, teacher, enrolled_students, start):
    session = services.session_start(
        classroom=classroom,
        quiz=quiz,
        started_by=teacher,
        pacing=Pacing.STUDENT,
        closes_at=start + timedelta(seconds=60),
        now=start,
    )
    ada = enrolled_students[0]
    first = paced_advance(session=session, student=ada, now=start).after.current.round
    paced_session_extend(
        session_id=session.pk,
        closes_at=start + timedelta(days=1),
        extended_by=teacher,
        now=start + timedelta(seconds=5),
    )

    assert submit(session, first, ada, right_answer(first), start + timedelta(seconds=25)).accepted
    trail = session_audit_rows(session=session)
    assert ("extended", teacher.username) in {(row[1], row[4]) for row in trail}
    sent = next(row for row in trail if row[1] == "question_sent")
    assert (sent[0], sent[4]) == (start.isoformat(), ada.username)
    assert sent[6] == f"deadline {(start + timedelta(seconds=first.question.time_limit)).isoformat()}"


def test_a_closing_time_cannot_be_set_in_the_past_nor_after_the_session_closed(paced, teacher, start):
    with pytest.raises(DomainError) as refused:
        paced_session_extend(
            session_id=paced.pk, closes_at=start - timedelta(seconds=1), extended_by=teacher, now=start
        )
    assert refused.value.code == "invalid_closing_time"

    services.session_end(session_id=paced.pk, ended_by=teacher)
    with pytest.raises(DomainError) as refused:
        paced_session_extend(session_id=paced.pk, closes_at=None, extended_by=teacher)
    assert refused.value.code == "session_ended"


def test_a_teacher_cannot_push_close_or_reveal_in_a_student_paced_session(paced, teacher):
    question = paced.quiz.questions.first()
    round_ = paced.rounds.first()
    for command in (
        lambda: services.session_push_question(session_id=paced.pk, question_id=question.pk, pushed_by=teacher),
        lambda: services.round_close(session_id=paced.pk, round_id=round_.pk, closed_by=teacher),
        lambda: services.round_reveal(session_id=paced.pk, round_id=round_.pk, revealed_by=teacher),
    ):
        with pytest.raises(DomainError) as refused:
            command()
        assert refused.value.code == "student_paced"


def test_speed_bonus_counts_from_when_the_student_got_the_question(classroom, quiz, teacher, enrolled_students, start):
    session = services.session_start(
        classroom=classroom, quiz=quiz, started_by=teacher, pacing=Pacing.STUDENT, speed_bonus=True, now=start
    )
    ada = enrolled_students[0]
    got_it = start + timedelta(minutes=5)
    first = paced_advance(session=session, student=ada, now=got_it).after.current.round

    outcome = submit(session, first, ada, right_answer(first), got_it)

    assert first.question.type == Question.Type.SINGLE
    assert outcome.answer.points == 150


def test_the_report_times_each_answer_from_when_that_student_got_the_question(paced, enrolled_students, start):
    ada, bea = enrolled_students[:2]
    first = paced_advance(session=paced, student=ada, now=start + timedelta(minutes=1)).after.current.round
    paced_advance(session=paced, student=bea, now=start + timedelta(minutes=10))
    submit(paced, first, ada, right_answer(first), start + timedelta(minutes=1, seconds=4))
    submit(paced, first, bea, right_answer(first), start + timedelta(minutes=10, seconds=8))

    figures = next(q for q in session_report(session=paced).questions if q.round_id == first.pk)

    assert figures.average_seconds == pytest.approx(6)


def test_a_class_moving_on_together_costs_the_queries_of_one_student(paced, enrolled_students, start):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from classroom.pacing import paced_advance_many

    with CaptureQueriesContext(connection) as one:
        [step] = paced_advance_many(requests=[(paced.pk, enrolled_students[0])], now=start)
    with CaptureQueriesContext(connection) as many:
        steps = paced_advance_many(requests=[(paced.pk, s) for s in enrolled_students[1:]], now=start)

    assert step.after.current.round.number == 1
    assert [s.after.current.round.number for s in steps] == [1, 1]
    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_progress_of_many_students_is_read_in_a_fixed_number_of_queries(
    classroom, quiz, teacher, enrolled_students, django_assert_max_num_queries
):
    from classroom.pacing import paced_progress, paced_progress_many

    session = services.session_start(
        classroom=classroom, quiz=quiz, started_by=teacher, pacing=LiveSession.Pacing.STUDENT
    )
    paced_advance(session=session, student=enrolled_students[0])

    with django_assert_max_num_queries(4):
        many = paced_progress_many(session=session, students=enrolled_students)

    for student in enrolled_students:
        one = paced_progress(session=session, student=student, now=many[student.pk].now)
        assert [item.round.pk for item in many[student.pk].items] == [item.round.pk for item in one.items]
        assert many[student.pk].count == one.count
    assert len(many[enrolled_students[0].pk].items) == 1
