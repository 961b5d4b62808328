"""Reading the curated OAI-PMH feed from the store: items in feed order, sets, counts. I/O: database.

`DatabaseFeedRepository` implements the storage contract of the OAI-PMH
provider (documented in the web layer's `oer.feed.oai.contract`; the web layer adapts
these plain values to its own): every resource, tombstones included, is an
item named ``oai:REPOSITORY-ID:RESOURCE-ID``, listed in ascending
``(datestamp, oai_identifier)`` order.

- Without a set the list is the `resource` table, keyset-paged on
  ``(feed_datestamp, id)`` over its index of those two columns.
- With a set it is that set's `feed_membership` rows, keyset-paged on
  ``(set_spec, datestamp, resource_id)`` over their index: current members
  with their own state, former members as deleted items.

Asked for a metadata format, a list reads each live item's stored payload in
it (`oer.feed.payloads`) by an outer join on ``(resource_id, metadata_prefix)``,
and not its record: a page is then one index range and the bytes to send. A
payload written by another version of the serialiser, or missing, is not
served: that item is serialised now, from its record (`PAYLOAD_VERSION`).

A ``source:NAME`` set serves that source's own version of each material:
when two sources' records of one material were merged (`oer.harvesting.provenance`),
the resource shows the first source's record, and the other source's list
would otherwise carry a record that source never gave. So a list of a source
set reads, for the page's live items, the source's own live provenance; where
its content hash differs from the shown record's (another source's record is
shown), the item's payload is serialised now from that provenance's record
with the same serialiser (`payload_bytes`) and the same shown annotations
after its own (`oer.feed.payloads.with_shown_annotations`). Where they are the
same, the stored payload is already that source's version byte for byte: the
writers in `metadata` write a record's content only, never its datestamp or
OAI identifier, the two fields the content hash leaves out. Per-source
payloads are not stored: most materials have one source, and only the other
sources of merged ones (a small part of a source's set) cost a serialisation
per request, while storing them would need a table keyed by source, written,
counted and rebuilt beside the shown payloads. Headers, datestamps and counts
of a source set are the same as without this (ListIdentifiers is unchanged);
`get_item` (GetRecord) and every other list serve the merged, shown record. A
change of a source's own record that the resource does not show marks it
touched (`oer.harvesting.provenance`), so its datestamp moves all the same.

Both orders equal the contract's order: every identifier has the same
``oai:REPOSITORY-ID:`` prefix, so identifiers compare as their resource ids
do, and resource ids are lower-case UUIDs (`oer.catalogue.models.new_resource_id`),
whose order is the same under every collation (hex digits, hyphens at fixed
places), binary included. The feed reads the database only, never the search
index, so it keeps working while search is down.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, exists, func, literal, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from metadata.formats import FORMATS, MetadataFormat
from metadata.lom import with_tree_annotations
from metadata.record import Record
from oer.catalogue.models import Resource
from oer.collections.models import Collection
from oer.feed.models import FeedMembership, FeedPayload
from oer.feed.oai.formats import PAYLOAD_VERSION, payload_bytes
from oer.feed.payloads import shown_records, with_shown_annotations
from oer.feed.sets import (
    COLLECTION_PREFIX,
    CURATED,
    SOURCE_PREFIX,
    SetDefinition,
    collection_set,
    curated_set,
    sector_sets,
    source_set,
)
from oer.harvesting.models import Provenance, Source
from oer.quality.queries import lom_annotations
from oer.store.types import to_second, utcnow

# The domain-name part of oai:DOMAIN:LOCAL identifiers, unless configured (OER_OAI_REPOSITORY_ID).
DEFAULT_REPOSITORY_ID = "oer.local"
# Shown in Identify's oai-identifier description; any well-formed identifier will do.
_SAMPLE_LOCAL_ID = "5b1e2c3d-0000-4000-8000-000000000000"
# Ids per IN (...) list: well under SQLite's and PostgreSQL's bound-parameter limits.
_BATCH = 500
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of the feed as a list (or a single lookup) shows it.

    An item shown as deleted has neither `record` nor `payload`; a live one
    has its record, or, when the list was asked for a metadata format, its
    payload in that format instead (`oer.feed.oai.formats.payload_bytes`).
    `set_specs` are the sets the resource is in now (a tombstone's: those it
    was in when deleted), sorted.
    """

    oai_identifier: str
    datestamp: datetime
    deleted: bool
    set_specs: tuple[str, ...]
    record: Record | None
    payload: bytes | None = None

    @property
    def position(self) -> tuple[datetime, str]:
        return (self.datestamp, self.oai_identifier)


