"""The order an ordering question's items are shown in, and the item ids students answer with.

Every student of a round sees the items in one shuffled order, the same after a reconnect, and answers with item
ids that are the items' positions in that shown order (1, 2, 3...). Those ids say nothing of the correct order,
and the shuffle is keyed with the server's secret, so neither the ids, the round id nor the choices' database ids
tell a student where an item belongs. The shuffle is a plain random permutation: it is the correct order exactly as
often as chance makes it, so seeing the items in some order never rules that order out.
"""

import hashlib
import hmac
import random
from dataclasses import dataclass

from django.conf import settings

from quizzes.models import Choice, Question


@dataclass(frozen=True)
class ShownItem:
    id: int  # the item's position in the shown order, from 1
    choice: Choice


def shown_items(question: Question, *, round_id: int | None) -> list[ShownItem]:
    """The question's items in the order a round shows them (`round_id` None: the admin's preview)."""
    items = list(question.choices.all())  # in the correct order
    seed = hmac.new(
        settings.SECRET_KEY.encode(), f"ordering:{question.pk}:{round_id}".encode(), hashlib.sha256
    ).digest()
    random.Random(seed).shuffle(items)
    return [ShownItem(id=position, choice=choice) for position, choice in enumerate(items, start=1)]


def correct_item_order(question: Question, *, round_id: int | None) -> list[int]:
    """The shown item ids in the correct order."""
    by_choice = {item.choice.pk: item.id for item in shown_items(question, round_id=round_id)}
    return [by_choice[choice.pk] for choice in question.choices.all()]
