from django.apps import AppConfig
from django.conf import settings
from django.core.signals import request_started


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # The runner lives in the server process and starts with its first request: `make run`, compose and any
        # ASGI server need no extra process. Management commands and the tests never start it on their own.
        if settings.JOBS_RUNNER_AUTOSTART:
            from jobs.runner import runner_ensure_started

            def start_runner(**kwargs):
                runner_ensure_started()

            request_started.connect(start_runner, dispatch_uid="jobs.runner_ensure_started", weak=False)
