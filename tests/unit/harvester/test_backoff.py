"""Backoff arithmetic and Retry-After parsing, with fake clocks and random sources."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from harvester.backoff import RetryPolicy, backoff_delay, parse_retry_after, retry_delay

NOW = datetime(2024, 3, 1, 12, 0, 0, tzinfo=UTC)
POLICY = RetryPolicy(base_delay=1.0, max_delay=60.0, max_retry_after=300.0)


def test_backoff_doubles_per_retry_with_equal_jitter_bounds() -> None:
    lowest = [backoff_delay(retry, POLICY, lambda: 0.0) for retry in range(1, 6)]
    highest = [backoff_delay(retry, POLICY, lambda: 1.0) for retry in range(1, 6)]
    assert lowest == [0.5, 1.0, 2.0, 4.0, 8.0]
    assert highest == [1.0, 2.0, 4.0, 8.0, 16.0]


def test_backoff_is_capped_at_max_delay() -> None:
    assert backoff_delay(30, POLICY, lambda: 1.0) == 60.0
    assert backoff_delay(30, POLICY, lambda: 0.0) == 30.0


def test_jitter_spreads_delays_between_the_bounds() -> None:
    assert backoff_delay(3, POLICY, lambda: 0.25) == pytest.approx(2.0 + 0.5)


def test_retry_numbers_start_at_one() -> None:
    with pytest.raises(ValueError):
        backoff_delay(0, POLICY, lambda: 0.0)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120.0), (" 7 ", 7.0), ("0", 0.0)],
)
def test_retry_after_in_seconds(header: str, seconds: float) -> None:
    assert parse_retry_after(header, NOW) == seconds


def test_retry_after_as_http_date_counts_from_now() -> None:
    assert parse_retry_after("Fri, 01 Mar 2024 12:01:30 GMT", NOW) == 90.0


def test_retry_after_as_obsolete_rfc850_date() -> None:
    assert parse_retry_after("Friday, 01-Mar-24 12:00:10 GMT", NOW) == 10.0


def test_retry_after_in_the_past_means_now() -> None:
    assert parse_retry_after("Fri, 01 Mar 2024 11:00:00 GMT", NOW) == 0.0


@pytest.mark.parametrize("header", [None, "", "soon", "-5", "1.5e3", "Fri, 99 Foo 2024"])
def test_unreadable_retry_after_is_ignored(header: str | None) -> None:
    assert parse_retry_after(header, NOW) is None


def test_retry_after_wins_over_backoff_but_is_capped() -> None:
    assert retry_delay(1, 42.0, POLICY, lambda: 1.0) == 42.0
    assert retry_delay(1, 3600.0, POLICY, lambda: 1.0) == 300.0
    assert retry_delay(2, None, POLICY, lambda: 1.0) == 2.0


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(base_delay=-1)


def test_date_one_day_ahead() -> None:
    ahead = NOW + timedelta(days=1)
    header = ahead.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(header, NOW) == 86400.0
