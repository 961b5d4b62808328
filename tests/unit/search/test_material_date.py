"""The material's own date: which date a search document sorts and shows by, and what it says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from metadata.record import Contributor, Record
from oer.search.document import (
    DateKind,
    DatePrecision,
    MaterialDate,
    SearchDocument,
    document_from_record,
    material_date,
    parse_material_date,
)

STORED = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)  # when the harvest stored it: never the answer below


def _day(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def test_the_publishers_lifecycle_date_is_the_publication_date() -> None:
    record = Record(
        contributors=(Contributor("author", "Anna", "2019-05-01"), Contributor("publisher", "Wikiwijs", "2021-03-03")),
        datestamp="2025-11-30T12:00:00Z",
    )
    assert material_date(record, STORED) == MaterialDate(_day(2021, 3, 3), DateKind.PUBLISHED)


def test_without_a_publisher_the_authors_date_is_the_publication_date() -> None:
    record = Record(contributors=(Contributor("author", "Anna", "2019-05-01T10:00:00+02:00"),))
    assert material_date(record, STORED) == MaterialDate(_day(2019, 5, 1), DateKind.PUBLISHED)


def test_a_later_lifecycle_contribution_is_a_change_at_the_source() -> None:
    record = Record(contributors=(
        Contributor("publisher", "Wikiwijs", "2018-01-10"), Contributor("editor", "Bob", "2022-06-15")))
    assert material_date(record, STORED) == MaterialDate(_day(2022, 6, 15), DateKind.CHANGED)


def test_an_earlier_contribution_leaves_the_publication_date() -> None:
    record = Record(contributors=(
        Contributor("publisher", "Wikiwijs", "2018-01-10"), Contributor("initiator", "Bob", "2015-06-15")))
    assert material_date(record, STORED).kind is DateKind.PUBLISHED


def test_without_lifecycle_dates_the_source_datestamp_is_the_last_change_there() -> None:
    record = Record(contributors=(Contributor("author", "Anna"),), datestamp="2023-04-05T06:07:08Z")
    assert material_date(record, STORED) == MaterialDate(_day(2023, 4, 5), DateKind.CHANGED)


def test_with_nothing_from_the_source_the_stored_date_is_said_as_such() -> None:
    assert material_date(Record(), STORED) == MaterialDate(STORED, DateKind.STORED)


def test_a_year_or_month_stays_that_precise() -> None:
    assert material_date(Record(contributors=(Contributor("publisher", "X", "2017"),)), STORED) == MaterialDate(
        _day(2017), DateKind.PUBLISHED, DatePrecision.YEAR)
    assert material_date(Record(contributors=(Contributor("publisher", "X", "2017-09"),)), STORED) == MaterialDate(
        _day(2017, 9), DateKind.PUBLISHED, DatePrecision.MONTH)


@pytest.mark.parametrize("text", ["", "   ", "gisteren", "27-09-2017", "2017-13-01", "2017-02-30", None])
def test_what_is_no_date_is_skipped(text: str | None) -> None:
    assert parse_material_date(text) is None
    record = Record(contributors=(Contributor("publisher", "X", text),), datestamp="2020-02-02")
    assert material_date(record, STORED) == MaterialDate(_day(2020, 2, 2), DateKind.CHANGED)


def test_the_document_sorts_by_the_material_date_and_keeps_it_through_its_stored_form() -> None:
    record = Record(title="Breuken", contributors=(Contributor("publisher", "X", "2021-03"),),
                    typical_learning_time=5400)
    document = document_from_record("r1", record, sources=("wikiwijsmaken",), updated_at=STORED)
    assert document.updated_at == STORED
    assert document.date == MaterialDate(_day(2021, 3), DateKind.PUBLISHED, DatePrecision.MONTH)
    assert document.learning_time == 5400
    stored = document.to_dict()
    assert (stored["date"], stored["date_kind"], stored["date_precision"]) == (
        "2021-03-01T00:00:00+00:00", "published", "month")
    assert SearchDocument.from_dict(stored) == document


def test_a_document_without_a_date_has_its_stored_date() -> None:
    document = SearchDocument("r1", "Breuken", STORED)
    assert document.date == MaterialDate(STORED, DateKind.STORED)
    stored = document.to_dict()
    del stored["date"]  # an index written before the material date existed
    assert SearchDocument.from_dict(stored).date == MaterialDate(STORED, DateKind.STORED)