class DatabaseFeedRepository:
    """The feed over one session; cheap to make, one per request."""

    def __init__(self, session: Session, repository_id: str = DEFAULT_REPOSITORY_ID) -> None:
        self.session = session
        self.repository_id = repository_id
        self._prefix = f"oai:{repository_id}:"

    # -- identifiers ---------------------------------------------------------------------------

    def oai_identifier(self, resource_id: str) -> str:
        return f"{self._prefix}{resource_id}"

    def resource_id(self, oai_identifier: str) -> str | None:
        """The resource an identifier of this repository names, or None for any other text."""
        if not oai_identifier.startswith(self._prefix):
            return None
        local = oai_identifier[len(self._prefix) :]
        return local if _UUID.fullmatch(local) else None

    @property
    def sample_identifier(self) -> str:
        return self.oai_identifier(_SAMPLE_LOCAL_ID)

    # -- Identify and ListSets -----------------------------------------------------------------

    def earliest_datestamp(self) -> datetime:
        """The oldest datestamp of any item (tombstones too); now when the feed is empty."""
        earliest = self.session.scalar(select(func.min(Resource.feed_datestamp)))
        return earliest if earliest is not None else to_second(utcnow())

    def list_sets(self) -> list[SetDefinition]:
        """`curated`, a set per collection, per registered source, per sector, then sets only history knows.

        The last kind: a removed source's or collection's set still lists its
        former resources as deleted, so harvesters of that set learn they left.
        """
        collections = self.session.execute(
            select(Collection.slug, Collection.title, Collection.description).order_by(Collection.slug)
        )
        sources = list(self.session.scalars(select(Source.name).order_by(Source.name)))
        sets = [
            curated_set(),
            *(collection_set(slug, title, description) for slug, title, description in collections),
            *(source_set(name) for name in sources),
            *sector_sets(),
        ]
        listed = {s.spec for s in sets}
        stored = self.session.scalars(select(FeedMembership.set_spec).distinct())
        for spec in sorted(set(stored) - listed):
            if spec.startswith(SOURCE_PREFIX):
                sets.append(source_set(spec.removeprefix(SOURCE_PREFIX), removed=True))
            elif spec.startswith(COLLECTION_PREFIX):
                sets.append(collection_set(spec.removeprefix(COLLECTION_PREFIX), None))
            else:
                sets.append(SetDefinition(spec, spec))
        return sets

    def has_set(self, spec: str) -> bool:
        if spec == CURATED or spec in {s.spec for s in sector_sets()}:
            return True
        if spec.startswith(SOURCE_PREFIX):
            name = spec.removeprefix(SOURCE_PREFIX)
            if self.session.scalar(select(exists().where(Source.name == name))):
                return True
        if spec.startswith(COLLECTION_PREFIX):
            slug = spec.removeprefix(COLLECTION_PREFIX)
            if self.session.scalar(select(exists().where(Collection.slug == slug))):
                return True
        return bool(self.session.scalar(select(exists().where(FeedMembership.set_spec == spec))))

    # -- items ---------------------------------------------------------------------------------

    def get_item(self, oai_identifier: str, metadata_prefix: str | None = None) -> FeedEntry | None:
        """The item with its own state (no set perspective), or None for an unknown identifier.

        With a `metadata_prefix` of the feed's formats, a live item carries its payload in it.
        """
        resource_id = self.resource_id(oai_identifier)
        if resource_id is None:
            return None
        metadata_format = _stored_format(metadata_prefix)
        query = _resource_items(metadata_format).where(Resource.id == resource_id)
        row = self.session.execute(query).first()
        if row is None:
            return None
        return self._entries([row], metadata_format)[0]

    def list_items(
        self,
        set_spec: str | None,
        from_: datetime | None,
        until: datetime | None,
        after: tuple[datetime, str] | None,
        limit: int,
        metadata_prefix: str | None = None,
    ) -> list[FeedEntry]:
        """At most `limit` items strictly after `after`, ascending by (datestamp, oai_identifier).

        With a `metadata_prefix` of the feed's formats, live items carry their payloads in it.
        """
        metadata_format = _stored_format(metadata_prefix)
        if set_spec is None:
            query = self._resource_list(from_, until, after, metadata_format)
        else:
            query = self._set_list(set_spec, from_, until, after, metadata_format)
        rows = self.session.execute(query.limit(limit)).all()
        source = set_spec.removeprefix(SOURCE_PREFIX) if set_spec and set_spec.startswith(SOURCE_PREFIX) else None
        return self._entries(rows, metadata_format, source)

    def count_items(self, set_spec: str | None, from_: datetime | None, until: datetime | None) -> int:
        """How many items `list_items` returns in total for these arguments (same predicates)."""
        if set_spec is None:
            query = select(func.count()).select_from(Resource)
            query = query.where(*_window(Resource.feed_datestamp, from_, until))
        else:
            query = select(func.count()).select_from(FeedMembership)
            query = query.where(
                FeedMembership.set_spec == set_spec,
                *_window(FeedMembership.datestamp, from_, until),
            )
        return self.session.scalar(query) or 0

    # -- queries -------------------------------------------------------------------------------

    def _resource_list(
        self,
        from_: datetime | None,
        until: datetime | None,
        after: tuple[datetime, str] | None,
        metadata_format: MetadataFormat | None,
    ) -> Select[Any]:
        query = _resource_items(metadata_format)
        query = query.where(*_window(Resource.feed_datestamp, from_, until, after))
        if after is not None:
            query = query.where(_after(Resource.feed_datestamp, Resource.id, after))
        return query.order_by(Resource.feed_datestamp, Resource.id)

    def _set_list(
        self,
        set_spec: str,
        from_: datetime | None,
        until: datetime | None,
        after: tuple[datetime, str] | None,
        metadata_format: MetadataFormat | None,
    ) -> Select[Any]:
        query = select(
            FeedMembership.resource_id.label("id"),
            FeedMembership.datestamp.label("datestamp"),
            # A former member shows as deleted in this set, whatever its own state.
            or_(Resource.deleted, FeedMembership.member.is_(False)).label("deleted"),
            _sets_of(FeedMembership.resource_id),
            *_content_columns(metadata_format),
        ).join(Resource, Resource.id == FeedMembership.resource_id)
        if metadata_format is not None:
            query = query.outerjoin(FeedPayload, _payload_of(FeedMembership.resource_id, metadata_format))
        query = query.where(
            FeedMembership.set_spec == set_spec,
            *_window(FeedMembership.datestamp, from_, until, after),
        )
        if after is not None:
            query = query.where(_after(FeedMembership.datestamp, FeedMembership.resource_id, after))
        return query.order_by(FeedMembership.datestamp, FeedMembership.resource_id)

    def _entries(
        self, rows: Sequence[Row[Any]], metadata_format: MetadataFormat | None, source: str | None = None
    ) -> list[FeedEntry]:
        """Entries for rows of (id, datestamp, deleted as shown, sets, content).

        `sets` are the resource's current ones (`_sets_of`); the content is its
        `record` JSON, or with a `metadata_format` its stored payload's `version`
        and `payload`. A live record carries the quality annotations shown here
        after the ones its source gave (LOM category 8); a change of them moves
        the resource's datestamp (`oer.quality.service` touches it). With a
        `source` (a list of that source's set), a live item whose shown record
        is another source's carries this source's own record instead (see the
        module docstring).
        """
        live = [row for row in rows if not row.deleted]
        own = self._own_records(source, [row.id for row in live]) if source is not None and live else {}
        records: dict[str, Record] = {}
        payloads: dict[str, bytes] = {}
        if metadata_format is None:
            annotations = lom_annotations(self.session, (row.id for row in live))
            for row in live:
                record = Record.from_dict(own.get(row.id, row.record))
                records[row.id] = with_tree_annotations(record, annotations.get(row.id, ()))
        else:
            payloads = {
                row.id: row.payload for row in live if row.version == PAYLOAD_VERSION and row.id not in own
            }
            # Written by another version of the serialiser, or not yet: never served as stored.
            # Read whatever its state now: the list's row, which may be older, showed it live.
            stale = [row.id for row in live if row.id not in payloads and row.id not in own]
            for resource_id, record in shown_records(self.session, stale, live_only=False).items():
                payloads[resource_id] = payload_bytes(metadata_format, record)
            for resource_id, record in with_shown_annotations(self.session, own).items():
                payloads[resource_id] = payload_bytes(metadata_format, record)
        return [
            FeedEntry(
                oai_identifier=self.oai_identifier(row.id),
                datestamp=row.datestamp,
                deleted=row.deleted,
                set_specs=tuple(sorted(row.sets.split(" "))) if row.sets else (),
                record=records.get(row.id),
                payload=payloads.get(row.id),
            )
            for row in rows
        ]

    def _own_records(self, source_name: str, resource_ids: Sequence[str]) -> dict[str, Any]:
        """Resource id -> the source's own record JSON, for those of these resources whose shown
        record is not the same content as that source's live record (another source's is shown).

        Two queries whatever the number of resources, and no record read that the stored
        payload serves already: the source's live provenances' hashes beside the shown
        ones, then the records of those that differ.
        """
        differing: dict[int, str] = {}
        seen: set[str] = set()
        for start in range(0, len(resource_ids), _BATCH):
            rows = self.session.execute(
                select(Provenance.id, Provenance.resource_id, Provenance.content_hash, Resource.content_hash)
                .join(Source, Source.id == Provenance.source_id)
                .join(Resource, Resource.id == Provenance.resource_id)
                .where(
                    Provenance.resource_id.in_(resource_ids[start : start + _BATCH]),
                    Source.name == source_name,
                    Provenance.deleted.is_(False),
                )
                .order_by(Provenance.id)
            ).all()
            for provenance_id, resource_id, own_hash, shown_hash in rows:
                # Within one source a material has one live record; were there more, the first
                # is the one the source brought, as `oer.harvesting.provenance` prefers it.
                if resource_id in seen:
                    continue
                seen.add(resource_id)
                if own_hash != shown_hash:
                    differing[provenance_id] = resource_id
        records: dict[str, Any] = {}
        ids = sorted(differing)
        for start in range(0, len(ids), _BATCH):
            for provenance_id, record in self.session.execute(
                select(Provenance.id, Provenance.record).where(Provenance.id.in_(ids[start : start + _BATCH]))
            ):
                records[differing[provenance_id]] = record
        return records


