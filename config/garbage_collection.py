"""The worker's garbage collector, tuned for a process that holds thousands of sockets for a whole lesson.

CPython collects the youngest generation every 700 net new container objects, and the oldest after ten collections
of the middle one. A worker's oldest generation holds every connected socket's objects: with 2,000 students a full
collection walks them all in ~85 ms, and a burst of answers (each held in a batch for a few milliseconds, long
enough to survive two young collections) set one off every other burst (docs/performance.md, "The garbage
collector"). With the young generation collected every 10,000 net new objects, most short-lived objects of a
burst are freed by their reference counts before a collection sees them, the few that survive one die before the
middle generation's turn, and full collections become rare; each young collection still walks only what is young.
A larger threshold keeps more garbage from a class connecting uncollected for longer: 50,000 cost 0.4–0.9 KiB more
per socket for no further gain in the bursts.
"""

import gc

from django.core.exceptions import ImproperlyConfigured

Thresholds = tuple[int, int, int]


def thresholds_from(text: str) -> Thresholds | None:
    """The three thresholds `gc.set_threshold` takes, from `WORKER_GC_THRESHOLDS` ("10000,10,10"); None when empty
    (Python's own). A first threshold of 0 turns automatic collection off."""
    if not text.strip():
        return None
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise ImproperlyConfigured(
            f"WORKER_GC_THRESHOLDS must be three whole numbers, as '10000,10,10', or empty; not {text!r}"
        )
    first, second, third = (int(part) for part in parts)
    return first, second, third


def tune_worker(thresholds: Thresholds | None) -> None:
    """Leave what the process loaded at start-up out of every collection from now on, and set the thresholds."""
    gc.freeze()
    if thresholds is not None:
        gc.set_threshold(*thresholds)
