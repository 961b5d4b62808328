"""`oer insight snapshot`: store today's aggregates with a date (the baseline, and later ones). I/O: terminal.

`--date YYYY-MM-DD` stores them under another date (a baseline taken late);
taking one twice on a day replaces that day's. The monthly beat task does
the same (`oer.insights.tasks`).
"""

from __future__ import annotations

from datetime import date, datetime

import click

from oer.commands.context import command_settings
from oer.insights.service import take_snapshot
from oer.search import open_backend
from oer.store.database import store_sessions


@click.group("insight")
def insight_group() -> None:
    """Aggregates of the catalogue (/inzicht) and their dated snapshots."""


@insight_group.command("snapshot")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The date to store them under (default: today, UTC).")
def snapshot_command(on: datetime | None) -> None:
    """Store the aggregates as they are now, with a date."""
    settings = command_settings()
    backend = open_backend(settings)
    try:
        with store_sessions(settings) as sessions, sessions.begin() as session:
            day: date | None = on.date() if on else None
            row = take_snapshot(session, backend, day)
            taken_on = row.taken_on
    finally:
        backend.close()
    click.echo(f"Snapshot of {taken_on.isoformat()} stored.")


commands = [insight_group]
