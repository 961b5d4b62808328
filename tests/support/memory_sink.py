"""A HarvestSink that keeps everything in memory: the reference implementation for tests. Pure; no I/O.

It shows the sink contract in its simplest form: upsert by OAI identifier,
outcomes from comparing the metadata, failed records kept with their raw XML,
deletions kept as tombstones, the checkpoint replaced in the same step as the
records, and the removal of unseen records at the end of a complete full run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from harvester.checkpoint import Checkpoint
from harvester.outcome import Outcome
from harvester.records import RawRecord
from harvester.summary import HarvestSummary


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A record as the memory sink keeps it."""

    record: RawRecord
    # True for a tombstone: the source deleted it (or no longer has it).
    deleted: bool
    # Why the record could not be used; None for a usable record.
    failure: str | None
    # `Checkpoint.started_at` of the run that last received it.
    seen_in_run: datetime


def record_key(record: RawRecord) -> str:
    """The identity a sink stores a record under; records without identifier get their hash."""
    return record.oai_identifier or f"sha256:{record.sha256}"


class MemorySink:
    """Keeps one source's records, checkpoint and run summaries in dictionaries and lists."""

    def __init__(self, checkpoint: Checkpoint | None = None) -> None:
        self.records: dict[str, StoredRecord] = {}
        self.checkpoint = checkpoint
        # Keys of each committed page, in order: lets tests prove exactly-once delivery.
        self.commits: list[tuple[str, ...]] = []
        # Keys removed because a complete full run did not see them.
        self.removed: list[str] = []
        self.summaries: list[HarvestSummary] = []

    def load_checkpoint(self) -> Checkpoint | None:
        return self.checkpoint

    def commit_page(self, records: Sequence[RawRecord], checkpoint: Checkpoint) -> Sequence[Outcome]:
        # Compute the new state first and swap it in at the end: the commit is all or nothing.
        updated = dict(self.records)
        outcomes = [self._store(updated, record, checkpoint.started_at) for record in records]
        removed: list[str] = []
        if checkpoint.complete and checkpoint.full:
            for key, stored in updated.items():
                if stored.seen_in_run != checkpoint.started_at and not stored.deleted:
                    updated[key] = StoredRecord(stored.record, True, stored.failure, stored.seen_in_run)
                    removed.append(key)
        self.records = updated
        self.removed.extend(removed)
        self.commits.append(tuple(record_key(record) for record in records))
        self.checkpoint = checkpoint
        return outcomes

    def finish(self, summary: HarvestSummary) -> None:
        self.summaries.append(summary)

    @staticmethod
    def _store(records: dict[str, StoredRecord], record: RawRecord, run: datetime) -> Outcome:
        key = record_key(record)
        previous = records.get(key)
        if record.problem is not None:
            records[key] = StoredRecord(record, False, record.problem, run)
            return Outcome.FAILED
        if record.deleted:
            if previous is None or previous.deleted:
                records[key] = StoredRecord(record, True, None, run)
                return Outcome.SKIPPED
            records[key] = StoredRecord(record, True, None, run)
            return Outcome.DELETED
        records[key] = StoredRecord(record, False, None, run)
        if previous is None or previous.deleted:
            return Outcome.CREATED
        if previous.failure is None and previous.record.metadata_xml == record.metadata_xml:
            return Outcome.UNCHANGED
        return Outcome.UPDATED

    def live_identifiers(self) -> set[str]:
        """Keys of the records that are neither deleted nor failed."""
        return {key for key, stored in self.records.items() if not stored.deleted and stored.failure is None}
