"""The /oai endpoint on a real app: create_app(test_config) with an in-memory feed injected through init_app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.fixtures.loopback import serving
from tests.support.oai_endpoint import (
    settings_for,
)
from tests.support.oai_requests import FakeClock
from tests.unit.oai.memory_feed import (
    InMemoryFeedRepository,
    build_corpus,
)
from web.app import create_app
from web.oai.views import init_app


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
