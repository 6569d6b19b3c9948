"""Writes to jobs: create one, let a runner claim it, finish it, and recover the ones a restart interrupted."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from jobs.models import Job

# A runner writes a job's heartbeat every HEARTBEAT_SECONDS while it runs; a running job whose heartbeat is older
# than STALE_AFTER lost its runner (the server stopped or crashed).
HEARTBEAT_SECONDS = 5
STALE_AFTER = timedelta(seconds=60)
MAX_ATTEMPTS = 3


def job_create(*, kind: str, owner: User, payload: dict | None = None, total: int = 0) -> Job:
    """A queued job. The runner of this process is woken once the caller's transaction commits."""
    from jobs.runner import runner_wake

    job = Job.objects.create(kind=kind, owner=owner, payload=payload or {}, progress_total=total)
    transaction.on_commit(runner_wake)
    return job


def job_claim_next() -> Job | None:
    """Mark the oldest queued job running and return it, or None. Safe with several runners: one wins each job."""
    for job_id in Job.objects.filter(state=Job.State.QUEUED).values_list("pk", flat=True)[:10]:
        now = timezone.now()
        claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
            state=Job.State.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
        )
        if claimed:
            return Job.objects.get(pk=job_id)
    return None


def job_heartbeat(*, job_id: int) -> None:
    Job.objects.filter(pk=job_id, state=Job.State.RUNNING).update(heartbeat_at=timezone.now())


def job_succeed(*, job: Job, result: dict) -> None:
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.SUCCEEDED,
        result=result,
        error="",
        progress_done=F("progress_total"),
        finished_at=timezone.now(),
    )


def job_fail(*, job: Job, error: str, result: dict | None = None) -> None:
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.FAILED, error=error, result=result or {}, finished_at=timezone.now()
    )


def jobs_recover_interrupted(*, now: datetime | None = None) -> list[int]:
    """Jobs left running by a runner that stopped: queued again to resume, or failed after MAX_ATTEMPTS runs.

    Returns the ids of the jobs it touched.
    """
    now = now or timezone.now()
    touched = []
    stale = Job.objects.filter(state=Job.State.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    for job in stale.only("pk", "attempts", "heartbeat_at"):
        still_stale = Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, heartbeat_at=job.heartbeat_at)
        if job.attempts < MAX_ATTEMPTS:
            changed = still_stale.update(state=Job.State.QUEUED, heartbeat_at=None)
        else:
            changed = still_stale.update(
                state=Job.State.FAILED,
                error=_(
                    "The server stopped while this job ran, %(count)d times; it was not finished. "
                    "Start it again, or ask an administrator to look at the server's log."
                )
                % {"count": job.attempts},
                finished_at=now,
            )
        if changed:
            touched.append(job.pk)
    return touched
