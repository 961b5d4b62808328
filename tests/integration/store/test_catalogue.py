"""Reading resources back: for reindexing, for the API, and by reference."""

from __future__ import annotations

from sqlalchemy.orm import Session

from metadata.record import Identifier, Record
from oer.catalogue.models import Origin
from oer.catalogue.queries import count_resources, resolve_resource_id
from oer.catalogue.service import touch
from oer.discovery.queries import get_resource, iter_index_entries
from oer.harvesting.models import Source
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from tests.support.store import Clock, make_record


def harvest(session: Session, source: Source, *records: tuple[str, Record]) -> None:
    apply_harvested_page(
        session, source, [HarvestedRecord(i, "2024-01-01", r) for i, r in records]
    )
    session.commit()


def test_iterating_everything_in_batches(store_session: Session, edurep: Source, school: Source) -> None:
    shared = make_record(title="Gedeeld")
    harvest(store_session, edurep, *[(f"e:{n}", make_record(title=f"R{n}")) for n in range(7)])
    harvest(store_session, edurep, ("e:shared", shared))
    harvest(store_session, school, ("s:shared", shared))
    harvest(store_session, edurep, ("e:gone", make_record(title="Weg")))
    apply_harvested_page(store_session, edurep, [HarvestedRecord("e:gone", "2024-02-01", deleted=True)])
    store_session.commit()

    entries = list(iter_index_entries(store_session, batch_size=3))

    assert len(entries) == 8 == count_resources(store_session)
    assert [e.id for e in entries] == sorted(e.id for e in entries)
    assert {e.record.title for e in entries} == {f"R{n}" for n in range(7)} | {"Gedeeld"}
    by_title = {e.record.title: e for e in entries}
    assert by_title["Gedeeld"].sources == ("edurep", "school")
    assert by_title["R0"].sources == ("edurep",)
    assert by_title["R0"].origin is Origin.HARVESTED and not by_title["R0"].deleted
    with_deleted = list(iter_index_entries(store_session, batch_size=3, include_deleted=True))
    assert len(with_deleted) == 9 == count_resources(store_session, include_deleted=True)
    [tombstone] = [e for e in with_deleted if e.deleted]
    assert tombstone.record.title == "Weg" and tombstone.sources == ()


def test_iterating_changes_since_and_by_id(
    store_session: Session, edurep: Source, clock: Clock
) -> None:
    harvest(store_session, edurep, ("e:1", make_record(title="Oud")), ("e:2", make_record(title="Ook oud")))
    since = clock.advance()
    harvest(store_session, edurep, ("e:3", make_record(title="Nieuw")))

    changed = list(iter_index_entries(store_session, since=since))
    assert [e.record.title for e in changed] == ["Nieuw"]
    everything = list(iter_index_entries(store_session))
    some = list(iter_index_entries(store_session, ids=[everything[2].id, everything[0].id, "missing"], batch_size=1))
    assert [e.id for e in some] == [everything[0].id, everything[2].id]


def test_get_resource_and_resolve_references(store_session: Session, edurep: Source) -> None:
    record = make_record(
        "0b1e0c1e-3d5c-4a4e-9f55-2a3e4c5d6e7f",
        location="https://maken.wikiwijs.nl/12345/Breuken",
        identifiers=(
            Identifier("UUID", "urn:uuid:0b1e0c1e-3d5c-4a4e-9f55-2a3e4c5d6e7f"),
            Identifier("wikiwijs", "12345"),
        ),
    )
    harvest(store_session, edurep, ("e:1", record))
    [entry] = iter_index_entries(store_session)

    detail = get_resource(store_session, entry.id)

    assert detail is not None and detail.record == record
    assert [(p.source, p.oai_identifier, p.deleted) for p in detail.provenances] == [("edurep", "e:1", False)]
    assert get_resource(store_session, "no-such-id") is None
    for reference in (
        entry.id,
        "0B1E0C1E-3D5C-4A4E-9F55-2A3E4C5D6E7F",
        "urn:uuid:0b1e0c1e-3d5c-4a4e-9f55-2a3e4c5d6e7f",
        "http://www.maken.wikiwijs.nl/12345/Breuken/",
    ):
        assert resolve_resource_id(store_session, reference) == entry.id, reference
    assert resolve_resource_id(store_session, "https://maken.wikiwijs.nl/999") is None


def test_touch_moves_the_datestamp(store_session: Session, edurep: Source, clock: Clock, monkeypatch) -> None:
    harvest(store_session, edurep, ("e:1", make_record()))
    [entry] = iter_index_entries(store_session)
    later = clock.advance(3600)
    from oer.catalogue import service as catalogue

    monkeypatch.setattr(catalogue, "utcnow", lambda: later)
    touch(store_session, [entry.id])
    store_session.commit()

    [after] = iter_index_entries(store_session)
    assert after.feed_datestamp == later > entry.feed_datestamp
