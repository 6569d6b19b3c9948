"""Two database commands at the same moment, in a set order: the first holds its transaction open on a thread of its
own until the second, on another, is seen waiting for it."""

import threading
from collections.abc import Callable

from django.db import connections, transaction


def one_after_the_other(first: Callable[[], object], second: Callable[[], object]) -> list[object]:
    """Run `first` in a transaction held open until `second`, started meanwhile, is seen waiting; then commit it.
    What each returned (or raised), in order."""
    done, commit, outcomes = threading.Event(), threading.Event(), {}

    def run_first():
        try:
            with transaction.atomic():
                outcomes["first"] = first()
                done.set()
                commit.wait(30)
        except Exception as error:  # pragma: no cover - reported by the assertions below
            outcomes["first"] = error
            done.set()
        finally:
            connections.close_all()

    def run_second():
        try:
            outcomes["second"] = second()
        except Exception as error:
            outcomes["second"] = error
        finally:
            connections.close_all()

    holding, waiting = threading.Thread(target=run_first), threading.Thread(target=run_second)
    holding.start()
    assert done.wait(30)
    waiting.start()
    waiting.join(0.5)
    assert waiting.is_alive()  # the second waits for the session's lock
    commit.set()
    holding.join(30)
    waiting.join(30)
    return [outcomes["first"], outcomes["second"]]
