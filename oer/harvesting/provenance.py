"""Harvested records into resources: dedup, provenance, merge, tombstones. I/O: database.

Harvesting decides, the catalogue writes: this module owns the provenances and
decides what each touched resource becomes; the Resource rows, their dedup keys
and relations are written by the catalogue (`oer.catalogue.service`, the one
writer of resource state), with the rows decided here.

The rules, in one place:

- Identity. A source's record is known by (source, OAI identifier): its
  `Provenance`. Within one source, distinct OAI identifiers are always distinct
  materials. A record seen for the first time joins an existing harvested
  resource of other sources when they share a strong key (`oer.catalogue.keys`:
  a canonical identifier such as `urn:uuid:…` or a DOI; an OAI identifier, the
  record's own or an origin's that Edurep names in `<about><provenance>`; the
  target of an `isversionof`/`hasformat` relation), or share a location
  URL and their titles agree as well; records that only share a URL stay
  separate materials. Preference among several matches: a live resource over a
  tombstone, an identifier match over a location match, then the oldest
  resource. Otherwise it makes a new resource (a fresh UUID). A record whose
  identifier is that of a material published or arranged here is refused and
  reported (FAILED with the reason): harvesting never claims those. A
  provenance stays with its resource for good, even if its keys change later,
  so resource ids are stable.
- What a resource shows. A source changes only what it provided itself: the
  record shown is the record of the first live provenance (the source that
  brought the material), until that source deletes it; then the next one seen.
  Another source's record of the same material is kept as its provenance and
  shown as its copy, never as a replacement. Records are not mixed field by
  field: a record stays one source's coherent statement.
- Deletion. A source's deletion marks only that source's provenance deleted.
  When no live provenance is left, the resource becomes a tombstone
  (deleted=True, deleted_at set) and is kept, with its last record, for the
  feed's `deletedRecord=persistent`; a later record from any source that
  matches it brings it back under the same id.
- What follows. Resources this page changed (a new or changed record shown,
  another set of live sources, a resource becoming live or a tombstone) are
  marked through the catalogue (`oer.catalogue.changes`); a resource whose
  shown record stays while another source's record of it changed is marked
  touched, since the feed's set of that source serves that source's own
  record (`oer.feed.repository`). The feed's sets and datestamps
  (`oer.feed.projection`) and the search index follow from the marks when the
  unit of work commits. The marks are made here, not by the
  catalogue's writer: a change of live sources changes no Resource row.
  Writers whose change is not in the record (curation, annotations) mark with
  `oer.catalogue.service.touch`.
- Unchanged. A record whose content (its JSON without datestamp and OAI
  identifier) hashes as before is UNCHANGED and writes nothing but the
  provenance's datestamp and harvest time (the provenance's stored record
  keeps the datestamp of its last content change; `source_datestamp` is
  always the latest).

Work is done a page at a time (`apply_harvested_page`): a fixed number of
queries per page whatever its size, inside the caller's transaction.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from harvester.outcome import Outcome
from metadata.record import Record
from oer.catalogue import service as catalogue
from oer.catalogue.changes import mark_changed
from oer.catalogue.content import encode_record
from oer.catalogue.keys import Key, KeyKind, fits_index, oai_record_keys, record_keys, same_material_keys
from oer.catalogue.models import (
    Origin,
    Resource,
    ResourceKey,
    new_resource_id,
)
from oer.harvesting.archive import RawVersion, archive_raw_records, xml_bytes
from oer.harvesting.models import Provenance, RawStatus, Source
from oer.store.bulk import by_columns
from oer.store.types import EncodedJSON, parse_datestamp, to_second, utcnow

# Fields of a record that say when and under which name a source served it, not what it says.

# Provenances withdrawn per transaction-sized step in `withdraw_provenances`.
_WITHDRAW_BATCH = 500


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A normalised record as the store keeps it: its JSON, encoded once, and what deciding reads.

    Made where the record is normalised (`stored_record`), so the JSON that is
    hashed is the JSON that is stored, and a helper process hands over a few
    strings instead of a graph of objects.
    """

    # `Record.to_dict()` encoded: the provenance's (and the resource's) stored record.
    json: str
    # `oer.catalogue.content.record_hash` of the same form.
    content_hash: str
    title: str | None
    completeness: float
    # (kind, target) of each relation, in order: what the catalogue's relation rows are made of.
    relations: tuple[tuple[str, str], ...]
    # The record's own identifiers (what it may be refused for claiming), and the other keys
    # it names its material by (`oer.catalogue.keys`).
    own_keys: frozenset[Key]
    material_keys: frozenset[Key]


