"""Tasks declared only for the task-queue tests. I/O: files under the settings' home.

They do real work on ids, visible from outside the process that ran them: each
processed id leaves a file in OER_HOME naming the process that wrote it. The
worker and beat processes of the Redis tests import this module too, so they
know these tasks.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

from oer.errors import ConfigurationError
from oer.settings import Settings
from oer.tasks.registry import Id, task

SCHEDULE_FILE = "schedule.json"


def processed_dir(settings: Settings) -> Any:
    return settings.home / "processed"


def scheduled_ids(settings: Settings) -> Iterator[tuple[Id, float]]:
    """The (id, minutes) pairs in OER_HOME/schedule.json: a stand-in for the sources table."""
    path = settings.home / SCHEDULE_FILE
    if not path.exists():
        return iter(())
    return ((item_id, minutes) for item_id, minutes in json.loads(path.read_text()))


@task("tests.mark_processed", schedule=scheduled_ids)
def mark_processed(settings: Settings, *ids: Id) -> dict[str, Any]:
    """Record each id as processed; doing it twice leaves the same files."""
    out = processed_dir(settings)
    out.mkdir(parents=True, exist_ok=True)
    for item_id in ids:
        (out / f"{item_id}.json").write_text(json.dumps({"id": item_id, "pid": os.getpid()}))
    return {"ids": list(ids), "pid": os.getpid(), "home": str(settings.home)}


@task("tests.refuse")
def refuse(settings: Settings, item_id: Id) -> None:
    raise ConfigurationError(f"refused {item_id}")