def _stored_format(metadata_prefix: str | None) -> MetadataFormat | None:
    """The feed format whose payloads the store keeps for `metadata_prefix`; None reads records."""
    return None if metadata_prefix is None else FORMATS.get(metadata_prefix)


def _content_columns(metadata_format: MetadataFormat | None) -> tuple[Any, ...]:
    """The columns `record`, or `version` and `payload` of the format's stored payload."""
    if metadata_format is None:
        return (Resource.record,)
    return (FeedPayload.version, FeedPayload.payload)


def _resource_items(metadata_format: MetadataFormat | None) -> Select[Any]:
    """Resources as items with their own state: (id, datestamp, deleted, sets, content)."""
    query = select(
        Resource.id.label("id"),
        Resource.feed_datestamp.label("datestamp"),
        Resource.deleted.label("deleted"),
        _sets_of(Resource.id),
        *_content_columns(metadata_format),
    )
    if metadata_format is not None:
        query = query.outerjoin(FeedPayload, _payload_of(Resource.id, metadata_format))
    return query


def _sets_of(resource_id: Any) -> Any:
    """The column `sets`: the resource's current set specs, space-separated (a spec holds no
    space), or NULL; in the list's own query, each an index range on the membership's key."""
    # An alias: a set's list selects from feed_membership too, and must not be correlated to it.
    membership = aliased(FeedMembership)
    return (
        select(func.aggregate_strings(membership.set_spec, " "))
        .where(membership.resource_id == resource_id, membership.member.is_(True))
        .scalar_subquery()
        .label("sets")
    )


