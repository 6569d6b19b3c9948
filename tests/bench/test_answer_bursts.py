"""A run's bursts of answers reported as one: the median burst's times, the worst burst's counts."""

import pytest

from bench.scenario import median_burst


def burst(
    acked: float | None, *, acknowledged: int = 100, stored: int | None = 100, errors: int = 0, cpu: float = 0.05
) -> dict:
    return {
        "acknowledged": acknowledged,
        "errors": errors,
        "error_codes": {"round_closed": errors} if errors else {},
        "students_without_ack": 100 - acknowledged,
        "students_with_several_acks": 0,
        "all_acknowledged_s": acked,
        "teacher_results_complete_s": acked + 0.05 if acked is not None else None,
        "stored": stored,
        "server_cpu_s": cpu,
    }


def test_the_times_are_the_median_burst_s_so_one_slow_burst_does_not_decide_the_run():
    combined = median_burst([burst(0.10, cpu=0.04), burst(0.45, cpu=0.2), burst(0.12, cpu=0.06)])
    assert combined["all_acknowledged_s"] == 0.12
    assert combined["server_cpu_s"] == 0.06
    assert combined["teacher_results_complete_s"] == pytest.approx(0.17)
    assert [each["all_acknowledged_s"] for each in combined["bursts"]] == [0.10, 0.45, 0.12]


def test_a_burst_that_timed_out_or_lost_answers_shows_in_the_whole():
    combined = median_burst([burst(0.10), burst(None, acknowledged=97, stored=97, errors=3), burst(0.12)])
    assert combined["all_acknowledged_s"] is None
    assert combined["acknowledged"] == 97
    assert combined["stored"] == 97
    assert combined["errors"] == 3
    assert combined["error_codes"] == {"round_closed": 3}
    assert combined["students_without_ack"] == 3
