"""Extra time for students who need it: each student's own deadline in a round, and when the round closes.

A round keeps the class's deadline (`Round.deadline`, shown on the projector and to most students). A student
with extra time has a later deadline of their own: the time limit multiplied by 1.5 or 2, or none. The round stays
open until the latest of these (`Round.closes_at`; `Round.stays_open` when a student has no limit) so those
students can still answer; everyone else's answers are refused after the class deadline as before. The teacher
sees the round still open, with the note that students with extra time are answering, and can close it at any time.
A round created without either field closes at its deadline, as it always did.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Exists

from classroom.models import Enrolment

ExtraTime = Enrolment.ExtraTime
FACTORS: dict[str, Decimal] = {ExtraTime.HALF: Decimal("1.5"), ExtraTime.DOUBLE: Decimal("2")}
EXTRA_TIMES = [ExtraTime.HALF, ExtraTime.DOUBLE, ExtraTime.UNLIMITED]


def personal_deadline(*, deadline: datetime | None, time_limit: int | None, extra_time: str) -> datetime | None:
    """A student's deadline in a round whose class deadline is `deadline`: None means no limit."""
    if deadline is None or extra_time == ExtraTime.UNLIMITED:
        return None
    if extra_time not in FACTORS or not time_limit:
        return deadline
    return deadline + timedelta(seconds=float(time_limit * (FACTORS[extra_time] - 1)))


def extra_time_annotations(*, classroom_id: int) -> dict[str, Exists]:
    """Annotations telling which kinds of extra time the classroom's students have, so that reading them costs no
    statement of its own (a push is counted in statements: docs/performance.md)."""
    return {
        f"has_extra_{index}": Exists(Enrolment.objects.filter(classroom_id=classroom_id, extra_time=value))
        for index, value in enumerate(EXTRA_TIMES)
    }


def extra_times_from(annotated) -> set[str]:
    return {value for index, value in enumerate(EXTRA_TIMES) if getattr(annotated, f"has_extra_{index}")}


def round_closing(
    *, extra_times: set[str], deadline: datetime | None, time_limit: int | None
) -> tuple[datetime | None, bool]:
    """When a round closes by itself, given the kinds of extra time its students have: (`closes_at`, `stays_open`)
    for the Round. (None, False) is at the deadline, as for a class without extra time."""
    if deadline is None or not extra_times:
        return None, False
    if ExtraTime.UNLIMITED in extra_times:
        return None, True
    # Without unlimited extra time every personal deadline is a time (personal_deadline returns None only for that).
    closes = [personal_deadline(deadline=deadline, time_limit=time_limit, extra_time=e) for e in extra_times]
    return max(closing for closing in closes if closing is not None), False


def extra_time_of(*, classroom_id: int, student_ids: set[int]) -> dict[int, str]:
    """The extra time of each of these students in the classroom (students without any are left out)."""
    rows = Enrolment.objects.filter(classroom_id=classroom_id, student_id__in=student_ids).exclude(extra_time="")
    return dict(rows.values_list("student_id", "extra_time"))
