"""Which tasks exist and how one runs: a task is a plain function of (settings, *ids).

No I/O of its own; running a task runs its function, which does its own I/O.

A task's message carries ids only (ints or strings), never objects: the worker
reads the current state from the store, so a task that is delivered twice, or
late, does the right thing (STYLE.md: tasks carry ids only and are idempotent).
The same `run_task_by_ids` is the one code path for a Celery worker and for the
in-process run without a broker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from oer.settings import Settings

Id = int | str
# When a scheduled task runs: every so many minutes, or a five-field crontab (Dutch time).
When = float | str
# Given the settings, the (id, when) pairs to run a task for on a schedule.
ScheduleProvider = Callable[[Settings], Iterable[tuple[Id, When]]]
TaskFunction = Callable[..., Any]

# Modules that declare tasks, imported before the registry is read (by a worker, by beat).
TASK_MODULES: tuple[str, ...] = (
    "oer.harvesting.tasks",
    "oer.insights.tasks",
    "oer.demand.tasks",
)


@dataclass(frozen=True, slots=True)
class Task:
    """A named task: `function(settings, *ids)` returns a JSON-serialisable result."""

    name: str
    function: TaskFunction
    # When set, beat runs the task for each id it yields, every `interval` minutes.
    schedule: ScheduleProvider | None = None


_registry: dict[str, Task] = {}


def task(name: str, *, schedule: ScheduleProvider | None = None) -> Callable[[TaskFunction], Task]:
    """Declare `function(settings, *ids)` as the task `name`; returns the `Task`."""

    def register(function: TaskFunction) -> Task:
        existing = _registry.get(name)
        if existing is not None and _qualified(existing.function) != _qualified(function):
            raise ValueError(
                f"task {name!r} is already declared by {_qualified(existing.function)}"
            )
        declared = Task(name=name, function=function, schedule=schedule)
        _registry[name] = declared
        return declared

    return register


def registered_tasks() -> tuple[Task, ...]:
    """Every declared task, after importing the modules that declare them."""
    for module in TASK_MODULES:
        import_module(module)
    return tuple(_registry.values())


def get_task(name: str) -> Task:
    if name not in _registry:
        registered_tasks()
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"no task named {name!r}; known: {sorted(_registry)}") from None


def check_ids(ids: Iterable[object]) -> tuple[Id, ...]:
    """The ids as a tuple; anything but an int or a str is a programming error."""
    checked: list[Id] = []
    for value in ids:
        # bool is an int subclass but never an id.
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise TypeError(
                f"task arguments are ids (int or str), not {type(value).__name__}: {value!r}"
            )
        checked.append(value)
    return tuple(checked)


def run_task_by_ids(settings: Settings, task: Task | str, ids: Sequence[object]) -> Any:
    """Run `task` for `ids` here and now: what a worker does with a message, and what
    `enqueue` does when there is no broker."""
    declared = get_task(task) if isinstance(task, str) else task
    return declared.function(settings, *check_ids(ids))


def _qualified(function: TaskFunction) -> str:
    return f"{function.__module__}.{getattr(function, '__qualname__', repr(function))}"
