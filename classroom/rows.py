"""Model instances from the rows of the hand-written statements on PostgreSQL (classroom.push, the answer batch's
read in classroom.services, the live session's read and a batch of sockets opening in classroom.selectors and
realtime.auth): the columns to select, and the instances built from them as the ORM would build them.

Those statements run on the path of every push, every batch of answers and every batch of sockets connecting,
where each round trip and each ORM compilation is paid before a student hears back (docs/performance.md).
"""

import json
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Field, Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

from quizzes.models import Choice, Question

QUESTION_FIELDS: list[Field] = list(Question._meta.concrete_fields)
CHOICE_FIELDS: list[Field] = list(Choice._meta.concrete_fields)


def columns(alias: str, fields: list[Field]) -> str:
    """The select list for these fields of the table named `alias`, in their order."""
    return ", ".join(f'{alias}."{field.column}"' for field in fields)


def choices_json(question_alias: str) -> str:
    """A subquery giving the choices of the question `question_alias` as a JSON array, in their order."""
    choice_object = ", ".join(f"'{field.column}', c.\"{field.column}\"" for field in CHOICE_FIELDS)
    return (
        f'(SELECT json_agg(json_build_object({choice_object}) ORDER BY c."order", c.id)'  # noqa: S608 (names from the models)
        f" FROM {Choice._meta.db_table} c WHERE c.question_id = {question_alias}.id)"
    )


def position_columns(question_alias: str) -> str:
    """Two columns: the question `question_alias`'s number in its quiz (from 1) and the quiz's number of questions,
    as classroom.selectors.with_quiz_position annotates them."""
    table = Question._meta.db_table
    return (
        f"(SELECT COUNT(*) FROM {table} o WHERE o.quiz_id = {question_alias}.quiz_id"  # noqa: S608 (model names)
        f' AND (o."order" < {question_alias}."order" OR (o."order" = {question_alias}."order"'
        f" AND o.id < {question_alias}.id))) + 1,"
        f" (SELECT COUNT(*) FROM {table} o WHERE o.quiz_id = {question_alias}.quiz_id)"
    )


Built = TypeVar("Built", bound=Model)

# Whether `built` may build instances of a model without its constructor (see there), by model, with the numbers
# of pre_init and post_init receivers it was decided with: a receiver connected since is looked at again.
_plainly_built: dict[type[Model], tuple[bool, int, int]] = {}


def _may_skip_constructor(model: type[Model]) -> bool:
    receivers = len(pre_init.receivers), len(post_init.receivers)
    decided = _plainly_built.get(model)
    if decided is None or decided[1:] != receivers:
        plain = (
            model.__init__ is Model.__init__
            and model.from_db.__func__ is Model.from_db.__func__  # type: ignore[attr-defined]
            and not pre_init.has_listeners(model)
            and not post_init.has_listeners(model)
        )
        decided = _plainly_built[model] = (plain, *receivers)
    return decided[0]


def built(model: type[Built], attnames: Sequence[str], values: Sequence[Any], *, db: str | None = None) -> Built:
    """An instance of `model` with every concrete field's value (`attnames`, in the model's order), as its
    constructor would build it, and as read from the database `db` if one is named (as `from_db` builds it).

    Built as Django's unpickling builds an instance: its attributes set at once, without running the constructor,
    whose descriptors and pre_init/post_init signals cost ~3 µs an instance, a thousand times in a burst of answers
    (docs/performance.md, "The CPU of each answer, cut again"). A model with its own constructor, or with a
    receiver of those signals, is built by its constructor. `tests/classroom/test_rows.py` compares the two."""
    if not _may_skip_constructor(model):
        return model.from_db(db, attnames, values) if db else model(*values)
    instance = model.__new__(model)
    state = ModelState()
    if db:
        state.adding = False
        state.db = db
    attributes = instance.__dict__
    attributes["_state"] = state
    attributes.update(zip(attnames, values, strict=True))
    return instance


def instance(model: type[Model], fields: list[Field], values: list[Any] | tuple[Any, ...]) -> Any:
    """An instance of `model` from a row's values for `fields`, converted as a query through the ORM converts them
    (a JSON column arrives as text)."""
    converted = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(fields, values, strict=True)
    ]
    if len(fields) != len(model._meta.concrete_fields):  # some fields deferred
        return model.from_db("default", [field.attname for field in fields], converted)
    return built(model, [field.attname for field in fields], converted, db="default")


def question_with_choices(values: list[Any] | tuple[Any, ...], choices: str | list[dict[str, Any]] | None) -> Question:
    """The question from its columns, its choices (the `choices_json` column) prefetched, as
    `question.choices.all()` returns them."""
    question = instance(Question, QUESTION_FIELDS, values)
    choice_rows: list[dict[str, Any]] = json.loads(choices) if isinstance(choices, str) else choices or []
    names = [str(field.column) for field in CHOICE_FIELDS]
    listed = [instance(Choice, CHOICE_FIELDS, [row[name] for name in names]) for row in choice_rows]
    prefetched = question.choices.all()
    prefetched._result_cache = listed
    prefetched._prefetch_done = True
    question._prefetched_objects_cache = {"choices": prefetched}
    return question
