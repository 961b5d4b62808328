"""The database-backed feed through the real app: create_app over a store filled by its own services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from oer.harvesting.sources import add_source
from oer.settings import Settings
from tests.fixtures.loopback import serving
from tests.integration.feed.harvests import (
    Catalogue,
    Clock,
    fill_store,
    harvest,
    use_clock,
    variants,
)
from tests.support.feed_app import (
    COPIES,
    dispose,
    feed_app,
)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    use_clock(monkeypatch, clock)
    return clock


@pytest.fixture
def catalogue(store_sessions: sessionmaker[Session], fixtures_dir: Path, clock: Clock) -> Iterator[Catalogue]:
    with store_sessions() as session:
        catalogue = fill_store(session, fixtures_dir, clock)
        copies = add_source(session, "copies", "https://copies.example.org/oai")
        session.commit()
        catalogue.sources["copies"] = copies
        for start in range(0, COPIES, 100):
            clock.advance()
            harvest(session, copies, variants(fixtures_dir, COPIES)[start : start + 100])
        yield catalogue


@pytest.fixture
def app(store_settings: Settings, catalogue: Catalogue) -> Iterator[Flask]:
    app = feed_app(store_settings)
    yield app
    dispose(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def live_feed(app: Flask) -> Iterator[str]:
    """The app served over loopback HTTP by werkzeug in a thread; yields the /oai URL."""
    with serving(app) as base_url:
        yield f"{base_url}/oai"
