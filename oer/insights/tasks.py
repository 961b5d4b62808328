"""The monthly snapshot task: store the aggregates with today's date. I/O: database, search.

The message carries a fixed id (`catalogue`): there is one catalogue to take
a snapshot of. It is idempotent: a second delivery on the same day replaces
that day's snapshot with the same figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from oer.insights.service import take_snapshot
from oer.search import open_backend
from oer.settings import Settings
from oer.store.database import store_sessions
from oer.tasks.registry import Id, When, task

INSIGHT_SNAPSHOT_TASK = "oer.insights.snapshot"
# At 04:00 (Dutch time) on the first of every month: after the night's harvests.
MONTHLY = "0 4 1 * *"
CATALOGUE = "catalogue"


def monthly(settings: Settings) -> Iterator[tuple[Id, When]]:
    yield CATALOGUE, MONTHLY


@task(INSIGHT_SNAPSHOT_TASK, schedule=monthly)
def snapshot_task(settings: Settings, scope: Id = CATALOGUE) -> dict[str, Any]:
    """Take today's snapshot of the catalogue's aggregates; its date as JSON."""
    backend = open_backend(settings)
    try:
        with store_sessions(settings) as sessions, sessions.begin() as session:
            row = take_snapshot(session, backend)
            return {"scope": scope, "taken_on": row.taken_on.isoformat()}
    finally:
        backend.close()
