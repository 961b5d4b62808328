"""The feed's stored payloads: each live resource's record serialised in every feed format. I/O: database.

What is stored, and why
-----------------------
One `FeedPayload` row per live resource and metadata format the feed offers
(`metadata.formats.FORMATS`): the bytes a response holds inside the record's
`<metadata>` element (`oer.feed.oai.formats.payload_bytes`), stamped with the
`PAYLOAD_VERSION` of the code that wrote them. A page of ListRecords is then
one keyset range over (datestamp, id) and a concatenation of stored bytes,
where it used to build and serialise a LOM tree per record.

Only the metadata, not the whole `<record>`: its header is a few strings the
list reads anyway (identifier, datestamp, sets), cheap to write per request,
and it differs per listing: a resource that left a set is a deleted header in
that set's list and a full record everywhere else, and its sets change without
its metadata changing. Stored headers would have to be kept per listing and
rewritten on every change of a set. The payloads are not compressed: serving
sends them as they are, and gzip is applied per page when asked.

What a payload is made of, and what rewrites it
-----------------------------------------------
A resource's payloads follow from

1. its stored record (`Resource.record`);
2. its shown quality annotations (`oer.quality.queries.lom_annotations`: the
   approved ones, in the words of their framework version, under the
   annotator's shown name), which travel after its source's own (LOM 8);
3. its deleted flag: a tombstone has no payload;
4. the serialising code, which `PAYLOAD_VERSION` stands for.

Set membership is not in them, and neither is a source's own record of a
material that shows another source's record (a merged material): the
``source:NAME`` set serves that one, serialised when it is listed, with the
same serialiser and the same annotations (`oer.feed.repository` says why it is
not stored). Every writer of 1-3 marks the resource changed
in its unit of work (`oer.catalogue.changes`): harvest updates and deletions
(`oer.harvesting.provenance`), publishing, arrangements and their withdrawal
(`oer.catalogue.service`), annotations added, replaced, moderated and taken
back and framework versions loaded (`oer.quality.service`), and a change of
an annotator's shown name, as an erased account's (`oer.quality.annotators`).
`FeedPayloadProjection` rewrites the payloads of every marked resource before
the commit, in the same transaction, so they are never behind what they are
made from. 4 is checked where they are read: the feed serves a payload of
another version, or a missing one, freshly serialised (`oer.feed.repository`),
and `rebuild_payloads` (`oer feed rebuild`) rewrites them; `payload_status`
counts them (`oer feed status`).

Concurrent writers
------------------
A resource's payloads are written by one transaction at a time: a writer
first locks the resources' rows (PostgreSQL ``FOR UPDATE``; a harvest holds
those locks already) and reads the records after it has the lock, so it never
stores the bytes of a record another transaction has since replaced, nor
collides with it inserting the same rows. SQLite has one writer at a time: a
transaction there takes the write lock with its first write, so the rebuild
deletes before it reads. The rebuild skips rows a writer holds (``SKIP
LOCKED``): that writer's own projection rewrites them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from metadata.formats import FORMATS
from metadata.lom import with_tree_annotations
from metadata.record import Record
from oer.catalogue.changes import Change
from oer.catalogue.models import Resource
from oer.feed.models import FeedPayload
from oer.feed.oai.formats import PAYLOAD_VERSION, payload_bytes
from oer.quality.queries import lom_annotations
from oer.store.bulk import insert_rows

# Resources per round of queries: well under SQLite's and PostgreSQL's bound-parameter limits,
# and a few megabytes of payloads per insert.
BATCH = 500


class FeedPayloadProjection:
    """Keeps every marked resource's `FeedPayload` rows in step with what the feed shows of it."""

    name = "feed-payloads"

    def project(self, session: Session, changes: Mapping[str, Change]) -> None:
        write_payloads(session, changes)


