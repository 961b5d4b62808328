"""Reading resources for the read side: index entries, detail pages with provenance. I/O: database.

Everything returned is a frozen value detached from the session (records as
`metadata.record.Record`), so callers can hold on to it after the transaction.
Iteration is by keyset (resource id) in batches of plain rows: memory stays flat
however large the catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from metadata.record import Record
from oer.catalogue.models import Origin, Resource, ResourceRelation
from oer.harvesting.models import Provenance, Source
from oer.harvesting.queries import live_source_names
from oer.quality.queries import search_tokens


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """What the search index needs of one resource."""

    id: str
    record: Record
    # Names of the sources that currently serve it (sorted).
    sources: tuple[str, ...]
    origin: Origin
    deleted: bool
    created_at: datetime
    updated_at: datetime
    feed_datestamp: datetime
    # The quality criteria with a shown annotation and their detail tokens (`metadata.quality.quality_tokens`).
    quality: tuple[str, ...] = ()
    quality_detail: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProvenanceEntry:
    source: str
    oai_identifier: str
    source_datestamp: datetime
    harvested_at: datetime
    deleted: bool
    deleted_at: datetime | None
    record: Record


@dataclass(frozen=True, slots=True)
class RelationEntry:
    """A relation from (or, in `incoming`, to) a resource."""

    kind: str
    target: str
    # The other resource when it is known here, and its title.
    resource_id: str | None
    title: str | None


@dataclass(frozen=True, slots=True)
class ResourceDetail:
    id: str
    origin: Origin
    record: Record
    deleted: bool
    deleted_at: datetime | None
    created_at: datetime
    updated_at: datetime
    feed_datestamp: datetime
    provenances: tuple[ProvenanceEntry, ...]
    relations: tuple[RelationEntry, ...]
    # Relations of other resources pointing here (e.g. arrangements that use this one).
    incoming: tuple[RelationEntry, ...]

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({p.source for p in self.provenances if not p.deleted}))


def iter_index_entries(
    session: Session,
    *,
    batch_size: int = 1000,
    since: datetime | None = None,
    ids: Iterable[str] | None = None,
    include_deleted: bool = False,
) -> Iterator[IndexEntry]:
    """Resources for (re)indexing, ordered by id, `batch_size` rows per query.

    `since`: only resources changed at or after that time (their `updated_at`);
    `ids`: only these; `include_deleted`: tombstones too (to remove them from an index).
    """
    columns = select(
        Resource.id,
        Resource.record,
        Resource.origin,
        Resource.deleted,
        Resource.created_at,
        Resource.updated_at,
        Resource.feed_datestamp,
    ).order_by(Resource.id)
    if not include_deleted:
        columns = columns.where(Resource.deleted.is_(False))
    if since is not None:
        columns = columns.where(Resource.updated_at >= since)
    if ids is not None:
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), batch_size):
            chunk = wanted[start : start + batch_size]
            yield from _index_entries(session, columns.where(Resource.id.in_(chunk)))
        return
    last_id = ""
    while True:
        entries = list(
            _index_entries(session, columns.where(Resource.id > last_id).limit(batch_size))
        )
        if not entries:
            return
        yield from entries
        last_id = entries[-1].id


def _index_entries(session: Session, query: Select[Any]) -> Iterator[IndexEntry]:
    rows = session.execute(query).all()
    if not rows:
        return
    sources = live_source_names(session, [row.id for row in rows])
    quality = search_tokens(session, [row.id for row in rows])
    for row in rows:
        criteria, details = quality.get(row.id, ((), ()))
        yield IndexEntry(
            id=row.id,
            record=Record.from_dict(row.record),
            sources=tuple(sorted(sources.get(row.id, ()))),
            origin=row.origin,
            deleted=row.deleted,
            created_at=row.created_at,
            updated_at=row.updated_at,
            feed_datestamp=row.feed_datestamp,
            quality=criteria,
            quality_detail=details,
        )




def get_resource(session: Session, resource_id: str) -> ResourceDetail | None:
    """A resource with every source's record and its relations both ways; None if unknown."""
    resource = session.get(Resource, resource_id, populate_existing=True)
    if resource is None:
        return None
    provenances = session.execute(
        select(Provenance, Source.name)
        .join(Source, Source.id == Provenance.source_id)
        .where(Provenance.resource_id == resource_id)
        .order_by(Provenance.id)
    ).all()
    outgoing = session.execute(
        select(ResourceRelation, Resource.title)
        .outerjoin(Resource, Resource.id == ResourceRelation.target_resource_id)
        .where(ResourceRelation.resource_id == resource_id)
        .order_by(ResourceRelation.position, ResourceRelation.id)
    ).all()
    incoming = session.execute(
        select(ResourceRelation, Resource.title)
        .join(Resource, Resource.id == ResourceRelation.resource_id)
        .where(
            ResourceRelation.target_resource_id == resource_id,
            Resource.deleted.is_(False),
        )
        .order_by(ResourceRelation.resource_id, ResourceRelation.position)
    ).all()
    return ResourceDetail(
        id=resource.id,
        origin=resource.origin,
        record=Record.from_dict(resource.record),
        deleted=resource.deleted,
        deleted_at=resource.deleted_at,
        created_at=resource.created_at,
        updated_at=resource.updated_at,
        feed_datestamp=resource.feed_datestamp,
        provenances=tuple(
            ProvenanceEntry(
                source=name,
                oai_identifier=p.oai_identifier,
                source_datestamp=p.source_datestamp,
                harvested_at=p.harvested_at,
                deleted=p.deleted,
                deleted_at=p.deleted_at,
                record=Record.from_dict(p.record),
            )
            for p, name in provenances
        ),
        relations=tuple(
            RelationEntry(r.kind, r.target, r.target_resource_id, title) for r, title in outgoing
        ),
        incoming=tuple(
            RelationEntry(r.kind, r.target, r.resource_id, title) for r, title in incoming
        ),
    )
