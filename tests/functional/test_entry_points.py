"""The console script and the WSGI entry point, run as a user or a deployment would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

OER = Path(sys.executable).with_name("oer")


def _environment(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("OER_")}
    env["OER_HOME"] = str(home)
    return env


def test_help_lists_commands_without_building_the_app(tmp_path: Path) -> None:
    home = tmp_path / "instance"
    done = subprocess.run(
        [str(OER), "--help"], env=_environment(home), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    for command in ("init", "normalize", "sources", "harvest", "search", "reindex", "serve", "demo"):
        assert f"  {command} " in done.stdout
    # Nothing was opened or created, and nothing was logged.
    assert done.stderr == ""
    assert not home.exists()


def test_wsgi_entry_point_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import web.wsgi"],
        env=_environment(tmp_path / "instance"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "OER_SECRET_KEY is not set" in done.stderr


def test_search_on_an_uninitialised_instance_says_what_to_do(tmp_path: Path) -> None:
    home = tmp_path / "instance"
    done = subprocess.run(
        [str(OER), "search", "breuken"],
        env=_environment(home),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"Error: no search index in {home}: run `oer init` and harvest a source first"
    )
    assert not (home / "index").exists()
