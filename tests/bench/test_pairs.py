"""The alternating-pairs comparison: ratios within each pair, their median and spread, and a target met only when
every pair meets it."""

import pytest

from bench import pairs


def result(push_p50: float, push_p95: float, acked: float | None = 0.1, load: float = 0.5) -> dict:
    return {
        "push": {"p50_ms": push_p50, "p95_ms": push_p95},
        "fan_in": {"all_acknowledged_s": acked, "teacher_results_complete_s": acked},
        "connect_s": 1.0,
        "kib_per_socket": 18.0,
        "loadavg_start": [load, load, load],
    }


def test_each_figure_is_the_median_of_the_ratios_within_pairs():
    summary = pairs.summarize_pairs(
        [
            (result(10, 20), result(12, 22)),
            (result(20, 20), result(22, 26)),  # a slow phase of the machine: both servers slower, ratio intact
            (result(10, 20), result(11, 24)),
        ]
    )
    push = summary["push_p50"]
    assert push["ratios"] == pytest.approx([1.2, 1.1, 1.1])
    assert push["median"] == pytest.approx(1.1)
    assert (push["min"], push["max"]) == (pytest.approx(1.1), pytest.approx(1.2))
    assert push["met_in_every_pair"] is True


def test_a_target_missed_in_one_pair_is_not_met_whatever_the_median():
    summary = pairs.summarize_pairs(
        [(result(10, 20), result(10, 21)), (result(10, 20), result(10, 21)), (result(10, 20), result(10, 30))]
    )
    p95 = summary["push_p95"]
    assert p95["median"] == pytest.approx(1.05)
    assert p95["met_in_every_pair"] is False


def test_a_pair_without_a_figure_does_not_meet_its_target():
    summary = pairs.summarize_pairs([(result(10, 20), result(10, 20, acked=None))])
    assert summary["answers_acknowledged"]["ratios"] == [None]
    assert "met_in_every_pair" not in summary["answers_acknowledged"]


async def test_runs_alternate_and_a_pair_started_on_a_busy_machine_is_measured_again(monkeypatch):
    monkeypatch.setattr(pairs, "load_average", lambda: 0.2)
    order: list[str] = []
    loads = iter([0.3, 0.3, 2.5, 0.3, 0.3, 0.3])

    async def measure_one(label: str, n: int) -> dict:
        order.append(label)
        return result(10 if label == "plain" else 12, 20, load=next(loads))

    report = await pairs.run_pairs(
        measure_one, baseline="plain", measured="quizcast", n=1000, pairs=2, log=lambda line: None
    )
    assert order == ["plain", "quizcast"] * 3
    assert report["pairs_refused_for_load"] == 1
    assert len(report["runs"]) == 2
    assert report["summary"]["push_p50"]["median"] == pytest.approx(1.2)