def _payload_of(resource_id: Any, metadata_format: MetadataFormat) -> ColumnElement[bool]:
    return and_(
        FeedPayload.resource_id == resource_id,
        FeedPayload.metadata_prefix == metadata_format.prefix,
    )


def _window(
    column: Any,
    from_: datetime | None,
    until: datetime | None,
    after: tuple[datetime, str] | None = None,
) -> list[ColumnElement[bool]]:
    """`from` and `until` are inclusive bounds (OAI-PMH 2.0, 3.3.1).

    A position at or past `from` already implies it; leaving the bound out then
    lets SQLite start its index range at the position (with both, it picks the
    plain bound and scans every row of a crowded datestamp up to the position).
    """
    bounds = []
    if from_ is not None and (after is None or after[0] < from_):
        bounds.append(column >= from_)
    if until is not None:
        bounds.append(column <= until)
    return bounds


def _after(datestamp: Any, resource_id: Any, position: tuple[datetime, str]) -> ColumnElement[bool]:
    """Rows strictly after a position: a row-value comparison, an index range on both backends."""
    stamp, oai_identifier = position
    # The local part of an identifier (UUIDs hold no ':'); a position is ours, from a signed token.
    local = oai_identifier.rsplit(":", 1)[-1]
    return tuple_(datestamp, resource_id) > tuple_(literal(stamp, datestamp.type), literal(local))

