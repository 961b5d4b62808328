"""Re-normalising sources from the raw archive, without contacting them. I/O: database, search index.

After a mapping fix, `renormalize(settings, names)` rebuilds every record of a
source from the latest archived version of each (the original XML as the
source sent it) through the same path a harvest takes (`harvested_record`,
then `apply_harvested_page`), a batch per transaction, and sends what changed
to the search index. Records that a complete full harvest withdrew (the source
no longer has them) stay withdrawn: the archive still holds their last
version, but the source does not. It holds the source's harvest lock, so it
never runs beside a harvest of the same source.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from harvester.datestamps import format_datestamp
from harvester.oai_client import OAI_NAMESPACE, metadata_payload
from harvester.outcome import Outcome
from harvester.records import RawRecord
from metadata.errors import XMLInputError
from metadata.oai import Granularity, origin_identifiers
from metadata.xml_input import parse_xml
from oer.harvesting.archive import ArchivedVersion, iter_archived_records
from oer.harvesting.index_catch_up import index_catch_up
from oer.harvesting.models import ArchivedRecord, Provenance, RawStatus, Source
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from oer.harvesting.service import (
    COUNTED_OUTCOMES,
    harvested_record,
    source_lock,
)
from oer.harvesting.sources import get_source, list_sources
from oer.search.outbox import IndexingReport
from oer.settings import Settings
from oer.store.database import engine_of, store_sessions

# Records per transaction.
BATCH_SIZE = 200

_NS = "{" + OAI_NAMESPACE + "}"

# Called with (source name, records done, records in all) after every batch.
RenormalizeProgress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class RenormalizeReport:
    """What re-normalising one source did."""

    source: str
    records: int = 0
    counts: Mapping[Outcome, int] = field(default_factory=dict)
    # Archived records left alone because a full harvest withdrew them.
    withdrawn: int = 0
    index: IndexingReport = field(default_factory=IndexingReport)
    duration_seconds: float = 0.0

    def count(self, outcome: Outcome) -> int:
        return self.counts.get(outcome, 0)

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "records": self.records,
            "counts": {outcome.value: self.count(outcome) for outcome in COUNTED_OUTCOMES},
            "withdrawn": self.withdrawn,
            "index": {"indexed": self.index.indexed, "deleted": self.index.deleted,
                      "pending": self.index.pending, "error": self.index.error},
            "duration_seconds": self.duration_seconds,
        }


def renormalize(
    settings: Settings,
    names: Sequence[str] | None = None,
    *,
    progress: RenormalizeProgress | None = None,
    on_report: Callable[[RenormalizeReport], None] | None = None,
) -> list[RenormalizeReport]:
    """Rebuild the records of the named sources (None: all) from their raw archive."""
    reports = []
    with store_sessions(settings) as sessions:
        with sessions() as session:
            sources = (
                list_sources(session) if names is None
                else [get_source(session, name) for name in dict.fromkeys(names)]
            )
        for source in sources:
            with source_lock(engine_of(sessions), source, purpose="re-normalised"):
                report = _renormalize_source(settings, sessions, source, progress)
            reports.append(report)
            if on_report is not None:
                on_report(report)
    return reports


def raw_record_from_archive(archived: ArchivedVersion) -> RawRecord:
    """The archived `<record>` element as the harvester's RawRecord, as when it was received."""
    datestamp = format_datestamp(archived.datestamp, Granularity.SECOND)
    deleted = archived.status is RawStatus.DELETED
    try:
        root = parse_xml(archived.xml).root
    except XMLInputError as error:
        return RawRecord(archived.oai_identifier, datestamp, deleted, (), None, archived.xml,
                         problem=archived.failure_reason or f"record is not well-formed XML: {error}")
    header = root.find(_NS + "header") if root.tag == _NS + "record" else None
    if header is None:
        return RawRecord(archived.oai_identifier, datestamp, deleted, (), None, archived.xml,
                         problem=archived.failure_reason or "archived XML is not an OAI-PMH record")
    header_datestamp = (header.findtext(_NS + "datestamp") or "").strip()
    deleted = header.get("status") == "deleted"
    set_specs = tuple(spec.text.strip() for spec in header.findall(_NS + "setSpec") if spec.text and spec.text.strip())
    metadata_xml, problem, payload = None, None, None
    if not deleted:
        payload = metadata_payload(root)
        if payload is not None:
            metadata_xml = bytes(etree.tostring(payload, encoding="UTF-8", with_tail=False))
        else:
            problem = "record has no metadata"
    # The payload as parsed here is what `metadata_xml` parses to, unless xml:space is about
    # (see `RawRecord.payload`): then the normaliser parses `metadata_xml`.
    if b"xml:space" in archived.xml:
        payload = None
    return RawRecord(archived.oai_identifier, header_datestamp or datestamp, deleted, set_specs,
                     metadata_xml, archived.xml, problem=problem, origin_identifiers=origin_identifiers(root),
                     payload=payload)