def stored_record(record: Record) -> StoredRecord:
    """`record` in the form the store writes (see `StoredRecord`)."""
    text, content_hash = encode_record(record.to_dict())
    return StoredRecord(
        json=text,
        content_hash=content_hash,
        title=record.title,
        completeness=float(record.completeness.score or 0.0),
        relations=tuple((relation.kind, relation.target) for relation in record.relations),
        own_keys=record_keys(record),
        material_keys=same_material_keys(record),
    )


@dataclass(frozen=True, slots=True)
class HarvestedRecord:
    """One record of a ListRecords page, as the harvester hands it to the store.

    `record` is the normalised record, or `stored` its stored form (the harvest
    hands over that, made where the record was normalised); both None for
    deletions and failures. `failure` the reason a record could not be used (it
    is then archived as FAILED and nothing else changes); `raw_xml` the
    record's original XML, and `raw_sha256` its SHA-256 when the harvester has
    it already.
    """

    oai_identifier: str
    datestamp: datetime | str
    record: Record | None = None
    deleted: bool = False
    raw_xml: bytes | str | None = None
    failure: str | None = None
    # OAI identifiers of the same record at the repositories it was harvested from before.
    origin_identifiers: tuple[str, ...] = ()
    stored: StoredRecord | None = None
    raw_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class PageResult:
    """What a page did: one outcome per record (in order), and what the search index must do."""

    outcomes: tuple[Outcome, ...] = ()
    # Live resources whose shown record or sources changed: (re)index these.
    changed_ids: frozenset[str] = frozenset()
    # Resources that became tombstones: remove these from the index.
    deleted_ids: frozenset[str] = frozenset()
    # The latest datestamp among the page's records (for the checkpoint).
    last_datestamp: datetime | None = None
    counts: Mapping[Outcome, int] = field(default_factory=dict)
    # Why the store refused records that were fine on their own (by OAI identifier).
    refusals: Mapping[str, str] = field(default_factory=dict)

    def count(self, outcome: Outcome) -> int:
        return self.counts.get(outcome, 0)

    def merged_with(self, other: PageResult) -> PageResult:
        deleted = (self.deleted_ids - other.changed_ids) | other.deleted_ids
        changed = (self.changed_ids - other.deleted_ids) | other.changed_ids
        stamps = [s for s in (self.last_datestamp, other.last_datestamp) if s is not None]
        return PageResult(
            outcomes=self.outcomes + other.outcomes,
            changed_ids=frozenset(changed),
            deleted_ids=frozenset(deleted),
            last_datestamp=max(stamps) if stamps else None,
            counts=dict(Counter(self.counts) + Counter(other.counts)),
            refusals={**self.refusals, **other.refusals},
        )


def apply_harvested_record(
    session: Session,
    source: Source,
    oai_identifier: str,
    datestamp: datetime | str,
    record: Record | None,
    deleted: bool,
    raw_xml: bytes | str | None,
) -> Outcome:
    """Apply one harvested record; see `apply_harvested_page` (prefer it: one call per page)."""
    item = HarvestedRecord(oai_identifier, datestamp, record, deleted, raw_xml)
    return apply_harvested_page(session, source, [item]).outcomes[0]


