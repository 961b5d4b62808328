"""DatabaseFeedRepository against the storage contract, checked against the stored rows read independently."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from metadata.record import Record
from oer.accounts.actor import SYSTEM
from oer.catalogue.models import Resource
from oer.collections import service as collections
from oer.feed import sets as feed
from oer.feed.models import FeedMembership
from oer.feed.repository import DatabaseFeedRepository, FeedEntry
from oer.harvesting.models import Provenance, Source
from oer.harvesting.provenance import HarvestedRecord
from tests.integration.feed.harvests import (
    EDUREP_DELTA,
    Catalogue,
    Clock,
    assert_membership_datestamps_follow_resources,
    harvest,
    page_records,
)

Row = tuple[datetime, str, bool, tuple[str, ...], dict[str, Any] | None]


@pytest.fixture
def eventful(store_session: Session, catalogue: Catalogue, clock: Clock, fixtures_dir: Path) -> Catalogue:
    """The catalogue after a delta with a deletion, a second source joining then leaving, a sector edit."""
    clock.advance()
    harvest(store_session, catalogue.sources["edurep"], page_records(fixtures_dir, EDUREP_DELTA))
    edurep = store_session.scalars(
        select(Provenance).join(Source).where(Source.name == "edurep", Provenance.deleted.is_(False)).order_by(Provenance.id)
    ).all()
    first, second = Record.from_dict(edurep[0].record), Record.from_dict(edurep[1].record)
    clock.advance()
    harvest(store_session, catalogue.sources["school"], [HarvestedRecord("oai:school:copy", "2024-03-05T00:00:00Z", first)])
    clock.advance()
    harvest(store_session, catalogue.sources["school"], [HarvestedRecord("oai:school:copy", "2024-03-06T00:00:00Z", deleted=True)])
    clock.advance()
    harvest(
        store_session,
        catalogue.sources["edurep"],
        [HarvestedRecord(edurep[1].oai_identifier, "2024-03-07T00:00:00Z", second.with_changes(contexts=("PO",)))],
    )
    clock.advance()
    selection = collections.create_collection(store_session, SYSTEM, slug="selectie", title="Selectie")
    collections.add_item(store_session, SYSTEM, selection, edurep[2].resource_id)
    store_session.commit()
    clock.advance()
    collections.remove_item(store_session, SYSTEM, selection, edurep[2].resource_id)
    store_session.commit()
    return catalogue


def reference(session: Session, repository: DatabaseFeedRepository, set_spec: str | None) -> list[Row]:
    """The list the contract prescribes, computed in Python from the tables."""
    session.expire_all()
    resources = {r.id: r for r in session.scalars(select(Resource))}
    rows = session.scalars(select(FeedMembership)).all()
    current: dict[str, list[str]] = {}
    for row in rows:
        if row.member:
            current.setdefault(row.resource_id, []).append(row.set_spec)
    if set_spec is None:
        shown = [(r, r.deleted) for r in resources.values()]
    else:
        shown = [(resources[m.resource_id], resources[m.resource_id].deleted or not m.member) for m in rows if m.set_spec == set_spec]
    items = [
        (r.feed_datestamp, repository.oai_identifier(r.id), deleted, tuple(sorted(current.get(r.id, ()))), None if deleted else r.record)
        for r, deleted in shown
    ]
    # Python compares str by code point: the binary collation the contract asks for.
    return sorted(items, key=lambda item: (item[0], item[1]))


def as_rows(entries: list[FeedEntry]) -> list[Row]:
    return [(e.datestamp, e.oai_identifier, e.deleted, e.set_specs, e.record.to_dict() if e.record else None) for e in entries]


def in_window(rows: list[Row], from_: datetime | None, until: datetime | None) -> list[Row]:
    return [r for r in rows if (from_ is None or r[0] >= from_) and (until is None or r[0] <= until)]


def every_set(repository: DatabaseFeedRepository) -> list[str | None]:
    return [None, *(s.spec for s in repository.list_sets())]


def test_lists_follow_the_contract_for_every_set_and_window(
    store_session: Session, eventful: Catalogue, feed_repository: DatabaseFeedRepository
) -> None:
    assert_membership_datestamps_follow_resources(store_session)
    for set_spec in every_set(feed_repository):
        expected = reference(store_session, feed_repository, set_spec)
        stamps = sorted({row[0] for row in expected})
        windows = [(None, None)]
        if stamps:
            # Bounds exactly on datestamps that occur: both are inclusive.
            windows += [(stamps[len(stamps) // 2], None), (None, stamps[len(stamps) // 2]), (stamps[min(1, len(stamps) - 1)], stamps[max(0, len(stamps) - 2)])]
            windows += [(stamps[-1] + timedelta(seconds=1), None), (None, stamps[0] - timedelta(seconds=1))]
        for from_, until in windows:
            wanted = in_window(expected, from_, until)
            got = as_rows(list(feed_repository.list_items(set_spec, from_, until, None, 10_000)))
            assert got == wanted, (set_spec, from_, until)
            assert feed_repository.count_items(set_spec, from_, until) == len(wanted), (set_spec, from_, until)


@pytest.mark.parametrize("limit", [1, 4, 9])
def test_paging_after_a_position_visits_every_item_once_in_order(
    store_session: Session, eventful: Catalogue, feed_repository: DatabaseFeedRepository, limit: int
) -> None:
    for set_spec in every_set(feed_repository):
        until = datetime(2030, 1, 1, tzinfo=UTC)
        pages: list[FeedEntry] = []
        after = None
        while True:
            page = list(feed_repository.list_items(set_spec, None, until, after, limit))
            pages += page
            if len(page) < limit:
                break
            after = page[-1].position
        assert as_rows(pages) == reference(store_session, feed_repository, set_spec), set_spec


def test_the_order_breaks_datestamp_ties_by_identifier(
    store_session: Session, eventful: Catalogue, feed_repository: DatabaseFeedRepository
) -> None:
    entries = list(feed_repository.list_items(None, None, None, None, 10_000))
    positions = [e.position for e in entries]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    stamps = [e.datestamp for e in entries]
    assert len(set(stamps)) < len(stamps) / 3, "pages of the fixture harvest share datestamps"
    assert all(s.tzinfo == UTC and s.microsecond == 0 for s in stamps)


def test_get_item_shows_the_own_state_and_knows_only_its_identifiers(
    store_session: Session, eventful: Catalogue, feed_repository: DatabaseFeedRepository
) -> None:
    everything = feed_repository.list_items(None, None, None, None, 10_000)
    assert any(e.deleted for e in everything) and any(not e.deleted for e in everything)
    for entry in everything:
        assert feed_repository.get_item(entry.oai_identifier) == entry
    some_id = everything[0].oai_identifier.rsplit(":", 1)[1]
    for unknown in (
        "oai:oer.example.org:00000000-0000-4000-8000-000000000000",
        f"oai:other.example.org:{some_id}",
        f"oai:oer.example.org:{some_id.upper()}",
        "oai:oer.example.org:not-a-uuid",
        some_id,
        "",
    ):
        assert feed_repository.get_item(unknown) is None, unknown


def test_sets_and_identity(
    store_session: Session, eventful: Catalogue, feed_repository: DatabaseFeedRepository
) -> None:
    specs = [s.spec for s in feed_repository.list_sets()]
    assert specs[:5] == ["curated", "collection:selectie", "source:anatomytool", "source:edurep", "source:school"]
    assert specs[5:] == [f"sector:{c}" for c in feed.sector_contexts()]
    assert all(feed_repository.has_set(spec) for spec in specs)
    for unknown in ("sector:XX", "source:nope", "collection:none", "Curated"):
        assert not feed_repository.has_set(unknown)
    stamps = [e.datestamp for e in feed_repository.list_items(None, None, None, None, 10_000)]
    assert feed_repository.earliest_datestamp() == min(stamps)
    assert feed_repository.sample_identifier.startswith("oai:oer.example.org:")


def test_an_empty_feed(store_session: Session) -> None:
    repository = DatabaseFeedRepository(store_session)
    assert repository.list_items(None, None, None, None, 10) == []
    assert repository.count_items("curated", None, None) == 0
    assert repository.earliest_datestamp().microsecond == 0
    assert next(s.spec for s in repository.list_sets()) == "curated"
    assert repository.oai_identifier("x") == "oai:oer.local:x"
