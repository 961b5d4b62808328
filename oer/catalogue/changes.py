"""Changed resources, marked by their writers, and the projections run on them. I/O: database.

The search index and the feed's set membership are projections of resources:
what they hold follows from the resources' rows. A writer does not write them;
it marks the resources it changed (`mark_changed`) in its session, and when
that session's unit of work commits, every registered projection is run on the
marked ids inside the same transaction (`settle`), so a projection is never
behind the resources it is made from. The composition root (`oer.runtime`)
registers the projections; this module knows none of them, so a new writer
(publishing, annotations, collections) changes the feed and the index the way
a harvest does without importing either.

A commit with marks and no projections registered is refused: the marks would
be lost, and the feed and index would silently drift from the resources.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from oer.errors import OerError

_MARKS = "oer.catalogue.changes"


class UnprojectedChangesError(OerError):
    """Resources were marked changed, but no projections are registered to follow them."""


@dataclass(frozen=True, slots=True)
class Change:
    """How a resource changed: when, and whether what the feed shows changed outside its record.

    `at` is the writer's clock at the change: a projection that moves a datestamp
    moves it to this time. `touched` says the feed must show a new datestamp even if
    nothing the projection derives changed (an annotation, a curation note).
    """

    at: datetime
    touched: bool = False

    def merged(self, other: Change) -> Change:
        return Change(max(self.at, other.at), self.touched or other.touched)


class Projection(Protocol):
    """Derived state kept in step with resources (the feed's sets, the search index's outbox)."""

    name: str

    def project(self, session: Session, changes: Mapping[str, Change]) -> None:
        """Bring this projection up to date for the changed resources; flushes, never commits."""


def mark_changed(
    session: Session, resource_ids: Iterable[str], at: datetime, *, touched: bool = False
) -> None:
    """Record that these resources changed in this session's unit of work."""
    marks: dict[str, Change] = session.info.setdefault(_MARKS, {})
    change = Change(at, touched)
    for resource_id in resource_ids:
        before = marks.get(resource_id)
        marks[resource_id] = change if before is None else before.merged(change)


def pending_changes(session: Session) -> Mapping[str, Change]:
    """The marks not yet projected (a copy)."""
    return dict(session.info.get(_MARKS, {}))


def settle(session: Session) -> None:
    """Run every registered projection on the marked resources, then clear the marks.

    Called before each commit; writers that need the projections' state before they
    commit (a page of a harvest reading the feed it just changed) may call it earlier.
    """
    marks: dict[str, Change] = session.info.pop(_MARKS, {})
    if not marks:
        return
    if not _registry.projections:
        session.info[_MARKS] = marks
        raise UnprojectedChangesError(
            f"{len(marks)} changed resources, but no projections are registered: "
            "build the store through oer.runtime"
        )
    session.flush()
    for projection in _registry.projections:
        projection.project(session, marks)


def register_projections(projections: Sequence[Projection]) -> None:
    """Set the projections every commit runs (the composition root calls this; idempotent)."""
    _registry.projections = tuple(projections)


def registered_projections() -> tuple[Projection, ...]:
    return _registry.projections


class _Registry:
    projections: tuple[Projection, ...] = ()


_registry = _Registry()


@event.listens_for(Session, "before_commit")
def _settle_before_commit(session: Session) -> None:
    settle(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # After a commit the marks are settled; after a rollback what they mark did not happen,
    # and must not reach the next transaction's commit.
    if transaction.parent is None:
        session.info.pop(_MARKS, None)
