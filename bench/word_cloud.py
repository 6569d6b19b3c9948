"""A word cloud with 2,000 answers of 3 words each: how often the teacher's view is updated, and what each update
costs.

    python -m bench.word_cloud
    python -m bench.word_cloud --answers 2000 --database-url postgres://postgres@127.0.0.1:5432/quizcast

It creates a throw-away database (Django's test database for the given DATABASE_URL: SQLite by default) and runs
two phases on one word-cloud round:

1. Live: the answers arrive over `--seconds` (default 4) in small batches, stored through the app's own service
   (`answers_submit`), and after each batch the server's own `realtime.runtime.ResultsPublisher` is told, as the
   answer path tells it. The publisher's sends are recorded instead of reaching sockets: how many updates went out,
   the most in any one second (the target: at most ten), the shortest gap between two, and how long each update
   took to compute (`session_actions.results_texts`: count the words, build the teacher's and the projector's JSON
   texts; target: under 20 ms), timed in the database thread where it runs (wall clock and that thread's CPU), and
   apart from that, how long each publish took with its wait for that thread, which stores the answers too.
2. Full: with every answer stored, the same update timed `--repeat` times, and the grouping alone
   (`quizzes.wordcloud.word_cloud`).

It prints the figures (median, 95th percentile, worst) and the load average as JSON.

The words follow a long-tailed distribution over a vocabulary of 600 words (a class repeats its words), with a
spelling variant now and then (case, accents, spaces), as real answers have.
"""

import argparse
import asyncio
import itertools
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


def summary(times: list[float]) -> dict:
    times = sorted(times)
    return {
        "count": len(times),
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2),
        "max_ms": round(times[-1], 2),
    }


def most_in_one_second(moments: list[float]) -> int:
    """The most of these moments (seconds) that fall within any one second."""
    most, first = 0, 0
    for last, moment in enumerate(moments):
        while moment - moments[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


async def live_phase(*, session_id: int, submissions: list, seconds: float, batch: int) -> dict:
    """Store the submissions in batches spread over `seconds`, telling the server's results publisher after each,
    and record every update it sends to the teacher."""
    from channels.db import database_sync_to_async
    from django.conf import settings

    from classroom.services import answers_submit
    from realtime import runtime
    from realtime.messages import Results
    from realtime.runtime import ResultsPublisher
    from realtime.session_actions import results_texts

    updates: list[tuple[float, float]] = []  # (started at, computed in ms), one per update sent
    answered: list[int] = []  # the answers each update counted
    complete = asyncio.Event()

    class RecordingHub:
        """Stands in for the sockets: keeps what the teacher's view would receive."""

        async def publish(self, message: Results) -> bool:
            answered.append(message.answered)
            if message.answered >= len(submissions):
                complete.set()
            return True

    computed: list[tuple[float, float]] = []  # (wall ms, CPU ms of the thread) of each results_texts

    def timed_results_texts(**arguments):
        started, cpu_started = time.perf_counter(), time.thread_time()
        try:
            return results_texts(**arguments)
        finally:
            computed.append(((time.perf_counter() - started) * 1000, (time.thread_time() - cpu_started) * 1000))

    class TimedPublisher(ResultsPublisher):
        async def publish_now(self, session_id: int) -> None:
            started = time.perf_counter()
            await super().publish_now(session_id)
            updates.append((started, (time.perf_counter() - started) * 1000))

    # The publisher computes through realtime.runtime's own name for results_texts: time it where it runs, in the
    # database thread, apart from the wait for that thread (which stores the answers too).
    runtime.results_texts = timed_results_texts
    publisher = TimedPublisher(RecordingHub(), settings.RESULTS_PUBLISH_INTERVAL)
    store = database_sync_to_async(answers_submit)
    batches = [submissions[start : start + batch] for start in range(0, len(submissions), batch)]
    began = time.perf_counter()
    for number, chunk in enumerate(batches):
        await asyncio.sleep(max(0.0, began + number * seconds / len(batches) - time.perf_counter()))
        outcomes = await store(submissions=chunk)
        assert all(outcome.accepted for outcome in outcomes)
        publisher.mark_dirty(session_id)
    stored_in = time.perf_counter() - began
    await asyncio.wait_for(complete.wait(), timeout=30)
    moments = [started for started, _ms in updates]
    gaps = [(later - earlier) * 1000 for earlier, later in itertools.pairwise(moments)]
    return {
        "answers_arrived_over_s": round(stored_in, 2),
        "batches": len(batches),
        "updates_sent": len(updates),
        "most_updates_in_one_second": most_in_one_second(moments),
        "shortest_gap_between_updates_ms": round(min(gaps), 1) if gaps else None,
        "answers_counted_by_each_update": answered,
        "update_computed_in": summary([wall for wall, _cpu in computed]),
        "update_computed_cpu_of_its_thread": summary([cpu for _wall, cpu in computed]),
        "update_published_in_with_the_wait_for_the_database_thread": summary([ms for _started, ms in updates]),
    }


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
    parser.add_argument("--seconds", type=float, default=4.0, help="how long the answers take to arrive")
    parser.add_argument("--batch", type=int, default=20, help="answers stored together, as the server batches them")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", "sqlite:///bench-wordcloud.sqlite3"))
    args = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import gc

    import django

    from bench.machine import machine_load

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from accounts.services import user_create
    from classroom.models import Answer, Enrolment, LiveSession
    from classroom.services import AnswerSubmission, classroom_create, session_push_question
    from quizzes.models import Question, Quiz
    from quizzes.wordcloud import word_cloud
    from realtime.session_actions import results_texts

    # As the server does at start (config/asgi.py): what Django loaded lives as long as the process, and a full
    # collection that walked it would land in one update's time, as it never does in the server.
    gc.freeze()
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
        round_ = session_push_question(session_id=session.pk, question_id=question.pk, pushed_by=teacher)
        now = timezone.now()
        sent = answers(args.answers, args.words)
        submissions = [
            AnswerSubmission(session.pk, round_.pk, student.pk, f"c{student.pk}", answer, now)
            for student, answer in zip(students, sent, strict=True)
        ]
        live = asyncio.run(
            live_phase(session_id=session.pk, submissions=submissions, seconds=args.seconds, batch=args.batch)
        )
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
            "results_publish_interval_s": settings.RESULTS_PUBLISH_INTERVAL,
            "live": live,
            "teacher_update": timings(lambda: results_texts(session_id=session.pk), args.repeat),
            "grouping_only": timings(lambda: word_cloud(responses), args.repeat),
            **machine_load(load_before),
        }
    finally:
        connection.creation.destroy_test_db(test_database, verbosity=0)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
