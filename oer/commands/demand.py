"""`oer demand purge` and `oer demand gaps`: the anonymous search counts. I/O: terminal, database."""

from __future__ import annotations

import json
from datetime import datetime

import click

from oer.accounts.actor import SYSTEM
from oer.commands.context import command_settings
from oer.demand.queries import most_asked_gaps
from oer.demand.service import purge_counts
from oer.demand.tasks import retention_start
from oer.store.database import store_sessions


@click.group("demand")
def demand_group() -> None:
    """Searches that found few or no materials, counted without who searched."""


@demand_group.command("purge")
@click.option("--before", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Delete counts of days before this date (default: OER_DEMAND_RETENTION_DAYS ago).")
def purge_command(before: datetime | None) -> None:
    """Delete the counts older than the retention period."""
    settings = command_settings()
    cutoff = before.date() if before is not None else retention_start(settings)
    with store_sessions(settings) as sessions, sessions.begin() as session:
        removed = purge_counts(session, SYSTEM, before=cutoff)
    click.echo(f"Removed {removed} daily count(s) of days before {cutoff.isoformat()}.")


@demand_group.command("gaps")
@click.option("--limit", type=click.IntRange(min=1, max=1000), default=20)
def gaps_command(limit: int) -> None:
    """The most asked-for searches that find (next to) nothing, above the k-anonymity threshold, as JSON."""
    settings = command_settings()
    with store_sessions(settings) as sessions, sessions() as session:
        gaps = most_asked_gaps(session, threshold=settings.demand_threshold, limit=limit)
    click.echo(json.dumps([gap.to_dict() for gap in gaps], ensure_ascii=False, indent=2))


commands = [demand_group]
