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

Both orders equal the contract's order: every identifier has the same
``oai:REPOSITORY-ID:`` prefix, so identifiers compare as their resource ids
do, and resource ids are lower-case UUIDs (`oer.catalogue.models.new_resource_id`),
whose order is the same under every collation (hex digits, hyphens at fixed
places), binary included. The feed reads the database only, never the search
index, so it keeps working while search is down.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, literal, select, tuple_
from sqlalchemy.orm import Session

from metadata.record import Annotation, Record
from oer.catalogue.models import Resource
from oer.collections.models import Collection
from oer.feed.models import FeedMembership
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
from oer.harvesting.models import Source
from oer.quality.queries import lom_annotations
from oer.store.types import to_second, utcnow

# The domain-name part of oai:DOMAIN:LOCAL identifiers, unless configured (OER_OAI_REPOSITORY_ID).
DEFAULT_REPOSITORY_ID = "oer.local"
# Shown in Identify's oai-identifier description; any well-formed identifier will do.
_SAMPLE_LOCAL_ID = "5b1e2c3d-0000-4000-8000-000000000000"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of the feed as a list (or a single lookup) shows it.

    `record` is None exactly when the item is shown as deleted; `set_specs`
    are the sets the resource is in now (a tombstone's: those it was in when
    deleted), sorted.
    """

    oai_identifier: str
    datestamp: datetime
    deleted: bool
    set_specs: tuple[str, ...]
    record: Record | None

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

    def get_item(self, oai_identifier: str) -> FeedEntry | None:
        """The item with its own state (no set perspective), or None for an unknown identifier."""
        resource_id = self.resource_id(oai_identifier)
        if resource_id is None:
            return None
        row = self.session.execute(
            select(Resource.id, Resource.feed_datestamp, Resource.deleted, Resource.record).where(
                Resource.id == resource_id
            )
        ).first()
        if row is None:
            return None
        return self._entries([(row.id, row.feed_datestamp, row.deleted, row.record)])[0]

    def list_items(
        self,
        set_spec: str | None,
        from_: datetime | None,
        until: datetime | None,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> list[FeedEntry]:
        """At most `limit` items strictly after `after`, ascending by (datestamp, oai_identifier)."""
        if set_spec is None:
            rows = self.session.execute(
                self._resource_list(from_, until, after).limit(limit)
            ).all()
            return self._entries([(r.id, r.feed_datestamp, r.deleted, r.record) for r in rows])
        rows = self.session.execute(
            self._set_list(set_spec, from_, until, after).limit(limit)
        ).all()
        # A former member shows as deleted in this set, whatever its own state.
        return self._entries(
            [(r.resource_id, r.datestamp, r.deleted or not r.member, r.record) for r in rows]
        )

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
        self, from_: datetime | None, until: datetime | None, after: tuple[datetime, str] | None
    ) -> Select[Any]:
        query = select(Resource.id, Resource.feed_datestamp, Resource.deleted, Resource.record)
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
    ) -> Select[Any]:
        query = (
            select(
                FeedMembership.resource_id,
                FeedMembership.datestamp,
                FeedMembership.member,
                Resource.deleted,
                Resource.record,
            )
            .join(Resource, Resource.id == FeedMembership.resource_id)
            .where(
                FeedMembership.set_spec == set_spec,
                *_window(FeedMembership.datestamp, from_, until, after),
            )
        )
        if after is not None:
            query = query.where(_after(FeedMembership.datestamp, FeedMembership.resource_id, after))
        return query.order_by(FeedMembership.datestamp, FeedMembership.resource_id)

    def _entries(self, rows: Sequence[tuple[str, datetime, bool, Any]]) -> list[FeedEntry]:
        """Entries for (resource id, datestamp, shown deleted, record JSON) rows, with their sets.

        A live record carries the quality annotations shown here after the
        ones its source gave (LOM category 8); a change of them moves the
        resource's datestamp (`oer.quality.service` touches it).
        """
        sets = self._current_sets(resource_id for resource_id, *_ in rows)
        annotations = lom_annotations(self.session, (r[0] for r in rows if not r[2]))
        return [
            FeedEntry(
                oai_identifier=self.oai_identifier(resource_id),
                datestamp=datestamp,
                deleted=deleted,
                set_specs=tuple(sorted(sets.get(resource_id, ()))),
                record=None if deleted else _with_annotations(
                    Record.from_dict(record), annotations.get(resource_id, ())
                ),
            )
            for resource_id, datestamp, deleted, record in rows
        ]

    def _current_sets(self, resource_ids: Iterable[str]) -> dict[str, list[str]]:
        ids = list(resource_ids)
        if not ids:
            return {}
        rows = self.session.execute(
            select(FeedMembership.resource_id, FeedMembership.set_spec).where(
                FeedMembership.resource_id.in_(ids), FeedMembership.member.is_(True)
            )
        )
        sets: dict[str, list[str]] = {}
        for resource_id, spec in rows:
            sets.setdefault(resource_id, []).append(spec)
        return sets


def _with_annotations(record: Record, annotations: tuple[Annotation, ...]) -> Record:
    return record.with_changes(annotations=record.annotations + annotations) if annotations else record


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

