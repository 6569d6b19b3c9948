"""Instances built from a row's values without the model's constructor (`rows.built`: every answer of a batch, and
every instance a hand-written statement reads) must be the instances the constructor and `from_db` build."""

from datetime import UTC, datetime

import pytest
from django.db.models.signals import post_init, pre_init

from classroom import rows
from classroom.models import Answer
from classroom.services import ANSWER_COLUMNS
from tests.factories import RoundFactory, StudentFactory

SUBMITTED = datetime(2026, 12, 2, 14, 0, 30, 123456, tzinfo=UTC)
VALUES = (None, 11, 12, "client-1", {"choice": 3}, True, 850, SUBMITTED)


def state(instance):
    return instance._state.adding, instance._state.db


def test_an_answer_is_built_as_its_constructor_builds_it():
    built, constructed = rows.built(Answer, ANSWER_COLUMNS, VALUES), Answer(*VALUES)

    assert type(built) is Answer
    assert vars(built).keys() == vars(constructed).keys()
    assert {name: value for name, value in vars(built).items() if name != "_state"} == dict(
        zip(ANSWER_COLUMNS, VALUES, strict=True)
    )
    assert state(built) == state(constructed) == (True, None)


def test_an_answer_read_from_the_database_is_built_as_from_db_builds_it():
    values = (5, *VALUES[1:])
    built = rows.built(Answer, ANSWER_COLUMNS, values, db="default")
    read = Answer.from_db("default", list(ANSWER_COLUMNS), list(values))

    assert {name: value for name, value in vars(built).items() if name != "_state"} == {
        name: value for name, value in vars(read).items() if name != "_state"
    }
    assert state(built) == state(read) == (False, "default")
    assert built == read  # same model, same primary key


@pytest.mark.django_db
def test_a_built_answer_is_saved_and_reaches_its_round_and_student():
    round_, student = RoundFactory(), StudentFactory()
    answer = rows.built(Answer, ANSWER_COLUMNS, (None, round_.pk, student.pk, *VALUES[3:]))

    answer.save()

    stored = Answer.objects.get(pk=answer.pk)
    assert (stored.round, stored.student, stored.response, stored.points) == (round_, student, {"choice": 3}, 850)
    assert answer.round == round_  # read through its foreign key, as any instance's


@pytest.mark.parametrize("signal", [pre_init, post_init], ids=["pre_init", "post_init"])
def test_a_model_with_a_receiver_of_its_init_signals_is_built_by_its_constructor(signal):
    rows.built(Answer, ANSWER_COLUMNS, VALUES)  # decided once without the receiver
    heard = []

    def receiver(sender, **kwargs):
        heard.append(sender)

    signal.connect(receiver, sender=Answer)
    try:
        built = rows.built(Answer, ANSWER_COLUMNS, VALUES)
    finally:
        signal.disconnect(receiver, sender=Answer)

    assert heard == [Answer]
    assert built.client_id == "client-1"
    rows.built(Answer, ANSWER_COLUMNS, VALUES)
    assert heard == [Answer]  # disconnected: built without the constructor again
