"""The `oer` command-line commands, one module per concern. I/O: terminal.

Each module listed in COMMAND_MODULES exposes `commands`, a list of click
commands or groups; the entry point (`web.cli`) adds them all to one Flask CLI
group. Commands are thin: parse arguments, call a service, print.
"""

from __future__ import annotations

from importlib import import_module

import click

COMMAND_MODULES: tuple[str, ...] = (
    "normalize",
    "init",
    "worker",
    "search",
    "feed",
    "sources",
    "harvest",
    "demo",
    "serve",
    "licence",
    "accounts",
    "mail",
    "quality",
    "insight",
    "demand",
)


def register_commands(group: click.Group) -> None:
    for name in COMMAND_MODULES:
        module = import_module(f"{__name__}.{name}")
        for command in module.commands:
            group.add_command(command)