def record_failed(
    session: Session,
    source: Source,
    oai_identifier: str,
    datestamp: datetime | str,
    raw_xml: bytes | str | None,
    reason: str,
) -> Outcome:
    """Keep a record that could not be used (raw XML + reason); the resource is left as it was."""
    item = HarvestedRecord(oai_identifier, datestamp, raw_xml=raw_xml, failure=reason)
    return apply_harvested_page(session, source, [item]).outcomes[0]


def apply_harvested_page(
    session: Session, source: Source, items: Sequence[HarvestedRecord]
) -> PageResult:
    """Archive and apply one page of harvested records; flushes, never commits."""
    return _Page(session, source, utcnow()).apply(items)


def withdraw_provenances(
    session: Session, source: Source, *, harvested_before: datetime | None = None
) -> PageResult:
    """Mark the source's live provenances deleted, as if the source had deleted them.

    With `harvested_before`, only those not harvested since then: after a full
    harvest that started then, these are the records the source no longer has.
    Without it, all of them (the source is being removed). Flushes, never commits.
    """
    result = PageResult()
    last_id = 0
    while True:
        query = (
            select(*_PROVENANCE_SUMMARY)
            .where(
                Provenance.source_id == source.id,
                Provenance.deleted.is_(False),
                Provenance.id > last_id,
            )
            .order_by(Provenance.id)
            .limit(_WITHDRAW_BATCH)
        )
        if harvested_before is not None:
            query = query.where(Provenance.harvested_at < harvested_before)
        rows = session.execute(query).all()
        if not rows:
            return result
        last_id = rows[-1].id
        page = _Page(session, source, utcnow())
        for row in rows:
            page.withdraw(_Prov.from_row(row, source.name))
        result = result.merged_with(page.finish([Outcome.DELETED] * len(rows)))


def _plain_title(title: Any) -> str:
    """A title compared for a location match: letters and digits only, case folded."""
    # `[\W_]` is exactly what str.isalnum() is not.
    return _NOT_ALPHANUMERIC.sub("", str(title or "").casefold())


_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


# A provenance's record: as this page made it, or as loaded from its row.
_RecordForm = StoredRecord | dict[str, Any]


def _row_value(record: _RecordForm) -> Any:
    """What a `record` column is given: the JSON encoded already, or the document to encode."""
    return EncodedJSON(record.json) if isinstance(record, StoredRecord) else record


def _title(record: _RecordForm) -> Any:
    return record.title if isinstance(record, StoredRecord) else record.get("title")


def _with_relations(record: _RecordForm) -> Mapping[str, Any]:
    """What the catalogue's `replace_relations` reads of a record: its relations."""
    if isinstance(record, StoredRecord):
        return {"relations": [{"kind": kind, "target": target} for kind, target in record.relations]}
    return record


# What deciding about a provenance needs, without its (large) record.
_PROVENANCE_SUMMARY = (
    Provenance.id,
    Provenance.resource_id,
    Provenance.oai_identifier,
    Provenance.source_datestamp,
    Provenance.completeness,
    Provenance.content_hash,
    Provenance.deleted,
)


class _Change(enum.Enum):
    """What a page does to a provenance row, from least to most."""

    NONE = 0
    SEEN = 1  # datestamp and harvest time only
    STATUS = 2  # deleted flag too
    CONTENT = 3  # record, hash and keys too
    NEW = 4


@dataclass(slots=True)
class _Prov:
    """A provenance as the page sees it: loaded as a summary, changed in memory, then written."""

    id: int | None
    resource_id: str
    oai_identifier: str
    source_name: str
    source_datestamp: datetime
    completeness: float
    content_hash: str
    deleted: bool
    deleted_at: datetime | None = None
    record: _RecordForm | None = None
    keys: frozenset[Key] = frozenset()
    change: _Change = _Change.NONE
    # The datestamp as stored before this page (None for a new provenance).
    stored_datestamp: datetime | None = None
    # Whether it was live before this page (False for a new provenance).
    was_live: bool = False

    @classmethod
    def from_row(cls, row: Any, source_name: str) -> _Prov:
        return cls(
            stored_datestamp=row.source_datestamp,
            id=row.id,
            resource_id=row.resource_id,
            oai_identifier=row.oai_identifier,
            source_name=source_name,
            source_datestamp=row.source_datestamp,
            completeness=row.completeness,
            content_hash=row.content_hash,
            deleted=row.deleted,
            was_live=not row.deleted,
        )

    def mark(self, change: _Change) -> None:
        if change.value > self.change.value:
            self.change = change

    def preference(self) -> int:
        """First seen (lowest id) first: the source that brought a material keeps what it shows."""
        return -(self.id or 1 << 62)


