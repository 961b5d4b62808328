"""`oer mail list`: the messages written to OER_HOME/mail when no SMTP server is set. I/O: terminal, files."""

from __future__ import annotations

import json

import click

from oer.commands.context import command_settings
from oer.mail import read_outbox


@click.group("mail")
def mail_group() -> None:
    """The mail outbox of an instance without an SMTP server (OER_SMTP_URL unset)."""


@mail_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the messages as JSON, bodies included.")
@click.option("--last", type=click.IntRange(min=1), default=None, help="Only the newest N messages.")
def mail_list_command(as_json: bool, last: int | None) -> None:
    """Show the messages in the outbox, oldest first (with --json: their text too)."""
    settings = command_settings()
    messages = read_outbox(settings)
    if last is not None:
        messages = messages[-last:]
    if as_json:
        click.echo(json.dumps([
            {"file": m.path.name, "to": m.to, "subject": m.subject, "date": m.date, "text": m.text}
            for m in messages
        ], ensure_ascii=False, indent=2))
        return
    if not messages:
        where = "an SMTP server (OER_SMTP_URL)" if settings.smtp_url else str(settings.mail_dir)
        click.echo(f"No messages in the outbox (mail goes to {where}).")
        return
    for message in messages:
        click.echo(f"{message.date}  {message.to}  {message.subject}")
        click.echo("  " + "\n  ".join(message.text.strip().splitlines()))
        click.echo("")


commands = [mail_group]
