"""The `oer` console script: one click group carrying every project command. I/O: terminal.

This is the entry point that knows the web app: it hands `oer serve` the app
factory through the command context. Every other command reads only its
settings, so none of them builds a Flask app.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask

from harvester.errors import HarvestError
from metadata.errors import MetadataError
from oer import runtime
from oer.commands import register_commands
from oer.commands.context import CommandContext
from oer.errors import OerError
from oer.settings import Settings
from web.app import create_app

# Errors a user can act on: shown as one line with a non-zero exit, never a traceback.
_USER_ERRORS = (OerError, HarvestError, MetadataError, OSError)


class OerGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        # Commands that write without building the app (`oer demo` harvests before it serves)
        # commit through the same projections as the app and the worker.
        runtime.register()
        try:
            return super().invoke(ctx)
        except _USER_ERRORS as error:
            raise click.ClickException(str(error) or error.__class__.__name__) from error


def served_app(settings: Settings) -> Flask:
    return create_app({"OER_SETTINGS": settings})


def build_cli(settings: Settings | None = None) -> click.Group:
    """The `oer` group; `settings` replaces the environment's (tests give their instance's)."""

    @click.group(cls=OerGroup, help="Harvest, search and re-publish open learning materials (NL-LOM).")
    @click.version_option(package_name="oer-repository", prog_name="oer")
    @click.pass_context
    def group(ctx: click.Context) -> None:
        ctx.obj = CommandContext(settings_given=settings, app_factory=served_app)

    register_commands(group)
    return group


def main() -> None:
    build_cli().main(prog_name="oer")