@dataclass(slots=True)
class _Candidate:
    resource_id: str
    deleted: bool
    created_at: datetime
    kind: KeyKind
    origin: Origin
    # The resource's shown title, compared as `_plain_title`.
    title: str

    def rank(self) -> tuple[bool, bool, datetime, str]:
        return (self.deleted, self.kind is not KeyKind.IDENTIFIER, self.created_at, self.resource_id)


@dataclass(slots=True)
class _Prepared:
    item: HarvestedRecord
    datestamp: datetime | None = None
    failure: str | None = None
    stored: StoredRecord | None = None
    content_hash: str | None = None
    keys: frozenset[Key] = frozenset()
    # The record's own identifiers (catalog entries, location): what it may be refused for claiming.
    own_keys: frozenset[Key] = frozenset()


@dataclass(slots=True)
class _ResourceState:
    """A touched resource: its stored summary (None when new in this page)."""

    id: str
    created_at: datetime
    content_hash: str | None = None
    feed_hash: str | None = None
    deleted: bool = False
    deleted_at: datetime | None = None


class _Page:
    """The work of one page: decides in memory, then writes with a few bulk statements.

    The queries per page are fixed whatever its size: provenances and dedup
    candidates up front; the touched resources' other provenances and stored
    summaries; then bulk inserts and updates by primary key (the provenances
    here, the resources, keys and relations through `oer.catalogue.service`).
    """

    def __init__(self, session: Session, source: Source, now: datetime) -> None:
        self.session = session
        self.source = source
        self.now = now
        # This source's provenances the page reads or writes, by OAI identifier.
        self.provenances: dict[str, _Prov] = {}
        self.candidates: dict[Key, list[_Candidate]] = {}
        self.new_resources: set[str] = set()
        self.touched: set[str] = set()
        # Keys that joined a resource during this page (waiting relations that name them resolve).
        self.new_keys: dict[Key, str] = {}
        # Resources this source already serves with a live record: never a match for another of its
        # records (within one source, distinct identifiers are distinct materials).
        self.served: set[str] = set()
        # Why the store refused a record (by OAI identifier), for the run's errors.
        self.refusals: dict[str, str] = {}

    def apply(self, items: Sequence[HarvestedRecord]) -> PageResult:
        prepared = [self._prepare(item) for item in items]
        self._archive(prepared)
        usable = [p for p in prepared if p.failure is None]
        self._load_provenances({p.item.oai_identifier for p in usable})
        self._load_candidates(
            key
            for p in usable
            if p.stored is not None and p.item.oai_identifier not in self.provenances
            for key in p.keys
        )
        outcomes = [self._apply_one(p) for p in prepared]
        result = self.finish(outcomes)
        stamps = [p.datestamp for p in prepared if p.datestamp is not None]
        return PageResult(
            outcomes=result.outcomes,
            changed_ids=result.changed_ids,
            deleted_ids=result.deleted_ids,
            last_datestamp=max(stamps) if stamps else None,
            counts=result.counts,
            refusals=result.refusals,
        )

    def withdraw(self, provenance: _Prov) -> None:
        self.provenances[provenance.oai_identifier] = provenance
        provenance.deleted = True
        provenance.deleted_at = self.now
        provenance.mark(_Change.STATUS)
        self.touched.add(provenance.resource_id)

    def finish(self, outcomes: list[Outcome]) -> PageResult:
        states = self._resource_states()
        others = self._other_provenances()
        plans = [self._plan(states[rid], others.get(rid, [])) for rid in sorted(self.touched)]
        self._load_best_records(plans)
        self._write(plans)
        # The feed's sets and datestamps, and the search index, follow from these marks when
        # the unit of work commits (`oer.catalogue.changes`): a changed record, a changed set
        # of live sources or a resource becoming live or a tombstone is a change the feed shows.
        changed = [p for p in plans if p.changed]
        mark_changed(self.session, (p.state.id for p in changed), self.now)
        # A new record from a source whose record the resource does not show changes nothing
        # the resource shows, but the feed's set of that source serves that source's own record
        # (`oer.feed.repository`): the resource is touched, so its feed datestamp moves.
        copies = [p for p in plans if not p.changed and p.copy_changed]
        mark_changed(self.session, (p.state.id for p in copies), self.now, touched=True)
        return PageResult(
            outcomes=tuple(outcomes),
            changed_ids=frozenset(p.state.id for p in changed if p.live),
            deleted_ids=frozenset(p.state.id for p in changed if not p.live),
            counts=dict(Counter(outcomes)),
            refusals=dict(self.refusals),
        )

    # -- deciding, per record ------------------------------------------------------------------

    def _prepare(self, item: HarvestedRecord) -> _Prepared:
        prepared = _Prepared(item)
        try:
            prepared.datestamp = parse_datestamp(item.datestamp)
        except (TypeError, ValueError):
            prepared.failure = item.failure or f"unreadable datestamp {item.datestamp!r}"
        if not item.oai_identifier.strip() or not fits_index(item.oai_identifier):
            prepared.failure = item.failure or "OAI identifier is empty or too long"
        if prepared.failure is not None:
            return prepared
        if item.failure is not None:
            prepared.failure = item.failure
        elif not item.deleted:
            stored = item.stored
            if stored is None and item.record is not None:
                stored = stored_record(item.record)
            if stored is None:
                prepared.failure = "no record and not deleted"
            else:
                prepared.stored = stored
                prepared.content_hash = stored.content_hash
                prepared.own_keys = stored.own_keys
                prepared.keys = (stored.own_keys | stored.material_keys
                                 | oai_record_keys((item.oai_identifier, *item.origin_identifiers)))
        return prepared

    def _apply_one(self, p: _Prepared) -> Outcome:
        if p.failure is not None or p.datestamp is None:
            return Outcome.FAILED
        provenance = self.provenances.get(p.item.oai_identifier)
        if p.item.deleted:
            if provenance is None:
                return Outcome.SKIPPED
            provenance.source_datestamp = p.datestamp
            provenance.mark(_Change.SEEN)
            if provenance.deleted:
                return Outcome.SKIPPED
            self.withdraw(provenance)
            return Outcome.DELETED
        assert p.stored is not None and p.content_hash is not None
        if provenance is None:
            claimed = self._claimed_material(p.own_keys)
            if claimed is not None:
                self.refusals[p.item.oai_identifier] = (
                    f"its identifier {claimed} is that of a material published here; "
                    "a harvested record never replaces it")
                return Outcome.FAILED
            joined = self._create(p, p.datestamp)
            return Outcome.MERGED if joined else Outcome.CREATED
        provenance.source_datestamp = p.datestamp
        provenance.mark(_Change.SEEN)
        if not provenance.deleted and provenance.content_hash == p.content_hash:
            return Outcome.UNCHANGED
        was_live = not provenance.deleted
        provenance.record = p.stored
        provenance.content_hash = p.content_hash
        provenance.completeness = p.stored.completeness
        provenance.deleted = False
        provenance.deleted_at = None
        provenance.keys = p.keys
        provenance.mark(_Change.CONTENT)
        for key in p.keys:
            self.new_keys.setdefault(key, provenance.resource_id)
        self.touched.add(provenance.resource_id)
        return Outcome.UPDATED if was_live else Outcome.CREATED

    def _create(self, p: _Prepared, datestamp: datetime) -> bool:
        """Add the record's provenance; True when it joined a material another source brought."""
        assert p.stored is not None and p.content_hash is not None
        resource_id = self._match(p)
        joined = resource_id is not None
        if resource_id is None:
            resource_id = new_resource_id()
            self.new_resources.add(resource_id)
        provenance = _Prov(
            id=None,
            resource_id=resource_id,
            oai_identifier=p.item.oai_identifier,
            source_name=self.source.name,
            source_datestamp=datestamp,
            completeness=p.stored.completeness,
            content_hash=p.content_hash,
            deleted=False,
            record=p.stored,
            keys=p.keys,
            change=_Change.NEW,
        )
        self.provenances[p.item.oai_identifier] = provenance
        for key in p.keys:
            self.new_keys.setdefault(key, resource_id)
        self.touched.add(resource_id)
        self.served.add(resource_id)
        return joined

    def _match(self, p: _Prepared) -> str | None:
        """The harvested resource of other sources this new record describes too, if any.

        Records earlier in this page are this source's own, so they never match.
        """
        assert p.stored is not None
        candidates = [
            candidate
            for key in p.keys
            for candidate in self.candidates.get(key, ())
            if candidate.origin is Origin.HARVESTED and candidate.resource_id not in self.served
        ]
        if not candidates:
            return None
        title = _plain_title(p.stored.title)
        # A shared URL alone is no proof: many records point at one landing page or zip.
        found = [candidate for candidate in candidates
                 if candidate.kind is KeyKind.IDENTIFIER or (title and candidate.title == title)]
        return min(found, key=_Candidate.rank).resource_id if found else None

    def _claimed_material(self, keys: frozenset[Key]) -> str | None:
        """The identifier of a material published or arranged here that these keys name, if any."""
        for key in sorted(k for k in keys if k[0] is KeyKind.IDENTIFIER):
            if any(c.origin is not Origin.HARVESTED for c in self.candidates.get(key, ())):
                return key[1]
        return None

    # -- reading -------------------------------------------------------------------------------

    def _archive(self, prepared: list[_Prepared]) -> None:
        versions = []
        for p in prepared:
            if p.item.raw_xml is None:
                continue
            if p.failure is not None:
                status = RawStatus.FAILED
            elif p.item.deleted:
                status = RawStatus.DELETED
            else:
                status = RawStatus.OK
            identifier = p.item.oai_identifier
            versions.append(
                RawVersion(
                    # A failed record is kept whatever its header: an identifier too long
                    # for the index is cut (the reason says so), a missing datestamp is
                    # replaced by the time it was received.
                    oai_identifier=identifier if fits_index(identifier) else identifier[:500],
                    datestamp=p.datestamp or self.now,
                    xml=xml_bytes(p.item.raw_xml),
                    status=status,
                    failure_reason=p.failure,
                    sha256=p.item.raw_sha256,
                )
            )
        archive_raw_records(self.session, self.source, versions)

    def _load_provenances(self, identifiers: set[str]) -> None:
        if not identifiers:
            return
        rows = self.session.execute(
            select(*_PROVENANCE_SUMMARY).where(
                Provenance.source_id == self.source.id,
                Provenance.oai_identifier.in_(identifiers),
            )
        )
        for row in rows:
            self.provenances[row.oai_identifier] = _Prov.from_row(row, self.source.name)

    def _load_candidates(self, keys: Iterable[Key]) -> None:
        wanted = set(keys)
        if not wanted:
            return
        rows = self.session.execute(
            select(
                ResourceKey.kind,
                ResourceKey.value,
                ResourceKey.resource_id,
                Resource.deleted,
                Resource.created_at,
                Resource.origin,
                Resource.title,
            )
            .join(Resource, Resource.id == ResourceKey.resource_id)
            .where(ResourceKey.value.in_({value for _, value in wanted}))
        )
        for row in rows:
            key = (row.kind, row.value)
            if key in wanted:
                self.candidates.setdefault(key, []).append(_Candidate(
                    row.resource_id, row.deleted, row.created_at, row.kind, row.origin, _plain_title(row.title)))
        candidates = {c.resource_id for found in self.candidates.values() for c in found}
        if candidates:
            self.served.update(self.session.scalars(
                select(Provenance.resource_id).where(
                    Provenance.source_id == self.source.id,
                    Provenance.deleted.is_(False),
                    Provenance.resource_id.in_(candidates),
                )
            ))

    def _resource_states(self) -> dict[str, _ResourceState]:
        states = {rid: _ResourceState(rid, self.now) for rid in self.new_resources}
        stored = self.touched - self.new_resources
        if stored:
            rows = self.session.execute(
                select(
                    Resource.id,
                    Resource.created_at,
                    Resource.content_hash,
                    Resource.feed_hash,
                    Resource.deleted,
                    Resource.deleted_at,
                ).where(Resource.id.in_(stored))
            )
            for row in rows:
                states[row.id] = _ResourceState(*row)
        return states

    def _other_provenances(self) -> dict[str, list[_Prov]]:
        """Every provenance of the touched resources: the page's own, and the stored others."""
        mine = {p.id: p for p in self.provenances.values() if p.id is not None}
        grouped: dict[str, list[_Prov]] = {}
        for p in self.provenances.values():
            if p.resource_id in self.touched and p.change is not _Change.NONE:
                grouped.setdefault(p.resource_id, []).append(p)
        stored = self.touched - self.new_resources
        if stored:
            rows = self.session.execute(
                select(*_PROVENANCE_SUMMARY, Source.name)
                .join(Source, Source.id == Provenance.source_id)
                .where(Provenance.resource_id.in_(stored))
            )
            for row in rows:
                own = mine.get(row.id)
                if own is not None and own.change is not _Change.NONE:
                    continue
                grouped.setdefault(row.resource_id, []).append(_Prov.from_row(row, row.name))
        return grouped

    # -- resources -----------------------------------------------------------------------------

    def _plan(self, state: _ResourceState, provenances: list[_Prov]) -> _Plan:
        live = [p for p in provenances if not p.deleted]
        plan = _Plan(state=state, live=bool(live))
        if live:
            plan.best = max(live, key=_Prov.preference)
        elif state.content_hash is None and provenances:
            # Made and deleted within this page: a tombstone needs a record to show all the same.
            plan.best = max(provenances, key=_Prov.preference)
        # An older tombstone keeps showing its last record.
        plan.content_hash = plan.best.content_hash if plan.best else state.content_hash or ""
        plan.sources = frozenset(p.source_name for p in live)
        plan.content_changed = plan.content_hash != state.content_hash
        was_live = state.content_hash is not None and not state.deleted
        served_before = frozenset(p.source_name for p in provenances if p.was_live)
        plan.changed = (
            state.content_hash is None
            or plan.content_changed
            or plan.live != was_live
            or (plan.live and plan.sources != served_before)
        )
        plan.copy_changed = any(p.change is _Change.CONTENT and not p.deleted for p in live)
        return plan

    def _load_best_records(self, plans: list[_Plan]) -> None:
        missing = {
            p.best.id: p.best
            for p in plans
            if p.best is not None and p.content_changed and p.best.record is None
        }
        if missing:
            rows = self.session.execute(
                select(Provenance.id, Provenance.record).where(Provenance.id.in_(list(missing)))
            )
            for provenance_id, record in rows:
                missing[provenance_id].record = record

    def _write(self, plans: list[_Plan]) -> None:
        now, stamp = self.now, to_second(self.now)
        new_rows, updates = [], []
        for plan in plans:
            state = plan.state
            record = plan.best.record if plan.best is not None and plan.content_changed else None
            values: dict[str, Any] = {"id": state.id}
            if record is not None:
                values.update(record=_row_value(record), title=_title(record))
            if plan.content_changed:
                values["content_hash"] = plan.content_hash
            if state.id in self.new_resources or plan.live == state.deleted:
                values.update(
                    deleted=not plan.live,
                    deleted_at=None if plan.live else (state.deleted_at if state.deleted else now),
                )
            if state.id in self.new_resources:
                # The feed projection gives it its real feed hash when the unit of work commits.
                values.update(
                    origin=Origin.HARVESTED, created_at=now, updated_at=now,
                    feed_hash="", feed_datestamp=stamp,
                )
                new_rows.append(values)
            elif len(values) > 1:
                updates.append(values)
        # The catalogue writes what was decided here (`oer.catalogue.service`).
        catalogue.insert_resources(self.session, new_rows)
        self._write_provenances()
        catalogue.update_resources(self.session, updates)
        catalogue.replace_relations(
            self.session,
            [(p.state.id, _with_relations(p.best.record))
             for p in plans if p.best and p.content_changed and p.best.record],
        )
        catalogue.resolve_waiting_relations(self.session, self.new_keys)

    def _write_provenances(self) -> None:
        now = self.now
        new = [p for p in self.provenances.values() if p.change is _Change.NEW]
        if new:
            # One multi-row INSERT ... RETURNING (SQLAlchemy's "insertmanyvalues"; SQLite 3.35 or
            # later), not an insert and a SELECT: the ids come back with their natural key, so the
            # order they come back in does not matter.
            table = cast(Table, Provenance.__table__)
            ids = self.session.execute(
                insert(table).returning(table.c.oai_identifier, table.c.id),
                [
                    {
                        "resource_id": p.resource_id,
                        "source_id": self.source.id,
                        "oai_identifier": p.oai_identifier,
                        "source_datestamp": p.source_datestamp,
                        "record": None if p.record is None else _row_value(p.record),
                        "content_hash": p.content_hash,
                        "completeness": p.completeness,
                        "harvested_at": now,
                        "deleted": p.deleted,
                        "deleted_at": p.deleted_at,
                    }
                    for p in new
                ],
            )
            for oai_identifier, provenance_id in ids:
                self.provenances[oai_identifier].id = provenance_id
        seen: list[int] = []
        updates: list[dict[str, Any]] = []
        for p in self.provenances.values():
            if p.change in (_Change.NONE, _Change.NEW):
                continue
            assert p.id is not None
            if p.change is _Change.SEEN and p.source_datestamp == p.stored_datestamp:
                seen.append(p.id)
                continue
            values: dict[str, Any] = {
                "id": p.id,
                "source_datestamp": p.source_datestamp,
                "harvested_at": now,
            }
            if p.change.value >= _Change.STATUS.value:
                values.update(deleted=p.deleted, deleted_at=p.deleted_at)
            if p.change is _Change.CONTENT:
                values.update(
                    record=None if p.record is None else _row_value(p.record), content_hash=p.content_hash,
                    completeness=p.completeness,
                )
            updates.append(values)
        if seen:
            # Re-served unchanged with the same datestamp (a full re-harvest): one statement.
            self.session.execute(
                update(Provenance).where(Provenance.id.in_(seen)).values(harvested_at=now)
            )
        for group in by_columns(updates):
            self.session.execute(update(Provenance), group)
        rekeyed = [p for p in self.provenances.values() if p.change is _Change.CONTENT]
        catalogue.replace_keys(
            self.session,
            [cast(int, p.id) for p in rekeyed],
            [(p.resource_id, cast(int, p.id), p.keys) for p in (*new, *rekeyed)],
        )


@dataclass(slots=True)
class _Plan:
    """What a touched resource becomes."""

    state: _ResourceState
    live: bool
    best: _Prov | None = None
    content_hash: str = ""
    # Names of the sources that serve it now.
    sources: frozenset[str] = frozenset()
    content_changed: bool = False
    # A change the feed and the search index show (what `finish` marks).
    changed: bool = False
    # A live source's own record changed (shown or not): its source set serves it.
    copy_changed: bool = False
