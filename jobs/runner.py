"""The job runner: a daemon thread in each server process, started with the app's first request (jobs.apps).

Several processes (compose's `--scale web=N`) may each run one: a job is claimed by exactly one of them
(`job_claim_next`). A job left running by a process that stopped is found by its silent heartbeat and resumed
(`jobs_recover_interrupted`), so a restart never loses a job.
"""

import logging
import os
import threading
import time

from django.db import close_old_connections, connections
from django.utils.translation import gettext as _

from config.database import log_failure
from jobs.models import Job
from jobs.progress import JobFailed, JobProgress
from jobs.registry import handler_for, housekeeping_tasks
from jobs.services import job_claim_next, job_fail, job_succeed, jobs_recover_interrupted

logger = logging.getLogger(__name__)


class JobRunner:
    def __init__(self, *, poll_seconds: float = 5.0, housekeeping_seconds: float = 600.0):
        self.poll_seconds = poll_seconds
        self.housekeeping_seconds = housekeeping_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._housekeeping_at = 0.0

    # --- the work, callable from any thread ---------------------------------------------------------------------
    def run_pending(self) -> int:
        """Resume interrupted jobs, then run queued jobs until none is left. Returns how many it ran."""
        jobs_recover_interrupted()
        count = 0
        while (job := job_claim_next()) is not None:
            self.run_job(job)
            count += 1
        return count

    def run_job(self, job: Job) -> None:
        handler = handler_for(job.kind)
        if handler is None:
            unknown = _("This server does not know how to run a job of kind “%(kind)s”.") % {"kind": job.kind}
            job_fail(job=job, error=unknown)
            return
        logger.info("Job %s (%s) started, attempt %d", job.pk, job.kind, job.attempts)
        try:
            result = handler(job, JobProgress(job))
        except JobFailed as failed:
            logger.info("Job %s (%s) failed: %s", job.pk, job.kind, failed.message)
            job_fail(job=job, error=failed.message, result=failed.result)
        except Exception:
            logger.exception("Job %s (%s) stopped on an unexpected error", job.pk, job.kind)
            job_fail(
                job=job,
                error=_("The job stopped on an unexpected error and was not finished. The server's log says why."),
            )
        else:
            logger.info("Job %s (%s) finished", job.pk, job.kind)
            job_succeed(job=job, result=result)

    def housekeep(self) -> None:
        for task in housekeeping_tasks():
            task()
        self._housekeeping_at = time.monotonic()

    # --- the thread ---------------------------------------------------------------------------------------------
    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="quizcast-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            close_old_connections()
            try:
                self.run_pending()
                if time.monotonic() - self._housekeeping_at >= self.housekeeping_seconds:
                    self.housekeep()
            except Exception as error:
                # The database may be away for a while: the jobs wait in it, and the next round tries again. An
                # outage is logged once for the whole process (config.database), not with a traceback every round.
                log_failure(
                    logger, error, "The job runner could not reach its jobs; trying again in %s s", self.poll_seconds
                )
            finally:
                connections.close_all()
            self._wake.wait(self.poll_seconds)


_runner: JobRunner | None = None
_runner_pid: int | None = None
_runner_lock = threading.Lock()


def runner_ensure_started(*, poll_seconds: float = 5.0) -> JobRunner:
    """This process's runner, started if it is not running yet (also after a fork)."""
    global _runner, _runner_pid
    with _runner_lock:
        if _runner is None or _runner_pid != os.getpid() or not _runner.is_running:
            _runner, _runner_pid = JobRunner(poll_seconds=poll_seconds), os.getpid()
            _runner.start()
            logger.info("Job runner started in process %d", _runner_pid)
        return _runner


def runner_wake() -> None:
    """Tell this process's runner, if it runs, that a job is waiting."""
    if _runner is not None and _runner_pid == os.getpid():
        _runner.wake()
