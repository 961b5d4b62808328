"""The interface through which a harvest stores what it receives. Pure; no I/O.

`oer` implements it with the database, the raw-record archive and the search
index; `tests.support.memory_sink` is the reference implementation for tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from harvester.checkpoint import Checkpoint
from harvester.outcome import Outcome
from harvester.records import RawRecord
from harvester.summary import HarvestSummary


class HarvestSink(Protocol):
    """Storage for one source's harvest; one sink instance per source.

    The contract that makes a killed harvest resumable without loss or
    duplication: `commit_page` stores the page's records and the checkpoint
    atomically (one transaction). Then the stored checkpoint always names the
    page after the last stored records, whatever moment the process died at.
    """

    def load_checkpoint(self) -> Checkpoint | None:
        """The checkpoint of the last `commit_page` for this source, or None if it was never harvested.

        An incomplete checkpoint is an interrupted run (resumed by the next
        harvest); a complete one is the last finished run (its `response_date`
        starts the next incremental window).
        """
        ...

    def commit_page(self, records: Sequence[RawRecord], checkpoint: Checkpoint) -> Sequence[Outcome]:
        """Store the records and the checkpoint in one transaction; one Outcome per record, in order.

        Records are upserted by (source, oai_identifier), so a record received
        again (an overlap, a restarted list) is UNCHANGED, never a duplicate.
        Records with a `problem` are stored as FAILED with their raw XML; so
        are records whose metadata the sink cannot parse. Every record received,
        unchanged ones included, is marked as seen in this run. When
        `checkpoint.complete and checkpoint.full`, the same transaction removes
        the source's records not seen since `checkpoint.started_at` (the source
        no longer has them). A page may be empty (the last page of a list, or
        an empty list): the checkpoint must still be stored.
        """
        ...

    def finish(self, summary: HarvestSummary) -> None:
        """Record the run (counts, errors, duration), whether it completed or not."""
        ...
