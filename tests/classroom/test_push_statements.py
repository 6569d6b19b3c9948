"""On PostgreSQL a push runs in two statements (classroom/push.py) instead of the ORM's six and the choices' read.
Both must give the same round, the same closing of the round before it, the same state and the same refusals: each
case below is set up twice, pushed once each way, and the outcomes compared. A push whose read another command
overtakes reads again, and in the end takes the session's lock."""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from classroom import push, services
from classroom.errors import DomainError
from classroom.models import Enrolment, LiveSession, Round
from classroom.push import push_question_postgresql
from tests.factories import (
    AdminFactory,
    ClassroomFactory,
    EnrolmentFactory,
    LiveSessionFactory,
    QuizFactory,
    RoundFactory,
    StudentFactory,
    TeacherFactory,
    make_question,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the two-statement push is PostgreSQL's"),
]

NOW = timezone.now().replace(microsecond=0)


def scenario(**options) -> dict:
    """A session with a quiz of three questions (the second with four choices), as the case asks."""
    classroom = ClassroomFactory()
    quiz = QuizFactory(owner=classroom.owner)
    questions = [make_question(quiz, time_limit=options.get("time_limit", 30)) for _ in range(3)]
    session = LiveSessionFactory(classroom=classroom, quiz=quiz, started_by=classroom.owner)
    for extra_time in options.get("extra_times", []):
        EnrolmentFactory(classroom=classroom, extra_time=extra_time)
    return {"classroom": classroom, "quiz": quiz, "questions": questions, "session": session}


def outcome(push: Callable[..., Round], setup: Callable[[dict], dict]) -> dict:
    """What pushing did, in terms that do not depend on the rows' ids."""
    world = scenario(**setup.__dict__.get("options", {}))
    arguments = setup(world)
    try:
        round_ = push(now=NOW, **arguments)
    except DomainError as refusal:
        return {"refused": (refusal.code, refusal.message)}
    question = round_.question
    session = LiveSession.objects.get(pk=world["session"].pk)
    return {
        "round": {
            "number": round_.number,
            "question": world["questions"].index(question),
            "position": (question.number_in_quiz, question.quiz_size),
            "choices": [(choice.text, choice.is_correct, choice.order) for choice in question.choices.all()],
            "opened_at": round_.opened_at,
            "deadline": round_.deadline,
            "closes_at": round_.closes_at,
            "stays_open": round_.stays_open,
            "opened_by": round_.opened_by_id == arguments["pushed_by"].pk,
        },
        "stored": list(
            Round.objects.filter(session=session)
            .order_by("number")
            .values_list("number", "opened_at", "deadline", "closes_at", "stays_open", "closed_at", "close_cause")
        ),
        "closed_by_the_pusher": list(
            Round.objects.filter(session=session, closed_by=arguments["pushed_by"]).values_list("number", flat=True)
        ),
        "session": (session.state, session.current_round.number, session.current_round_id == round_.pk),
    }


def both_ways(setup: Callable[[dict], dict]) -> dict:
    through_the_orm = outcome(services._push_question, setup)
    in_two_statements = outcome(push_question_postgresql, setup)
    assert in_two_statements == through_the_orm
    return in_two_statements


def case(**options):
    def mark(setup):
        setup.options = options
        return setup

    return mark


def test_the_first_push_opens_round_one_with_its_question_its_place_and_its_choices():
    pushed = both_ways(lambda world: {**owner_pushes(world, 1)})
    assert pushed["round"]["number"] == 1
    assert pushed["round"]["position"] == (2, 3)
    assert len(pushed["round"]["choices"]) == 4
    assert pushed["round"]["deadline"] == NOW + timedelta(seconds=30)
    assert pushed["session"] == (LiveSession.State.QUESTION_OPEN, 1, True)


def test_a_push_closes_the_open_round_at_its_deadline_if_that_passed_and_numbers_the_next():
    def setup(world):
        RoundFactory(
            session=world["session"],
            question=world["questions"][0],
            number=1,
            opened_at=NOW - timedelta(seconds=40),
            deadline=NOW - timedelta(seconds=10),
        )
        LiveSession.objects.filter(pk=world["session"].pk).update(
            current_round=Round.objects.get(session=world["session"])
        )
        return owner_pushes(world, 2)

    pushed = both_ways(setup)
    assert pushed["stored"][0][5] == NOW - timedelta(seconds=10)
    assert pushed["stored"][0][6] == "next_question"
    assert pushed["closed_by_the_pusher"] == [1]
    assert pushed["round"]["number"] == 2


