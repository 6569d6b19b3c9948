"""Every command, snapshot and results update of a live session starts from the session read with its quiz, its
classroom and its current round (question and choices): classroom.selectors.live_sessions. On PostgreSQL that is one
hand-written statement instead of the ORM's two queries; both must give the same instances, and the same place of
the current question in its quiz (which the statement reads too)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from classroom import selectors
from classroom.models import LiveSession
from quizzes.models import Question
from tests.classroom.instances import HAND_WRITTEN_READ, columns, question_as_read
from tests.factories import LiveSessionFactory, RoundFactory, make_question

pytestmark = [pytest.mark.django_db, HAND_WRITTEN_READ]


def as_read(session: LiveSession) -> dict:
    """Everything the read gives of a session, as plain values."""
    round_ = session.current_round
    return {
        "session": columns(session),
        "quiz": columns(session.quiz),
        "classroom": columns(session.classroom),
        "round": columns(round_),
        **question_as_read(round_.question if round_ else None),
        "position": selectors.question_position(question=round_.question) if round_ else None,
    }


def current(session: LiveSession, question: Question, **round_fields) -> LiveSession:
    number = session.rounds.count() + 1
    session.current_round = RoundFactory(session=session, question=question, number=number, **round_fields)
    session.save()
    return session


@pytest.fixture
def sessions(live_session):
    """A session before its first round; one on a choice question; one whose round closed with texts hidden; a
    student-paced one with speed bonus; one on each other type of question; one on a question that is not its
    quiz's first."""
    now = timezone.now()
    questions = list(live_session.quiz.questions.order_by("order"))
    made = [LiveSessionFactory(), current(live_session, questions[0], opened_at=now)]
    closed = LiveSessionFactory(state=LiveSession.State.QUESTION_CLOSED)
    made.append(
        current(
            closed,
            make_question(closed.quiz, Question.Type.WORDCLOUD),
            opened_at=now,
            closed_at=now,
            deadline=now - timedelta(seconds=1),
            hidden_texts=["paris", "lyon"],
        )
    )
    made.append(LiveSessionFactory(pacing=LiveSession.Pacing.STUDENT, speed_bonus=True))
    for kind in (Question.Type.ORDERING, Question.Type.NUMERIC, Question.Type.MULTIPLE):
        other = LiveSessionFactory()
        made.append(current(other, make_question(other.quiz, kind), opened_at=now))
    tied = LiveSessionFactory()  # on the last of four questions, whose order is the same as the third's
    *_earlier, last = [make_question(tied.quiz, order=order) for order in (1, 2, 3, 3)]
    made.append(current(tied, last, opened_at=now))
    return made


def test_the_one_statement_reads_every_session_as_the_orm_does(sessions):
    wanted = {session.pk for session in sessions} | {999_999}  # and one that does not exist
    through_the_orm = {pk: as_read(session) for pk, session in selectors._live_sessions_orm(wanted).items()}
    in_one_statement = {pk: as_read(session) for pk, session in selectors.live_sessions_postgresql(wanted).items()}
    assert in_one_statement == through_the_orm
    assert set(in_one_statement) == {session.pk for session in sessions}
    assert in_one_statement[sessions[0].pk]["round"] is None
    assert in_one_statement[sessions[2].pk]["round"]["hidden_texts"] == ["paris", "lyon"]
    assert in_one_statement[sessions[1].pk]["choices"]  # a choice question's choices, in their order
    assert in_one_statement[sessions[3].pk]["session"]["pacing"] == LiveSession.Pacing.STUDENT
    assert in_one_statement[sessions[1].pk]["position"] == (1, sessions[1].quiz.questions.count())
    assert in_one_statement[sessions[-1].pk]["position"] == (4, 4)  # after the question of the same order


def test_the_choices_and_the_place_in_the_quiz_come_read_with_the_session(sessions, django_assert_num_queries):
    with django_assert_num_queries(1):
        session = selectors.live_sessions({sessions[1].pk})[sessions[1].pk]
        assert [choice.text for choice in session.current_round.question.choices.all()]
        assert session.quiz.title and session.classroom.name
        assert selectors.question_position(question=session.current_round.question)[0] == 1
