"""Set membership kept by the store's services: joining, leaving, deleting, and what moves the datestamp."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from metadata.record import Record
from oer.accounts import service as accounts
from oer.accounts.actor import SYSTEM
from oer.accounts.models import OrganisationKind
from oer.catalogue.models import Resource
from oer.catalogue.service import touch
from oer.collections import service as collections
from oer.collections.errors import UnknownResource
from oer.discovery.queries import get_resource
from oer.feed import sets as feed
from oer.feed.repository import DatabaseFeedRepository
from oer.harvesting.models import Provenance, Source
from oer.harvesting.provenance import HarvestedRecord, withdraw_provenances
from oer.harvesting.sources import remove_source
from tests.integration.feed.harvests import (
    ANATOMYTOOL,
    EDUREP_DELTA,
    EDUREP_INITIAL,
    FIXTURE_MATERIALS,
    SCHOOL,
    Catalogue,
    Clock,
    assert_membership_datestamps_follow_resources,
    harvest,
    memberships,
    page_records,
)


def stamps(session: Session) -> dict[str, tuple[object, str]]:
    session.expire_all()
    return {r.id: (r.feed_datestamp, r.feed_hash) for r in session.scalars(select(Resource))}


def provenance_of(session: Session, resource_id: str, source: str) -> Provenance:
    return session.scalars(
        select(Provenance).join(Source).where(Provenance.resource_id == resource_id, Source.name == source)
    ).one()


def resource_with(session: Session, source: str, context: str) -> Resource:
    """A live resource served by `source` alone, whose record has `context`."""
    session.expire_all()
    found = memberships(session)
    for resource in session.scalars(select(Resource).where(Resource.deleted.is_(False)).order_by(Resource.id)):
        sets = feed.current_sets(found[resource.id])
        if {f"source:{source}", f"sector:{context}"} <= sets and len([s for s in sets if s.startswith("source:")]) == 1:
            return resource
    raise AssertionError(f"no resource of {source} alone in {context}")


def view(repository: DatabaseFeedRepository, set_spec: str | None, resource_id: str) -> tuple[bool, tuple[str, ...]] | None:
    """(deleted, set specs) of the resource in the list for `set_spec`, or None when absent."""
    identifier = repository.oai_identifier(resource_id)
    for entry in repository.list_items(set_spec, None, None, None, 10_000):
        if entry.oai_identifier == identifier:
            return entry.deleted, entry.set_specs
    return None


def test_initial_harvest_puts_each_resource_in_its_source_and_sector_sets(
    store_session: Session, catalogue: Catalogue
) -> None:
    found = memberships(store_session)
    resources = list(store_session.scalars(select(Resource)))
    assert len(resources) == FIXTURE_MATERIALS and set(found) == {r.id for r in resources}
    for resource in resources:
        detail = get_resource(store_session, resource.id)
        assert detail is not None
        expected = feed.set_specs_of(resource.record, detail.sources)
        assert found[resource.id] == {spec: True for spec in expected}
        assert resource.feed_hash == feed.feed_hash(resource.content_hash, expected, False)
    every = {spec for sets in found.values() for spec in sets}
    assert {"source:edurep", "source:anatomytool", "source:school", "sector:WO", "sector:HBO", "sector:VO", "sector:PO"} <= every
    assert_membership_datestamps_follow_resources(store_session)


def test_unchanged_reapply_moves_no_datestamp(
    store_session: Session, catalogue: Catalogue, clock: Clock, fixtures_dir: Path
) -> None:
    before, rows_before = stamps(store_session), memberships(store_session)
    clock.advance(3600)
    for name, patterns in (("edurep", EDUREP_INITIAL), ("anatomytool", ANATOMYTOOL), ("school", SCHOOL)):
        for pattern in patterns:
            result = harvest(store_session, catalogue.sources[name], page_records(fixtures_dir, pattern))
            assert not result.changed_ids and not result.deleted_ids
    assert stamps(store_session) == before
    assert memberships(store_session) == rows_before
    assert_membership_datestamps_follow_resources(store_session)


def test_record_edit_moves_the_datestamp_and_leaving_a_sector_shows_as_deleted_there(
    store_session: Session, catalogue: Catalogue, clock: Clock, feed_repository: DatabaseFeedRepository
) -> None:
    resource = resource_with(store_session, "edurep", "WO")
    provenance = provenance_of(store_session, resource.id, "edurep")
    others = {rid: s for rid, s in stamps(store_session).items() if rid != resource.id}
    record = Record.from_dict(provenance.record)
    changed = record.with_changes(contexts=("VO",), title=f"{record.title} (herzien)")

    now = clock.advance()
    harvest(store_session, catalogue.sources["edurep"], [HarvestedRecord(provenance.oai_identifier, "2024-03-02T00:00:00Z", changed)])

    assert stamps(store_session)[resource.id][0] == now
    assert {rid: s for rid, s in stamps(store_session).items() if rid != resource.id} == others
    found = memberships(store_session)[resource.id]
    assert (found["sector:WO"], found["sector:VO"], found["source:edurep"]) == (False, True, True)
    assert view(feed_repository, "sector:WO", resource.id) == (True, ("sector:VO", "source:edurep"))
    assert view(feed_repository, "sector:VO", resource.id) == (False, ("sector:VO", "source:edurep"))
    assert view(feed_repository, None, resource.id) == (False, ("sector:VO", "source:edurep"))
    assert_membership_datestamps_follow_resources(store_session)


def test_a_second_source_joining_and_leaving(
    store_session: Session, catalogue: Catalogue, clock: Clock, feed_repository: DatabaseFeedRepository
) -> None:
    resource = resource_with(store_session, "edurep", "HBO")
    record = Record.from_dict(provenance_of(store_session, resource.id, "edurep").record)
    first = stamps(store_session)[resource.id]

    joined = clock.advance()
    # The same material (same catalog entry) served by a second source joins the resource.
    harvest(store_session, catalogue.sources["school"], [HarvestedRecord("oai:school:copy", "2024-03-02T00:00:00Z", record)])
    assert stamps(store_session)[resource.id][0] == joined > first[0]
    assert memberships(store_session)[resource.id]["source:school"] is True
    assert view(feed_repository, "source:school", resource.id) == (False, ("sector:HBO", "source:edurep", "source:school"))

    left = clock.advance()
    # The second source deletes its record; the first still serves the material.
    harvest(store_session, catalogue.sources["school"], [HarvestedRecord("oai:school:copy", "2024-03-03T00:00:00Z", deleted=True)])
    assert stamps(store_session)[resource.id][0] == left
    assert memberships(store_session)[resource.id]["source:school"] is False
    assert view(feed_repository, "source:school", resource.id) == (True, ("sector:HBO", "source:edurep"))
    assert view(feed_repository, "source:edurep", resource.id) == (False, ("sector:HBO", "source:edurep"))
    item = feed_repository.get_item(feed_repository.oai_identifier(resource.id))
    assert item is not None and not item.deleted and item.datestamp == left
    assert_membership_datestamps_follow_resources(store_session)


def test_deleted_at_its_only_source_becomes_a_tombstone_in_the_sets_it_was_in(
    store_session: Session, catalogue: Catalogue, clock: Clock, fixtures_dir: Path,
    feed_repository: DatabaseFeedRepository,
) -> None:
    before = memberships(store_session)
    now = clock.advance()
    result = harvest(store_session, catalogue.sources["edurep"], page_records(fixtures_dir, EDUREP_DELTA))
    [gone] = result.deleted_ids
    assert before[gone] and memberships(store_session)[gone] == before[gone], "kept as it was, all members"
    assert stamps(store_session)[gone][0] == now
    was_in = tuple(sorted(before[gone]))
    for spec in was_in:
        assert view(feed_repository, spec, gone) == (True, was_in)
    assert view(feed_repository, None, gone) == (True, was_in)
    assert view(feed_repository, "sector:PO", gone) is None
    assert_membership_datestamps_follow_resources(store_session)

    # Brought back by a source: live again, in the sets of its new record and source.
    record = Record.from_dict(store_session.get(Resource, gone).record)
    revived = clock.advance()
    harvest(store_session, catalogue.sources["school"], [HarvestedRecord("oai:school:revived", "2024-04-01T00:00:00Z", record)])
    assert stamps(store_session)[gone][0] == revived
    found = memberships(store_session)[gone]
    assert found["source:edurep"] is False and found["source:school"] is True
    assert view(feed_repository, "source:edurep", gone)[0] is True  # type: ignore[index]
    assert view(feed_repository, None, gone)[0] is False  # type: ignore[index]
    assert_membership_datestamps_follow_resources(store_session)


def redactie_collection(session: Session) -> int:
    return collections.create_collection(session, SYSTEM, slug="selectie", title="Selectie van de redactie")


def test_curated_is_empty_until_the_redactie_collects_and_leaving_it_shows_deleted(
    store_session: Session, catalogue: Catalogue, clock: Clock, fixtures_dir: Path,
    feed_repository: DatabaseFeedRepository,
) -> None:
    assert feed_repository.has_set("curated") and feed_repository.count_items("curated", None, None) == 0
    resource = resource_with(store_session, "school", "VO")
    collection = redactie_collection(store_session)
    marked = clock.advance()
    collections.add_item(store_session, SYSTEM, collection, resource.id)
    store_session.commit()
    assert stamps(store_session)[resource.id][0] == marked
    assert {"curated", "collection:selectie"} <= feed.current_sets(memberships(store_session)[resource.id])
    assert view(feed_repository, "curated", resource.id) == (False, tuple(sorted(feed.current_sets(memberships(store_session)[resource.id]))))
    assert view(feed_repository, "collection:selectie", resource.id)[0] is False  # type: ignore[index]

    # A harvest that re-serves the same records keeps the curation and moves nothing.
    clock.advance()
    before = stamps(store_session)
    for pattern in (*EDUREP_INITIAL, *ANATOMYTOOL):
        name = "edurep" if "edurep" in pattern else "anatomytool"
        harvest(store_session, catalogue.sources[name], page_records(fixtures_dir, pattern))
    for pattern in SCHOOL:
        harvest(store_session, catalogue.sources["school"], page_records(fixtures_dir, pattern))
    assert stamps(store_session) == before
    assert memberships(store_session)[resource.id]["curated"] is True

    unmarked = clock.advance()
    collections.remove_item(store_session, SYSTEM, collection, resource.id)
    store_session.commit()
    assert stamps(store_session)[resource.id][0] == unmarked
    for spec in ("curated", "collection:selectie"):
        assert view(feed_repository, spec, resource.id)[0] is True  # type: ignore[index]
        assert feed_repository.count_items(spec, None, None) == 1
    assert_membership_datestamps_follow_resources(store_session)


def test_an_organisations_collection_is_its_own_set_but_not_curated(
    store_session: Session, catalogue: Catalogue, clock: Clock, feed_repository: DatabaseFeedRepository,
) -> None:
    resource = resource_with(store_session, "school", "VO")
    school = accounts.add_organisation(store_session, SYSTEM, "school", "De School", OrganisationKind.SCHOOL)
    collection = collections.create_collection(store_session, SYSTEM, slug="onze-keuze", title="Onze keuze",
                                               organisation_id=school.id)
    clock.advance()
    collections.add_item(store_session, SYSTEM, collection, resource.id)
    store_session.commit()
    sets = feed.current_sets(memberships(store_session)[resource.id])
    assert "collection:onze-keuze" in sets and "curated" not in sets
    assert "collection:onze-keuze" in {s.spec for s in feed_repository.list_sets()}

    # A removed collection's set goes on listing its former members as deleted.
    clock.advance()
    collections.delete_collection(store_session, SYSTEM, collection)
    store_session.commit()
    assert view(feed_repository, "collection:onze-keuze", resource.id)[0] is True  # type: ignore[index]
    listed = {s.spec: s.name for s in feed_repository.list_sets()}
    assert listed["collection:onze-keuze"].endswith("(opgeheven)")


def test_a_tombstone_cannot_be_collected(
    store_session: Session, catalogue: Catalogue, clock: Clock, fixtures_dir: Path
) -> None:
    clock.advance()
    [gone] = harvest(store_session, catalogue.sources["edurep"], page_records(fixtures_dir, EDUREP_DELTA)).deleted_ids
    collection = redactie_collection(store_session)
    with pytest.raises(UnknownResource):
        collections.add_item(store_session, SYSTEM, collection, gone)


def test_touch_moves_every_membership_datestamp(
    store_session: Session, catalogue: Catalogue, clock: Clock
) -> None:
    resource = resource_with(store_session, "school", "VO")
    now = clock.advance()
    touch(store_session, [resource.id])
    store_session.commit()
    assert stamps(store_session)[resource.id][0] == now
    assert_membership_datestamps_follow_resources(store_session)


def test_a_removed_source_set_still_lists_its_former_resources_as_deleted(
    store_session: Session, catalogue: Catalogue, clock: Clock, feed_repository: DatabaseFeedRepository
) -> None:
    clock.advance()
    remove_source(store_session, "anatomytool")
    store_session.commit()
    spec = "source:anatomytool"
    assert feed_repository.has_set(spec)
    assert [s.name for s in feed_repository.list_sets() if s.spec == spec] == ["Bron: anatomytool (niet meer geoogst)"]
    entries = feed_repository.list_items(spec, None, None, None, 100)
    assert len(entries) == 10 and all(e.deleted and e.record is None for e in entries)
    assert_membership_datestamps_follow_resources(store_session)


@pytest.mark.parametrize("source", ["edurep", "school"])
def test_withdrawing_a_whole_source_moves_datestamps_once(
    store_session: Session, catalogue: Catalogue, clock: Clock, source: str
) -> None:
    now = clock.advance()
    result = withdraw_provenances(store_session, catalogue.sources[source])
    store_session.commit()
    assert result.deleted_ids
    moved = {rid for rid, (stamp, _) in stamps(store_session).items() if stamp == now}
    assert moved == set(result.deleted_ids) | set(result.changed_ids)
    assert_membership_datestamps_follow_resources(store_session)
