"""Tasks through a real Redis to a real `oer worker` process, and `oer beat` scheduling them.

Needs OER_TEST_BROKER_URL (CI starts Redis in .ci/run). The worker and beat run
as subprocesses of the real `oer` command line, with `workload` imported so they
know the test tasks; every wait is bounded, and both are stopped with SIGTERM
(Celery's warm shutdown) at the end. Ids are unique per test, so a message left
in the queue by an earlier, interrupted run cannot be mistaken for this one's.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest

from oer.errors import ConfigurationError
from oer.settings import Settings
from oer.tasks.dispatch import Dispatch, celery_app, enqueue
from oer.tasks.registry import registered_tasks
from oer.tasks.schedule import scheduled_entries
from tests.fixtures.services import require_service
from tests.integration.tasks import workload

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parents[3]
# Runs the real `oer` entry point after declaring the test tasks in that process.
OER_WITH_TEST_TASKS = "import tests.integration.tasks.workload; from web.cli import main; main()"
START_SECONDS = 30.0
STOP_SECONDS = 30.0
RESULT_SECONDS = 30.0


def wait_until(check: Callable[[], bool], seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} within {seconds} s; log:\n{log.read_text()[-3000:]}")


class OerProcess:
    """`oer ARGS…` in a subprocess with the test tasks declared; output kept in a log file."""

    def __init__(self, args: list[str], settings: Settings, log: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OER_")}
        env.update(
            OER_HOME=str(settings.home),
            OER_BROKER_URL=settings.broker_url or "",
            OER_ALLOW_PRIVATE_SOURCES="1" if settings.allow_private_sources else "0",
            PYTHONPATH=str(ROOT),
        )
        self.log = log
        self.args = args
        self._log_file: IO[bytes] = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-c", OER_WITH_TEST_TASKS, *args],
            cwd=settings.home, env=env, stdout=self._log_file, stderr=subprocess.STDOUT,
        )

    def stop(self) -> None:
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
                    pytest.fail(f"oer {' '.join(self.args)} ignored SIGTERM for {STOP_SECONDS} s")
        finally:
            self._log_file.close()


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    broker_url = require_service("OER_TEST_BROKER_URL", "Redis (the Celery broker)")
    home = tmp_path_factory.mktemp("oer-home")
    return Settings.from_env({"OER_HOME": str(home), "OER_BROKER_URL": broker_url})


@pytest.fixture(scope="module")
def worker(settings: Settings) -> Iterator[str]:
    """A running `oer worker` (solo pool); yields its node name."""
    name = f"oer-test-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    process = OerProcess(
        ["worker", "--pool", "solo", "--name", name, "--loglevel", "WARNING"],
        settings, settings.home / "worker.log",
    )
    try:
        control = celery_app(settings).control
        wait_until(
            lambda: process.process.poll() is None
            and bool(control.ping(destination=[name], timeout=0.5)),
            START_SECONDS, f"worker {name} did not answer", process.log,
        )
        yield name
    finally:
        process.stop()


def unique_id(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:12]}"


def written_by(settings: Settings, item_id: str) -> int | None:
    path = workload.processed_dir(settings) / f"{item_id}.json"
    return json.loads(path.read_text())["pid"] if path.exists() else None


def test_a_task_goes_through_redis_to_the_worker_and_its_result_comes_back(
    settings: Settings, worker: str
) -> None:
    first, second = unique_id("a"), unique_id("b")
    submission = enqueue(settings, workload.mark_processed, first, 42, second)
    assert submission.dispatch is Dispatch.QUEUED
    assert submission.task_id
    result = submission.result(timeout=RESULT_SECONDS)
    # The worker is another process, and it ran the task with its own settings (its OER_HOME).
    assert result["ids"] == [first, 42, second]
    assert result["home"] == str(settings.home)
    assert result["pid"] != os.getpid()
    assert written_by(settings, first) == written_by(settings, second) == result["pid"]


def test_sending_the_same_ids_again_leaves_the_same_state(settings: Settings, worker: str) -> None:
    item = unique_id("again")
    enqueue(settings, workload.mark_processed, item).result(timeout=RESULT_SECONDS)
    before = (workload.processed_dir(settings) / f"{item}.json").read_text()
    enqueue(settings, workload.mark_processed, item).result(timeout=RESULT_SECONDS)
    assert (workload.processed_dir(settings) / f"{item}.json").read_text() == before


def test_a_task_error_comes_back_from_the_worker_as_the_same_error(
    settings: Settings, worker: str
) -> None:
    item = unique_id("refused")
    submission = enqueue(settings, workload.refuse, item)
    with pytest.raises(ConfigurationError, match=f"refused {item}"):
        submission.result(timeout=RESULT_SECONDS)


def test_oer_worker_ping_is_a_health_check_of_the_running_worker(
    settings: Settings, worker: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OER_")}
    env.update(OER_HOME=str(settings.home), OER_BROKER_URL=settings.broker_url or "")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "oer"), "worker", "--ping", "--name", worker],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{worker}: ok"


def test_beat_sends_each_scheduled_source_to_the_worker(settings: Settings, worker: str) -> None:
    scheduled = unique_id("scheduled")
    # Every 1.2 s, so the first run is due right after beat starts.
    (settings.home / workload.SCHEDULE_FILE).write_text(json.dumps([[scheduled, 0.02]]))
    beat = OerProcess(["beat", "--loglevel", "INFO"], settings, settings.home / "beat.log")
    try:
        wait_until(
            lambda: written_by(settings, scheduled) is not None,
            RESULT_SECONDS, f"beat did not get {scheduled} processed", beat.log,
        )
    finally:
        beat.stop()
        (settings.home / workload.SCHEDULE_FILE).unlink()
    assert written_by(settings, scheduled) != os.getpid()
    # The workload's one entry beside the product's own schedules (a harvest per scheduled source: none here).
    product = scheduled_entries([t for t in registered_tasks() if not t.name.startswith("tests.")], settings)
    assert f"{1 + len(product)} scheduled entries" in beat.log.read_text()