def test_a_push_closes_an_open_round_without_a_deadline_now():
    def setup(world):
        current = RoundFactory(session=world["session"], question=world["questions"][0], number=1, opened_at=NOW)
        LiveSession.objects.filter(pk=world["session"].pk).update(current_round=current)
        return owner_pushes(world, 1)

    pushed = both_ways(setup)
    assert pushed["stored"][0][5] == NOW
    assert pushed["round"]["number"] == 2


def test_a_push_leaves_a_closed_round_as_it_was_and_numbers_after_the_current_round():
    def setup(world):
        RoundFactory(session=world["session"], question=world["questions"][0], number=1, opened_at=NOW)
        closed_at = NOW - timedelta(seconds=5)
        current = RoundFactory(
            session=world["session"], question=world["questions"][1], number=3, opened_at=NOW, closed_at=closed_at
        )
        LiveSession.objects.filter(pk=world["session"].pk).update(current_round=current)
        return owner_pushes(world, 2)

    pushed = both_ways(setup)
    assert [row[5] for row in pushed["stored"]] == [None, NOW - timedelta(seconds=5), None]
    assert pushed["closed_by_the_pusher"] == []
    assert pushed["round"]["number"] == 4


@pytest.mark.parametrize(
    ("extra_times", "time_limit", "closes_at", "stays_open"),
    [
        ([Enrolment.ExtraTime.HALF], 30, NOW + timedelta(seconds=45), False),
        ([Enrolment.ExtraTime.HALF], 25, NOW + timedelta(seconds=37.5), False),
        ([Enrolment.ExtraTime.HALF, Enrolment.ExtraTime.DOUBLE], 30, NOW + timedelta(seconds=60), False),
        ([Enrolment.ExtraTime.DOUBLE, Enrolment.ExtraTime.UNLIMITED], 30, None, True),
        ([Enrolment.ExtraTime.UNLIMITED], None, None, False),
    ],
)
def test_a_round_stays_open_for_the_extra_time_of_the_classroom_students(
    extra_times, time_limit, closes_at, stays_open
):
    pushed = both_ways(case(extra_times=extra_times, time_limit=time_limit)(lambda world: owner_pushes(world, 0)))
    assert (pushed["round"]["closes_at"], pushed["round"]["stays_open"]) == (closes_at, stays_open)


@pytest.mark.parametrize(
    ("closes_at", "stays_open", "closed_at"),
    [
        (NOW - timedelta(seconds=5), False, NOW - timedelta(seconds=5)),
        (NOW + timedelta(seconds=20), False, NOW),
        (None, True, NOW),
    ],
    ids=["its extra time is over", "in its extra time", "open until the teacher closes it"],
)
def test_a_push_closes_a_round_kept_open_for_extra_time_when_that_ended_or_now(closes_at, stays_open, closed_at):
    def setup(world):
        current = RoundFactory(
            session=world["session"],
            question=world["questions"][0],
            number=1,
            opened_at=NOW - timedelta(seconds=60),
            deadline=NOW - timedelta(seconds=30),
            closes_at=closes_at,
            stays_open=stays_open,
        )
        LiveSession.objects.filter(pk=world["session"].pk).update(current_round=current)
        return owner_pushes(world, 1)

    pushed = both_ways(setup)
    assert pushed["stored"][0][5] == closed_at


def test_a_question_without_a_time_limit_has_no_deadline():
    pushed = both_ways(case(time_limit=None)(lambda world: owner_pushes(world, 0)))
    assert pushed["round"]["deadline"] is None


def test_a_co_teacher_and_an_admin_may_push():
    def co_teacher(world):
        colleague = TeacherFactory()
        world["classroom"].co_teachers.add(colleague)
        return {**owner_pushes(world, 0), "pushed_by": colleague}

    assert both_ways(co_teacher)["round"]["number"] == 1
    assert both_ways(lambda world: {**owner_pushes(world, 0), "pushed_by": AdminFactory()})["round"]["number"] == 1


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        (lambda world: {**owner_pushes(world, 0), "session_id": 0}, "not_found"),
        (lambda world: {**owner_pushes(world, 0), "pushed_by": TeacherFactory()}, "forbidden"),
        (lambda world: {**owner_pushes(world, 0), "pushed_by": StudentFactory()}, "forbidden"),
        (lambda world: {**ended(world), **owner_pushes(world, 0)}, "session_ended"),
        (lambda world: {**student_paced(world), **owner_pushes(world, 0)}, "student_paced"),
        (lambda world: {**owner_pushes(world, 0), "question_id": make_question(QuizFactory()).pk}, "not_found"),
    ],
    ids=["no such session", "another teacher", "a student", "ended", "student-paced", "question of another quiz"],
)
def test_a_refused_push_is_refused_alike_and_changes_nothing(setup, code):
    refused = both_ways(setup)
    assert refused["refused"][0] == code


