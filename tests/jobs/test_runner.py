"""The job runner: runs queued jobs once each, records their progress and outcome, and resumes or fails the jobs a
stopped server left running."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.models import Job
from jobs.progress import JobFailed
from jobs.registry import job_kind_register
from jobs.runner import JobRunner, runner_ensure_started
from jobs.services import MAX_ATTEMPTS, job_create

seen_progress: list[tuple[int, int]] = []


def count_to_three(job, progress):
    progress.set_total(3)
    for _ in range(3):
        progress.advance()
        progress.flush()
        stored = Job.objects.get(pk=job.pk)
        seen_progress.append((stored.progress_done, stored.progress_total))
    return {"counted": 3}


def refuse(job, progress):
    raise JobFailed("The file has problems.", result={"problems": ["line 2"]})


def crash(job, progress):
    raise RuntimeError("a bug")


job_kind_register("test.count", count_to_three)
job_kind_register("test.refuse", refuse)
job_kind_register("test.crash", crash)


@pytest.fixture(autouse=True)
def forget_progress():
    seen_progress.clear()


def test_a_queued_job_runs_once_and_reports_its_progress_and_result(teacher):
    job = job_create(kind="test.count", owner=teacher)

    assert JobRunner().run_pending() == 1
    assert JobRunner().run_pending() == 0

    job.refresh_from_db()
    assert seen_progress == [(1, 3), (2, 3), (3, 3)]
    assert (job.state, job.result, job.attempts, job.percent) == (Job.State.SUCCEEDED, {"counted": 3}, 1, 100)
    assert job.started_at <= job.finished_at


def test_a_job_that_fails_keeps_its_message_and_result(teacher):
    job = job_create(kind="test.refuse", owner=teacher)

    JobRunner().run_pending()

    job.refresh_from_db()
    assert (job.state, job.error, job.result) == (Job.State.FAILED, "The file has problems.", {"problems": ["line 2"]})
    assert job.finished_at is not None


def test_an_unexpected_error_fails_the_job_with_a_message_and_the_runner_goes_on(teacher):
    crashing = job_create(kind="test.crash", owner=teacher)
    after = job_create(kind="test.count", owner=teacher)

    assert JobRunner().run_pending() == 2

    crashing.refresh_from_db()
    after.refresh_from_db()
    assert crashing.state == Job.State.FAILED
    assert "unexpected error" in crashing.error and "a bug" not in crashing.error
    assert after.state == Job.State.SUCCEEDED


def test_a_job_of_an_unknown_kind_fails_with_a_message(teacher):
    job = job_create(kind="test.nobody-runs-this", owner=teacher)

    JobRunner().run_pending()

    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert "test.nobody-runs-this" in job.error


def interrupted(owner, *, attempts: int, silent_for: timedelta) -> Job:
    """A job left running by a server that stopped: its heartbeat went silent `silent_for` ago."""
    return Job.objects.create(
        kind="test.count",
        owner=owner,
        state=Job.State.RUNNING,
        attempts=attempts,
        started_at=timezone.now() - silent_for,
        heartbeat_at=timezone.now() - silent_for,
    )


def test_a_job_interrupted_by_a_restart_is_resumed_when_a_runner_starts(teacher):
    job = interrupted(teacher, attempts=1, silent_for=timedelta(minutes=2))

    JobRunner().run_pending()

    job.refresh_from_db()
    assert (job.state, job.attempts, job.result) == (Job.State.SUCCEEDED, 2, {"counted": 3})


def test_a_job_interrupted_too_often_fails_with_a_clear_message(teacher):
    job = interrupted(teacher, attempts=MAX_ATTEMPTS, silent_for=timedelta(minutes=2))

    JobRunner().run_pending()

    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.error.startswith(f"The server stopped while this job ran, {MAX_ATTEMPTS} times")
    assert seen_progress == []


def test_a_job_that_another_runner_is_still_running_is_left_alone(teacher):
    job = interrupted(teacher, attempts=1, silent_for=timedelta(seconds=5))

    assert JobRunner().run_pending() == 0

    job.refresh_from_db()
    assert (job.state, job.attempts) == (Job.State.RUNNING, 1)


@pytest.mark.django_db(transaction=True)
def test_the_runner_thread_runs_a_job_as_soon_as_it_is_committed(teacher):
    finished = threading.Event()

    def count_and_signal(job, progress):
        result = count_to_three(job, progress)
        finished.set()
        return result

    job_kind_register("test.signal", count_and_signal)
    runner = runner_ensure_started(poll_seconds=120)
    try:
        assert runner_ensure_started() is runner  # one runner per process
        job = job_create(kind="test.signal", owner=teacher)
        # Long before the runner's own next look at the queue: the commit woke it.
        assert finished.wait(30)
    finally:
        runner.stop()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
