"""Incremental windows and the choice between resuming and starting a new list."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from harvester.checkpoint import Checkpoint
from harvester.errors import InvalidWindowError
from harvester.run import plan_run
from harvester.window import incremental_from, override_from, restart_from
from metadata.oai import Granularity

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def checkpoint(**changes: object) -> Checkpoint:
    base = Checkpoint(
        started_at=datetime(2024, 2, 1, tzinfo=UTC), full=False, window_from=None, list_from=None,
        resumption_token=None, cursor=None, complete_list_size=None,
        response_date="2024-02-01T10:30:00Z", last_datestamp=None, datestamps_ordered=True,
        pages=3, records=600, complete=True,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_incremental_from_subtracts_the_overlap_in_seconds() -> None:
    assert incremental_from("2024-02-01T10:30:00Z", Granularity.SECOND) == "2024-02-01T09:30:00Z"


def test_incremental_from_in_day_granularity_truncates_to_the_day() -> None:
    assert incremental_from("2024-02-01T00:30:00Z", Granularity.DAY) == "2024-01-31"
    assert incremental_from("2024-02-01T10:30:00Z", Granularity.DAY) == "2024-02-01"


def test_incremental_from_with_a_custom_overlap() -> None:
    assert incremental_from("2024-02-01T10:30:00Z", Granularity.SECOND, timedelta(0)) == "2024-02-01T10:30:00Z"


def test_override_from_is_formatted_in_the_source_granularity() -> None:
    assert override_from("2023-05-01", Granularity.SECOND) == "2023-05-01T00:00:00Z"
    assert override_from("2023-05-01T13:14:15Z", Granularity.DAY) == "2023-05-01"


def test_override_from_refuses_a_non_date() -> None:
    with pytest.raises(InvalidWindowError, match="not a date"):
        override_from("last week", Granularity.DAY)


def test_restart_from_keeps_the_datestamp_inclusive() -> None:
    assert restart_from("2024-02-01T10:30:00.750Z", Granularity.SECOND) == "2024-02-01T10:30:00Z"
    assert restart_from("2024-02-01T10:30:00Z", Granularity.DAY) == "2024-02-01"


def plan(stored: Checkpoint | None, *, full: bool = False, from_date: str | None = None):  # type: ignore[no-untyped-def]
    return plan_run(stored, full=full, from_date=from_date, granularity=Granularity.SECOND, now=NOW)


def test_first_harvest_takes_everything() -> None:
    result = plan(None)
    assert not result.resumed
    assert result.checkpoint.window_from is None
    assert result.checkpoint.started_at == NOW
    assert not result.checkpoint.full


def test_after_a_complete_run_the_window_starts_at_its_response_date_minus_overlap() -> None:
    result = plan(checkpoint())
    assert not result.resumed
    assert result.checkpoint.window_from == "2024-02-01T09:30:00Z"
    assert result.checkpoint.list_from == "2024-02-01T09:30:00Z"
    assert result.checkpoint.pages == 0


def test_an_interrupted_run_is_resumed() -> None:
    stored = checkpoint(complete=False, resumption_token="t3", window_from="2024-01-01T00:00:00Z")
    result = plan(stored)
    assert result.resumed
    assert result.checkpoint is stored


def test_full_starts_over_unless_the_interrupted_run_was_full() -> None:
    interrupted = checkpoint(complete=False, resumption_token="t3")
    fresh = plan(interrupted, full=True)
    assert not fresh.resumed
    assert fresh.checkpoint.full and fresh.checkpoint.window_from is None
    interrupted_full = replace(interrupted, full=True)
    assert plan(interrupted_full, full=True).resumed


def test_full_ignores_the_previous_window() -> None:
    result = plan(checkpoint(), full=True)
    assert result.checkpoint.window_from is None and result.checkpoint.list_from is None


def test_from_override_resumes_only_the_same_window() -> None:
    interrupted = checkpoint(complete=False, resumption_token="t3", window_from="2023-05-01T00:00:00Z")
    assert plan(interrupted, from_date="2023-05-01").resumed
    other = plan(interrupted, from_date="2023-06-01")
    assert not other.resumed
    assert other.checkpoint.window_from == "2023-06-01T00:00:00Z"


def test_incremental_resumes_an_interrupted_full_run() -> None:
    interrupted = checkpoint(complete=False, resumption_token="t3", full=True)
    assert plan(interrupted).resumed
