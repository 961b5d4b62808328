"""Helpers of the harvesting tests: adding sources, reading what a harvest stored and indexed, gates and switchable page sources."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from harvester.backoff import RetryPolicy
from harvester.oai_client import ClientSettings
from harvester.replay_pages import PageSource, ReplayRequest, Reply
from harvester.replay_server import OaiReplayServer
from oer.catalogue.models import Resource
from oer.harvesting.models import ArchivedRecord, HarvestRun, Provenance, RawStatus, Source
from oer.harvesting.queries import RunError, source_errors
from oer.harvesting.sources import add_source, get_source
from oer.search import SearchQuery, open_backend
from oer.search.query import MAX_PAGE_SIZE
from oer.settings import Settings
from oer.store.database import store_sessions

StartServer = Callable[[PageSource], OaiReplayServer]


# Give up on a dead source after two quick attempts instead of a minute of backoff.
FAST_CLIENT = ClientSettings(
    retry=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.05),
    connect_timeout=2.0,
    read_timeout=10.0,
)


def add(settings: Settings, name: str, url: str, prefix: str = "lom", set_spec: str | None = None,
        **options: object) -> int:
    with store_sessions(settings) as sessions, sessions.begin() as session:
        return add_source(session, name, url, prefix, set_spec, **options).id  # type: ignore[arg-type]


class Switchable:
    """A page source whose pages can be swapped between harvests (a repository that changes)."""

    def __init__(self, pages: PageSource) -> None:
        self.pages = pages

    def __call__(self, request: ReplayRequest) -> Reply:
        return self.pages(request)


class Gate:
    """Holds every ListRecords reply until opened; tells when a request is waiting."""

    def __init__(self, pages: PageSource) -> None:
        self.pages = pages
        self.opened = threading.Event()
        self.waiting = threading.Event()

    def __call__(self, request: ReplayRequest) -> Reply:
        if request.verb == "ListRecords":
            self.waiting.set()
            self.opened.wait(timeout=60)
        return self.pages(request)


@dataclass(frozen=True)
class Stored:
    """What the store holds, in plain values."""

    # Live resources: id -> title.
    live: dict[str, str | None]
    tombstones: set[str]
    # (source name, OAI identifier) -> (resource id, provenance deleted).
    provenances: dict[tuple[str, str], tuple[str, bool]]
    # OAI identifier -> reason, for archived versions stored as failed.
    failed: dict[str, str | None]
    archived: int
    pending: set[str]

    def resource_of(self, source: str, oai_identifier: str) -> str:
        return self.provenances[(source, oai_identifier)][0]


def stored(settings: Settings) -> Stored:
    with store_sessions(settings) as sessions, sessions() as session:
        resources = session.execute(
            select(Resource.id, Resource.title, Resource.deleted, Resource.index_pending)
        ).all()
        provenances = session.execute(
            select(Source.name, Provenance.oai_identifier, Provenance.resource_id, Provenance.deleted)
            .join(Source, Source.id == Provenance.source_id)
        ).all()
        raw = session.execute(select(ArchivedRecord.oai_identifier, ArchivedRecord.status, ArchivedRecord.failure_reason)).all()
    return Stored(
        live={row.id: row.title for row in resources if not row.deleted},
        tombstones={row.id for row in resources if row.deleted},
        provenances={(row.name, row.oai_identifier): (row.resource_id, row.deleted) for row in provenances},
        failed={row.oai_identifier: row.failure_reason for row in raw if row.status is RawStatus.FAILED},
        archived=len(raw),
        pending={row.id for row in resources if row.index_pending},
    )


def runs(settings: Settings, source: str) -> list[HarvestRun]:
    """The source's runs, oldest first."""
    with store_sessions(settings) as sessions, sessions() as session:
        return list(session.scalars(
            select(HarvestRun).join(Source, Source.id == HarvestRun.source_id)
            .where(Source.name == source).order_by(HarvestRun.id)
        ))


def errors(settings: Settings, source: str) -> list[RunError]:
    """The errors of all the source's runs, in the order they were recorded."""
    with store_sessions(settings) as sessions, sessions() as session:
        found = get_source(session, source)
        return list(reversed(source_errors(session, found.id, limit=100_000)))


def indexed(settings: Settings) -> dict[str, tuple[str, ...]]:
    """Every document in the search index: id -> its sources."""
    backend = open_backend(settings)
    documents: dict[str, tuple[str, ...]] = {}
    try:
        page = 1
        while True:
            result = backend.search(SearchQuery(text="", size=MAX_PAGE_SIZE, page=page))
            documents.update((hit.document.id, hit.document.source) for hit in result.hits)
            if page * MAX_PAGE_SIZE >= result.total:
                break
            page += 1
    finally:
        backend.close()
    assert len(documents) == result.total, "a document was listed twice"
    return documents


def list_requests(server: OaiReplayServer) -> list[ReplayRequest]:
    return [request for request in server.received if request.verb == "ListRecords"]