def _renormalize_source(
    settings: Settings,
    sessions: sessionmaker[Session],
    source: Source,
    progress: RenormalizeProgress | None,
) -> RenormalizeReport:
    started = time.monotonic()
    indexer = index_catch_up().drain(settings)
    counts: dict[Outcome, int] = {}
    done = withdrawn = 0
    index = IndexingReport()
    try:
        with sessions() as reading:
            total = _archived_identifiers(reading, source)
            archived = iter_archived_records(reading, source, latest_only=True, batch_size=BATCH_SIZE)
            for batch in _batches(archived, BATCH_SIZE):
                with sessions.begin() as session:
                    withdrawn_ids = _withdrawn_identifiers(session, source, [a.oai_identifier for a in batch])
                    items: list[HarvestedRecord] = []
                    for record in batch:
                        raw = raw_record_from_archive(record)
                        if record.oai_identifier in withdrawn_ids and not raw.deleted:
                            withdrawn += 1
                            continue
                        # The archive already holds this version: nothing to archive again.
                        item = harvested_record(raw, source.metadata_prefix)
                        items.append(HarvestedRecord(item.oai_identifier, record.datestamp, deleted=item.deleted,
                                                     failure=item.failure,
                                                     origin_identifiers=item.origin_identifiers,
                                                     stored=item.stored))
                    result = apply_harvested_page(session, source, items)
                    touched = result.changed_ids | result.deleted_ids
                for outcome in result.outcomes:
                    counts[outcome] = counts.get(outcome, 0) + 1
                index = index.plus(indexer.drain(sessions, touched))
                done += len(batch)
                if progress is not None:
                    progress(source.name, done, total)
        if index.error is not None:
            index = index.plus(indexer.drain(sessions, retry=True))
    finally:
        indexer.close()
    return RenormalizeReport(
        source=source.name,
        records=done - withdrawn,
        counts=counts,
        withdrawn=withdrawn,
        index=index,
        duration_seconds=time.monotonic() - started,
    )


def _archived_identifiers(session: Session, source: Source) -> int:
    return session.scalar(
        select(func.count(func.distinct(ArchivedRecord.oai_identifier))).where(ArchivedRecord.source_id == source.id)
    ) or 0


def _withdrawn_identifiers(session: Session, source: Source, identifiers: list[str]) -> set[str]:
    """Those of `identifiers` whose provenance of this source is deleted."""
    return set(session.scalars(
        select(Provenance.oai_identifier).where(
            Provenance.source_id == source.id,
            Provenance.oai_identifier.in_(identifiers),
            Provenance.deleted.is_(True),
        )
    ))


def _batches(records: Iterator[ArchivedVersion], size: int) -> Iterator[list[ArchivedVersion]]:
    while batch := list(islice(records, size)):
        yield batch
