"""The harvest task: in-process without a broker, through real Redis to a real `oer worker`, on beat's schedule."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from celery.schedules import crontab

from harvester.replay_pages import GeneratedCorpus
from oer.harvesting.service import HarvestReport, harvest
from oer.settings import Settings, ensure_home
from oer.store.database import migrate
from oer.tasks.dispatch import Dispatch, celery_app, enqueue
from oer.tasks.registry import registered_tasks
from oer.tasks.schedule import HARVEST_SOURCE_TASK, scheduled_entries
from tests.fixtures.oai_server import edurep_pages
from tests.fixtures.services import require_service
from tests.integration.tasks.test_celery_redis import (
    START_SECONDS,
    OerProcess,
    wait_until,
)
from tests.support.harvesting import (
    Gate,
    StartServer,
    add,
    indexed,
    runs,
    stored,
)

RESULT_SECONDS = 60.0


def test_without_a_broker_the_task_harvests_in_process(instance: Settings, oai_server: StartServer) -> None:
    server = oai_server(edurep_pages())
    source_id = add(instance, "edurep", server.url)

    submission = enqueue(instance, HARVEST_SOURCE_TASK, source_id)

    assert submission.dispatch is Dispatch.IN_PROCESS
    result = submission.result()
    assert result["source_id"] == source_id and result["status"] == "succeeded"
    assert result["counts"]["created"] == 11
    assert set(indexed(instance)) == set(stored(instance).live)
    # A task for a source removed since it was sent does nothing, and says so.
    assert enqueue(instance, HARVEST_SOURCE_TASK, source_id + 1000).result()["status"] == "skipped"


def test_beat_schedules_each_enabled_source_with_an_interval(instance: Settings) -> None:
    hourly = add(instance, "hourly", "https://hourly.example.org/oai", schedule_minutes=60)
    add(instance, "by-hand", "https://by-hand.example.org/oai")
    add(instance, "paused", "https://paused.example.org/oai", schedule_minutes=5, enabled=False)

    entries = scheduled_entries(registered_tasks(), instance)

    harvests = {key: entry for key, entry in entries.items() if entry["task"] == HARVEST_SOURCE_TASK}
    assert list(harvests) == [f"{HARVEST_SOURCE_TASK}:{hourly}"]
    assert harvests[f"{HARVEST_SOURCE_TASK}:{hourly}"]["schedule"] == timedelta(minutes=60)
    assert harvests[f"{HARVEST_SOURCE_TASK}:{hourly}"]["args"] == (hourly,)


def test_beat_schedules_a_source_with_a_crontab_at_its_times(instance: Settings) -> None:
    nightly = add(instance, "nightly", "https://nightly.example.org/oai", schedule_cron="0 3 * * *")

    entries = scheduled_entries(registered_tasks(), instance)

    entry = entries[f"{HARVEST_SOURCE_TASK}:{nightly}"]
    assert isinstance(entry["schedule"], crontab)
    assert (entry["schedule"].minute, entry["schedule"].hour) == ({0}, {3})
    assert entry["args"] == (nightly,)


# -- through Redis -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def queued(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """An initialised instance whose tasks go through Redis (OER_TEST_BROKER_URL)."""
    broker_url = require_service("OER_TEST_BROKER_URL", "Redis (the Celery broker)")
    home = tmp_path_factory.mktemp("oer-harvest-home")
    # The sources are loopback servers.
    settings = ensure_home(Settings.from_env({"OER_HOME": str(home), "OER_BROKER_URL": broker_url,
                                              "OER_ALLOW_PRIVATE_SOURCES": "1"}))
    migrate(settings)
    return settings


@pytest.fixture(scope="module")
def worker(queued: Settings) -> Iterator[str]:
    """A real `oer worker` process (solo pool) on the instance's OER_HOME."""
    name = f"oer-harvest-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    process = OerProcess(["worker", "--pool", "solo", "--name", name, "--loglevel", "WARNING"],
                         queued, queued.home / "worker.log")
    try:
        control = celery_app(queued).control
        wait_until(lambda: process.process.poll() is None and bool(control.ping(destination=[name], timeout=0.5)),
                   START_SECONDS, f"worker {name} did not answer", process.log)
        yield name
    finally:
        process.stop()


@pytest.mark.redis
def test_a_worker_harvests_a_source_sent_through_redis(queued: Settings, worker: str,
                                                       oai_server: StartServer) -> None:
    server = oai_server(edurep_pages())
    source_id = add(queued, f"edurep-{uuid.uuid4().hex[:6]}", server.url)

    submission = enqueue(queued, HARVEST_SOURCE_TASK, source_id)

    assert submission.dispatch is Dispatch.QUEUED
    result = submission.result(timeout=RESULT_SECONDS)
    assert result["status"] == "succeeded", result
    assert result["counts"]["created"] == 11 and result["pages"] == 2
    live = {rid for (name, _), (rid, deleted) in stored(queued).provenances.items()
            if name == result["source"] and not deleted}
    assert len(live) == 11 and live <= set(indexed(queued))

    # A later delivery of the same message is an ordinary incremental harvest.
    again = enqueue(queued, HARVEST_SOURCE_TASK, source_id).result(timeout=RESULT_SECONDS)
    assert again["status"] == "succeeded" and again["window_from"] == "2020-02-06T17:10:23Z"
    assert (again["counts"]["created"], again["counts"]["deleted"]) == (3, 1)
    assert [run.status.value for run in runs(queued, result["source"])] == ["succeeded", "succeeded"]


@pytest.mark.redis
def test_a_delivery_while_the_source_is_being_harvested_is_refused(queued: Settings, worker: str,
                                                                   oai_server: StartServer) -> None:
    gate = Gate(GeneratedCorpus(5))
    server = oai_server(gate)
    name = f"busy-{uuid.uuid4().hex[:6]}"
    source_id = add(queued, name, server.url)
    here: list[HarvestReport] = []
    holder = threading.Thread(target=lambda: here.extend(harvest(queued, [name])))
    holder.start()
    try:
        assert gate.waiting.wait(30), "the harvest in this process never asked for a page"
        refused = enqueue(queued, HARVEST_SOURCE_TASK, source_id).result(timeout=RESULT_SECONDS)
    finally:
        gate.opened.set()
        holder.join(60)

    assert refused["status"] == "refused"
    assert "being harvested by another process" in refused["errors"][0]
    assert [report.ok for report in here] == [True]
    assert [run.status.value for run in runs(queued, name)] == ["succeeded"]