def shown_records(
    session: Session, resource_ids: Iterable[str], *, live_only: bool = True
) -> dict[str, Record]:
    """Resource id -> the record the feed shows of it (its shown annotations included), for the
    live ones of these resources; with `live_only` false for tombstones too (their last record)."""
    ids = sorted(set(resource_ids))
    stored: dict[str, Any] = {}
    for start in range(0, len(ids), BATCH):
        query = select(Resource.id, Resource.record).where(Resource.id.in_(ids[start : start + BATCH]))
        if live_only:
            query = query.where(Resource.deleted.is_(False))
        stored.update((row.id, row.record) for row in session.execute(query))
    return with_shown_annotations(session, stored)


def write_payloads(session: Session, resource_ids: Iterable[str], *, skip_locked: bool = False) -> list[str]:
    """Rewrite the payloads of these resources from what they show now; a tombstone's are dropped.

    Returns the ids written: all of them that exist, except, with `skip_locked`,
    those another transaction holds (PostgreSQL; see the module docstring).
    """
    ids = sorted(set(resource_ids))
    written: list[str] = []
    for start in range(0, len(ids), BATCH):
        written += _write_batch(session, ids[start : start + BATCH], skip_locked=skip_locked)
    return written


def _write_batch(session: Session, ids: Sequence[str], *, skip_locked: bool) -> list[str]:
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        # The write lock first: what is read below is then the newest, and stays so until the commit.
        session.execute(delete(FeedPayload).where(FeedPayload.resource_id.in_(ids)))
    rows = session.execute(
        select(Resource.id, Resource.deleted, Resource.record)
        .where(Resource.id.in_(ids))
        .order_by(Resource.id)
        .with_for_update(skip_locked=skip_locked)
    ).all()
    locked = [row.id for row in rows]
    if not sqlite and locked:
        session.execute(delete(FeedPayload).where(FeedPayload.resource_id.in_(locked)))
    records = with_shown_annotations(session, {row.id: row.record for row in rows if not row.deleted})
    payloads = [
        {
            "resource_id": resource_id,
            "metadata_prefix": metadata_format.prefix,
            "version": PAYLOAD_VERSION,
            "payload": payload_bytes(metadata_format, record),
        }
        for resource_id, record in records.items()
        for metadata_format in FORMATS
    ]
    if payloads:
        insert_rows(session, FeedPayload, payloads)
    return locked


def with_shown_annotations(session: Session, stored: Mapping[str, Any]) -> dict[str, Record]:
    """Resource id -> the record JSON `stored` gives for it, with the resource's shown annotations
    after the record's own: what the feed serves of that record (the resource's shown record,
    or in a source's set that source's own record of it, `oer.feed.repository`)."""
    annotations = lom_annotations(session, stored)
    return {
        resource_id: with_tree_annotations(Record.from_dict(record), annotations.get(resource_id, ()))
        for resource_id, record in stored.items()
    }



# -- status and rebuild ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FormatStatus:
    """Of the live resources, how many have a current, a stale or no payload in one format."""

    prefix: str
    current: int
    stale: int
    missing: int


@dataclass(frozen=True, slots=True)
class PayloadStatus:
    """The stored payloads against the live resources and the serialiser's version."""

    version: int
    live: int
    formats: tuple[FormatStatus, ...]
    # Payloads of tombstones or of formats no longer offered: never served, dropped by a rebuild.
    unused: int

    @property
    def to_rebuild(self) -> int:
        """Payloads that are stale or missing."""
        return sum(f.stale + f.missing for f in self.formats)


