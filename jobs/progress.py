"""How a running job reports its progress."""

import time

from django.utils import timezone

from jobs.models import Job


class JobFailed(Exception):
    """An expected failure: `message` is shown to whoever started the job, `result` is kept with it."""

    def __init__(self, message: str, *, result: dict | None = None):
        super().__init__(message)
        self.message = message
        self.result = result or {}


class JobProgress:
    """Counts work done out of a total and writes it to the job, at most every `interval` seconds."""

    def __init__(self, job: Job, *, interval: float = 0.25):
        self.job_id = job.pk
        self.done = job.progress_done
        self.total = job.progress_total
        self.interval = interval
        self._written_at = 0.0

    def set_total(self, total: int) -> None:
        self.total = total
        self.flush()

    def advance(self, count: int = 1) -> None:
        self.done = min(self.done + count, self.total) if self.total else self.done + count
        if time.monotonic() - self._written_at >= self.interval:
            self.flush()

    def restart(self) -> None:
        """Work already counted is done again (a resumed job)."""
        self.done = 0
        self.flush()

    def flush(self) -> None:
        Job.objects.filter(pk=self.job_id).update(
            progress_done=self.done, progress_total=self.total, heartbeat_at=timezone.now()
        )
        self._written_at = time.monotonic()
