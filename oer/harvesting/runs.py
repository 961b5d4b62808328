"""Harvest runs: start, count each page, record errors, finish. I/O: database.

A run is committed with every page (by the caller, in the page's transaction),
so its counters are true even if the process dies; a run still RUNNING when the
next one starts is marked INTERRUPTED. Errors are rows of `harvest_error`
(`add_run_errors`), written in the transaction of the page or of the run's end
they belong to; `oer.harvesting.queries` reads them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from harvester.outcome import Outcome
from oer.harvesting.models import (
    ErrorKind,
    ErrorSeverity,
    ErrorStage,
    HarvestError,
    HarvestRun,
    RunStatus,
    Source,
)
from oer.harvesting.provenance import PageResult
from oer.store.types import utcnow

_COUNTERS = {
    Outcome.CREATED: "created",
    Outcome.MERGED: "merged",
    Outcome.UPDATED: "updated",
    Outcome.UNCHANGED: "unchanged",
    Outcome.DELETED: "deleted",
    Outcome.SKIPPED: "skipped",
    Outcome.FAILED: "failed",
}


def start_run(
    session: Session,
    source: Source,
    *,
    full: bool = False,
    window_from: datetime | None = None,
    window_until: datetime | None = None,
) -> HarvestRun:
    """Open a RUNNING run (earlier runs of the source still RUNNING become INTERRUPTED)."""
    now = utcnow()
    stale = session.scalars(
        select(HarvestRun).where(
            HarvestRun.source_id == source.id, HarvestRun.status == RunStatus.RUNNING
        )
    )
    for earlier in stale:
        earlier.status = RunStatus.INTERRUPTED
        earlier.finished_at = now
    run = HarvestRun(
        source_id=source.id,
        status=RunStatus.RUNNING,
        full=full,
        started_at=now,
        window_from=window_from,
        window_until=window_until,
        updated_at=now,
    )
    session.add(run)
    session.flush()
    return run


def record_page(
    session: Session,
    run: HarvestRun,
    result: PageResult,
    *,
    response_date: datetime | None = None,
) -> None:
    """Count one applied page into the run; the first page's responseDate is kept."""
    run.pages += 1
    for outcome, attribute in _COUNTERS.items():
        if result.count(outcome):
            setattr(run, attribute, getattr(run, attribute) + result.count(outcome))
    if run.response_date is None and response_date is not None:
        run.response_date = response_date
    session.flush()


@dataclass(frozen=True, slots=True)
class RunErrorEntry:
    """One error of a run, to be recorded."""

    severity: ErrorSeverity
    stage: ErrorStage
    kind: ErrorKind
    message: str
    oai_identifier: str | None = None


def add_run_errors(session: Session, run: HarvestRun, entries: Iterable[RunErrorEntry]) -> int:
    """Record errors of the run, each as one row (no cap: see `HarvestError`); how many."""
    now = utcnow()
    rows = [
        {
            "run_id": run.id,
            "source_id": run.source_id,
            "severity": entry.severity,
            "stage": entry.stage,
            "kind": entry.kind,
            "oai_identifier": entry.oai_identifier,
            "message": entry.message,
            "created_at": now,
        }
        for entry in entries
    ]
    if rows:
        # One executemany for a page's failed records, not one ORM object each.
        session.execute(insert(HarvestError), rows)
    return len(rows)


def add_run_error(
    session: Session,
    run: HarvestRun,
    message: str,
    *,
    severity: ErrorSeverity,
    stage: ErrorStage,
    kind: ErrorKind,
    oai_identifier: str | None = None,
) -> None:
    """Record one error of the run."""
    add_run_errors(session, run, [RunErrorEntry(severity, stage, kind, message, oai_identifier)])


def finish_run(session: Session, run: HarvestRun, status: RunStatus) -> None:
    """End the run; why it failed is recorded with `add_run_error`, once, by whoever knows it."""
    if status is RunStatus.RUNNING:
        raise ValueError("a run finishes as SUCCEEDED, FAILED or INTERRUPTED")
    run.status = status
    run.finished_at = utcnow()
    session.flush()


def latest_run(session: Session, source: Source) -> HarvestRun | None:
    return session.scalars(
        select(HarvestRun)
        .where(HarvestRun.source_id == source.id)
        .order_by(HarvestRun.started_at.desc(), HarvestRun.id.desc())
        .limit(1)
    ).first()


def last_successful_run(
    session: Session, source: Source, *, full: bool | None = None
) -> HarvestRun | None:
    """The latest SUCCEEDED run (optionally only full ones): the base of an incremental harvest."""
    query = select(HarvestRun).where(
        HarvestRun.source_id == source.id, HarvestRun.status == RunStatus.SUCCEEDED
    )
    if full is not None:
        query = query.where(HarvestRun.full.is_(full))
    return session.scalars(
        query.order_by(HarvestRun.started_at.desc(), HarvestRun.id.desc()).limit(1)
    ).first()


def list_runs(session: Session, source: Source, *, limit: int = 20) -> list[HarvestRun]:
    return list(
        session.scalars(
            select(HarvestRun)
            .where(HarvestRun.source_id == source.id)
            .order_by(HarvestRun.started_at.desc(), HarvestRun.id.desc())
            .limit(limit)
        )
    )
