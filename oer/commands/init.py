"""`oer init`: prepare OER_HOME and bring the database to the newest schema. I/O: terminal, files, database."""

from __future__ import annotations

import click

from oer.commands.context import command_settings
from oer.settings import SECRET_KEY_FILE, ensure_home
from oer.store.database import migrate


@click.command("init")
def init_command() -> None:
    """Create OER_HOME and migrate the database to the newest schema (safe to run again)."""
    settings = command_settings()
    home_existed = settings.home.is_dir()
    had_secret = settings.secret_key is not None
    settings = ensure_home(settings)
    click.echo(f"Home: {settings.home} ({'exists' if home_existed else 'created'})")
    secret_file = settings.home / SECRET_KEY_FILE
    if not had_secret:
        click.echo(f"Secret key: generated into {secret_file}")
    elif secret_file.is_file() and secret_file.read_text().strip() == settings.secret_key:
        click.echo(f"Secret key: kept ({secret_file})")
    else:
        click.echo("Secret key: from OER_SECRET_KEY")
    migration = migrate(settings)
    if migration.changed:
        click.echo(
            f"Database: {migration.url} migrated from "
            f"{migration.before or 'empty'} to revision {migration.after}"
        )
    else:
        click.echo(f"Database: {migration.url} already at revision {migration.after} (newest)")


commands = [init_command]
