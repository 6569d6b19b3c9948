"""Time a roster import of N generated students through the app's own services, with the production hashers.

    python -m bench.roster_import --rows 2000
    python -m bench.roster_import --rows 2000 --database-url postgres://postgres@127.0.0.1:5432/quizcast

It creates a throw-away database (Django's test database for the given DATABASE_URL: SQLite in memory by default),
checks the generated file as the upload does (`roster_import_start`), runs the job as the server's runner does
(`JobRunner.run_pending`), and prints the times and the load average as JSON. `--initial-hasher pbkdf2_sha256`
measures the same import with Django's default hasher instead (expect about 0.3 s a student per core).
"""

import argparse
import json
import os
import time


def roster_csv(rows: int) -> bytes:
    lines = ["username,first_name,last_name,display_name,email"]
    lines += [f"bench.s{number},Student,Number {number},S{number},s{number}@example.org" for number in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", "sqlite:///bench-roster.sqlite3"))
    parser.add_argument("--initial-hasher", default=None, help="a PASSWORD_HASHERS algorithm (default: the app's)")
    args = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django
    from django.conf import settings

    from bench.machine import machine_load

    django.setup()
    if args.initial_hasher:
        settings.INITIAL_PASSWORD_HASHER = args.initial_hasher

    from django.db import connection

    from accounts.models import User
    from accounts.services import user_create
    from classroom.roster import roster_import_start
    from classroom.services import classroom_create
    from jobs.models import Job
    from jobs.runner import JobRunner

    load_before = os.getloadavg()
    test_database = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        teacher = user_create(username="bench-teacher", password=None, role=User.Role.TEACHER)
        classroom = classroom_create(name="Benchmark roster", owner=teacher)
        data = roster_csv(args.rows)

        started = time.perf_counter()
        roster_import = roster_import_start(classroom=classroom, data=data, file_name="bench.csv", started_by=teacher)
        checked = time.perf_counter()
        JobRunner().run_pending()
        finished = time.perf_counter()

        job = Job.objects.get(pk=roster_import.job_id)
        student = User.objects.get(username="bench.s0")
        report = {
            "rows": args.rows,
            "state": job.state,
            "created": job.result.get("created"),
            "hasher": student.password.split("$", 2)[0] + "$" + student.password.split("$", 2)[1],
            "database": connection.vendor,
            "check_s": round(checked - started, 3),
            "job_s": round(finished - checked, 3),
            "total_s": round(finished - started, 3),
            **machine_load(load_before),
        }
    finally:
        connection.creation.destroy_test_db(test_database, verbosity=0)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