def test_the_pushed_round_reads_nothing_more_to_build_its_frames(django_assert_num_queries):
    world = scenario()
    expected = [choice.text for choice in world["questions"][1].choices.order_by("order", "pk")]
    round_ = push_question_postgresql(now=NOW, **owner_pushes(world, 1))
    with django_assert_num_queries(0):
        assert [choice.text for choice in round_.question.choices.all()] == expected
        assert round_.question.quiz_id == world["quiz"].pk


def test_a_push_is_two_statements_and_takes_no_lock_when_nothing_overtakes_it(django_assert_num_queries):
    world = scenario()
    with django_assert_num_queries(2) as statements:
        push_question_postgresql(now=NOW, **owner_pushes(world, 0))
    assert not [statement for statement in statements.captured_queries if is_the_lock(statement["sql"])]


def is_the_lock(sql: str) -> bool:
    """Whether `sql` (as executed, its values in place) is push.LOCK."""
    return re.fullmatch(re.escape(push.LOCK).replace(re.escape("%(session)s"), r"\d+"), sql) is not None


def overtaken(monkeypatch, world: dict, times: int) -> None:
    """Another teacher pushes the second question after each of the next `times` reads of a push, before its
    write."""
    read, overtakings = push._planned_round, []

    def read_then_overtaken(*args, **kwargs):
        planned = read(*args, **kwargs)
        if len(overtakings) < times:
            overtakings.append(services._push_question(now=NOW, **owner_pushes(world, 1)))
        return planned

    monkeypatch.setattr(push, "_planned_round", read_then_overtaken)


def test_a_push_whose_read_is_overtaken_reads_again_and_opens_the_round_after(monkeypatch):
    world = scenario()
    first = services._push_question(now=NOW, **owner_pushes(world, 0))  # the session stays open: only its round moves
    overtaken(monkeypatch, world, times=1)
    round_ = push_question_postgresql(now=NOW, **owner_pushes(world, 2))
    stored = list(Round.objects.filter(session=world["session"]).order_by("number"))
    assert [(r.number, world["questions"].index(r.question)) for r in stored] == [(1, 0), (2, 1), (3, 2)]
    assert round_.pk == stored[2].pk and round_.number == 3
    assert [(r.closed_at, r.close_cause) for r in stored[:2]] == [(NOW, "next_question")] * 2
    assert stored[0].pk == first.pk
    assert LiveSession.objects.get(pk=world["session"].pk).current_round_id == round_.pk


def test_a_push_overtaken_again_and_again_takes_the_session_lock_and_then_opens_its_round(monkeypatch):
    world = scenario()
    overtaken(monkeypatch, world, times=push.OVERTAKEN_ATTEMPTS)
    with CaptureQueriesContext(connection) as statements:
        round_ = push_question_postgresql(now=NOW, **owner_pushes(world, 2))
    locks = [index for index, statement in enumerate(statements.captured_queries) if is_the_lock(statement["sql"])]
    inserts = [index for index, statement in enumerate(statements.captured_queries) if "INSERT" in statement["sql"]]
    assert len(locks) == 1 and locks[0] > inserts[-2]  # after the last overtaking push's insert, before its own
    assert round_.number == push.OVERTAKEN_ATTEMPTS + 1
    assert Round.objects.filter(session=world["session"]).count() == push.OVERTAKEN_ATTEMPTS + 1
    assert LiveSession.objects.get(pk=world["session"].pk).current_round_id == round_.pk


def owner_pushes(world: dict, index: int) -> dict:
    return {
        "session_id": world["session"].pk,
        "question_id": world["questions"][index].pk,
        "pushed_by": world["classroom"].owner,
    }


def ended(world: dict) -> dict:
    LiveSession.objects.filter(pk=world["session"].pk).update(state=LiveSession.State.ENDED)
    return {}


def student_paced(world: dict) -> dict:
    LiveSession.objects.filter(pk=world["session"].pk).update(pacing=LiveSession.Pacing.STUDENT)
    return {}
