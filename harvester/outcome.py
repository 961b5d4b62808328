"""What storing one harvested record did. Pure; no I/O."""

from __future__ import annotations

import enum


class Outcome(enum.Enum):
    """The result of one record in a pipeline stage; the sink returns one per record."""

    # A record the store did not have.
    CREATED = "created"
    # A record new to its source that joined a material another source brought (a shared strong
    # identifier, or a shared location and title): kept as that source's own provenance.
    MERGED = "merged"
    # A record whose content changed since it was last stored.
    UPDATED = "updated"
    # The same record again (same raw XML): nothing to do.
    UNCHANGED = "unchanged"
    # A `status="deleted"` record that removed (or tombstoned) a stored one.
    DELETED = "deleted"
    # Deliberately not stored (e.g. a deletion of a record never stored).
    SKIPPED = "skipped"
    # Stored as failed, with its raw XML and the reason: unreadable or unusable metadata.
    FAILED = "failed"
