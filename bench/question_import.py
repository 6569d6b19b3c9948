"""How long importing a question file takes: `python -m bench.question_import [--questions 1000] [--repeat 5]`.

Makes a GIFT file of N questions of every type GIFT carries, then, on a throwaway database (the test settings:
PostgreSQL when it answers on 127.0.0.1:5432, else SQLite), times what the admin does: the preview (read the file
and check every question with the admin's rules) and the import (check again and create every question and choice
in one transaction), into an empty quiz each time. Prints one JSON object with every run, the medians and the load
average before and after. Not a test: nothing here fails on a time.
"""

import argparse
import json
import os
import statistics
import time

KINDS = (
    "::Q{n}:: Which of these is number {n}? {{ ={n} ~{a} ~{b} ~{c} ####Because it is {n}. }}",
    "::Q{n}:: Which numbers are at least {n}? {{ ~%50%{n} ~%50%{a} ~%-100%{d} }}",
    "::Q{n}:: {n} is a whole number. {{T}}",
    "::Q{n}:: Write {n} in digits. {{ ={n} =number {n} }}",
    "::Q{n}:: What is {n} plus a half, roughly? {{#{n}.5:0.5}}",
    "::Q{n}:: Which number do you like best? {{ ~{n} ~{a} ~{b} }}",
)


def gift_file(count: int) -> bytes:
    questions = [
        "// quizcast: points=100 time_limit=30\n"
        + KINDS[n % len(KINDS)].format(n=n, a=n + 1, b=n + 2, c=n + 3, d=n - 1)
        for n in range(1, count + 1)
    ]
    return ("\n\n".join(questions) + "\n").encode()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from accounts.models import User
    from accounts.services import user_create
    from quizzes.formats.checks import file_preview
    from quizzes.models import Quiz
    from quizzes.services import questions_import

    data = gift_file(args.questions)
    load_before = os.getloadavg()
    databases = setup_databases(verbosity=0, interactive=False)
    runs = []
    try:
        teacher = user_create(username="bench-importer", password=None, role=User.Role.TEACHER)
        for number in range(args.repeat):
            quiz = Quiz.objects.create(title=f"Import {number}", owner=teacher)
            started = time.perf_counter()
            preview = file_preview(quiz=quiz, name="bench.gift", data=data)
            previewed = time.perf_counter()
            created = questions_import(quiz=quiz, drafts=preview.ready)
            imported = time.perf_counter()
            assert len(created) == args.questions and not preview.skipped, preview.skipped[:3]
            runs.append(
                {
                    "preview_s": round(previewed - started, 3),
                    "import_s": round(imported - previewed, 3),
                    "total_s": round(imported - started, 3),
                }
            )
    finally:
        vendor = connection.vendor
        teardown_databases(databases, verbosity=0)
    report = {
        "questions": args.questions,
        "file_bytes": len(data),
        "database": vendor,
        "runs": runs,
        "median_s": {key: statistics.median(run[key] for run in runs) for key in ("preview_s", "import_s", "total_s")},
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
