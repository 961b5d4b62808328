"""ISO 8601 durations to seconds and back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metadata.duration import duration_to_seconds, seconds_to_duration


@pytest.mark.parametrize("text, seconds", [
    ("PT1H30M", 5400), ("PT0H30M", 1800), ("PT20M0S", 1200), ("PT3M16S", 196), ("PT4M", 240),
    ("P1D", 86400), ("P1W", 604800), ("P1DT2H", 93600), ("PT1.5M", 90), ("PT0,5H", 1800),
    ("pt10m", 600), (" PT5M ", 300), ("P1Y", 365 * 86400), ("P1M", 30 * 86400), ("PT0S", 0),
])
def test_durations(text: str, seconds: int) -> None:
    assert duration_to_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "P", "PT", "30 minuten", "1200", "PT1H30", "T1H", "P1H", "PTM"])
def test_not_durations(text: str) -> None:
    assert duration_to_seconds(text) is None


@pytest.mark.parametrize("seconds, text", [(0, "PT0S"), (59, "PT59S"), (5400, "PT1H30M"), (90061, "PT25H1M1S")])
def test_writing(seconds: int, text: str) -> None:
    assert seconds_to_duration(seconds) == text


@given(st.integers(min_value=0, max_value=10**8))
def test_round_trip(seconds: int) -> None:
    assert duration_to_seconds(seconds_to_duration(seconds)) == seconds


def test_a_duration_too_large_to_count_is_none() -> None:
    # Hundreds of digits overflow a float; this once raised OverflowError and cost the record.
    assert duration_to_seconds("P" + "9" * 400 + "Y") is None
