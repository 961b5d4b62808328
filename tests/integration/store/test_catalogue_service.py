"""The catalogue's writer: resources, keys and relations, a fixed number of statements each."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from oer.catalogue import service as catalogue
from oer.catalogue.keys import KeyKind, target_key
from oer.catalogue.models import Origin, Resource, ResourceKey, ResourceRelation
from oer.harvesting.models import Provenance, Source
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from tests.support.store import make_record

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    """The SQL statements the session sends meanwhile (an executemany counts once; BEGIN not)."""
    sent: list[str] = []
    engine = session.get_bind()

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.split()[0].upper() != "BEGIN":
            sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def new_row(resource_id: str, **values: Any) -> dict[str, Any]:
    row = {
        "id": resource_id, "record": {"title": resource_id}, "title": resource_id,
        "content_hash": "h", "deleted": False, "deleted_at": None, "origin": Origin.HARVESTED,
        "created_at": NOW, "updated_at": NOW, "feed_hash": "", "feed_datestamp": NOW,
    }
    row.update(values)
    return row


def test_resources_are_written_with_one_statement_per_column_shape(store_session: Session) -> None:
    rows = [new_row("a"), new_row("b"), new_row("c", title=None) | {"index_pending": True}]
    with statements(store_session) as inserted:
        catalogue.insert_resources(store_session, rows)
    assert len(inserted) == 2

    with statements(store_session) as updated:
        catalogue.update_resources(
            store_session,
            [
                {"id": "a", "title": "A", "content_hash": "h2"},
                {"id": "b", "title": "B", "content_hash": "h3"},
                {"id": "c", "deleted": True, "deleted_at": NOW},
            ],
        )
        catalogue.update_resources(store_session, [])
    assert len(updated) == 2

    stored = {r.id: r for r in store_session.execute(select(Resource.id, Resource.title, Resource.content_hash,
                                                                  Resource.deleted, Resource.index_pending))}
    assert (stored["a"].title, stored["a"].content_hash) == ("A", "h2")
    assert (stored["b"].title, stored["b"].content_hash) == ("B", "h3")
    assert stored["c"].deleted and stored["c"].index_pending and stored["c"].content_hash == "h"


def harvested(session: Session, source: Source, *identifiers: str) -> dict[str, tuple[str, int]]:
    """Harvest a record per OAI identifier: identifier -> (resource id, provenance id)."""
    apply_harvested_page(session, source, [HarvestedRecord(i, "2024-01-01", make_record()) for i in identifiers])
    rows = session.execute(select(Provenance.oai_identifier, Provenance.resource_id, Provenance.id))
    return {row.oai_identifier: (row.resource_id, row.id) for row in rows}


def keys_of(session: Session, provenance_id: int) -> set[tuple[KeyKind, str]]:
    rows = session.execute(
        select(ResourceKey.kind, ResourceKey.value).where(ResourceKey.provenance_id == provenance_id)
    )
    return {(row.kind, row.value) for row in rows}


def test_replacing_keys_drops_only_the_replaced_provenances_keys(store_session: Session, edurep: Source) -> None:
    ids = harvested(store_session, edurep, "e:1", "e:2")
    (first, first_prov), (_, second_prov) = ids["e:1"], ids["e:2"]
    kept = keys_of(store_session, second_prov)
    assert kept and keys_of(store_session, first_prov)

    new_key = (KeyKind.LOCATION, "example.org/breuken")
    with statements(store_session) as sent:
        catalogue.replace_keys(store_session, [first_prov], [(first, first_prov, {new_key})])
    assert len(sent) == 2
    assert keys_of(store_session, first_prov) == {new_key}
    assert keys_of(store_session, second_prov) == kept

    with statements(store_session) as none:
        catalogue.replace_keys(store_session, [], [])
    assert none == []


def relations_of(session: Session, resource_id: str) -> list[tuple[str, str, str | None]]:
    rows = session.execute(
        select(ResourceRelation.kind, ResourceRelation.target, ResourceRelation.target_resource_id)
        .where(ResourceRelation.resource_id == resource_id)
        .order_by(ResourceRelation.position)
    )
    return [tuple(row) for row in rows]


def test_relations_resolve_known_targets_and_wait_for_the_others(store_session: Session) -> None:
    known, later = f"urn:uuid:{uuid.uuid4()}", f"urn:uuid:{uuid.uuid4()}"
    catalogue.insert_resources(store_session, [new_row("part"), new_row("whole"), new_row("other")])
    known_key = target_key(known)
    later_key = target_key(later)
    assert known_key is not None and later_key is not None
    store_session.add(ResourceKey(resource_id="part", provenance_id=None, kind=known_key[0], value=known_key[1]))
    store_session.flush()

    record = {"relations": [{"kind": "haspart", "target": known}, {"kind": "haspart", "target": later}]}
    catalogue.replace_relations(store_session, [("whole", record)])
    assert relations_of(store_session, "whole") == [("haspart", known, "part"), ("haspart", later, None)]

    catalogue.resolve_waiting_relations(store_session, {later_key: "other"})
    assert relations_of(store_session, "whole") == [("haspart", known, "part"), ("haspart", later, "other")]

    # A record that no longer names relations leaves none behind.
    catalogue.replace_relations(store_session, [("whole", {"relations": []})])
    assert relations_of(store_session, "whole") == []
