"""`oer serve`: serve the site, the JSON API and the OAI-PMH feed with gunicorn. I/O: network, terminal.

Production-grade on purpose: gunicorn (already the scaled deployment's
server) runs in-process through its `BaseApplication` API, with a few
threaded workers forked from this process. gunicorn needs a POSIX system;
on one without `fork` the command says so (there, run a WSGI server of your
choice on `web.wsgi:app`). Before serving, the database must be initialised
and the search backend usable; otherwise one line says what to do
(`oer init`), never a traceback. Requests are logged where `OER_ACCESS_LOG`
says (standard output by default), or not at all.
"""

from __future__ import annotations

import gc
import os
import threading
from typing import Any

import click

from oer.commands.context import command_context, command_settings
from oer.errors import ConfigurationError
from oer.runtime import WARM_UPS
from oer.search import open_backend
from oer.settings import Settings
from oer.store.database import create_engine_from_settings, ensure_current, require_database_file

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
# Threads per worker: requests mostly wait on the index or the database.
THREADS = 4
# Container objects allocated (net) before the cyclic collector looks at the young ones. A page
# allocates a few thousand that all live until it is answered, so at Python's 700 nearly every
# page paid for a collection that found nothing to free.
YOUNG_OBJECTS = 10_000


def check_instance(settings: Settings) -> None:
    """Raise an OerError (one line, naming `oer init`) unless the instance can serve."""
    if not settings.secret_key:
        raise ConfigurationError("no secret key: run `oer init` (or set OER_SECRET_KEY)")
    require_database_file(settings)
    engine = create_engine_from_settings(settings)
    try:
        ensure_current(engine)
    finally:
        # The workers are forked after this: none may inherit an open connection.
        engine.dispose()
    backend = open_backend(settings)
    backend.close()
    check_access_log(settings)


def check_access_log(settings: Settings) -> None:
    """Refuse, in one line, an access log file that cannot be written (gunicorn would not start)."""
    if settings.access_log in (None, "-"):
        return
    try:
        with open(settings.access_log, "a", encoding="utf-8"):
            pass
    except OSError as error:
        raise ConfigurationError(
            f"OER_ACCESS_LOG: cannot write to {settings.access_log}: {error.strerror or error}") from None


def settle_for_serving() -> None:
    """Keep the cyclic garbage collector off what lives as long as the server, and off each page.

    Everything built so far (the app, its templates and tables) is frozen: no collection walks it
    again, so a worker no longer stops for 0.1-0.2 s now and then (and workers forked after this
    share it). For `oer serve` and the WSGI entry point, after building the app.
    """
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS, *gc.get_threshold()[1:])


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def gunicorn_application(app: Any, options: dict[str, Any]) -> Any:
    """A gunicorn application serving `app` (imported lazily: gunicorn is POSIX-only)."""
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError as error:  # pragma: no cover - only on systems without fork
        raise ConfigurationError(
            "`oer serve` runs gunicorn, which needs a POSIX system; elsewhere serve "
            "web.wsgi:app with a WSGI server of your choice"
        ) from error

    class OerServer(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    return OerServer()


@click.command("serve")
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True,
    help="Port to listen on.",
)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=None,
    help="Worker processes (default: one per CPU, at most 4).",
)
def serve_command(host: str, port: int, workers: int | None) -> None:
    """Serve the site, the JSON API and the OAI-PMH feed (gunicorn)."""
    serve(command_settings(), host=host, port=port, workers=workers)


def gunicorn_options(settings: Settings, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                     workers: int | None = None) -> dict[str, Any]:
    """The gunicorn settings `oer serve` runs with."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers or default_workers(),
        "worker_class": "gthread",
        "threads": THREADS,
        # None: no access log.
        "accesslog": settings.access_log,
        "errorlog": "-",
        "graceful_timeout": 10,
        # Each connection closed after its answer. A worker keeps the connections it accepted,
        # so a client (or a proxy's pool) holding a few open could pin them all on one
        # process while another idles; the site benchmark saw /search at 4 connections
        # halve its throughput in some runs and not others. Reconnecting costs a loopback
        # handshake, and a proxy in front of the site needs no upstream keep-alive.
        "keepalive": 0,
        "timeout": 60,
        "post_worker_init": start_warm_ups,
    }


def start_warm_ups(worker: Any) -> None:
    """A gunicorn worker, once started, prepares what its first requests would otherwise wait for.

    In threads of their own: the worker serves meanwhile, and a request that needs what is
    being prepared waits for it rather than preparing it again. Done per worker, not before
    the fork: no database connection or index reader may cross it.
    """
    app = worker.wsgi
    for warm_up in getattr(app, "extensions", {}).get(WARM_UPS, ()):
        threading.Thread(target=warm_up, args=(app,), daemon=True, name="warm-up").start()


def serve(settings: Settings, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          workers: int | None = None) -> None:
    """Check the instance, build the app on `settings`, serve it until interrupted (also `oer demo`)."""
    check_instance(settings)
    # Built after the check, so a missing instance is one line, not an app failing to start.
    # The app connects to the database lazily: no pooled connection crosses the fork below.
    app = command_context().build_app(settings)
    settle_for_serving()
    click.echo(f"Serving on http://{host}:{port}/ (Ctrl+C stops)")
    gunicorn_application(app, gunicorn_options(settings, host=host, port=port, workers=workers)).run()


commands = [serve_command]
