"""Bringing the search index up to date with the store: the `index_pending` backlog. I/O: database, search index.

Storing never waits for search. The transaction that changes a resource also
marks it `index_pending` (`SearchIndexProjection`, run on the resources its
writer marked changed, `oer.catalogue.changes`); this module sends marked resources to the search
backend afterwards (live ones indexed, tombstones deleted) and clears the mark
only for what the backend accepted, and only if the resource did not change
again in the meantime (its `updated_at` is compared). A search outage leaves the
marks in place and is reported (`IndexingReport.error`); the next drain (after
the next page, the next harvest, or a rebuild) sends them again. Indexing is by
id, so sending a resource twice is harmless.

`SearchIndexer` opens the backend the settings name on first use and, after an
outage, stops trying until it is asked to retry, so a harvest against a dead
search cluster does not pay a connection timeout for every page.
`BackgroundIndexer` runs the same drain in a child process, so a long
harvest indexes on a second core while it stores on the first.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import datetime
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for
from multiprocessing.synchronize import Event
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from oer.catalogue.changes import Change
from oer.catalogue.models import Resource
from oer.discovery.queries import IndexEntry, iter_index_entries
from oer.errors import ConfigurationError
from oer.search import SearchBackend, SearchDocument, document_from_record, open_backend
from oer.search.errors import SearchError
from oer.search.outbox import IndexingReport
from oer.search.reindex import ProgressCallback, ReindexReport, reindex
from oer.settings import Settings
from oer.store.database import create_engine_from_settings, session_factory
from oer.store.types import utcnow

# Resources sent to the backend per call (one index commit each).
DRAIN_BATCH = 2000
# Seconds the background indexer waits between drains: fewer, larger index commits.
BACKGROUND_INTERVAL = 2.0

BackendOpener = Callable[[Settings], SearchBackend]


def mark_index_pending(session: Session, resource_ids: Collection[str]) -> None:
    """Mark resources for the search index, inside the caller's transaction."""
    ids = sorted(set(resource_ids))
    for start in range(0, len(ids), DRAIN_BATCH):
        session.execute(
            update(Resource)
            .where(Resource.id.in_(ids[start : start + DRAIN_BATCH]))
            .values(index_pending=True)
            .execution_options(synchronize_session=False)
        )


class SearchIndexProjection:
    """The search index's projection: changed resources join the index's outbox.

    Marking is all it does inside the unit of work; the index itself is written
    after the commit by whoever drains the outbox (`SearchIndexer.drain`, the
    harvest's background indexer, `oer search reindex`), so a search outage never
    blocks storing.
    """

    name = "search-index"

    def project(self, session: Session, changes: Mapping[str, Change]) -> None:
        mark_index_pending(session, list(changes))


def count_index_pending(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(Resource).where(Resource.index_pending.is_(True))
    ) or 0


def document_from_entry(entry: IndexEntry) -> SearchDocument:
    return document_from_record(
        entry.id, entry.record, sources=entry.sources, updated_at=entry.updated_at,
        supplied={"quality": entry.quality, "quality_detail": entry.quality_detail},
    )


def drain_index_pending(
    sessions: sessionmaker[Session],
    backend: SearchBackend,
    *,
    ids: Collection[str] | None = None,
    batch_size: int = DRAIN_BATCH,
) -> IndexingReport:
    """Send marked resources (only `ids`, if given) to `backend`; raises SearchError on an outage.

    Each batch is read in one transaction, sent, then unmarked in another; a
    batch the backend refused stays marked.
    """
    indexed = deleted = 0
    last_id = ""
    wanted = sorted(set(ids)) if ids is not None else None
    while True:
        with sessions.begin() as session:
            batch = _pending_batch(session, wanted, last_id, batch_size)
            if not batch:
                break
            live = [row.id for row in batch if not row.deleted]
            documents = [document_from_entry(e) for e in iter_index_entries(session, ids=live)]
        last_id = batch[-1].id
        if documents:
            backend.index(documents)
        gone = [row.id for row in batch if row.deleted]
        if gone:
            backend.delete(gone)
        with sessions.begin() as session:
            _unmark(session, [(row.id, row.updated_at) for row in batch])
        indexed += len(documents)
        deleted += len(gone)
    return IndexingReport(indexed=indexed, deleted=deleted)


def rebuild_search_index(
    sessions: sessionmaker[Session],
    backend: SearchBackend,
    *,
    on_progress: ProgressCallback | None = None,
) -> ReindexReport:
    """Replace the whole index with every live resource, then clear the marks it covered.

    Marks of resources that changed while the rebuild read the store are kept,
    so the next drain sends their newer state.
    """
    started = utcnow()
    with sessions() as session:
        report = reindex(backend, _all_documents(session), on_progress=on_progress)
    with sessions.begin() as session:
        session.execute(
            update(Resource)
            .where(Resource.index_pending.is_(True), Resource.updated_at < started)
            .values(index_pending=False)
            .execution_options(synchronize_session=False)
        )
    return report


