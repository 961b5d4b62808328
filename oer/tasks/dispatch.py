"""Send a task to the workers, or run it right here when there is no broker. I/O: network (broker).

`enqueue(settings, task, *ids)` is the one way the rest of the project starts a
task. With OER_BROKER_URL set the ids go to Redis and a worker runs the task;
without it (the embedded default) the same function runs in this process before
`enqueue` returns. Either way the work is `registry.run_task_by_ids`.
"""

from __future__ import annotations

import enum
from functools import lru_cache
from typing import Any

from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeoutError
from celery.result import AsyncResult
from kombu.exceptions import OperationalError

from oer.errors import OerError
from oer.settings import Settings
from oer.tasks.app import bind_task, create_celery_app
from oer.tasks.registry import Id, Task, check_ids, get_task, run_task_by_ids


class TaskQueueError(OerError):
    """The broker could not take a task, or no result came back in time."""


class Dispatch(enum.Enum):
    IN_PROCESS = "in-process"
    QUEUED = "queued"


class Submission:
    """A task handed to `enqueue`: its result now (in-process) or later (queued)."""

    def __init__(
        self,
        task: str,
        ids: tuple[Id, ...],
        dispatch: Dispatch,
        *,
        value: Any = None,
        async_result: AsyncResult | None = None,
    ) -> None:
        self.task = task
        self.ids = ids
        self.dispatch = dispatch
        self._value = value
        self._async_result = async_result

    @property
    def task_id(self) -> str | None:
        """Celery's id for a queued task; None for a task that already ran in-process."""
        return self._async_result.id if self._async_result is not None else None

    def result(self, timeout: float | None = None) -> Any:
        """The task's return value; a task's own error is raised here, as it would be in-process."""
        if self._async_result is None:
            return self._value
        try:
            return self._async_result.get(timeout=timeout, propagate=True)
        except CeleryTimeoutError:
            raise TaskQueueError(
                f"task {self.task} {list(self.ids)} gave no result within {timeout} s "
                "(is a worker running? `oer worker`)"
            ) from None
        except (OperationalError, RuntimeError) as error:
            # Celery's result consumer gives up with a RuntimeError once Redis stays away.
            celery_app.cache_clear()
            raise TaskQueueError(f"the broker could not be reached: {error}") from error


def enqueue(settings: Settings, task: Task | str, *ids: object) -> Submission:
    """Run `task` for `ids`: on a worker through the broker, or in-process without one."""
    declared = get_task(task) if isinstance(task, str) else task
    checked = check_ids(ids)
    if settings.broker_url is None:
        value = run_task_by_ids(settings, declared, checked)
        return Submission(declared.name, checked, Dispatch.IN_PROCESS, value=value)
    celery_task = bind_task(celery_app(settings), declared)
    try:
        async_result = celery_task.apply_async(args=checked)
    except (OperationalError, RuntimeError) as error:
        # Celery's result consumer gives up with a RuntimeError and asks for a new app.
        celery_app.cache_clear()
        raise TaskQueueError(
            f"the broker at OER_BROKER_URL could not take task {declared.name}: {error}"
        ) from error
    return Submission(declared.name, checked, Dispatch.QUEUED, async_result=async_result)


@lru_cache(maxsize=8)
def celery_app(settings: Settings) -> Celery:
    """One Celery app per settings, so its connection pool is shared by every `enqueue`."""
    app = create_celery_app(settings)
    # The caller waits while Celery retries: give up on an unreachable Redis after about a
    # second (Celery's default is 20 retries a second apart) and say so. Workers keep the
    # patient default, riding out a broker restart.
    app.conf.result_backend_transport_options = {
        "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5},
    }
    return app
