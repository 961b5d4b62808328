"""`oer serve`: refuses an instance that is not initialised, in one line; serves one that is."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.fixtures.webapp import SECRET, WebInstance
from web.cli import build_cli

ROOT = Path(__file__).resolve().parents[3]


def _run(environment: dict[str, str], *arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_cli(), ["serve", *arguments], env=environment)
    return result.exit_code, result.output


def test_serve_without_init_is_one_line_telling_to_run_init(tmp_path: Path) -> None:
    code, output = _run({"OER_HOME": str(tmp_path / "home"), "OER_SECRET_KEY": "s"})
    assert code != 0
    lines = [line for line in output.splitlines() if line.startswith("Error")]
    assert len(lines) == 1 and "oer init" in lines[0], output
    assert "Traceback" not in output
    assert not (tmp_path / "home" / "oer.sqlite3").exists()


def test_serve_with_empty_database_tells_to_run_init(tmp_path: Path) -> None:
    (tmp_path / "oer.sqlite3").touch()
    code, output = _run({"OER_HOME": str(tmp_path), "OER_SECRET_KEY": "s"})
    assert code != 0 and "oer init" in output and "Traceback" not in output


def test_serve_without_secret_key_tells_to_run_init(tmp_path: Path) -> None:
    code, output = _run({"OER_HOME": str(tmp_path)})
    assert code != 0 and "oer init" in output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_serve_serves_the_site_with_gunicorn(web_instance: WebInstance) -> None:
    port = _free_port()
    environment = {
        "OER_HOME": str(web_instance.settings.home),
        "OER_SECRET_KEY": SECRET,
        "PATH": "/usr/bin:/bin",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", "from web.cli import main; main()", "serve", "--port", str(port),
         "--workers", "1"],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        body = b""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    body = response.read()
                    break
            except OSError:
                time.sleep(0.2)
        assert b'"status":"ok"' in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/search?q=breuken", timeout=5) as response:
            assert response.status == 200
            assert "Lessenserie <mark>breuken</mark>" in response.read().decode()
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "gunicorn" in output.lower() or "Booting worker" in output, output
