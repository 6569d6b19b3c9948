"""Extra time: a student's own deadline is later than the class's, their answers count up to it, and the round
stays open for them after the others' deadline until the last of them is out of time (or the teacher closes it)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from classroom import services
from classroom.models import Enrolment
from tests.classroom.test_session_services import answer

pytestmark = pytest.mark.django_db


def timed_question(session, seconds=20):
    question = session.quiz.questions.get(type="single")
    question.time_limit = seconds
    question.save()
    return question


def correct_choice(question):
    return question.choices.get(is_correct=True).pk


def give_extra_time(session, student, extra_time):
    Enrolment.objects.filter(classroom=session.classroom, student=student).update(extra_time=extra_time)


@pytest.mark.parametrize(("extra_time", "seconds_after_class_deadline"), [("1.5", 9), ("2", 19)])
def test_a_student_with_extra_time_answers_after_the_class_deadline(
    live_session, teacher, enrolled_students, extra_time, seconds_after_class_deadline
):
    slow, other = enrolled_students[:2]
    give_extra_time(live_session, slow, extra_time)
    question = timed_question(live_session)
    now = timezone.now()
    round_ = services.session_push_question(
        session_id=live_session.pk, question_id=question.pk, pushed_by=teacher, now=now
    )
    assert round_.deadline == now + timedelta(seconds=20)
    assert round_.closes_at == now + timedelta(seconds=20 * float(extra_time))

    late = round_.deadline + timedelta(seconds=seconds_after_class_deadline)
    refused = answer(live_session, round_, other, correct_choice(question), at=late)
    accepted = answer(live_session, round_, slow, correct_choice(question), at=late)
    assert refused.error_code == "round_closed"
    assert accepted.accepted


def test_extra_time_ends_at_the_students_own_deadline(live_session, teacher, enrolled_students):
    slow = enrolled_students[0]
    give_extra_time(live_session, slow, "1.5")
    question = timed_question(live_session)
    round_ = services.session_push_question(session_id=live_session.pk, question_id=question.pk, pushed_by=teacher)
    outcome = answer(live_session, round_, slow, correct_choice(question), at=round_.closes_at)
    assert outcome.error_code == "round_closed"


def test_the_round_stays_open_until_the_last_extra_time_runs_out(live_session, teacher, enrolled_students):
    give_extra_time(live_session, enrolled_students[0], "2")
    question = timed_question(live_session)
    round_ = services.session_push_question(session_id=live_session.pk, question_id=question.pk, pushed_by=teacher)

    assert services.rounds_close_overdue(now=round_.deadline + timedelta(seconds=1)) == []
    round_.refresh_from_db()
    assert round_.closed_at is None
    closed = services.rounds_close_overdue(now=round_.closes_at + timedelta(seconds=1))
    assert [r.pk for r in closed] == [round_.pk]
    round_.refresh_from_db()
    assert round_.closed_at == round_.closes_at


def test_no_time_limit_keeps_the_round_open_until_the_teacher_closes_it(live_session, teacher, enrolled_students):
    give_extra_time(live_session, enrolled_students[0], "unlimited")
    question = timed_question(live_session)
    round_ = services.session_push_question(session_id=live_session.pk, question_id=question.pk, pushed_by=teacher)
    assert round_.stays_open
    an_hour_later = round_.opened_at + timedelta(hours=1)
    assert services.rounds_close_overdue(now=an_hour_later) == []
    round_.refresh_from_db()
    assert round_.is_open_at(an_hour_later)
    assert answer(live_session, round_, enrolled_students[0], correct_choice(question), at=an_hour_later).accepted
    assert answer(
        live_session, round_, enrolled_students[1], correct_choice(question), at=an_hour_later
    ).error_code == ("round_closed")


def test_without_extra_time_the_round_closes_at_the_class_deadline(live_session, teacher, enrolled_students):
    question = timed_question(live_session)
    round_ = services.session_push_question(session_id=live_session.pk, question_id=question.pk, pushed_by=teacher)
    assert (round_.closes_at, round_.stays_open) == (None, False)
    assert services.rounds_close_overdue(now=round_.deadline - timedelta(seconds=1)) == []
    assert [r.pk for r in services.rounds_close_overdue(now=round_.deadline)] == [round_.pk]
    round_.refresh_from_db()
    assert round_.closed_at == round_.deadline
