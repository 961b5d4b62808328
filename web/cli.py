"""The `oer` console script: a Flask CLI group carrying every project command. I/O: terminal."""

from __future__ import annotations

from typing import Any

import click
from flask.cli import FlaskGroup

from harvester.errors import HarvestError
from metadata.errors import MetadataError
from oer import runtime
from oer.commands import register_commands
from oer.errors import OerError
from web.app import create_app

# Errors a user can act on: shown as one line with a non-zero exit, never a traceback.
_USER_ERRORS = (OerError, HarvestError, MetadataError, OSError)


class OerGroup(FlaskGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        # Every command is registered on this group; FlaskGroup would build the whole
        # app (database, feed, search) just to list `app.cli` commands for --help.
        return click.Group.list_commands(self, ctx)

    def invoke(self, ctx: click.Context) -> Any:
        # Commands that write without building the app (`oer demo` harvests before it serves)
        # commit through the same projections as the app and the worker.
        runtime.register()
        try:
            return super().invoke(ctx)
        except _USER_ERRORS as error:
            raise click.ClickException(str(error) or error.__class__.__name__) from error


def build_cli() -> click.Group:
    group = OerGroup(
        create_app=lambda: create_app(),
        add_default_commands=False,
        load_dotenv=False,
        set_debug_flag=False,
        add_version_option=False,
        help="Harvest, search and re-publish open learning materials (NL-LOM).",
    )
    # FlaskGroup's --app/--env-file/--debug serve generic Flask apps; this one has its factory.
    group.params = [p for p in group.params if p.name not in ("app", "env_file", "debug")]
    click.version_option(package_name="oer-repository", prog_name="oer")(group)
    register_commands(group)
    return group


def main() -> None:
    build_cli().main(prog_name="oer")
