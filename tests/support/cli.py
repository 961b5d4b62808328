"""Run an `oer` command on a test instance, as its console script would (in-process)."""

from __future__ import annotations

from click.testing import CliRunner, Result

from oer.settings import Settings
from web.cli import build_cli


def run_oer(settings: Settings | None, *args: str, input: str | None = None,
            env: dict[str, str] | None = None) -> Result:
    """`oer ARGS` on `settings` (None: the environment's, as `env` sets it)."""
    return CliRunner().invoke(build_cli(settings), list(args), input=input, env=env)
