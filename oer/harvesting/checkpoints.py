"""Harvest checkpoints: where a source's harvest stands, saved with every page. I/O: database.

Saved in the same transaction as the page it follows, so after a crash the
checkpoint and the stored records agree: the harvest resumes with the next
page, nothing lost and nothing applied twice. One checkpoint per source; it is
cleared when a run reaches the end of its list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from oer.harvesting.models import CheckpointRow, HarvestRun, Source
from oer.store.types import utcnow


@dataclass(frozen=True, slots=True)
class CheckpointState:
    """A saved checkpoint, detached from the database session."""

    run_id: int | None
    resumption_token: str | None
    cursor: int | None
    complete_list_size: int | None
    window_from: datetime | None
    window_until: datetime | None
    # The latest record datestamp stored: restart from here after badResumptionToken.
    last_datestamp: datetime | None
    pages: int
    # The harvester's checkpoint document as saved (None if it saved none).
    state: dict[str, Any] | None
    updated_at: datetime


def save_checkpoint(
    session: Session,
    source: Source,
    *,
    run: HarvestRun | None,
    resumption_token: str | None,
    cursor: int | None = None,
    complete_list_size: int | None = None,
    window_from: datetime | None = None,
    window_until: datetime | None = None,
    last_datestamp: datetime | None = None,
    pages: int = 0,
    state: Mapping[str, Any] | None = None,
) -> CheckpointState:
    """Replace the source's checkpoint with these values (each one as given)."""
    checkpoint = session.get(CheckpointRow, source.id)
    if checkpoint is None:
        checkpoint = CheckpointRow(source_id=source.id)
        session.add(checkpoint)
    checkpoint.run_id = run.id if run is not None else None
    checkpoint.resumption_token = resumption_token
    checkpoint.cursor = cursor
    checkpoint.complete_list_size = complete_list_size
    checkpoint.window_from = window_from
    checkpoint.window_until = window_until
    checkpoint.last_datestamp = last_datestamp
    checkpoint.pages = pages
    checkpoint.state = dict(state) if state is not None else None
    checkpoint.updated_at = utcnow()
    session.flush()
    return _state(checkpoint)


def load_checkpoint(session: Session, source: Source) -> CheckpointState | None:
    checkpoint = session.get(CheckpointRow, source.id, populate_existing=True)
    return _state(checkpoint) if checkpoint is not None else None


def clear_checkpoint(session: Session, source: Source) -> None:
    session.execute(
        delete(CheckpointRow)
        .where(CheckpointRow.source_id == source.id)
        .execution_options(synchronize_session="fetch")
    )


def _state(checkpoint: CheckpointRow) -> CheckpointState:
    return CheckpointState(
        run_id=checkpoint.run_id,
        resumption_token=checkpoint.resumption_token,
        cursor=checkpoint.cursor,
        complete_list_size=checkpoint.complete_list_size,
        window_from=checkpoint.window_from,
        window_until=checkpoint.window_until,
        last_datestamp=checkpoint.last_datestamp,
        pages=checkpoint.pages,
        state=checkpoint.state,
        updated_at=checkpoint.updated_at,
    )
