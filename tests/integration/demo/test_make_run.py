"""`make run` is `oer demo`, and the README's first screen says what it does truthfully."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from oer.commands.demo import DEFAULT_HOST, DEFAULT_PORT, demo_command

ROOT = Path(__file__).resolve().parents[3]


def test_make_run_runs_oer_demo() -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    dry_run = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True)
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
