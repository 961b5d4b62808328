"""The /oai endpoint on a real app: create_app(test_config) with an in-memory feed injected through init_app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from metadata.normalize import normalize_document
from oer.settings import Settings
from tests.fixtures.loopback import serving
from tests.unit.oai.conftest import FakeClock
from tests.unit.oai.memory_feed import (
    START,
    InMemoryFeedRepository,
    build_corpus,
    identifier_for,
)
from web.app import create_app
from web.oai.views import init_app

SECRET = "functional test secret"


def settings_for(home: Path, secret_key: str | None = SECRET) -> Settings:
    return Settings(
        home=home,
        database_url=f"sqlite:///{home / 'oer.sqlite3'}",
        search_url=None,
        broker_url=None,
        secret_key=secret_key,
    )


def fixture_records_feed(fixtures_dir: Path) -> InMemoryFeedRepository:
    """A feed of the real records in the vendored LOM and OAI-PMH fixtures, normalised."""
    repository = InMemoryFeedRepository()
    sources = sorted((fixtures_dir / "lom").glob("*.xml")) + sorted((fixtures_dir / "oai").glob("[ae]*/*.xml"))
    number = 0
    for path in sources:
        for record in normalize_document(path.read_bytes()):
            if record.deleted:
                continue
            identifier = identifier_for(50_000 + number)
            repository.put(identifier, record, {"curated"}, START + timedelta(minutes=number))
            number += 1
    return repository


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def repository() -> InMemoryFeedRepository:
    return build_corpus()


@pytest.fixture
def app(tmp_path: Path, repository: InMemoryFeedRepository, clock: FakeClock) -> Flask:
    app = create_app({"OER_SETTINGS": settings_for(tmp_path), "TESTING": True})
    init_app(app, lambda: repository, page_size=100, clock=clock)
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def live_feed(tmp_path: Path) -> Iterator[tuple[str, InMemoryFeedRepository]]:
    """The app served over loopback HTTP by werkzeug in a thread; yields (base URL, repository)."""
    repository = build_corpus()
    app = create_app({"OER_SETTINGS": settings_for(tmp_path)})
    init_app(app, lambda: repository, page_size=100)
    with serving(app) as base_url:
        # The repository names the base URL in Identify; no request has been made yet.
        repository.base_url = f"{base_url}/oai"
        yield repository.base_url, repository
