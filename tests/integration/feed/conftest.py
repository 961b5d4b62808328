"""Fixtures of the feed suite: a store filled from the real fixtures by its own services, and its feed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from oer.feed.repository import DatabaseFeedRepository
from tests.integration.feed.harvests import Catalogue, Clock, fill_store, use_clock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    use_clock(monkeypatch, clock)
    return clock


@pytest.fixture
def catalogue(store_session: Session, fixtures_dir: Path, clock: Clock) -> Catalogue:
    return fill_store(store_session, fixtures_dir, clock)


@pytest.fixture
def feed_repository(store_session: Session) -> DatabaseFeedRepository:
    return DatabaseFeedRepository(store_session, "oer.example.org")
