"""`oer serve`: refuses an instance that is not initialised, in one line; serves one that is."""

from __future__ import annotations

import gc
import http.client
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from oer.commands import serve as serve_command_module
from oer.commands.serve import check_access_log, gunicorn_options
from oer.errors import ConfigurationError
from oer.settings import Settings
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
        # Requests spread over the workers: none keeps a client's connection (gunicorn_options),
        # though the client asks for it (HTTP/1.1 without `Connection: close`, unlike urllib).
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            answer = connection.getresponse()
            answer.read()
            assert answer.status == 200
            assert answer.getheader("Connection") == "close"
        finally:
            connection.close()
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "gunicorn" in output.lower() or "Booting worker" in output, output


@pytest.mark.parametrize(("value", "accesslog"), [(None, "-"), ("off", None), ("access.log", "access.log")])
def test_serve_hands_gunicorn_the_access_log_setting(tmp_path: Path, value: str | None,
                                                     accesslog: str | None) -> None:
    environment = {"OER_HOME": str(tmp_path)} | ({} if value is None else {"OER_ACCESS_LOG": value})
    options = gunicorn_options(Settings.from_env(environment), port=5001, workers=2)
    assert options["accesslog"] == accesslog
    assert options["errorlog"] == "-", "errors are logged whatever the access log"
    assert (options["bind"], options["workers"]) == ("127.0.0.1:5001", 2)


def test_serve_refuses_an_access_log_it_cannot_write_in_one_line(tmp_path: Path) -> None:
    unwritable = tmp_path / "no" / "such" / "dir.log"
    settings = Settings.from_env({"OER_HOME": str(tmp_path), "OER_ACCESS_LOG": str(unwritable)})
    with pytest.raises(ConfigurationError, match=rf"OER_ACCESS_LOG: cannot write to {re.escape(str(unwritable))}: "):
        check_access_log(settings)
    check_access_log(Settings.from_env({"OER_HOME": str(tmp_path), "OER_ACCESS_LOG": str(tmp_path / "access.log")}))


@pytest.mark.slow
def test_serve_writes_requests_to_the_access_log_file(web_instance: WebInstance, tmp_path: Path) -> None:
    port = _free_port()
    access_log = tmp_path / "access.log"
    environment = {
        "OER_HOME": str(web_instance.settings.home),
        "OER_SECRET_KEY": SECRET,
        "OER_ACCESS_LOG": str(access_log),
        "PATH": "/usr/bin:/bin",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", "from web.cli import main; main()", "serve", "--port", str(port),
         "--workers", "1"],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    response.read()
                    break
            except OSError:
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/search?q=breuken", timeout=5) as response:
            assert response.status == 200
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    logged = access_log.read_text(encoding="utf-8")
    assert '"GET /search?q=breuken HTTP/1.1" 200' in logged, logged
    assert "GET /search" not in output, "the requests went to the file, not to standard output"


def test_serve_puts_the_built_app_out_of_the_collectors_way(web_instance: WebInstance,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, int]] = []

    class Server:
        def run(self) -> None:
            seen.append((gc.get_freeze_count(), gc.get_threshold()[0]))

    monkeypatch.setattr(serve_command_module, "gunicorn_application", lambda app, options: Server())
    threshold = gc.get_threshold()
    try:
        code, output = _run({"OER_HOME": str(web_instance.settings.home), "OER_SECRET_KEY": SECRET})
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
    assert code == 0, output
    # The app and everything it loaded, frozen before gunicorn forks its workers; the young
    # generation collected less often.
    assert seen and seen[0][0] > 10_000 and seen[0][1] == serve_command_module.YOUNG_OBJECTS