def payload_status(session: Session) -> PayloadStatus:
    """Counts per format, from the index on (prefix, version) and the tombstones' rows alone:
    never a read of the payloads themselves."""
    live = session.scalar(select(func.count()).select_from(Resource).where(Resource.deleted.is_(False))) or 0
    current = case((FeedPayload.version == PAYLOAD_VERSION, True), else_=False).label("current")
    counted = select(FeedPayload.metadata_prefix, current, func.count()).group_by(FeedPayload.metadata_prefix, current)
    counts: dict[tuple[str, bool], int] = {}
    for prefix, is_current, count in session.execute(counted):
        counts[(prefix, bool(is_current))] = count
    # Payloads of tombstones are counted apart: a projection drops them, so there are none or few.
    of_tombstones = counted.join(Resource, Resource.id == FeedPayload.resource_id).where(Resource.deleted.is_(True))
    unused = 0
    for prefix, is_current, count in session.execute(of_tombstones):
        counts[(prefix, bool(is_current))] -= count
        unused += count
    formats = []
    for metadata_format in FORMATS:
        fresh = counts.pop((metadata_format.prefix, True), 0)
        stale = counts.pop((metadata_format.prefix, False), 0)
        formats.append(FormatStatus(metadata_format.prefix, fresh, stale, live - fresh - stale))
    # What is left: payloads in formats no longer offered.
    return PayloadStatus(PAYLOAD_VERSION, live, tuple(formats), unused + sum(counts.values()))


@dataclass(frozen=True, slots=True)
class RebuildReport:
    """What `rebuild_payloads` did: live resources looked at, rewritten, unused payloads dropped."""

    checked: int
    rewritten: int
    dropped: int
    seconds: float


def rebuild_payloads(
    sessions: sessionmaker[Session],
    *,
    everything: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> RebuildReport:
    """Rewrite the stale and missing payloads of live resources (every one with `everything`),
    one transaction per batch, and drop the unused ones. Safe while the feed is served and written.

    `on_progress` is called with the number of live resources looked at so far.
    """
    started = time.perf_counter()
    checked = rewritten = 0
    held: list[str] = []
    after = ""
    while True:
        with sessions() as session:
            ids = list(
                session.scalars(
                    select(Resource.id)
                    .where(Resource.deleted.is_(False), Resource.id > after)
                    .order_by(Resource.id)
                    .limit(BATCH)
                )
            )
            needed = ids if everything else _needing_rebuild(session, ids)
        if not ids:
            break
        after = ids[-1]
        if needed:
            with sessions.begin() as session:
                written = write_payloads(session, needed, skip_locked=True)
            rewritten += len(written)
            held += sorted(set(needed) - set(written))
        checked += len(ids)
        if on_progress is not None:
            on_progress(checked)
    if held:
        # Their writers have committed since, and their projections rewrote what they changed.
        with sessions() as session:
            needed = _needing_rebuild(session, held)
        if needed:
            with sessions.begin() as session:
                rewritten += len(write_payloads(session, needed))
    with sessions.begin() as session:
        dropped = _drop_unused(session)
    return RebuildReport(checked, rewritten, dropped, time.perf_counter() - started)


def _needing_rebuild(session: Session, ids: Sequence[str]) -> list[str]:
    """Of these live resources, those without a current payload in every offered format."""
    if not ids:
        return []
    # By the primary key alone (resource id first): a filter on prefix and version would let
    # SQLite choose the (prefix, version) index and walk every payload's entry.
    rows = session.execute(
        select(FeedPayload.resource_id, FeedPayload.metadata_prefix, FeedPayload.version).where(
            FeedPayload.resource_id.in_(ids)
        )
    )
    current: dict[str, set[str]] = {}
    for resource_id, prefix, version in rows:
        if version == PAYLOAD_VERSION:
            current.setdefault(resource_id, set()).add(prefix)
    offered = {f.prefix for f in FORMATS}
    return [resource_id for resource_id in ids if not offered <= current.get(resource_id, set())]


def _drop_unused(session: Session) -> int:
    """Delete payloads of tombstones and of formats no longer offered; how many were deleted."""
    # The stored prefixes from the (prefix, version) index: a NOT IN would scan every payload.
    stored = set(session.scalars(select(FeedPayload.metadata_prefix).distinct()))
    gone = sorted(stored - {f.prefix for f in FORMATS})
    dropped = 0
    for condition in (
        FeedPayload.resource_id.in_(select(Resource.id).where(Resource.deleted.is_(True))),
        FeedPayload.metadata_prefix.in_(gone),
    ):
        result = session.execute(delete(FeedPayload).where(condition))
        dropped += result.rowcount or 0  # type: ignore[attr-defined]
    return dropped
