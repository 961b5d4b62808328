"""The app's handles on the catalogue: store sessions and the search backend, once per app. I/O: database, search index.

The database engine and its session factory are made by the app factory
(`app.extensions["oer_store"]`); the search backend is opened here on first
use, under a lock, and kept in `app.extensions` for the life of the app, so
no request pays for opening it. Tests may hand in a backend of their own
(`OER_SEARCH_BACKEND` in the test config).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy.orm import Session, sessionmaker

from oer.discovery.search import TermLabels
from oer.search import SearchBackend, open_backend
from oer.settings import Settings
from oer.store.errors import DatabaseOutdatedError

EXTENSION = "oer_catalogue"
# The app factory's store extension (engine + sessions), shared with the OAI feed.
STORE_EXTENSION = "oer_store"


class Catalogue:
    """The search backend of one app (opened lazily) and the labels it has learnt."""

    def __init__(self, settings: Settings, backend: SearchBackend | None = None) -> None:
        self.settings = settings
        self._backend = backend
        self._lock = threading.Lock()
        self.labels = TermLabels()

    def backend(self) -> SearchBackend:
        if self._backend is None:
            with self._lock:
                if self._backend is None:
                    self._backend = open_backend(self.settings)
        return self._backend

    def close(self) -> None:
        with self._lock:
            if self._backend is not None:
                self._backend.close()
                self._backend = None


def init_app(app: Flask) -> None:
    settings: Settings = app.config["OER_SETTINGS"]
    app.extensions[EXTENSION] = Catalogue(settings, app.config.get("OER_SEARCH_BACKEND"))


def catalogue() -> Catalogue:
    extension: Catalogue = current_app.extensions[EXTENSION]
    return extension


def search_backend() -> SearchBackend:
    return catalogue().backend()


@contextmanager
def read_session() -> Iterator[Session]:
    """A read-only session on the app's database (rolled back at the end)."""
    sessions: sessionmaker[Session] = current_app.extensions[STORE_EXTENSION].sessions
    require_database_file(current_app.config["OER_SETTINGS"])
    with sessions() as session:
        try:
            yield session
        finally:
            session.rollback()


def require_database_file(settings: Settings) -> None:
    """Refuse to open a SQLite database that is not there (connecting would create it empty)."""
    url = settings.database_url
    if not url.startswith("sqlite") or ":///" not in url:
        return
    path = url.split(":///", 1)[1]
    if path and path != ":memory:" and not Path(path).exists():
        raise DatabaseOutdatedError(f"no database at {path}: run `oer init`")
