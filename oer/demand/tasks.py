"""The daily purge of demand counts older than the retention period. I/O: database.

The message carries a fixed id (`counts`); the task is idempotent: a second
delivery on the same day finds nothing more to delete.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from oer.accounts.actor import system_actor
from oer.demand.service import purge_counts
from oer.settings import Settings
from oer.store.database import store_sessions
from oer.tasks.registry import Id, When, task

DEMAND_PURGE_TASK = "oer.demand.purge"
# At 03:30 (Dutch time) every day.
DAILY = "30 3 * * *"
COUNTS = "counts"


def retention_start(settings: Settings, today: date | None = None) -> date:
    """The first day whose counts are kept."""
    return (today or date.today()) - timedelta(days=settings.demand_retention_days)


def daily(settings: Settings) -> Iterator[tuple[Id, When]]:
    yield COUNTS, DAILY


@task(DEMAND_PURGE_TASK, schedule=daily)
def purge_task(settings: Settings, scope: Id = COUNTS) -> dict[str, Any]:
    """Delete the demand counts of days before the retention period; how many rows went, as JSON."""
    before = retention_start(settings)
    with store_sessions(settings) as sessions, sessions.begin() as session:
        removed = purge_counts(session, system_actor("task"), before=before)
    return {"scope": scope, "before": before.isoformat(), "removed": removed}
