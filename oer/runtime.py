"""The composition root: settings in; store, search backend, task dispatch and projections out.

The Flask app (`web.app.create_app`) and the Celery worker
(`oer.tasks.app.create_celery_app`) each build one `Runtime` from one
`Settings`; CLI commands and tasks take store sessions from their settings
(`oer.store.database.store_sessions`), and nothing else builds an engine. Every
entry point registers the projections every commit runs
(`oer.catalogue.changes`: the feed's set membership, its stored payloads and
the search index's outbox) and the drain a long harvest uses to keep the index caught up
(`oer.harvesting.index_catch_up`). This is the one module in `oer` that may
import every domain.

I/O: none on import. The engine connects on first use; the search backend is
opened on first use, under a lock, and kept for the life of the runtime.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from oer.catalogue.changes import Projection, register_projections
from oer.discovery.indexing import (
    BackgroundIndexer,
    SearchIndexer,
    SearchIndexProjection,
    drain_index_pending,
)
from oer.feed.payloads import FeedPayloadProjection
from oer.feed.projection import FeedMembershipProjection
from oer.harvesting.index_catch_up import IndexCatchUp, register_index_catch_up
from oer.quality.annotators import watch_annotator_names
from oer.search import SearchBackend, open_backend
from oer.search.errors import SearchError
from oer.settings import Settings
from oer.store.database import create_engine_from_settings, session_factory

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from oer.tasks.dispatch import Submission
    from oer.tasks.registry import Task


# Where the web app lists what each server worker prepares before its first requests ask for it
# (`app.extensions[WARM_UPS]`): callables taking the app, run once per worker in threads of their
# own by `oer serve`.
WARM_UPS = "oer_warm_ups"


def projections() -> tuple[Projection, ...]:
    """What follows from resources, in the order it is brought up to date."""
    return (FeedMembershipProjection(), FeedPayloadProjection(), SearchIndexProjection())


def index_catch_up() -> IndexCatchUp:
    """How a harvest drains the search index's outbox while it runs (here, or in a child process)."""
    # Looked up on each call, not bound now, so a test may replace BackgroundIndexer.start.
    return IndexCatchUp(
        drain=SearchIndexer,
        background=lambda settings: BackgroundIndexer.start(settings),
    )


def register() -> None:
    """Register the projections, the index catch-up and the watch on annotators' names (which the
    feed shows) for this process (idempotent; every entry point calls it)."""
    register_projections(projections())
    register_index_catch_up(index_catch_up())
    watch_annotator_names()


@dataclass
class Runtime:
    """One deployment's handles, built from its settings: store sessions and search backend."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    _backend: SearchBackend | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def search_backend(self) -> SearchBackend:
        """The search backend of the settings (tantivy or Elasticsearch), opened once."""
        if self._backend is None:
            with self._lock:
                if self._backend is None:
                    self._backend = open_backend(self.settings)
        return self._backend

    def enqueue(self, task: Task | str, *ids: object) -> Submission:
        """Run a declared task on the workers, or here when there is no broker."""
        # Imported here: the Celery app registers this module's projections when it is built.
        from oer.tasks.dispatch import enqueue

        return enqueue(self.settings, task, *ids)

    def index_now(self, resource_ids: Collection[str]) -> bool:
        """Bring these resources' index entries up to date now (after a web write commits).

        The index is a projection: the commit already marked them pending, so
        when search is down this only logs, and the next drain (a harvest,
        `oer reindex`) brings them in. Returns whether they were indexed.
        """
        try:
            drain_index_pending(self.sessions, self.search_backend(), ids=resource_ids)
        except SearchError as error:
            log.warning("search index not updated now (kept pending): %s", error)
            return False
        return True

    def close_search_backend(self) -> None:
        """Close the search backend; the next use opens the settings' backend again."""
        with self._lock:
            if self._backend is not None:
                self._backend.close()
            self._backend = None

    def close(self) -> None:
        """Close the search backend and the engine's connections."""
        self.close_search_backend()
        self.engine.dispose()


def build_runtime(settings: Settings, *, search_backend: SearchBackend | None = None) -> Runtime:
    """The runtime of `settings`; `search_backend` hands in one already open (tests, benchmarks)."""
    register()
    engine = create_engine_from_settings(settings)
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        _backend=search_backend,
    )
