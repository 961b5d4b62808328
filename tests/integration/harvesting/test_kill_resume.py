"""A real `oer harvest` killed with SIGKILL and started again ends with every record stored and indexed once."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, suppress
from pathlib import Path

import pytest

from harvester.replay_pages import GeneratedCorpus
from oer.harvesting.models import RunStatus
from oer.settings import Settings
from tests.fixtures.oai_server import FaultPlan, slow
from tests.support.harvesting import StartServer, indexed, runs, stored

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]

OER = Path(sys.executable).parent / "oer"
# Long enough that the harvest indexes in a background process (see DatabaseHarvestSink).
RECORDS = 6000
PAGE_SIZE = 200


def oer_env(home: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("OER_")}
    env["OER_HOME"] = str(home)
    # The source is a loopback server.
    env["OER_ALLOW_PRIVATE_SOURCES"] = "1"
    return env


def oer(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(OER), *args], env=oer_env(home), capture_output=True, text=True, timeout=120)


def committed_pages(database: Path) -> int:
    with closing(sqlite3.connect(database, timeout=30)) as db:
        row = db.execute("SELECT pages FROM checkpoint").fetchone()
    return int(row[0]) if row else 0


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with suppress(OSError):
            found.update(int(child) for child in (task / "children").read_text().split())
    return found


def wait_gone(pids: set[int], seconds: float = 10.0) -> set[int]:
    deadline = time.monotonic() + seconds
    while pids and time.monotonic() < deadline:
        pids = {pid for pid in pids if Path(f"/proc/{pid}").exists()
                and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()}
        time.sleep(0.05)
    return pids


def test_kills_at_random_moments_lose_and_duplicate_nothing(tmp_path: Path, oai_server: StartServer) -> None:
    home = tmp_path / "home"
    corpus = GeneratedCorpus(RECORDS, page_size=PAGE_SIZE)
    # Some latency per page, so the list takes a few seconds: kills land while waiting, parsing or committing.
    server = oai_server(FaultPlan(corpus).add(slow(0.1), times=None))
    assert oer(home, "init").returncode == 0
    added = oer(home, "sources", "add", "slow", server.url, "--prefix", "lom")
    assert added.returncode == 0, added.stderr
    database = home / "oer.sqlite3"
    moments = random.Random(20240301)

    kills, pages, orphans = 0, 0, set()
    for _ in range(4):
        process = subprocess.Popen([str(OER), "harvest", "slow"], env=oer_env(home),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while process.poll() is None and committed_pages(database) <= pages and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(moments.uniform(0.0, 0.15))
        if process.poll() is not None:
            process.communicate()
            break
        helpers = children(process.pid)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
        assert process.returncode == -signal.SIGKILL
        orphans |= wait_gone(helpers)
        kills += 1
        pages = committed_pages(database)
    finished = oer(home, "harvest", "slow")

    assert kills >= 3, "the list ended before the kills; the test proved nothing"
    assert not orphans, "a helper process of a killed harvest lived on"
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "harvested to the end (resumed)" in finished.stdout
    settings = Settings.from_env({"OER_HOME": str(home)})
    state = stored(settings)
    assert {key[1] for key in state.provenances} == {corpus.identifier(i) for i in range(RECORDS)}
    assert len(state.live) == RECORDS, "a material was stored as two resources"
    assert state.archived == RECORDS, "a record was received and archived twice"
    history = runs(settings, "slow")
    # Each record was in exactly one committed page: counted once, as created, never again.
    assert sum(run.created for run in history) == RECORDS
    assert sum(run.updated + run.unchanged for run in history) == 0
    assert [run.status for run in history] == [RunStatus.INTERRUPTED] * kills + [RunStatus.SUCCEEDED]
    first_lists = [r for r in server.received if r.verb == "ListRecords" and r.resumption_token is None]
    assert len(first_lists) == 1, "a run started the list again instead of resuming"
    # Whatever a killed process stored but did not index, the last run sent to the index.
    assert not state.pending
    assert set(indexed(settings)) == set(state.live)
