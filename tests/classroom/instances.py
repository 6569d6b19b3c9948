"""Model instances as plain values, for comparing what two ways of reading the same rows built: the ORM's, and a
hand-written statement's on PostgreSQL."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from quizzes.models import Question

# The hand-written reads are PostgreSQL's: elsewhere the ORM's is the only one.
HAND_WRITTEN_READ = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the hand-written read is PostgreSQL's"
)


@contextmanager
def through_the_orm() -> Iterator[None]:
    """Within: the reads that PostgreSQL runs as hand-written statements take the ORM's queries instead, as on any
    other database."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connection, "vendor", "another database")
        yield


Read = TypeVar("Read")


def read_both_ways(read: Callable[[], Read], statement: str) -> tuple[Read, Read]:
    """What `read` gives through `statement`, the one statement it is checked to run on PostgreSQL, and then
    through the ORM's queries."""
    with CaptureQueriesContext(connection) as queries:
        through_statement = read()
    assert [query["sql"].startswith(statement.split("%s")[0]) for query in queries.captured_queries] == [True]
    with through_the_orm():
        return through_statement, read()


def columns(instance: Model | None) -> dict | None:
    """Every concrete field's value of the instance, by attribute name; None for no instance."""
    if instance is None:
        return None
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def question_as_read(question: Question | None) -> dict:
    """A question's columns and its choices' (as `question.choices.all()` gives them, in their order)."""
    if question is None:
        return {"question": None, "choices": None}
    return {"question": columns(question), "choices": [columns(choice) for choice in question.choices.all()]}
