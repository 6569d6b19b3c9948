"""Fixed-window counters in the cache: a rate is "count/seconds"; a client over it waits until its window ends."""

import pytest

from config import rate_limits
from config.rate_limits import Rate, RateLimit


@pytest.mark.parametrize(("text", "rate"), [("60/60", Rate(60, 60)), ("30/300", Rate(30, 300)), (" 5/1 ", Rate(5, 1))])
def test_a_rate_reads_as_count_per_seconds(text, rate):
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["60", "60/", "/60", "0/60", "60/0", "-1/60", "sixty/60"])
def test_a_malformed_rate_is_refused_by_name(text):
    with pytest.raises(ValueError, match="a rate is 'count/seconds'"):
        Rate.parse(text)


def test_a_client_waits_until_the_window_ends_then_counts_from_zero(monkeypatch):
    now = {"t": 60 * 16_667 + 20.0}  # 20 s into a one-minute window
    monkeypatch.setattr(rate_limits, "clock", lambda: now["t"])
    limit = RateLimit("test", Rate(2, 60))

    limit.hit("10.0.0.1")
    limit.hit("10.0.0.1")

    assert limit.retry_after("10.0.0.1") == 40
    assert limit.retry_after("10.0.0.2") is None
    now["t"] += 40
    assert limit.retry_after("10.0.0.1") is None
