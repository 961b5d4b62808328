"""The insight domain's one writer: take a snapshot of the aggregates. I/O: database, search."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from oer.insights.figures import figures_to_dict
from oer.insights.models import InsightSnapshot
from oer.insights.queries import operator_figures, public_figures
from oer.search import SearchBackend
from oer.store.types import utcnow


def take_snapshot(session: Session, backend: SearchBackend, on: date | None = None) -> InsightSnapshot:
    """Store every figure (public and operators') as of `on` (today, UTC); one per day, replaced.

    The caller commits.
    """
    taken_on = on or utcnow().date()
    figures = figures_to_dict({**public_figures(session, backend), **operator_figures(session)})
    row = session.scalars(select(InsightSnapshot).where(InsightSnapshot.taken_on == taken_on)).first()
    if row is None:
        row = InsightSnapshot(taken_on=taken_on)
        session.add(row)
    row.figures = figures
    row.taken_at = utcnow()
    session.flush()
    return row
