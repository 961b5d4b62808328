"""The curated feed wired to the store: /oai served from the database, one session per request. I/O: database.

`StoreFeedRepository` is the provider's `FeedRepository` over the store's
`DatabaseFeedRepository` (which implements the storage contract; it lives in
`oer` and so cannot name the web layer's value types, which this adapter
builds). Identify's name and admin email come from the settings, the base URL
from the request. `init_feed` serves it at /oai; `create_app` calls it
(the page size is the setting OER_OAI_PAGE_SIZE, `Settings.oai_page_size`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from flask import Flask, g, request
from sqlalchemy.orm import Session, sessionmaker

from oer.feed.oai.contract import FeedItem, FeedSet, RepositoryIdentity
from oer.feed.repository import DatabaseFeedRepository, FeedEntry
from oer.settings import Settings
from oer.store.database import engine_of, require_database_file
from web.oai.views import init_app

_log = logging.getLogger(__name__)
_SESSION = "oer_feed_session"


class StoreFeedRepository:
    """A `oer.feed.oai.contract.FeedRepository` over one database session."""

    def __init__(self, repository: DatabaseFeedRepository, settings: Settings, base_url: str) -> None:
        self.repository = repository
        self.settings = settings
        self.base_url = base_url

    def identity(self) -> RepositoryIdentity:
        return RepositoryIdentity(
            name=self.settings.repository_name,
            base_url=self.base_url,
            admin_emails=(self.settings.admin_email,),
            earliest_datestamp=self.repository.earliest_datestamp(),
            repository_identifier=self.repository.repository_id,
            sample_identifier=self.repository.sample_identifier,
        )

    def list_sets(self) -> Sequence[FeedSet]:
        return [FeedSet(s.spec, s.name, s.description) for s in self.repository.list_sets()]

    def has_set(self, spec: str) -> bool:
        return self.repository.has_set(spec)

    def get_item(self, oai_identifier: str, metadata_prefix: str | None = None) -> FeedItem | None:
        entry = self.repository.get_item(oai_identifier, metadata_prefix)
        return None if entry is None else _item(entry)

    def list_items(
        self,
        set_spec: str | None,
        from_: datetime | None,
        until: datetime | None,
        after: tuple[datetime, str] | None,
        limit: int,
        metadata_prefix: str | None = None,
    ) -> Sequence[FeedItem]:
        entries = self.repository.list_items(set_spec, from_, until, after, limit, metadata_prefix)
        return [_item(e) for e in entries]

    def count_items(self, set_spec: str | None, from_: datetime | None, until: datetime | None) -> int:
        return self.repository.count_items(set_spec, from_, until)


def init_feed(app: Flask, settings: Settings, sessions: sessionmaker[Session]) -> bool:
    """Serve the store's feed at /oai; False when there is no secret key yet.

    Resumption tokens are signed with the secret key; before `oer init` made one
    the rest of the app (the CLI above all) must still work, so the feed stays off.
    Nothing that serves the site runs without a key (`oer serve` and `web.wsgi`
    refuse to start), so this is only ever the CLI's case: not worth a warning.
    """
    if not settings.secret_key:
        _log.debug("the OAI-PMH feed is off: no secret key")
        return False

    reads = read_sessions(sessions)

    def repository() -> StoreFeedRepository:
        # A SQLite file that is not there yet would be created empty by connecting.
        require_database_file(settings)
        session = reads()
        g.setdefault(_SESSION, []).append(session)
        database = DatabaseFeedRepository(session, settings.oai_repository_id)
        return StoreFeedRepository(database, settings, request.base_url)

    @app.teardown_appcontext
    def close_sessions(_error: BaseException | None) -> None:
        for session in g.pop(_SESSION, []):
            session.close()

    init_app(app, repository, page_size=settings.oai_page_size)
    return True


def read_sessions(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """Sessions for the feed's reads: on PostgreSQL in autocommit, elsewhere `sessions` themselves.

    Under PostgreSQL's read committed every statement sees the newest committed
    state whether or not a transaction surrounds it, so the transaction a session
    opens around a request's few SELECTs bought nothing but two round trips
    (BEGIN, ROLLBACK) per page. On SQLite a transaction is local (no round trip)
    and keeps the request's reads on one snapshot.
    """
    engine = engine_of(sessions)
    if engine.dialect.name != "postgresql":
        return sessions
    return sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False)


def _item(entry: FeedEntry) -> FeedItem:
    return FeedItem(
        entry.oai_identifier, entry.datestamp, entry.deleted, entry.set_specs, entry.record, entry.payload
    )
