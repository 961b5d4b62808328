"""Datestamps: second granularity, inclusive from/until, day granularity in requests (spec 3.3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from metadata.oai import Granularity
from metadata.record import Record
from oer.feed.oai.datestamps import format_datestamp, parse_datestamp
from oer.feed.oai.provider import OaiProvider
from tests.support.oai_requests import Ask, follow, headers_of
from tests.unit.oai.memory_feed import InMemoryFeedRepository, StoredItem
from tests.unit.oai.validation import error_codes


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


BOUNDARY_ITEMS = {
    "oai:t:before": at("2024-05-01T23:59:59"),
    "oai:t:first-second": at("2024-05-02T00:00:00"),
    "oai:t:noon": at("2024-05-02T12:00:00"),
    "oai:t:last-second": at("2024-05-02T23:59:59"),
    "oai:t:next-day": at("2024-05-03T00:00:00"),
}


@pytest.fixture
def boundaries() -> InMemoryFeedRepository:
    return InMemoryFeedRepository(
        items=[StoredItem(i, d, Record(oai_identifier=i, title=i), {"curated"}) for i, d in BOUNDARY_ITEMS.items()]
    )


def selected(provider: OaiProvider, repository: InMemoryFeedRepository, window: str) -> list[str]:
    pages = follow(provider, repository, f"verb=ListIdentifiers&metadataPrefix=lom&{window}")
    return [identifier for identifier, _, _ in headers_of(pages)]


class TestParse:
    def test_second_granularity(self) -> None:
        parsed = parse_datestamp("2024-02-29T13:14:15Z", end_of_day=True)
        assert (parsed.value, parsed.granularity) == (at("2024-02-29T13:14:15"), Granularity.SECOND)

    def test_day_granularity_as_from_starts_the_day(self) -> None:
        parsed = parse_datestamp("2024-02-29", end_of_day=False)
        assert (parsed.value, parsed.granularity) == (at("2024-02-29T00:00:00"), Granularity.DAY)

    def test_day_granularity_as_until_ends_the_day(self) -> None:
        assert parse_datestamp("2024-02-29", end_of_day=True).value == at("2024-02-29T23:59:59")

    @pytest.mark.parametrize(
        "text",
        [
            "2024-13-01", "2023-02-29", "2024-01-32", "2024-01-01T24:00:00Z", "2024-01-01T12:60:00Z",
            "2024-01-01T00:00:00", "2024-01-01T00:00:00.5Z", "2024-01-01T00:00:00+01:00", "2024-01-01T00:00Z",
            "2024-1-1", "0000-01-01", " 2024-01-01", "2024-01-01 ", "20240101", "2024-01-01T00:00:00z",
            "yesterday", "2024-01-01T00:00:00ZZ", "２０２４-01-01",  # noqa: RUF001 - fullwidth digits on purpose
        ],
    )
    def test_anything_else_is_refused(self, text: str) -> None:
        with pytest.raises(ValueError):
            parse_datestamp(text, end_of_day=False)

    def test_format_is_utc_to_the_second(self) -> None:
        amsterdam = timezone(timedelta(hours=2))
        assert format_datestamp(datetime(2024, 6, 1, 1, 30, 5, 999999, tzinfo=amsterdam)) == "2024-05-31T23:30:05Z"

    def test_format_refuses_naive_datetimes(self) -> None:
        with pytest.raises(ValueError):
            format_datestamp(datetime(2024, 6, 1))


class TestWindow:
    def test_second_bounds_are_inclusive(self, provider: OaiProvider, boundaries: InMemoryFeedRepository) -> None:
        window = "from=2024-05-02T00:00:00Z&until=2024-05-02T23:59:59Z"
        assert selected(provider, boundaries, window) == ["oai:t:first-second", "oai:t:noon", "oai:t:last-second"]

    def test_from_equal_to_until_selects_that_second(self, provider: OaiProvider, boundaries: InMemoryFeedRepository) -> None:
        assert selected(provider, boundaries, "from=2024-05-02T12:00:00Z&until=2024-05-02T12:00:00Z") == ["oai:t:noon"]

    def test_day_bounds_cover_the_whole_day(self, provider: OaiProvider, boundaries: InMemoryFeedRepository) -> None:
        assert selected(provider, boundaries, "from=2024-05-02&until=2024-05-02") == [
            "oai:t:first-second", "oai:t:noon", "oai:t:last-second",
        ]

    def test_day_from_alone(self, provider: OaiProvider, boundaries: InMemoryFeedRepository) -> None:
        assert selected(provider, boundaries, "from=2024-05-03") == ["oai:t:next-day"]

    def test_day_until_alone(self, provider: OaiProvider, boundaries: InMemoryFeedRepository) -> None:
        assert selected(provider, boundaries, "until=2024-05-01") == ["oai:t:before"]

    @pytest.mark.parametrize(
        "window",
        ["from=2024-05-02&until=2024-05-02T23:59:59Z", "from=2024-05-02T00:00:00Z&until=2024-05-03"],
    )
    def test_mixed_granularities_are_bad_argument(self, ask: Ask, window: str) -> None:
        assert error_codes(ask(f"verb=ListRecords&metadataPrefix=lom&{window}")) == ["badArgument"]

    @pytest.mark.parametrize(
        "window",
        ["from=2024-05-03&until=2024-05-02", "from=2024-05-02T00:00:01Z&until=2024-05-02T00:00:00Z"],
    )
    def test_from_later_than_until_is_bad_argument(self, ask: Ask, window: str) -> None:
        assert error_codes(ask(f"verb=ListIdentifiers&metadataPrefix=lom&{window}")) == ["badArgument"]

    @pytest.mark.parametrize("value", ["2024-02-30", "2024-05-02T10:00:00.000Z", "2024-05-02T10:00:00+02:00", "now"])
    @pytest.mark.parametrize("name", ["from", "until"])
    def test_invalid_datestamp_is_bad_argument(self, ask: Ask, name: str, value: str) -> None:
        query = f"verb=ListRecords&metadataPrefix=lom&{name}={value.replace('+', '%2B')}"
        assert error_codes(ask(query)) == ["badArgument"]
