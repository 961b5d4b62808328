"""What every `oer` command reads from its invocation: the settings, and how to build the site.

The console script (`web.cli`) puts one `CommandContext` on the click context.
Commands take their settings from it, read once from the environment unless the
caller gave them (tests do). Building the web app is the entry point's to
know: only `oer serve` (and `oer demo`, which ends by serving) asks for it, so
no other command builds a Flask app, a search backend or a database engine it
does not use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from oer.settings import Settings

# Builds the WSGI app that `oer serve` hands to gunicorn, from the command's settings.
AppFactory = Callable[[Settings], Any]


@dataclass
class CommandContext:
    settings_given: Settings | None = None
    app_factory: AppFactory | None = None
    _settings: Settings | None = field(default=None, init=False, repr=False)

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = self.settings_given or Settings.from_env()
        return self._settings

    def build_app(self, settings: Settings) -> Any:
        if self.app_factory is None:
            raise click.UsageError("this `oer` has no web app to serve")
        return self.app_factory(settings)


def command_context() -> CommandContext:
    """The invocation's context; a bare one (settings from the environment) if none was set."""
    ctx = click.get_current_context()
    found = ctx.find_object(CommandContext)
    if found is None:
        found = ctx.find_root().ensure_object(CommandContext)
    return found


def command_settings() -> Settings:
    return command_context().settings()


def counting_progress(label: str) -> Progress:
    """A progress bar on standard error counting done of total (`oer reindex`, `oer feed rebuild`).

    It stays on a terminal's screen; elsewhere (a log, a pipe) it goes when done.
    """
    console = Console(stderr=True)
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=not console.is_terminal)
