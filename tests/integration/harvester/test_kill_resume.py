"""A harvest killed with SIGKILL and started again ends with every record stored exactly once."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from harvester.replay_pages import GeneratedCorpus, PageSource
from harvester.replay_server import OaiReplayServer
from tests.fixtures.oai_server import FaultPlan, blocked, slow, token_is

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]

ROOT = Path(__file__).resolve().parents[3]
StartServer = Callable[[PageSource], OaiReplayServer]


def start_harvest(url: str, database: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.harvester.harvest_process", url, str(database)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)  # reaps the process and closes its pipes
    assert process.returncode == -signal.SIGKILL


def finish(process: subprocess.Popen[bytes]) -> None:
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr.decode()


def deliveries(database: Path) -> Counter[str]:
    with sqlite3.connect(database) as db:
        return Counter(key for (key,) in db.execute("SELECT key FROM deliveries"))


def stored_checkpoint(database: Path) -> dict[str, object] | None:
    if not database.exists():
        return None
    with sqlite3.connect(database) as db:
        try:
            row = db.execute("SELECT data FROM checkpoint WHERE id = 1").fetchone()
        except sqlite3.OperationalError:
            return None  # killed before the schema existed
    return json.loads(row[0]) if row else None


def test_kill_while_waiting_for_a_page_then_resume(oai_server: StartServer, tmp_path: Path) -> None:
    corpus = GeneratedCorpus(1000, page_size=50)
    gate, arrived = threading.Event(), threading.Event()
    server = oai_server(FaultPlan(corpus).add(blocked(gate, arrived), when=token_is("0.250.1000")))
    database = tmp_path / "harvest.sqlite3"

    process = start_harvest(server.url, database)
    assert arrived.wait(timeout=60), "the harvest never asked for page 6"
    kill(process)
    gate.set()

    checkpoint = stored_checkpoint(database)
    assert checkpoint is not None
    assert checkpoint["pages"] == 5 and checkpoint["resumption_token"] == "0.250.1000"
    assert sum(deliveries(database).values()) == 250

    finish(start_harvest(server.url, database))
    delivered = deliveries(database)
    assert set(delivered) == {corpus.identifier(index) for index in range(1000)}
    assert set(delivered.values()) == {1}, "a record was stored twice"
    resumed = [request for request in server.received if request.resumption_token == "0.250.1000"]
    assert len(resumed) == 2
    first_pages = [r for r in server.received if r.verb == "ListRecords" and r.resumption_token is None]
    assert len(first_pages) == 1, "the second run started the list again instead of resuming"
    final = stored_checkpoint(database)
    assert final is not None and final["complete"] is True and final["records"] == 1000


def wait_for_progress(database: Path, process: subprocess.Popen[bytes], pages: int) -> int:
    """Wait until the harvest committed more than `pages` pages (or ended); return the count."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        checkpoint = stored_checkpoint(database)
        committed = int(checkpoint["pages"]) if checkpoint is not None else 0  # type: ignore[call-overload]
        if committed > pages:
            return committed
        time.sleep(0.01)
    return pages


def test_kills_at_random_moments_lose_and_duplicate_nothing(oai_server: StartServer, tmp_path: Path) -> None:
    corpus = GeneratedCorpus(2000, page_size=50)
    # A little latency per page so that the list takes a while (40 pages, over a second).
    server = oai_server(FaultPlan(corpus).add(slow(0.03), times=None))
    database = tmp_path / "harvest.sqlite3"
    moments = random.Random(20240301)
    pages, kills = 0, 0
    for _ in range(4):
        process = start_harvest(server.url, database)
        # Once the run has made progress, kill it a random moment later: while
        # it waits for a page, parses one, or commits one.
        pages = wait_for_progress(database, process, pages)
        time.sleep(moments.uniform(0.0, 0.1))
        if process.poll() is not None:
            process.communicate()
            break
        kill(process)
        kills += 1
    finish(start_harvest(server.url, database))

    assert kills >= 3, "the list ended before the kills; the test proved nothing"
    delivered = deliveries(database)
    assert set(delivered) == {corpus.identifier(index) for index in range(2000)}
    assert set(delivered.values()) == {1}, "a record was stored twice"
    final = stored_checkpoint(database)
    assert final is not None and final["complete"] is True and final["records"] == 2000
