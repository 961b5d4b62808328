"""Harvested records into resources: the pipeline scenarios, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
import zlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from harvester.outcome import Outcome
from oer.catalogue.models import Resource, ResourceRelation
from oer.discovery.queries import get_resource
from oer.harvesting.models import ArchivedRecord, Provenance, RawStatus, Source
from oer.harvesting.provenance import (
    HarvestedRecord,
    apply_harvested_page,
    apply_harvested_record,
    record_failed,
    withdraw_provenances,
)
from tests.support.store import Clock, make_record

XML = b"<record><header><identifier>%s</identifier></header><metadata>...</metadata></record>"


def resources_of(session: Session) -> list[Resource]:
    # The services write with bulk statements: objects loaded before are stale.
    session.expire_all()
    return list(session.scalars(select(Resource).order_by(Resource.created_at, Resource.id)))


def apply(session: Session, source: Source, oai_id: str, record, datestamp="2024-01-01T00:00:00Z"):
    outcome = apply_harvested_record(
        session, source, oai_id, datestamp, record, False, XML % oai_id.encode()
    )
    session.commit()
    return outcome


def delete(session: Session, source: Source, oai_id: str, datestamp="2024-02-01T00:00:00Z"):
    outcome = apply_harvested_record(
        session, source, oai_id, datestamp, None, True, b"<header status='deleted'/>"
    )
    session.commit()
    return outcome


def test_initial_record_creates_resource_provenance_and_archive(
    store_session: Session, edurep: Source, clock: Clock
) -> None:
    record = make_record("5af0e26f-c4d2-4ddd-94ab-7dd0bd531751", location="https://example.org/m/1")

    assert apply(store_session, edurep, "oai:edurep:1", record) is Outcome.CREATED

    [resource] = resources_of(store_session)
    assert uuid.UUID(resource.id)
    assert resource.record == record.to_dict()
    assert resource.title == "Breuken oefenen"
    assert not resource.deleted and resource.deleted_at is None
    assert resource.feed_datestamp == clock.now
    [provenance] = resource.provenances
    assert (provenance.oai_identifier, provenance.source.name) == ("oai:edurep:1", "edurep")
    assert provenance.source_datestamp.isoformat() == "2024-01-01T00:00:00+00:00"
    assert {(k.kind.value, k.value) for k in provenance.keys} == {
        ("identifier", "urn:uuid:5af0e26f-c4d2-4ddd-94ab-7dd0bd531751"),
        ("location", "https://example.org/m/1"),
        # Its OAI identifier: a repository re-serving it names it in <about><provenance>.
        ("identifier", "oai-record:oai:edurep:1"),
    }
    [raw] = store_session.scalars(select(ArchivedRecord)).all()
    assert raw.status is RawStatus.OK
    assert raw.xml == XML % b"oai:edurep:1"
    assert zlib.decompress(raw.xml_zlib) == raw.xml


def test_unchanged_reapply_changes_nothing_the_feed_shows(
    store_session: Session, edurep: Source, clock: Clock
) -> None:
    record = make_record()
    apply(store_session, edurep, "oai:edurep:1", record)
    [before] = resources_of(store_session)
    stamp, updated = before.feed_datestamp, before.updated_at
    clock.advance()

    # A new source datestamp with the same content is still unchanged.
    outcome = apply(store_session, edurep, "oai:edurep:1", record, "2024-01-05T00:00:00Z")

    assert outcome is Outcome.UNCHANGED
    store_session.expire_all()
    [after] = resources_of(store_session)
    assert (after.feed_datestamp, after.updated_at) == (stamp, updated)
    assert after.provenances[0].source_datestamp.isoformat() == "2024-01-05T00:00:00+00:00"
    assert store_session.scalar(select(func.count()).select_from(ArchivedRecord)) == 2


def test_update_changes_record_and_moves_feed_datestamp(
    store_session: Session, edurep: Source, clock: Clock
) -> None:
    uid = str(uuid.uuid4())
    apply(store_session, edurep, "oai:edurep:1", make_record(uid, title="Breuken"))
    first = clock.now
    clock.advance(90)

    outcome = apply(store_session, edurep, "oai:edurep:1", make_record(uid, title="Breuken 2"))

    assert outcome is Outcome.UPDATED
    [resource] = resources_of(store_session)
    assert resource.title == "Breuken 2"
    assert resource.record["title"] == "Breuken 2"
    assert resource.feed_datestamp == clock.now > first
    assert len(resource.provenances) == 1


def test_deletion_turns_resource_into_tombstone(
    store_session: Session, edurep: Source, clock: Clock
) -> None:
    apply(store_session, edurep, "oai:edurep:1", make_record(title="Weg"))
    clock.advance()

    assert delete(store_session, edurep, "oai:edurep:1") is Outcome.DELETED

    [resource] = resources_of(store_session)
    assert resource.deleted and resource.deleted_at == clock.now
    assert resource.feed_datestamp == clock.now
    assert resource.title == "Weg", "a tombstone keeps its last record"
    [provenance] = resource.provenances
    assert provenance.deleted
    statuses = store_session.scalars(select(ArchivedRecord.status).order_by(ArchivedRecord.id)).all()
    assert statuses == [RawStatus.OK, RawStatus.DELETED]
    # Deleting again, or deleting what was never here, changes nothing.
    clock.advance()
    assert delete(store_session, edurep, "oai:edurep:1") is Outcome.SKIPPED
    assert delete(store_session, edurep, "oai:edurep:unknown") is Outcome.SKIPPED
    assert resources_of(store_session)[0].feed_datestamp < clock.now


def test_tombstone_comes_back_under_the_same_id(
    store_session: Session, edurep: Source, clock: Clock
) -> None:
    apply(store_session, edurep, "oai:edurep:1", make_record())
    delete(store_session, edurep, "oai:edurep:1")
    [tombstone] = resources_of(store_session)
    clock.advance()

    assert apply(store_session, edurep, "oai:edurep:1", make_record(title="Terug")) is Outcome.CREATED

    [resource] = resources_of(store_session)
    assert resource.id == tombstone.id
    assert not resource.deleted and resource.deleted_at is None
    assert resource.title == "Terug"


def test_two_sources_one_resource(
    store_session: Session, edurep: Source, school: Source, clock: Clock
) -> None:
    uid = str(uuid.uuid4())
    apply(store_session, edurep, "oai:edurep:1", make_record(uid, title="Via Edurep", score=0.4))
    first_stamp = clock.now
    clock.advance()

    # The school serves the same material (same urn:uuid, identifier in upper case), and more fully.
    outcome = apply(
        store_session, school, "oai:school:9", make_record(uid.upper(), title="Van school", score=0.9)
    )

    assert outcome is Outcome.MERGED
    [resource] = resources_of(store_session)
    assert sorted(p.source.name for p in resource.provenances) == ["edurep", "school"]
    # A source changes only what it provided: the source that brought the material keeps what it
    # shows; the school's record is its own copy beside it.
    assert resource.title == "Via Edurep", "the first source's record is shown"
    assert resource.feed_datestamp == clock.now > first_stamp, "set membership changed"
    detail = get_resource(store_session, resource.id)
    assert detail is not None and detail.sources == ("edurep", "school")
    assert {p.record.title for p in detail.provenances} == {"Via Edurep", "Van school"}


def test_same_location_makes_one_resource(
    store_session: Session, edurep: Source, school: Source
) -> None:
    apply(store_session, edurep, "oai:edurep:1", make_record(location="http://www.example.org/les/7/"))
    apply(store_session, school, "oai:school:1", make_record(location="https://example.org/les/7"))
    # A home page is not an identity: these two stay apart.
    apply(store_session, edurep, "oai:edurep:2", make_record(location="https://school.nl/"))
    apply(store_session, school, "oai:school:2", make_record(location="https://school.nl"))
    # A shared URL with another title is another material (a landing page, a zip, a course home).
    apply(store_session, school, "oai:school:3", make_record(location="https://example.org/les/7", title="Iets anders"))
    # And within one source, two identifiers are two materials, whatever they share.
    apply(store_session, edurep, "oai:edurep:3", make_record(location="https://example.org/les/7"))

    assert len(resources_of(store_session)) == 5


def test_deletion_by_one_source_keeps_the_other(
    store_session: Session, edurep: Source, school: Source, clock: Clock
) -> None:
    uid = str(uuid.uuid4())
    apply(store_session, edurep, "oai:edurep:1", make_record(uid, title="Via Edurep", score=0.4))
    apply(store_session, school, "oai:school:9", make_record(uid, title="Van school", score=0.9))
    clock.advance()

    assert delete(store_session, edurep, "oai:edurep:1") is Outcome.DELETED

    [resource] = resources_of(store_session)
    assert not resource.deleted
    assert resource.title == "Van school", "when the first source deletes it, the remaining source's record is shown"
    assert resource.feed_datestamp == clock.now
    states = {p.source.name: p.deleted for p in resource.provenances}
    assert states == {"edurep": True, "school": False}
    clock.advance()

    delete(store_session, school, "oai:school:9")

    [resource] = resources_of(store_session)
    assert resource.deleted and resource.deleted_at == clock.now


def test_failed_record_is_archived_with_reason_and_harvest_goes_on(
    store_session: Session, edurep: Source
) -> None:
    good = make_record(title="Goed")
    result = apply_harvested_page(
        store_session,
        edurep,
        [
            HarvestedRecord("oai:edurep:1", "2024-01-01", good, raw_xml=b"<record>1</record>"),
            HarvestedRecord(
                "oai:edurep:2", "2024-01-02", raw_xml=b"<record><broken", failure="not well-formed"
            ),
            HarvestedRecord("oai:edurep:3", "yesterday", good, raw_xml=b"<record>3</record>"),
        ],
    )
    store_session.commit()

    assert result.outcomes == (Outcome.CREATED, Outcome.FAILED, Outcome.FAILED)
    assert result.count(Outcome.FAILED) == 2
    assert len(resources_of(store_session)) == 1
    failed = store_session.scalars(
        select(ArchivedRecord).where(ArchivedRecord.status == RawStatus.FAILED).order_by(ArchivedRecord.oai_identifier)
    ).all()
    assert [(f.oai_identifier, f.failure_reason) for f in failed] == [
        ("oai:edurep:2", "not well-formed"),
        ("oai:edurep:3", "unreadable datestamp 'yesterday'"),
    ]
    assert failed[0].xml == b"<record><broken"
    assert record_failed(store_session, edurep, "oai:edurep:2", "2024-01-02", b"<x", "bad") is (
        Outcome.FAILED
    )


def test_failed_new_version_keeps_the_previous_record(
    store_session: Session, edurep: Source
) -> None:
    apply(store_session, edurep, "oai:edurep:1", make_record(title="Eerste"))

    record_failed(store_session, edurep, "oai:edurep:1", "2024-03-01", b"<bad", "no metadata")
    store_session.commit()

    [resource] = resources_of(store_session)
    assert resource.title == "Eerste" and not resource.deleted


def test_one_page_many_records_and_repeats(store_session: Session, edurep: Source) -> None:
    uid = str(uuid.uuid4())
    items = [
        HarvestedRecord(f"oai:edurep:{n}", f"2024-01-{n + 1:02d}", make_record(title=f"R{n}"))
        for n in range(20)
    ]
    # One identifier under two OAI identifiers of one source (two materials: within a source,
    # distinct identifiers never merge and no record is lost), and one OAI identifier twice.
    items.append(HarvestedRecord("oai:edurep:a", "2024-02-01", make_record(uid, title="A")))
    items.append(HarvestedRecord("oai:edurep:b", "2024-02-02", make_record(uid, title="B")))
    items.append(HarvestedRecord("oai:edurep:3", "2024-02-03", make_record(title="R3 bis")))

    result = apply_harvested_page(store_session, edurep, items)
    store_session.commit()

    assert result.outcomes[:22] == (Outcome.CREATED,) * 22
    assert result.outcomes[22] is Outcome.UPDATED
    assert len(resources_of(store_session)) == 22
    assert len(result.changed_ids) == 22 and not result.deleted_ids
    assert result.last_datestamp is not None and result.last_datestamp.isoformat() == (
        "2024-02-03T00:00:00+00:00"
    )
    assert store_session.scalar(select(func.count()).select_from(Provenance)) == 22


def test_page_is_one_transaction(store_sessions, edurep: Source) -> None:
    with store_sessions() as session:
        source = session.get(Source, edurep.id)
        apply_harvested_page(
            session, source, [HarvestedRecord("oai:edurep:1", "2024-01-01", make_record())]
        )
        session.rollback()
    with store_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Resource)) == 0
        assert session.scalar(select(func.count()).select_from(ArchivedRecord)) == 0


def test_relations_resolve_in_either_order(store_session: Session, edurep: Source) -> None:
    part, whole = str(uuid.uuid4()), str(uuid.uuid4())
    # The arrangement arrives first; its part later.
    apply(
        store_session,
        edurep,
        "oai:edurep:whole",
        make_record(whole, title="Arrangement", relations=(("haspart", f"urn:uuid:{part}"),
                                                           ("references", "https://elders.nl/x"))),
    )
    apply(store_session, edurep, "oai:edurep:part", make_record(part, title="Deel",
                                                                relations=(("ispartof", whole),)))

    resources = {r.title: r for r in resources_of(store_session)}
    whole_detail = get_resource(store_session, resources["Arrangement"].id)
    part_detail = get_resource(store_session, resources["Deel"].id)
    assert whole_detail is not None and part_detail is not None
    assert [(r.kind, r.resource_id, r.title) for r in whole_detail.relations] == [
        ("haspart", part_detail.id, "Deel"),
        ("references", None, None),
    ]
    assert [(r.kind, r.resource_id) for r in part_detail.relations] == [("ispartof", whole_detail.id)]
    assert [(r.kind, r.resource_id) for r in part_detail.incoming] == [("haspart", whole_detail.id)]
    assert store_session.scalar(select(func.count()).select_from(ResourceRelation)) == 3


def test_withdraw_removes_what_a_full_harvest_did_not_see(
    store_session: Session, edurep: Source, school: Source, clock: Clock
) -> None:
    shared = str(uuid.uuid4())
    apply(store_session, edurep, "oai:edurep:1", make_record(title="Blijft"))
    apply(store_session, edurep, "oai:edurep:2", make_record(title="Verdwijnt"))
    apply(store_session, edurep, "oai:edurep:3", make_record(shared, title="Gedeeld"))
    apply(store_session, school, "oai:school:3", make_record(shared, title="Gedeeld"))
    full_run_start = clock.advance()
    apply(store_session, edurep, "oai:edurep:1", make_record(title="Blijft"))

    result = withdraw_provenances(store_session, edurep, harvested_before=full_run_start)
    store_session.commit()

    assert result.outcomes == (Outcome.DELETED, Outcome.DELETED)
    by_title = {r.title: r for r in resources_of(store_session)}
    assert result.deleted_ids == {by_title["Verdwijnt"].id}
    assert result.changed_ids == {by_title["Gedeeld"].id}
    assert [r.deleted for r in (by_title["Blijft"], by_title["Verdwijnt"], by_title["Gedeeld"])] == [
        False, True, False,
    ]


def test_another_source_brings_a_tombstone_back(
    store_session: Session, edurep: Source, school: Source
) -> None:
    uid = str(uuid.uuid4())
    apply(store_session, edurep, "oai:edurep:1", make_record(uid))
    delete(store_session, edurep, "oai:edurep:1")
    [tombstone] = resources_of(store_session)

    assert apply(store_session, school, "oai:school:1", make_record(uid, title="Elders")) is (
        Outcome.MERGED
    )

    [resource] = resources_of(store_session)
    assert resource.id == tombstone.id and not resource.deleted
    assert resource.title == "Elders"


def test_created_and_deleted_in_one_page_leaves_a_tombstone(
    store_session: Session, edurep: Source
) -> None:
    result = apply_harvested_page(
        store_session,
        edurep,
        [
            HarvestedRecord("oai:edurep:1", "2024-01-01", make_record(title="Kort")),
            HarvestedRecord("oai:edurep:1", "2024-01-02", deleted=True),
        ],
    )
    store_session.commit()

    assert result.outcomes == (Outcome.CREATED, Outcome.DELETED)
    [resource] = resources_of(store_session)
    assert resource.deleted and resource.title == "Kort"
    assert result.deleted_ids == {resource.id} and not result.changed_ids


def test_records_without_usable_header_are_archived_as_failed(
    store_session: Session, edurep: Source, clock: Clock
) -> None:
    result = apply_harvested_page(
        store_session,
        edurep,
        [
            HarvestedRecord("", "2024-01-01", raw_xml=b"<record>no id</record>", failure="no identifier"),
            HarvestedRecord("oai:edurep:1", "", make_record(), raw_xml=b"<record>no date</record>"),
        ],
    )
    store_session.commit()

    assert result.outcomes == (Outcome.FAILED, Outcome.FAILED)
    rows = store_session.scalars(select(ArchivedRecord).order_by(ArchivedRecord.oai_identifier)).all()
    assert [(r.oai_identifier, r.status, r.failure_reason) for r in rows] == [
        ("", RawStatus.FAILED, "no identifier"),
        ("oai:edurep:1", RawStatus.FAILED, "unreadable datestamp ''"),
    ]
    assert rows[1].datestamp == clock.now, "received time stands in for a missing datestamp"
    assert resources_of(store_session) == []
