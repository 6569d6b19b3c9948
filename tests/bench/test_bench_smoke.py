"""The benchmark harness keeps working: a seconds-long run against the real app (SQLite, in-memory layer).

Nothing here asserts a time: only that the run completes, every student got every question exactly once, and every
answer was acknowledged and stored.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.scenario import ANSWER_BURSTS

ROOT = Path(__file__).resolve().parents[2]


def test_bench_smoke_run_stores_every_answer_and_loses_no_frame(tmp_path):
    output = tmp_path / "smoke.json"
    completed = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    run = json.loads(output.read_text())
    (result,) = run["results"]
    n = result["n"]
    assert result["deliveries"]["missing"] == 0
    assert result["deliveries"]["duplicates"] == 0
    bursts = result["fan_in"]["bursts"]
    assert len(bursts) == ANSWER_BURSTS  # each after a question of its own
    assert result["deliveries"]["rounds"] == run["warmup"] + run["pushes"] + len(bursts) - 1
    assert [(burst["acknowledged"], burst["stored"]) for burst in bursts] == [(n, n)] * len(bursts)
    assert all(burst["server_cpu_s"] >= 0 for burst in bursts)  # the server's CPU until the last acknowledgement
    assert result["fan_in"]["acknowledged"] == n
    assert result["fan_in"]["errors"] == 0
    assert result["fan_in"]["stored"] == n
    assert result["fan_in"]["teacher_results_best"] == n
    assert run["sign_in"]["guest_joins"] > 0
    assert len(run["sign_in"]["student_password_sign_in_s"]) > 0


def test_question_import_benchmark_imports_every_question_of_its_file():
    completed = subprocess.run(
        [sys.executable, "-m", "bench.question_import", "--questions", "24", "--repeat", "1"],
        cwd=ROOT,
        # SQLite: a throw-away PostgreSQL migrates slowly. The benchmark is not the suite, so the rule that the suite
        # runs on the services under CI does not apply to it.
        env={**os.environ, "QUIZCAST_TEST_SERVICES": "off", "CI": ""},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    report = json.loads(completed.stdout)
    assert report["questions"] == 24
    assert len(report["runs"]) == 1


def test_word_cloud_benchmark_counts_every_answer_and_records_the_throttled_updates():
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.word_cloud",
            "--answers",
            "60",
            "--seconds",
            "1",
            "--batch",
            "5",
            "--repeat",
            "2",
        ],
        cwd=ROOT,
        env={**os.environ, "QUIZCAST_TEST_SERVICES": "off", "CI": ""},  # SQLite, as above
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    report = json.loads(completed.stdout)
    live = report["live"]
    assert report["answers"] == 60 and live["answers_counted_by_each_update"][-1] == 60
    assert live["updates_sent"] == live["update_computed_in"]["count"] == len(live["answers_counted_by_each_update"])
    assert live["update_computed_cpu_of_its_thread"]["count"] == live["updates_sent"]
    # Twelve batches over a second: the publisher merges them, at most one update per interval.
    interval_ms = report["results_publish_interval_s"] * 1000
    assert 1 <= live["updates_sent"] < live["batches"]
    assert (
        live["shortest_gap_between_updates_ms"] is None or live["shortest_gap_between_updates_ms"] >= interval_ms * 0.9
    )
