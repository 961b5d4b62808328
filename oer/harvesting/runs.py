"""Harvest runs: start, count each page, record errors, finish. I/O: database.

A run is committed with every page (by the caller, in the page's transaction),
so its counters are true even if the process dies; a run still RUNNING when the
next one starts is marked INTERRUPTED.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from harvester.outcome import Outcome
from oer.harvesting.models import HarvestRun, RunStatus, Source
from oer.harvesting.provenance import PageResult
from oer.store.types import utcnow

# How many error entries a run keeps: enough to diagnose, bounded for a source that fails every record.
MAX_RUN_ERRORS = 200

_COUNTERS = {
    Outcome.CREATED: "created",
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
        errors=[],
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


def add_run_error(session: Session, run: HarvestRun, message: str, *, kind: str = "error") -> None:
    """Keep an error of the run (a failed request, a skipped page, a record's failure)."""
    if len(run.errors) < MAX_RUN_ERRORS:
        entry = {"at": utcnow().isoformat(), "kind": kind, "message": message}
        # A new list, so the JSON column sees the change.
        run.errors = [*run.errors, entry]
        session.flush()


def finish_run(
    session: Session, run: HarvestRun, status: RunStatus, *, error: str | None = None
) -> None:
    if status is RunStatus.RUNNING:
        raise ValueError("a run finishes as SUCCEEDED, FAILED or INTERRUPTED")
    if error:
        add_run_error(session, run, error, kind="fatal")
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
