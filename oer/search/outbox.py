"""What bringing the search index up to date with the store did: a value, no I/O.

The store marks changed resources `index_pending` (the index's outbox); a
drain sends them to the backend (`oer.discovery.indexing`). Harvests and
renormalise report drains with this value without depending on how they run.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IndexingReport:
    """What a drain did, and what it left for later."""

    indexed: int = 0
    deleted: int = 0
    # Resources of the drain's scope still marked after it (an outage, or changed meanwhile).
    pending: int = 0
    # The search outage that stopped the drain, in one line; None when it got through.
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def plus(self, other: IndexingReport) -> IndexingReport:
        return IndexingReport(
            indexed=self.indexed + other.indexed,
            deleted=self.deleted + other.deleted,
            pending=other.pending,
            error=other.error or self.error,
        )
