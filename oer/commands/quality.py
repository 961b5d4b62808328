"""`oer quality validate FILE` and `oer quality load FILE`: the quality framework as data. I/O: terminal, files, database.

`validate` checks a framework version (JSON, described by
`schemas/quality/framework.schema.json`) and prints every problem, one per
line, exit status 1 when there is any; with an instance it also checks a
`replaces` mapping against the version loaded there. `load` makes the file
the current version. Annotations made under earlier versions stay as they
were; the new version's `replaces` mapping says where their criteria went.
`oer quality show` prints the current version's groups and criteria.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from metadata.quality import check_framework
from oer.accounts.actor import SYSTEM
from oer.commands.context import command_settings
from oer.errors import OerError
from oer.quality import service
from oer.quality.errors import InvalidFramework
from oer.quality.queries import current_framework
from oer.store.database import store_sessions


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{path}: cannot read it: {error}") from error
    except json.JSONDecodeError as error:
        raise click.ClickException(f"{path}: not JSON: {error}") from error


@click.group("quality")
def quality_group() -> None:
    """The quality framework: validate, load and show versions."""


@quality_group.command("validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate_command(file: Path) -> None:
    """Check a framework version; print every problem."""
    document = _read(file)
    try:
        with store_sessions(command_settings()) as sessions, sessions() as session:
            problems = service.validate_framework(session, document)
    except (SQLAlchemyError, OerError):
        # No instance (or not migrated yet): the file on its own, without the loaded versions.
        problems = check_framework(document)
    if problems:
        for problem in problems:
            click.echo(f"{file}: {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"{file}: a valid framework, version {document['version']}")


@quality_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_command(file: Path) -> None:
    """Make a framework version the current one."""
    document = _read(file)
    try:
        with store_sessions(command_settings()) as sessions, sessions.begin() as session:
            framework = service.load_framework(session, SYSTEM, document)
    except InvalidFramework as invalid:
        for problem in invalid.problems:
            click.echo(f"{file}: {problem}", err=True)
        raise SystemExit(1) from invalid
    criteria = len(framework.criteria)
    click.echo(f"Loaded framework version {framework.version} ({len(framework.groups)} groups, {criteria} criteria); "
               "it is now the current version.")


@quality_group.command("show")
def show_command() -> None:
    """Print the current version's groups and criteria."""
    with store_sessions(command_settings()) as sessions, sessions() as session:
        framework = current_framework(session)
    click.echo(f"{framework.name_nl} (versie {framework.version}, {framework.published})")
    for group in framework.groups:
        click.echo(f"{group.nl}")
        for criterion in group.criteria:
            roles = ", ".join(sorted(role.value for role in criterion.roles))
            click.echo(f"  {criterion.id}: {criterion.nl} [{criterion.scale.name}; {roles}]")


commands = [quality_group]
