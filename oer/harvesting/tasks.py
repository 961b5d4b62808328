"""The harvest task: one incremental harvest of one source, by id, and its beat schedule. I/O: database, network.

The message carries the source id only; the worker reads the source from the
store. It is idempotent: a delivery that arrives while the source is being
harvested is refused by the source's harvest lock (the result says so), and
a later delivery is an ordinary incremental harvest that continues where the
last one stopped. Without a broker, `dispatch.enqueue` runs the same function
in-process.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from oer.harvesting.service import harvest_source_by_id
from oer.harvesting.sources import list_sources
from oer.settings import Settings
from oer.store.database import store_sessions
from oer.store.errors import DatabaseOutdatedError
from oer.tasks.registry import Id, When, task
from oer.tasks.schedule import HARVEST_SOURCE_TASK

log = logging.getLogger(__name__)


def scheduled_sources(settings: Settings) -> Iterator[tuple[Id, When]]:
    """(source id, minutes or crontab) of every enabled source with a schedule.

    A database that `oer init` has not prepared has no sources: nothing to
    schedule yet, which beat logs instead of giving up on the other tasks.
    """
    try:
        with store_sessions(settings) as sessions, sessions() as session:
            pairs: list[tuple[Id, When]] = []
            for source in list_sources(session, enabled_only=True):
                if source.schedule_cron:
                    pairs.append((source.id, source.schedule_cron))
                elif source.schedule_minutes:
                    pairs.append((source.id, float(source.schedule_minutes)))
    except DatabaseOutdatedError as error:
        log.warning("no harvests scheduled: %s", error)
        return iter(())
    return iter(pairs)


@task(HARVEST_SOURCE_TASK, schedule=scheduled_sources)
def harvest_source_task(settings: Settings, source_id: Id) -> dict[str, Any]:
    """Harvest the source with this id incrementally; the report as JSON."""
    report = harvest_source_by_id(settings, int(source_id))
    if report is None:
        # Removed since the message was sent: nothing to do, and nothing wrong.
        return {"source_id": source_id, "status": "skipped", "errors": ["no such source (removed?)"]}
    return {"source_id": source_id, **report.to_dict()}
