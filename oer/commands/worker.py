"""`oer worker` and `oer beat`: the Celery worker and scheduler of the scaled deployment.
I/O: network (broker), terminal.

Both need OER_BROKER_URL; without it tasks run in-process and there is nothing
to start, which is said in one line rather than with a traceback.
"""

from __future__ import annotations

import socket

import click
from kombu.exceptions import OperationalError

from oer.settings import Settings
from oer.tasks.app import create_celery_app
from oer.tasks.schedule import SourceScheduler

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def default_node_name() -> str:
    return f"oer@{socket.gethostname()}"


@click.command("worker")
@click.option(
    "--concurrency", "-c", type=click.IntRange(min=1), default=None,
    help="Tasks run at once (default: one per CPU).",
)
@click.option(
    "--pool", type=click.Choice(["prefork", "threads", "solo"]), default="prefork",
    show_default=True, help="How tasks run: child processes, threads, or in the worker itself.",
)
@click.option("--name", "node_name", default=None, help="Node name (default: oer@HOSTNAME).")
@click.option("--loglevel", type=click.Choice(LOG_LEVELS), default="INFO", show_default=True)
@click.option(
    "--ping", is_flag=True,
    help="Do not start a worker: exit 0 if the worker of this node answers (a health check).",
)
def worker_command(
    concurrency: int | None, pool: str, node_name: str | None, loglevel: str, ping: bool
) -> None:
    """Run a Celery worker that takes tasks from OER_BROKER_URL."""
    app = create_celery_app(Settings.from_env())
    name = node_name or default_node_name()
    if ping:
        try:
            replies = app.control.ping(destination=[name], timeout=5.0)
        except OperationalError as error:
            raise click.ClickException(f"the broker at OER_BROKER_URL cannot be reached: {error}") from error
        if not replies:
            raise click.ClickException(f"worker {name} did not answer through the broker")
        click.echo(f"{name}: ok")
        return
    worker = app.Worker(hostname=name, pool=pool, concurrency=concurrency, loglevel=loglevel)
    worker.start()
    raise click.exceptions.Exit(worker.exitcode or 0)


@click.command("beat")
@click.option("--loglevel", type=click.Choice(LOG_LEVELS), default="INFO", show_default=True)
def beat_command(loglevel: str) -> None:
    """Run Celery beat: sends each source's harvest task on its schedule (run exactly one)."""
    app = create_celery_app(Settings.from_env())
    app.Beat(scheduler=SourceScheduler, loglevel=loglevel).run()


commands = [worker_command, beat_command]
