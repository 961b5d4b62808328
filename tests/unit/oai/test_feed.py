"""The values of the storage interface refuse what would break the protocol."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from metadata.record import Record
from oer.feed.oai.contract import FeedItem, FeedRepository, FeedSet, RepositoryIdentity
from tests.unit.oai.memory_feed import InMemoryFeedRepository

WHEN = datetime(2024, 1, 1, tzinfo=UTC)


def identity(**changes: object) -> RepositoryIdentity:
    values: dict[str, object] = {
        "name": "R",
        "base_url": "http://r.example.org/oai",
        "admin_emails": ("a@r.example.org",),
        "earliest_datestamp": WHEN,
        "repository_identifier": "r.example.org",
        "sample_identifier": "oai:r.example.org:1",
    }
    values.update(changes)
    return RepositoryIdentity(**values)


def test_in_memory_repository_implements_the_protocol() -> None:
    assert isinstance(InMemoryFeedRepository(), FeedRepository)


@pytest.mark.parametrize(
    "datestamp",
    [datetime(2024, 1, 1), WHEN.replace(microsecond=1), WHEN.astimezone(timezone(timedelta(hours=1)))],
    ids=["naive", "fraction", "not-utc"],
)
def test_item_datestamp_must_be_utc_seconds(datestamp: datetime) -> None:
    with pytest.raises(ValueError, match="second precision"):
        FeedItem("oai:r:1", datestamp, False, (), Record())


def test_live_item_needs_its_record() -> None:
    with pytest.raises(ValueError, match="needs its record"):
        FeedItem("oai:r:1", WHEN, False)
    assert FeedItem("oai:r:1", WHEN, True).record is None


@pytest.mark.parametrize("spec", ["", "a b", ":a", "a:", "a::b", "sector/PO"])
def test_set_spec_must_fit_the_schema(spec: str) -> None:
    with pytest.raises(ValueError, match="set spec"):
        FeedSet(spec, "name")


@pytest.mark.parametrize("spec", ["curated", "source:wikiwijs", "sector:PO", "collection:my-slug_1.2"])
def test_valid_set_specs(spec: str) -> None:
    assert FeedSet(spec, "name").spec == spec


def test_identity_needs_an_admin_email() -> None:
    with pytest.raises(ValueError, match="admin email"):
        identity(admin_emails=())


@pytest.mark.parametrize(
    "changes",
    [
        {"repository_identifier": "localhost"},
        {"sample_identifier": "oai:other.example.org:1"},
        {"sample_identifier": None},
        {"sample_identifier": "oai:r.example.org:"},
    ],
)
def test_oai_identifier_description_must_be_consistent(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        identity(**changes)


def test_identity_without_oai_identifier_scheme() -> None:
    assert identity(repository_identifier=None, sample_identifier=None).repository_identifier is None
