from django.apps import AppConfig


class ClassroomConfig(AppConfig):
    name = "classroom"
    verbose_name = "Classrooms and live sessions"

    def ready(self) -> None:
        from classroom.roster import ROSTER_IMPORT_JOB, roster_import_run, roster_logins_expire
        from jobs.registry import housekeeping_register, job_kind_register

        job_kind_register(ROSTER_IMPORT_JOB, roster_import_run)
        housekeeping_register(roster_logins_expire)
