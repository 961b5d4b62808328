"""The Celery application, built from the settings. I/O: none until used; Celery connects lazily.

Redis (OER_BROKER_URL) is both the broker and the result backend. There is no
module-level app: `create_celery_app(settings)` is the one factory for the
worker, beat and `enqueue`, and nothing connects before a task is sent.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery import Task as CeleryTask

from oer.errors import ConfigurationError
from oer.runtime import register
from oer.settings import Settings
from oer.tasks.registry import Task, registered_tasks, run_task_by_ids

DEFAULT_QUEUE = "oer"
SETTINGS_KEY = "oer_settings"
# Redis hands an unacknowledged message to another worker after this long. Tasks are
# acknowledged when they finish (acks_late), and a harvest of a large source can run for
# hours, so this must outlast the longest task or a still-running harvest is started twice.
VISIBILITY_TIMEOUT_SECONDS = 12 * 3600
RESULT_EXPIRES_SECONDS = 24 * 3600


def create_celery_app(settings: Settings) -> Celery:
    """A Celery app for `settings.broker_url` with every declared task bound to it."""
    if settings.broker_url is None:
        raise ConfigurationError(
            "OER_BROKER_URL is not set: without a broker tasks run in-process, "
            "and there is no queue for a worker or beat to use"
        )
    # The worker's commits follow resources with the same projections as the app's.
    register()
    app = Celery("oer", set_as_current=False)
    app.conf.update(
        broker_url=settings.broker_url,
        result_backend=settings.broker_url,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_SECONDS},
        result_expires=RESULT_EXPIRES_SECONDS,
        result_extended=True,
        task_default_queue=DEFAULT_QUEUE,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        # Tasks are idempotent, so a task whose worker died is safely run again rather than lost.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_track_started=True,
        # Harvests are long: a worker takes one message at a time so others can take the rest.
        worker_prefetch_multiplier=1,
        # Messages carry UTC; crontab schedules are read in the timezone of the schools they
        # serve, so a source's "0 3 * * *" stays at three at night across daylight saving.
        timezone="Europe/Amsterdam",
        enable_utc=True,
    )
    app.conf[SETTINGS_KEY] = settings
    for declared in registered_tasks():
        bind_task(app, declared)
    return app


def settings_of(app: Celery) -> Settings:
    settings: Settings = app.conf[SETTINGS_KEY]
    return settings


def bind_task(app: Celery, declared: Task) -> CeleryTask:
    """The Celery task that runs `declared` with the app's settings; bound once per app."""
    if declared.name in app.tasks:
        return app.tasks[declared.name]
    settings = settings_of(app)

    def run(*ids: Any) -> Any:
        return run_task_by_ids(settings, declared, ids)

    run.__name__ = declared.function.__name__
    run.__doc__ = declared.function.__doc__
    run.__module__ = declared.function.__module__
    celery_task: CeleryTask = app.task(name=declared.name, shared=False)(run)
    return celery_task
