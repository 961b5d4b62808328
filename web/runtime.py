"""The app's handles on the catalogue, from the app's `oer.runtime.Runtime`. I/O: database, search index.

`create_app` builds one runtime (engine, sessions, search backend) and keeps it
in `app.extensions["oer_runtime"]`; this module gives views a read session and
the search backend (opened on first use, kept for the life of the app, so no
request pays for opening it), and keeps the term labels the site has learnt.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, url_for
from sqlalchemy.orm import Session

from oer.catalogue.site import Site
from oer.discovery.search import TermLabels
from oer.runtime import Runtime
from oer.search import SearchBackend
from oer.store.database import require_database_file

EXTENSION = "oer_catalogue"
RUNTIME_EXTENSION = "oer_runtime"


class Catalogue:
    """The search side of one app: its runtime's backend and the labels it has learnt."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.labels = TermLabels()

    def backend(self) -> SearchBackend:
        return self.runtime.search_backend()

    def close(self) -> None:
        self.runtime.close_search_backend()


def init_app(app: Flask, runtime: Runtime) -> None:
    app.extensions[RUNTIME_EXTENSION] = runtime
    app.extensions[EXTENSION] = Catalogue(runtime)


def app_runtime(app: Flask | None = None) -> Runtime:
    extension: Runtime = (app or current_app).extensions[RUNTIME_EXTENSION]
    return extension


def catalogue() -> Catalogue:
    extension: Catalogue = current_app.extensions[EXTENSION]
    return extension


def search_backend() -> SearchBackend:
    return catalogue().backend()


@contextmanager
def read_session() -> Iterator[Session]:
    """A read-only session on the app's database (rolled back at the end)."""
    runtime = app_runtime()
    require_database_file(runtime.settings)
    with runtime.sessions() as session:
        try:
            yield session
        finally:
            session.rollback()




def site() -> Site:
    """This site as the writing domains name what is made here: repository id and page URLs."""
    return Site(
        repository_id=app_runtime().settings.oai_repository_id,
        page_url=lambda resource_id: url_for("site.resource", resource_id=resource_id, _external=True),
    )
