"""What runs a job of each kind. Apps register their handlers in their AppConfig.ready()."""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jobs.models import Job
    from jobs.progress import JobProgress

# A handler does the work of one job and returns its result (JSON). It may run more than once for the same job
# (a restart interrupted it), so it must be safe to run again: finish what is left, or report what an earlier run
# already did. It raises JobFailed for an expected failure, with a message for the person who started the job.
JobHandler = Callable[["Job", "JobProgress"], dict]

_handlers: dict[str, JobHandler] = {}
_housekeeping: list[Callable[[], object]] = []


def job_kind_register(kind: str, handler: JobHandler) -> None:
    _handlers[kind] = handler


def handler_for(kind: str) -> JobHandler | None:
    return _handlers.get(kind)


def housekeeping_register(task: Callable[[], object]) -> None:
    """A small periodic task (deleting what has expired) the runner calls now and then while idle."""
    if task not in _housekeeping:
        _housekeeping.append(task)


def housekeeping_tasks() -> list[Callable[[], object]]:
    return list(_housekeeping)
