"""The one writer of resource state: Resource rows, their dedup keys and relations. I/O: database.

Other domains decide what a resource becomes (harvesting: dedup, the preferred
provenance, tombstones) and hand the catalogue the rows to write; only this
module executes inserts, updates and deletes on `Resource`, `ResourceKey` and
`ResourceRelation` (a test walks oer/ to keep it so; the projections' own
derived columns are the listed exception). Every function takes the caller's
session and flushes nothing itself, so a page of a harvest stays one unit of
work, and does a fixed number of statements whatever the number of rows: one
executemany per column shape (`oer.store.bulk`).

Writing a row does not mark it changed: a resource's feed and index also follow
from things outside its row (the set of sources serving it), so the decider
marks what changed (`oer.catalogue.changes.mark_changed`). `touch` is for the
writers whose change is in no row at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from metadata.record import Record
from oer.catalogue.changes import mark_changed
from oer.catalogue.keys import Key, record_keys, target_key
from oer.catalogue.models import Origin, Resource, ResourceKey, ResourceRelation
from oer.catalogue.queries import resolve_keys
from oer.store.bulk import by_columns, insert_rows
from oer.store.types import to_second, utcnow

# A provenance's dedup keys as a writer hands them over: (resource id, provenance id, keys).
KeyedProvenance = tuple[str, int, Iterable[Key]]


def insert_resources(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert new resources, one executemany per column shape."""
    for group in by_columns(rows):
        insert_rows(session, Resource, group)


def update_resources(session: Session, rows: list[dict[str, Any]]) -> None:
    """Update resources by primary key (each row has "id"), one executemany per column shape."""
    for group in by_columns(rows):
        session.execute(update(Resource), group)


def replace_keys(
    session: Session, replaced: Sequence[int], keyed: Sequence[KeyedProvenance]
) -> None:
    """Drop the keys of the `replaced` provenances, then insert the keys of `keyed`.

    A provenance whose content changed is in both; a new one only in `keyed`.
    """
    if replaced:
        session.execute(delete(ResourceKey).where(ResourceKey.provenance_id.in_(list(replaced))))
    rows = [
        {"resource_id": resource_id, "provenance_id": provenance_id, "kind": kind, "value": value}
        for resource_id, provenance_id, keys in keyed
        for kind, value in sorted(keys, key=lambda k: (k[0].value, k[1]))
    ]
    if rows:
        insert_rows(session, ResourceKey, rows)


def replace_own_keys(session: Session, resource_id: str, keys: Iterable[Key]) -> None:
    """Replace the keys of a resource made here (published, arranged): those with no provenance."""
    session.execute(delete(ResourceKey).where(
        ResourceKey.resource_id == resource_id, ResourceKey.provenance_id.is_(None)))
    rows = [
        {"resource_id": resource_id, "provenance_id": None, "kind": kind, "value": value}
        for kind, value in sorted(set(keys), key=lambda k: (k[0].value, k[1]))
    ]
    if rows:
        insert_rows(session, ResourceKey, rows)


def write_own_resource(
    session: Session,
    resource_id: str,
    record: Mapping[str, Any],
    content_hash: str,
    origin: Origin,
    now: datetime,
    *,
    created: bool,
) -> None:
    """Write a resource made here (published, arranged) from its record: the row, its own dedup
    keys, its relations; and mark it changed, so the feed and the index follow at the commit."""
    values: dict[str, Any] = {
        "id": resource_id, "record": dict(record), "title": record.get("title"), "content_hash": content_hash,
        "deleted": False, "deleted_at": None, "updated_at": now,
    }
    if created:
        # The feed projection gives it its real feed hash when the unit of work commits.
        values.update(origin=origin, created_at=now, feed_hash="", feed_datestamp=to_second(now))
        insert_resources(session, [values])
    else:
        update_resources(session, [values])
    replace_own_keys(session, resource_id, record_keys(Record.from_dict(record)))
    replace_relations(session, [(resource_id, record)])
    mark_changed(session, [resource_id], now)


def withdraw_own_resource(session: Session, resource_id: str, now: datetime) -> None:
    """Turn a resource made here into a tombstone (the feed shows it deleted, search drops it)."""
    update_resources(session, [{"id": resource_id, "deleted": True, "deleted_at": now, "updated_at": now}])
    mark_changed(session, [resource_id], now)


def replace_relations(session: Session, records: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
    """Rewrite the relations of these resources from the records they now show.

    Each relation's target is resolved to a resource when its key is known; one
    that names a resource not yet harvested waits (`resolve_waiting_relations`).
    """
    if not records:
        return
    session.execute(
        delete(ResourceRelation).where(
            ResourceRelation.resource_id.in_([resource_id for resource_id, _ in records])
        )
    )
    rows = []
    for resource_id, record in records:
        for position, relation in enumerate(record.get("relations") or ()):
            key = target_key(relation["target"])
            rows.append(
                {
                    "resource_id": resource_id,
                    "position": position,
                    "kind": relation["kind"][:64],
                    "target": relation["target"],
                    "target_key": key[1] if key else None,
                    "target_resource_id": None,
                }
            )
    if not rows:
        return
    targets = resolve_keys(session, {r["target_key"] for r in rows if r["target_key"]})
    for row in rows:
        row["target_resource_id"] = targets.get(row["target_key"])
    insert_rows(session, ResourceRelation, rows)


def resolve_waiting_relations(session: Session, new_keys: Mapping[Key, str]) -> None:
    """Point relations that named a newly arrived resource's key at that resource."""
    if not new_keys:
        return
    by_value = {value: resource_id for (_, value), resource_id in new_keys.items()}
    waiting = session.execute(
        select(ResourceRelation.id, ResourceRelation.target_key).where(
            ResourceRelation.target_resource_id.is_(None),
            ResourceRelation.target_key.in_(by_value),
        )
    ).all()
    if waiting:
        session.execute(
            update(ResourceRelation),
            [{"id": row.id, "target_resource_id": by_value[row.target_key]} for row in waiting],
        )


def touch(session: Session, resource_ids: Iterable[str]) -> None:
    """Mark these resources changed now, so their feed datestamp moves at the commit.

    For writers whose change is not in the record (an annotation, a curation note).
    """
    mark_changed(session, resource_ids, utcnow(), touched=True)
