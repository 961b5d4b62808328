"""`oer sources add|list|errors|remove`: the registry of OAI-PMH sources. I/O: terminal, database, search index.

`add` registers a repository (validated: name, URL, prefix, set, schedule);
`list` shows every source with its last run and health; `errors` shows a
source's latest harvest errors (newest first); `remove` withdraws
everything the source brought (resources only it served become tombstones)
and deletes its runs, checkpoint and raw archive.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from harvester.outcome import Outcome
from oer.commands.context import command_settings
from oer.demo import is_demo_source
from oer.discovery.indexing import SearchIndexer
from oer.harvesting.addresses import check_source_url
from oer.harvesting.models import HarvestRun, Source
from oer.harvesting.probe import probe_repository
from oer.harvesting.queries import RunError, count_run_errors, run_errors, source_errors
from oer.harvesting.service import COUNTED_OUTCOMES, default_client_settings, source_lock
from oer.harvesting.sources import (
    SourceStatus,
    add_source,
    get_source,
    refuse_duplicate,
    remove_source,
    source_statuses,
    validate_source,
)
from oer.store.database import engine_of, store_sessions

# Piped output has no terminal width to fit; wide enough that a row stays on one line.
PIPED_WIDTH = 200
# Errors of the last run in `list --json`: as many as the old JSON list held, so the output stays
# the size it was; `error_count` is the exact total and `oer sources errors` shows the rest.
LISTED_RUN_ERRORS = 200



@click.group("sources")
def sources_group() -> None:
    """Register, list and remove the OAI-PMH repositories to harvest."""


@sources_group.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--prefix", "metadata_prefix", default="lom", show_default=True,
              help="OAI-PMH metadataPrefix to harvest: lom (NL-LOM, IMS), nl_lom or LOMv1.0 (IEEE), oai_dc.")
@click.option("--set", "set_spec", default=None, metavar="SPEC", help="Harvest only this OAI-PMH set.")
@click.option("--every", "every", type=click.IntRange(min=1), default=None, metavar="MINUTES",
              help="Harvest on a schedule (`oer beat`), every MINUTES minutes.")
@click.option("--cron", "cron", default=None, metavar="CRONTAB",
              help="Harvest on a schedule (`oer beat`) given as a five-field crontab in Dutch "
                   "time, e.g. '0 3 * * *' for every night at three.")
@click.option("--no-probe", "no_probe", is_flag=True,
              help="Register without asking the repository (it is down now); the address is checked at every harvest.")
def add_command(
    name: str, url: str, metadata_prefix: str, set_spec: str | None, every: int | None, cron: str | None,
    no_probe: bool,
) -> None:
    """Register the OAI-PMH repository at URL as source NAME (a short lower-case name).

    The URL must be http(s) to an address this server may fetch (loopback and private
    networks only with OER_ALLOW_PRIVATE_SOURCES), and the repository must answer Identify
    and list the metadata prefix in ListMetadataFormats.
    """
    settings = command_settings()
    with store_sessions(settings) as sessions:
        validate_source(name.strip(), url.strip(), metadata_prefix.strip(), (set_spec or "").strip() or None,
                        cron, every)
        with sessions() as session:
            # Before looking the host up or asking the repository: a duplicate is refused offline.
            refuse_duplicate(session, name, url, metadata_prefix, set_spec)
        checked = check_source_url(url, allow_private=settings.allow_private_sources, must_resolve=not no_probe)
        if not no_probe:
            probe_repository(checked, metadata_prefix.strip(), default_client_settings(settings))
        with sessions.begin() as session:
            source = add_source(
                session, name, checked, metadata_prefix, set_spec, schedule_minutes=every, schedule_cron=cron
            )
            described = _describe(source.base_url, source.metadata_prefix, source.set_spec, _schedule(source))
    click.echo(f"Added source {name.strip()}: {described}")


@sources_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the sources as a JSON list.")
def list_command(as_json: bool) -> None:
    """Show every source with its resources, last harvest and health."""
    with store_sessions(command_settings()) as sessions, sessions() as session:
        statuses = source_statuses(session)
        errors = {
            status.last_run.id: (run_errors(session, status.last_run.id, limit=LISTED_RUN_ERRORS),
                                 count_run_errors(session, status.last_run.id))
            for status in statuses if status.last_run is not None
        } if as_json else {}
    if as_json:
        documents = [_status_json(status, errors) for status in statuses]
        click.echo(json.dumps(documents, ensure_ascii=False, indent=2))
        return
    if not statuses:
        click.echo("No sources yet; add one with `oer sources add NAME URL --prefix lom`.")
        return
    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console.width = PIPED_WIDTH
    table = Table()
    for column in ("Name", "URL", "Prefix", "Set", "Resources", "Last run", "Status",
                   "/".join(outcome.value for outcome in TABLE_OUTCOMES).capitalize(), "Health", "Schedule"):
        table.add_column(column, overflow="fold")
    for status in statuses:
        source, run = status.source, status.last_run
        table.add_row(
            source.name,
            source.base_url,
            source.metadata_prefix,
            source.set_spec or "",
            str(status.resources),
            _when(run.started_at) if run is not None else "never",
            run.status.value if run is not None else "",
            _counts(run) if run is not None else "",
            status.health.value,
            _schedule(source, short=True) or "by hand",
        )
    console.print(table)


@sources_group.command("errors")
@click.argument("name")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="Show at most this many errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the errors as a JSON list.")
def errors_command(name: str, limit: int, as_json: bool) -> None:
    """Show the latest harvest errors of source NAME, newest first, over all its runs."""
    with store_sessions(command_settings()) as sessions, sessions() as session:
        source = get_source(session, name)
        errors = source_errors(session, source.id, limit=limit)
    if as_json:
        click.echo(json.dumps([_error_json(error) for error in errors], ensure_ascii=False, indent=2))
        return
    if not errors:
        click.echo(f"No harvest errors recorded for {source.name}.")
        return
    for error in errors:
        where = error.stage.value if error.stage is not None else "?"
        click.echo(f"{_when(error.created_at)}  run {error.run_id}  {error.severity.value} "
                   f"{where}/{error.kind.value}: {error.text}")


@sources_group.command("remove")
@click.argument("name")
def remove_command(name: str) -> None:
    """Remove source NAME and withdraw everything it brought (kept as deleted for the feed)."""
    settings = command_settings()
    with store_sessions(settings) as sessions:
        with sessions() as session:
            source = get_source(session, name)
        with source_lock(engine_of(sessions), source, purpose="removed"), sessions.begin() as session:
            removal = remove_source(session, name)
            withdrawn = removal.withdrawn
        indexer = SearchIndexer(settings)
        try:
            index = indexer.drain(sessions, withdrawn.changed_ids | withdrawn.deleted_ids)
        finally:
            indexer.close()
    click.echo(
        f"Removed source {removal.name}: {len(withdrawn.outcomes)} records withdrawn "
        f"({len(withdrawn.deleted_ids)} resources now deleted, {len(withdrawn.changed_ids)} still "
        f"served by other sources); {removal.raw_records} archived records and {removal.runs} runs deleted"
    )
    if index.error is not None:
        click.echo(
            f"warning: search index unavailable ({index.error}); {index.pending} resources wait "
            "for indexing: the next harvest or `oer reindex` sends them",
            err=True,
        )


def _describe(url: str, prefix: str, set_spec: str | None, schedule: str | None) -> str:
    when = f", {schedule}" if schedule else ""
    return f"{url} (prefix {prefix}, set {set_spec or 'none'}{when})"


def _schedule(source: Source, *, short: bool = False) -> str | None:
    if not source.enabled:
        return "off (demo sample: harvested while `oer demo` runs)" if is_demo_source(source) else "off"
    if source.schedule_cron:
        return f"cron {source.schedule_cron}" if short else f"cron {source.schedule_cron} (Dutch time)"
    if source.schedule_minutes:
        return f"every {source.schedule_minutes} {'min' if short else 'minutes'}"
    return None


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


# The table's counts column: every counted outcome but skipped deletions, in COUNTED_OUTCOMES' order.
TABLE_OUTCOMES = tuple(outcome for outcome in COUNTED_OUTCOMES if outcome is not Outcome.SKIPPED)


def _counts(run: HarvestRun) -> str:
    return "/".join(str(getattr(run, outcome.value)) for outcome in TABLE_OUTCOMES)


def _error_json(error: RunError) -> dict[str, Any]:
    return {"run_id": error.run_id, **error.to_dict()}


def _status_json(status: SourceStatus, errors: dict[int, tuple[list[RunError], int]]) -> dict[str, Any]:
    source, run = status.source, status.last_run
    listed, total = errors.get(run.id, ([], 0)) if run is not None else ([], 0)
    return {
        "name": source.name,
        "url": source.base_url,
        "prefix": source.metadata_prefix,
        "set": source.set_spec,
        "enabled": source.enabled,
        "demo": is_demo_source(source),
        "schedule_minutes": source.schedule_minutes,
        "schedule_cron": source.schedule_cron,
        "granularity": source.granularity.value if source.granularity is not None else None,
        "resources": status.resources,
        "health": status.health.value,
        "last_run": None if run is None else {
            "id": run.id,
            "status": run.status.value,
            "full": run.full,
            "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "duration_seconds": run.duration_seconds,
            "pages": run.pages,
            **{outcome.value: getattr(run, outcome.value) for outcome in COUNTED_OUTCOMES},
            "errors": [error.to_dict() for error in listed],
            "error_count": total,
        },
    }


commands = [sources_group]