class SearchIndexer:
    """Drains `index_pending` to the backend of `settings`, opened on first use.

    After an outage (the backend cannot be opened, or an operation fails) it
    skips further drains until `drain(..., retry=True)`; every skipped or
    failed drain reports the outage. Not thread-safe: one per harvest.
    """

    def __init__(self, settings: Settings, opener: BackendOpener = open_backend) -> None:
        self._settings = settings
        self._opener = opener
        self._backend: SearchBackend | None = None
        self.outage: str | None = None

    def drain(
        self, sessions: sessionmaker[Session], ids: Collection[str] | None = None, *,
        retry: bool = False,
    ) -> IndexingReport:
        """Drain the marked resources among `ids` (all marked ones if None)."""
        if ids is not None and not ids:
            return IndexingReport()
        if self.outage is not None and not retry:
            return IndexingReport(pending=_count_scope(sessions, ids), error=self.outage)
        try:
            report = drain_index_pending(sessions, self._open(), ids=ids)
        except (SearchError, ConfigurationError) as error:
            self._fail(error)
            return IndexingReport(pending=_count_scope(sessions, ids), error=self.outage)
        self.outage = None
        return IndexingReport(
            indexed=report.indexed, deleted=report.deleted, pending=_count_scope(sessions, ids)
        )

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
            self._backend = None

    def _open(self) -> SearchBackend:
        if self._backend is None:
            self._backend = self._opener(self._settings)
        return self._backend

    def _fail(self, error: Exception) -> None:
        self.outage = " ".join(str(error).split()) or type(error).__name__
        # Reconnect next time: a backend that failed may hold a broken connection.
        self.close()


class BackgroundIndexer:
    """Drains `index_pending` in a child process while the caller keeps storing.

    Woken after each stored page, the child drains everything marked at that
    moment, so pages stored while it worked are taken together in one batch.
    `stop` makes it drain once more (retrying after an outage) and returns
    what it did. It ends by itself if its parent dies (even by SIGKILL): the
    marks it did not clear are drained by the next harvest.
    """

    def __init__(self, process: multiprocessing.process.BaseProcess, wake: Event, stop: Event,
                 connection: Connection) -> None:
        self._process = process
        self._wake = wake
        self._stop = stop
        self._connection = connection

    @classmethod
    def start(cls, settings: Settings) -> BackgroundIndexer | None:
        """A running background indexer, or None where this process may not have children."""
        if multiprocessing.current_process().daemon:
            # A daemonic process (a Celery prefork child) cannot start processes.
            return None
        # spawn, not fork: the parent has threads (the page fetched ahead, connection pools).
        context = multiprocessing.get_context("spawn")
        wake, stop = context.Event(), context.Event()
        receiving, sending = context.Pipe(duplex=False)
        process = context.Process(
            target=_drain_in_background,
            args=(settings, wake, stop, sending, os.getpid()),
            name="oer-indexer",
            daemon=True,
        )
        process.start()
        sending.close()
        return cls(process, wake, stop, receiving)

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> tuple[IndexingReport, list[str]] | None:
        """Drain a last time and end; what was indexed and the outages met (None: the child failed)."""
        self._stop.set()
        self._wake.set()
        try:
            wait_for([self._connection, self._process.sentinel])
            if self._connection.poll():
                report, outages = self._connection.recv()
                return report, list(outages)
            return None
        except (EOFError, OSError):
            return None
        finally:
            self._process.join(timeout=30)
            self._connection.close()


    def terminate(self) -> None:
        """End the child now, without a last drain (its marks stay for the next one)."""
        self._process.terminate()
        self._process.join(timeout=30)
        self._connection.close()


def _drain_in_background(settings: Settings, wake: Event, stop: Event, connection: Connection,
                         parent: int) -> None:
    engine = create_engine_from_settings(settings)
    sessions = session_factory(engine)
    indexer = SearchIndexer(settings)
    report = IndexingReport()
    outages: list[str] = []
    last = float("-inf")
    try:
        while True:
            wake.wait(timeout=0.5)
            stopping = stop.is_set()
            if wake.is_set() or stopping:
                due = last + BACKGROUND_INTERVAL - time.monotonic()
                if due > 0 and not stopping:
                    stop.wait(timeout=due)
                    continue
                wake.clear()
                drained = indexer.drain(sessions, retry=stopping)
                last = time.monotonic()
                report = report.plus(drained)
                if drained.error is not None and (not outages or outages[-1] != drained.error):
                    outages.append(drained.error)
            if stopping:
                connection.send((report, outages))
                return
            if os.getppid() != parent:
                return
    finally:
        indexer.close()
        engine.dispose()
        connection.close()


def _pending_batch(
    session: Session, wanted: Sequence[str] | None, last_id: str, batch_size: int
) -> list[Any]:
    query = (
        select(Resource.id, Resource.deleted, Resource.updated_at)
        .where(Resource.index_pending.is_(True), Resource.id > last_id)
        .order_by(Resource.id)
        .limit(batch_size)
    )
    if wanted is not None:
        remaining = [i for i in wanted if i > last_id][:batch_size]
        if not remaining:
            return []
        query = query.where(Resource.id.in_(remaining))
    return list(session.execute(query).all())


def _unmark(session: Session, versions: list[tuple[str, datetime]]) -> None:
    """Clear the mark of each resource still at the version that was sent."""
    table = cast(Table, Resource.__table__)
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.updated_at == bindparam("b_updated_at"))
        .values(index_pending=False)
    )
    session.connection().execute(
        statement, [{"b_id": rid, "b_updated_at": stamp} for rid, stamp in versions]
    )


def _count_scope(sessions: sessionmaker[Session], ids: Collection[str] | None) -> int:
    with sessions() as session:
        if ids is None:
            return count_index_pending(session)
        wanted = sorted(set(ids))
        total = 0
        for start in range(0, len(wanted), DRAIN_BATCH):
            total += session.scalar(
                select(func.count())
                .select_from(Resource)
                .where(
                    Resource.index_pending.is_(True),
                    Resource.id.in_(wanted[start : start + DRAIN_BATCH]),
                )
            ) or 0
        return total


def _all_documents(session: Session) -> Iterator[SearchDocument]:
    for entry in iter_index_entries(session):
        yield document_from_entry(entry)
