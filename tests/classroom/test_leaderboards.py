"""Leaderboards rank the students who took part; students see the top five and their own rank, the teacher and
the projector the top ten. Rounds say which question of the quiz they show."""

import json

import pytest

from classroom import services
from classroom.selectors import question_position, session_leaderboard
from realtime import groups
from realtime.session_actions import end_session, reveal_round
from tests.classroom.test_session_services import answer, correct_choice, question
from tests.factories import EnrolmentFactory, QuizFactory, make_question

pytestmark = pytest.mark.django_db


def class_of(live_session, size: int) -> list:
    return [EnrolmentFactory(classroom=live_session.classroom).student for _ in range(size)]


def texts_for(result, group: str, message_type: str) -> tuple[dict, dict[str, dict]]:
    """The `message_type` event a command sends to a group, and the personal messages that go with it."""
    for broadcast in result.broadcasts:
        message = json.loads(broadcast.text) if broadcast.group == group and broadcast.text else {}
        if message.get("type") == message_type:
            return message, {key: json.loads(text) for key, text in broadcast.personal.items()}
    raise AssertionError(f"no {message_type} to {group}")


def test_only_students_who_answered_a_revealed_question_are_on_the_leaderboard(live_session, teacher):
    students = class_of(live_session, 3)  # besides the three the fixture enrols, who never answer
    q = question(live_session)
    round_ = services.session_push_question(session_id=live_session.pk, question_id=q.pk, pushed_by=teacher)
    answer(live_session, round_, students[0], correct_choice(q))
    answer(live_session, round_, students[1], q.choices.filter(is_correct=False).first().pk)
    services.round_reveal(session_id=live_session.pk, round_id=round_.pk)

    board = session_leaderboard(session=live_session)

    assert [(standing.student_id, standing.points, standing.rank) for standing in board] == [
        (students[0].pk, 100, 1),
        (students[1].pk, 0, 2),
    ]


def test_students_get_the_top_five_and_their_own_rank_teachers_the_top_ten(live_session, teacher):
    students = class_of(live_session, 12)
    q = question(live_session)
    round_ = services.session_push_question(session_id=live_session.pk, question_id=q.pk, pushed_by=teacher)
    wrong = q.choices.filter(is_correct=False).first().pk
    for index, student in enumerate(students):
        answer(live_session, round_, student, correct_choice(q) if index < 6 else wrong)
    reveal = reveal_round(session_id=live_session.pk, teacher=teacher, round_id=round_.pk)
    revealed_for_teachers, _ = texts_for(reveal, groups.session_teachers(live_session.pk), "round.revealed")
    assert len(revealed_for_teachers["leaderboard"]) == 10

    ended = end_session(session_id=live_session.pk, teacher=teacher)

    for_students, personal = texts_for(ended, groups.session_students(live_session.pk), "session.ended")
    for_teachers, _ = texts_for(ended, groups.session_teachers(live_session.pk), "session.ended")
    assert len(for_students["leaderboard"]) == 5
    assert len(for_teachers["leaderboard"]) == 10
    last = personal[str(students[-1].pk)]
    assert (last["rank"], last["of"], last["total"]) == (7, 12, 0)
    assert set(personal) == {str(student.pk) for student in students}  # the students who never answered get none


def test_a_question_knows_its_place_in_the_quiz_even_with_equal_orders(teacher):
    quiz = QuizFactory(owner=teacher)
    first = make_question(quiz, order=1)
    second = make_question(quiz, order=1)
    third = make_question(quiz, order=0)

    assert question_position(question=third) == (1, 3)
    assert question_position(question=first) == (2, 3)
    assert question_position(question=second) == (3, 3)
