"""Reading harvest errors: those of a run, those of a source (latest first). I/O: database.

Returns frozen `RunError` values, not ORM rows, so callers (the CLI, pages,
tests) hold no session-bound objects. `RunError.to_dict` is the JSON shape of
`oer sources list --json`, which the old JSON list of a run's errors set.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oer.harvesting.models import ErrorKind, ErrorSeverity, ErrorStage, HarvestError, Provenance, Source


@dataclass(frozen=True, slots=True)
class RunError:
    """One error (or warning) of a harvest run."""

    id: int
    run_id: int
    source_id: int
    severity: ErrorSeverity
    stage: ErrorStage | None
    kind: ErrorKind
    oai_identifier: str | None
    message: str
    created_at: datetime

    @property
    def legacy_kind(self) -> str:
        """The `kind` of the old JSON list: fatal, warning, record (a record's failure) or error."""
        if self.severity is ErrorSeverity.ERROR and self.kind is ErrorKind.RECORD:
            return "record"
        return self.severity.value

    @property
    def text(self) -> str:
        """One line: the record it concerns (if any), then the message."""
        return f"{self.oai_identifier}: {self.message}" if self.oai_identifier else self.message

    def to_dict(self) -> dict[str, Any]:
        """The old entry (`at`, `kind`, `message`, unchanged for existing readers) and the new fields."""
        return {
            "at": self.created_at.isoformat(),
            "kind": self.legacy_kind,
            "message": self.text,
            "severity": self.severity.value,
            "stage": self.stage.value if self.stage is not None else None,
            "cause": self.kind.value,
            "oai_identifier": self.oai_identifier,
        }


def _run_error(row: HarvestError) -> RunError:
    return RunError(
        id=row.id,
        run_id=row.run_id,
        source_id=row.source_id,
        severity=row.severity,
        stage=row.stage,
        kind=row.kind,
        oai_identifier=row.oai_identifier,
        message=row.message,
        created_at=row.created_at,
    )


def run_errors(session: Session, run_id: int, *, limit: int | None = None) -> list[RunError]:
    """The run's errors in the order they were recorded (the one that stopped it comes last)."""
    query = select(HarvestError).where(HarvestError.run_id == run_id).order_by(HarvestError.id)
    if limit is not None:
        query = query.limit(limit)
    return [_run_error(row) for row in session.scalars(query)]


def count_run_errors(session: Session, run_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(HarvestError).where(HarvestError.run_id == run_id)
    ) or 0


def source_errors(
    session: Session,
    source_id: int,
    *,
    limit: int = 50,
    severities: frozenset[ErrorSeverity] | None = None,
) -> list[RunError]:
    """The source's latest errors over all its runs, newest first (optionally of some severities)."""
    query = select(HarvestError).where(HarvestError.source_id == source_id)
    if severities is not None:
        query = query.where(HarvestError.severity.in_(severities))
    query = query.order_by(HarvestError.created_at.desc(), HarvestError.id.desc()).limit(limit)
    return [_run_error(row) for row in session.scalars(query)]


def live_source_names(session: Session, resource_ids: Collection[str]) -> dict[str, set[str]]:
    """resource id -> names of the sources that serve it now (a live provenance).

    What the feed's sets and the index's source facet both derive from.
    """
    rows = session.execute(
        select(Provenance.resource_id, Source.name)
        .join(Source, Source.id == Provenance.source_id)
        .where(Provenance.resource_id.in_(resource_ids), Provenance.deleted.is_(False))
    )
    names: dict[str, set[str]] = {}
    for resource_id, name in rows:
        names.setdefault(resource_id, set()).add(name)
    return names
