"""Time one live update of a word cloud's results with 2,000 answers of 3 words each, as the teacher's view gets it.

    python -m bench.word_cloud
    python -m bench.word_cloud --answers 2000 --database-url postgres://postgres@127.0.0.1:5432/quizcast

It creates a throw-away database (Django's test database for the given DATABASE_URL: SQLite by default), stores
the answers through the app's own service (`answers_submit`), then times what the server does for every
`results.updated` of the round (`session_actions.results_texts`: read the answers, group and count the words,
build the teacher's and the projector's JSON texts), and the grouping alone (`quizzes.wordcloud.word_cloud`).
Updates go out at most every RESULTS_PUBLISH_INTERVAL seconds per session (0.1 s: ten a second), so each must take
well under 100 ms; the target is 20 ms. It prints the times (median, 95th percentile, worst) and the load
average as JSON.

The words follow a long-tailed distribution over a vocabulary of 600 words (a class repeats its words), with a
spelling variant now and then (case, accents, spaces), as real answers have.
"""

import argparse
import json
import os
import random
import statistics
import time

VOCABULARY_SIZE = 600


def vocabulary() -> list[str]:
    syllables = ["ma", "re", "so", "ti", "lu", "ka", "ne", "do", "vi", "pe", "ro", "sa"]
    rng = random.Random(7)
    return ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(VOCABULARY_SIZE)]


def answers(count: int, words_each: int) -> list[dict]:
    rng = random.Random(11)
    words = vocabulary()
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf: a few words most of the class sends
    variants = [str.lower, str.upper, str.title, lambda w: f" {w} ", lambda w: w.replace("e", "é")]
    chosen = []
    for _ in range(count):
        picked = rng.choices(words, weights=weights, k=words_each)
        chosen.append({"words": [rng.choice(variants)(word) if rng.random() < 0.2 else word for word in picked]})
    return chosen


def timings(run, repeat: int) -> dict:
    """Wall-clock times, and the CPU time this process spent (on a machine shared with other work, the wall clock
    also counts the time the process waited for a core; the CPU time does not, nor the database server's)."""
    times, cpu_times = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        run()
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - cpu_started) * 1000)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "max_ms": round(times[-1], 2),
        "cpu_median_ms": round(statistics.median(cpu_times), 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--words", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", "sqlite:///bench-wordcloud.sqlite3"))
    args = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    from bench.machine import machine_load

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from accounts.services import user_create
    from classroom.models import Answer, Enrolment, LiveSession
    from classroom.services import AnswerSubmission, answers_submit, classroom_create, session_push_question
    from quizzes.models import Question, Quiz
    from quizzes.wordcloud import word_cloud
    from realtime.session_actions import results_texts

    load_before = os.getloadavg()
    test_database = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        teacher = user_create(username="bench-teacher", password=None, role=User.Role.TEACHER)
        classroom = classroom_create(name="Benchmark word cloud", owner=teacher)
        quiz = Quiz.objects.create(title="Benchmark", owner=teacher)
        question = Question.objects.create(
            quiz=quiz, prompt="Words?", type=Question.Type.WORDCLOUD, max_words=args.words, time_limit=None
        )
        students = User.objects.bulk_create(
            User(username=f"bench.s{n}", role=User.Role.STUDENT, password="!") for n in range(args.answers)
        )
        Enrolment.objects.bulk_create(Enrolment(classroom=classroom, student=student) for student in students)
        session = LiveSession.objects.create(classroom=classroom, quiz=quiz, started_by=teacher, code="BENCH1")
        round_ = session_push_question(session=session, question_id=question.pk, pushed_by=teacher)
        now = timezone.now()
        sent = answers(args.answers, args.words)
        outcomes = answers_submit(
            submissions=[
                AnswerSubmission(session.pk, round_.pk, student.pk, f"c{student.pk}", answer, now)
                for student, answer in zip(students, sent, strict=True)
            ]
        )
        assert all(outcome.accepted for outcome in outcomes), [o.error_code for o in outcomes if not o.accepted][:3]
        assert Answer.objects.filter(round=round_).count() == args.answers

        update = results_texts(session_id=session.pk)
        answered, text = update.answered, update.text
        responses = [response for (response,) in Answer.objects.filter(round=round_).values_list("response")]
        report = {
            "answers": answered,
            "words_per_answer": args.words,
            "distinct_words_shown": len(json.loads(text)["results"]["words"]),
            "update_bytes": len(text.encode()),
            "database": connection.vendor,
            "updates_per_second_at_most": round(1 / settings.RESULTS_PUBLISH_INTERVAL, 1),
            "teacher_update": timings(lambda: results_texts(session_id=session.pk), args.repeat),
            "grouping_only": timings(lambda: word_cloud(responses), args.repeat),
            **machine_load(load_before),
        }
    finally:
        connection.creation.destroy_test_db(test_database, verbosity=0)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
