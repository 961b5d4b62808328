"""Lenient datestamp parsing and strict formatting in a source's granularity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from harvester.datestamps import (
    datestamp_or_none,
    format_datestamp,
    parse_datestamp,
)
from metadata.oai import Granularity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-02-06", datetime(2020, 2, 6, tzinfo=UTC)),
        ("2020-02-06T18:10:23Z", datetime(2020, 2, 6, 18, 10, 23, tzinfo=UTC)),
        ("2020-02-06T18:10:23.123Z", datetime(2020, 2, 6, 18, 10, 23, 123000, tzinfo=UTC)),
        ("2020-02-06T18:10:23", datetime(2020, 2, 6, 18, 10, 23, tzinfo=UTC)),
        ("2020-02-06T20:10:23+02:00", datetime(2020, 2, 6, 18, 10, 23, tzinfo=UTC)),
        (" 2020-02-06T18:10:23Z\n", datetime(2020, 2, 6, 18, 10, 23, tzinfo=UTC)),
    ],
)
def test_parse_accepts_what_sources_send(text: str, expected: datetime) -> None:
    assert parse_datestamp(text) == expected


@pytest.mark.parametrize("text", ["", "yesterday", "2020-13-01", "06-02-2020"])
def test_parse_refuses_non_dates(text: str) -> None:
    with pytest.raises(ValueError):
        parse_datestamp(text)
    assert datestamp_or_none(text) is None


def test_format_in_each_granularity() -> None:
    moment = datetime(2020, 2, 6, 18, 10, 23, 999999, tzinfo=UTC)
    assert format_datestamp(moment, Granularity.DAY) == "2020-02-06"
    assert format_datestamp(moment, Granularity.SECOND) == "2020-02-06T18:10:23Z"


def test_format_converts_to_utc() -> None:
    moment = datetime(2020, 2, 7, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    assert format_datestamp(moment, Granularity.DAY) == "2020-02-06"


@pytest.mark.parametrize(
    ("text", "granularity"),
    [("YYYY-MM-DDThh:mm:ssZ", Granularity.SECOND), ("YYYY-MM-DD", Granularity.DAY),
     (None, Granularity.DAY), ("YYYY-MM-DDThh:mm:ss.sZ", Granularity.DAY)],
)
def test_granularity_from_identify(text: str | None, granularity: Granularity) -> None:
    assert Granularity.from_identify(text) is granularity
