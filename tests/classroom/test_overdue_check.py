"""The deadline sweeper's question, asked by every worker twice a second: is any round or student-paced session
overdue? On PostgreSQL one prepared statement answers it; it must answer as the two ORM queries whose rows the
sweep then closes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from classroom import selectors
from classroom.models import LiveSession
from tests.classroom.instances import HAND_WRITTEN_READ
from tests.factories import LiveSessionFactory, RoundFactory

pytestmark = [pytest.mark.django_db, HAND_WRITTEN_READ]

State = LiveSession.State
NOW = timezone.now()
PAST, FUTURE = NOW - timedelta(seconds=1), NOW + timedelta(seconds=30)


def current_round(**fields):
    """A round that is its session's current one, open unless `fields` say otherwise."""
    round_ = RoundFactory(**fields)
    session = round_.session
    session.current_round = round_
    session.state = State.QUESTION_OPEN
    session.save()
    return round_


def paced_session(**fields):
    return LiveSessionFactory(pacing=LiveSession.Pacing.STUDENT, **fields)


CASES = {
    "nothing at all": lambda: None,
    "a current round past its deadline": lambda: current_round(deadline=PAST),
    "a current round before its deadline": lambda: current_round(deadline=FUTURE),
    "a current round without a deadline": lambda: current_round(),
    "extra time: past the deadline, before closing": lambda: current_round(deadline=PAST, closes_at=FUTURE),
    "extra time: past closing": lambda: current_round(deadline=PAST - timedelta(seconds=5), closes_at=PAST),
    "open until the teacher closes it": lambda: current_round(deadline=PAST, stays_open=True),
    "a round closed already": lambda: current_round(deadline=PAST, closed_at=PAST),
    "past its deadline, no longer current": lambda: RoundFactory(deadline=PAST),
    "a student-paced session past closing, in its lobby": lambda: paced_session(closes_at=PAST, state=State.LOBBY),
    "a student-paced session past closing, open": lambda: paced_session(closes_at=PAST, state=State.QUESTION_OPEN),
    "a student-paced session before closing": lambda: paced_session(closes_at=FUTURE, state=State.QUESTION_OPEN),
    "a student-paced session that ended": lambda: paced_session(closes_at=PAST, state=State.ENDED),
    "a teacher-paced session with a closing time": lambda: LiveSessionFactory(
        closes_at=PAST, state=State.QUESTION_OPEN
    ),
}
OVERDUE = {
    "a current round past its deadline",
    "extra time: past closing",
    "a student-paced session past closing, in its lobby",
    "a student-paced session past closing, open",
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_statement_answers_as_the_sweeps_queries(case):
    CASES[case]()

    with CaptureQueriesContext(connection) as queries:
        overdue = selectors.anything_overdue(now=NOW)
    through_the_orm = selectors.overdue_rounds(now=NOW).exists() or selectors.overdue_paced_sessions(now=NOW).exists()

    assert overdue == through_the_orm == (case in OVERDUE)
    assert [query["sql"].startswith("SELECT EXISTS") for query in queries.captured_queries] == [True]
