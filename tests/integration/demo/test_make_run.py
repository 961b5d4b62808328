"""`make run` is `oer demo`, and the README's first screen says what it does truthfully."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from oer.commands.demo import DEFAULT_HOST, DEFAULT_PORT, demo_command

ROOT = Path(__file__).resolve().parents[3]


def test_make_run_runs_oer_demo() -> None:
    # Run under `make test`, a sub-make would inherit MAKELEVEL/MAKEFLAGS and print
    # "Entering/Leaving directory" lines; the dry run must see what a user's make sees.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    commands = dry_run.stdout.strip().splitlines()
    assert commands[-1].split() == [".venv/bin/oer", "demo"]


def test_make_run_creates_the_venv_when_it_is_missing() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run: \$\(STAMP\)$", makefile, re.MULTILINE)
    stamp_rule = makefile.split("$(STAMP): ", 1)[1].split("\n\n", 1)[0]
    assert "-m venv $(VENV)" in stamp_rule and "pip install" in stamp_rule


def test_the_readme_first_screen_says_what_make_run_does() -> None:
    first_screen = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## ", 1)[0]
    line = next(line for line in first_screen.splitlines() if line.startswith("make run"))
    assert "oer demo" in line
    assert f"http://{DEFAULT_HOST}:{DEFAULT_PORT}" in line
    options = {param.name: param.default for param in demo_command.params}
    assert (options["host"], options["port"]) == (DEFAULT_HOST, DEFAULT_PORT)
