"""`oer feed status` and `oer feed rebuild`: the feed's stored payloads. I/O: terminal, database.

The feed serves each record from its payloads stored per format
(`oer.feed.payloads`). `status` counts, per format, the live resources whose
payload is current, stale (written by another serialiser version, so served
freshly serialised until rebuilt) or missing. `rebuild` rewrites the stale and
missing ones (all of them with `--all`), a batch per transaction, while the
site keeps serving; run it after an upgrade that changed the serialiser.
"""

from __future__ import annotations

import click

from oer.commands.context import command_settings, counting_progress
from oer.feed.payloads import PayloadStatus, payload_status, rebuild_payloads
from oer.store.database import store_sessions


@click.group("feed")
def feed_group() -> None:
    """The OAI-PMH feed's stored payloads: status and rebuild."""


@feed_group.command("status")
def status_command() -> None:
    """Count current, stale and missing payloads per format."""
    with store_sessions(command_settings()) as sessions, sessions() as session:
        status = payload_status(session)
    _print_status(status)


@feed_group.command("rebuild")
@click.option(
    "--all", "everything", is_flag=True, help="Rewrite every payload, not only stale and missing ones."
)
def rebuild_command(everything: bool) -> None:
    """Rewrite stale and missing payloads (the feed keeps serving meanwhile)."""
    with store_sessions(command_settings()) as sessions:
        with sessions() as session:
            live = payload_status(session).live
        with counting_progress("Checking payloads") as progress:
            task = progress.add_task("rebuild", total=live)
            report = rebuild_payloads(
                sessions,
                everything=everything,
                on_progress=lambda count: progress.update(task, completed=count),
            )
        with sessions() as session:
            status = payload_status(session)
    click.echo(
        f"Checked {report.checked} live resources in {report.seconds:.1f} s: rewrote the payloads of "
        f"{report.rewritten}, dropped {report.dropped} unused payloads."
    )
    _print_status(status)


def _print_status(status: PayloadStatus) -> None:
    click.echo(f"Feed payloads (serialiser version {status.version}) of {status.live} live resources:")
    for found in status.formats:
        click.echo(f"  {found.prefix}: {found.current} current, {found.stale} stale, {found.missing} missing")
    if status.unused:
        click.echo(f"  {status.unused} unused (of tombstones or formats no longer offered)")
    if status.to_rebuild:
        click.echo(f"{status.to_rebuild} payloads are served freshly serialised until `oer feed rebuild`.")


commands = [feed_group]
