"""Tasks without a broker run in-process through the same code; ids only; beat schedules."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab

from oer.errors import ConfigurationError
from oer.settings import Settings
from oer.tasks.app import create_celery_app
from oer.tasks.dispatch import Dispatch, TaskQueueError, enqueue
from oer.tasks.registry import get_task, run_task_by_ids, task
from oer.tasks.schedule import HARVEST_SOURCE_TASK, SourceScheduler, build_beat_schedule
from tests.integration.tasks import workload

# Nothing listens on port 1: a broker there refuses every connection at once.
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def settings_for(home: Path, broker_url: str | None = None) -> Settings:
    env = {"OER_HOME": str(home)}
    if broker_url:
        env["OER_BROKER_URL"] = broker_url
    return Settings.from_env(env)


def test_without_a_broker_enqueue_runs_the_task_here_and_now(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    submission = enqueue(settings, workload.mark_processed, 7, "oai:x:1")
    assert submission.dispatch is Dispatch.IN_PROCESS
    assert submission.task_id is None
    assert submission.result() == {
        "ids": [7, "oai:x:1"], "pid": os.getpid(), "home": str(tmp_path.resolve()),
    }
    written = sorted(p.name for p in (tmp_path / "processed").iterdir())
    assert written == ["7.json", "oai:x:1.json"]


def test_in_process_is_the_same_code_path_as_a_worker(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    by_name = enqueue(settings, "tests.mark_processed", 3).result()
    direct = run_task_by_ids(settings, workload.mark_processed, [3])
    assert by_name == direct


def test_running_a_task_twice_leaves_the_same_state(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    enqueue(settings, workload.mark_processed, 1, 2)
    first = {p.name: p.read_text() for p in (tmp_path / "processed").iterdir()}
    enqueue(settings, workload.mark_processed, 2, 1)
    assert {p.name: p.read_text() for p in (tmp_path / "processed").iterdir()} == first


def test_a_task_error_reaches_the_caller_in_process(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="refused 5"):
        enqueue(settings_for(tmp_path), workload.refuse, 5)


@pytest.mark.parametrize("broker_url", [None, UNREACHABLE_BROKER])
@pytest.mark.parametrize("bad", [{"id": 1}, 1.5, True, None, b"7"])
def test_tasks_take_ids_only(tmp_path: Path, broker_url: str | None, bad: object) -> None:
    # Checked before anything is sent: the unreachable broker is never contacted.
    with pytest.raises(TypeError, match="ids"):
        enqueue(settings_for(tmp_path, broker_url), workload.mark_processed, 1, bad)
    assert not (tmp_path / "processed").exists()


def test_an_unknown_task_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(LookupError, match="no-such-task"):
        enqueue(settings_for(tmp_path), "no-such-task", 1)


def test_a_task_name_is_declared_once() -> None:
    with pytest.raises(ValueError, match="already declared"):
        task("tests.mark_processed")(lambda settings, *ids: None)
    assert get_task("tests.mark_processed") is workload.mark_processed


def test_a_broker_that_cannot_be_reached_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TaskQueueError, match=r"could not take task tests\.mark_processed"):
        enqueue(settings_for(tmp_path, UNREACHABLE_BROKER), workload.mark_processed, 1)
    assert not (tmp_path / "processed").exists()


def test_the_celery_app_needs_a_broker(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="OER_BROKER_URL is not set"):
        create_celery_app(settings_for(tmp_path))


def test_the_celery_app_is_built_from_the_settings(tmp_path: Path) -> None:
    app = create_celery_app(settings_for(tmp_path, UNREACHABLE_BROKER))
    assert app.conf.broker_url == UNREACHABLE_BROKER
    assert app.conf.result_backend == UNREACHABLE_BROKER
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.accept_content == ["json"]
    assert "tests.mark_processed" in app.tasks


def test_beat_schedule_has_one_entry_per_source() -> None:
    schedule = build_beat_schedule([(1, 60), ("school-x", 0.5)])
    assert schedule == {
        f"{HARVEST_SOURCE_TASK}:1": {
            "task": HARVEST_SOURCE_TASK,
            "schedule": timedelta(hours=1),
            "args": (1,),
            "options": {"expires": 3600.0},
        },
        f"{HARVEST_SOURCE_TASK}:school-x": {
            "task": HARVEST_SOURCE_TASK,
            "schedule": timedelta(seconds=30),
            "args": ("school-x",),
            "options": {"expires": 30.0},
        },
    }


def test_a_crontab_schedule_runs_at_its_times_in_dutch_time(tmp_path: Path) -> None:
    app = create_celery_app(settings_for(tmp_path, UNREACHABLE_BROKER))
    entry = build_beat_schedule([(7, "0 3 * * 1-5")])[f"{HARVEST_SOURCE_TASK}:7"]
    runs = entry["schedule"]
    runs.app = app  # beat binds the entry's schedule to the app, and so its timezone
    assert isinstance(runs, crontab)
    # The fields in crontab's order (minute hour day-of-month month day-of-week), not Celery's.
    assert (runs.minute, runs.hour, runs.day_of_week) == ({0}, {3}, {1, 2, 3, 4, 5})
    assert runs.day_of_month == set(range(1, 32)) and runs.month_of_year == set(range(1, 13))
    # Dutch time: three at night is 02:00 UTC in winter and 01:00 UTC in summer.
    amsterdam = ZoneInfo("Europe/Amsterdam")
    # Fridays at 03:30 in Amsterdam: the next run skips the weekend to Monday 03:00.
    winter = datetime(2026, 1, 16, 2, 30, tzinfo=UTC)
    summer = datetime(2026, 7, 17, 1, 30, tzinfo=UTC)
    for last_run in (winter, summer):
        runs.nowfun = lambda last_run=last_run: last_run.astimezone(amsterdam)
        assert runs.is_due(last_run - timedelta(days=1)).is_due
        after = runs.remaining_estimate(last_run)
        assert (last_run + after).astimezone(amsterdam).replace(tzinfo=None) == datetime(
            last_run.year, last_run.month, last_run.day + 3, 3, 0
        )
    # A weekday-nightly harvest that waited a day for a worker is dropped, not queued.
    assert entry["options"] == {"expires": 86400.0}
    assert build_beat_schedule([(7, "*/15 * * * *")])[f"{HARVEST_SOURCE_TASK}:7"]["options"] == {
        "expires": 900.0
    }


@pytest.mark.parametrize(
    "sources, message",
    [
        ([(1, 0)], "positive"),
        ([(1, -5)], "positive"),
        ([(1, 5), (1, 10)], "twice"),
        ([(1, 5), (1, "0 3 * * *")], "twice"),
        ([(1, "0 3 * *")], "five-field"),
        ([(1, "61 3 * * *")], "not a valid crontab"),
    ],
)
def test_beat_schedule_refuses_bad_intervals(sources: list[tuple[int, float | str]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_beat_schedule(sources)


def _test_entries(scheduler: SourceScheduler) -> set[str]:
    """The schedule's entries of the test workload (the product's own tasks are scheduled too)."""
    return {name for name in scheduler.schedule if name.startswith("tests.")}


def test_the_scheduler_follows_the_sources_while_it_runs(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, UNREACHABLE_BROKER)
    schedule_file = tmp_path / workload.SCHEDULE_FILE
    schedule_file.write_text(json.dumps([[1, 60], [2, 30]]))
    scheduler = SourceScheduler(app=create_celery_app(settings))
    assert _test_entries(scheduler) == {"tests.mark_processed:1", "tests.mark_processed:2"}
    first_run_of_1 = scheduler.schedule["tests.mark_processed:1"].last_run_at

    schedule_file.write_text(json.dumps([[1, 15], [3, 30]]))
    scheduler.refresh()
    assert _test_entries(scheduler) == {"tests.mark_processed:1", "tests.mark_processed:3"}
    entry = scheduler.schedule["tests.mark_processed:1"]
    assert entry.schedule.run_every == timedelta(minutes=15)
    # An edited source keeps its place in time: no extra run because the interval changed.
    assert entry.last_run_at == first_run_of_1


def test_the_scheduler_keeps_its_schedule_when_the_sources_cannot_be_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(tmp_path, UNREACHABLE_BROKER)
    schedule_file = tmp_path / workload.SCHEDULE_FILE
    schedule_file.write_text(json.dumps([[1, 60]]))
    scheduler = SourceScheduler(app=create_celery_app(settings))
    schedule_file.write_text("not json")
    scheduler.refresh()
    assert _test_entries(scheduler) == {"tests.mark_processed:1"}
    assert "could not read the schedule" in caplog.text
