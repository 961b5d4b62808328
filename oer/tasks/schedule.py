"""Beat's schedule: one entry per source and task, re-read while beat runs. I/O: whatever the
tasks' schedule providers read (the store); beat sends the due tasks to the broker.

A task declared with `schedule=provider` is run by beat for every `(id, when)`
pair the provider returns for the current settings: `when` is an interval in
minutes, or a five-field crontab read in Dutch time (Europe/Amsterdam, the
app's timezone), so "0 3 * * *" is three at night in winter and in summer.
`SourceScheduler` asks the providers again every `REFRESH_SECONDS`, so a source
added or removed while beat runs is picked up without a restart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from celery.beat import Scheduler
from celery.schedules import crontab

from oer.settings import Settings
from oer.tasks.app import settings_of
from oer.tasks.crontab import crontab_expiry, parse_crontab
from oer.tasks.registry import Id, Task, When, check_ids, registered_tasks

# The harvest task's name; `oer.tasks` modules declare it, beat schedules it per source.
HARVEST_SOURCE_TASK = "oer.harvest_source"
REFRESH_SECONDS = 60.0

log = logging.getLogger(__name__)


def build_beat_schedule(
    sources: Iterable[tuple[Id, When]], task: str = HARVEST_SOURCE_TASK
) -> dict[str, dict[str, Any]]:
    """Celery beat entries that run `task` for each source id every `when`.

    `when` is minutes (a number) or a crontab (a string).
    """
    schedule: dict[str, dict[str, Any]] = {}
    for source_id, when in sources:
        (checked,) = check_ids([source_id])
        key = f"{task}:{checked}"
        if key in schedule:
            raise ValueError(f"source {checked!r} is scheduled twice for {task}")
        runs: timedelta | crontab
        if isinstance(when, str):
            runs, expires = parse_crontab(when), crontab_expiry(when)
        else:
            if not when > 0:
                raise ValueError(f"source {checked!r}: interval must be positive, not {when!r}")
            runs = expires = timedelta(minutes=when)
        schedule[key] = {
            "task": task,
            "schedule": runs,
            "args": (checked,),
            # A run that no worker started before the next one is due is dropped, not
            # queued behind it: a worker that was down does not come back to a backlog.
            "options": {"expires": expires.total_seconds()},
        }
    return schedule


def scheduled_entries(tasks: Iterable[Task], settings: Settings) -> dict[str, dict[str, Any]]:
    """The beat entries of every task that has a schedule provider."""
    entries: dict[str, dict[str, Any]] = {}
    for declared in tasks:
        if declared.schedule is not None:
            entries.update(build_beat_schedule(declared.schedule(settings), task=declared.name))
    return entries


class SourceScheduler(Scheduler):  # type: ignore[misc]  # celery ships no type hints
    """Celery beat scheduler whose entries come from the tasks' schedule providers.

    Entries live in memory: after a restart each one first runs one interval
    later. That is harmless because harvests are incremental.
    """

    def setup_schedule(self) -> None:
        super().setup_schedule()
        self._refreshed_at = float("-inf")
        self.refresh()

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if time.monotonic() - self._refreshed_at >= REFRESH_SECONDS:
            self.refresh()
        delay: float = super().tick(*args, **kwargs)
        return min(delay, REFRESH_SECONDS)

    def refresh(self) -> None:
        """Re-read the providers; keep the schedule as it was if one of them fails."""
        self._refreshed_at = time.monotonic()
        try:
            wanted = scheduled_entries(registered_tasks(), settings_of(self.app))
        except Exception:
            # The store may be briefly unreachable; beat keeps its last schedule and tries again.
            log.exception("beat: could not read the schedule; keeping the previous one")
            return
        wanted.update(self.app.conf.beat_schedule or {})
        self.merge_inplace(wanted)
        # merge_inplace edits entries in place, which tick's change check cannot see.
        self._heap = None
        log.info("beat: %d scheduled entries", len(wanted))
