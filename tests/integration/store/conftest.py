"""Helpers for the store suite: records to apply and registered sources."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from oer.catalogue import service as catalogue
from oer.harvesting import provenance as resources
from oer.harvesting.models import Source
from oer.harvesting.sources import add_source
from tests.support.store import (
    Clock,
)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(resources, "utcnow", clock)
    monkeypatch.setattr(catalogue, "utcnow", clock)
    return clock


@pytest.fixture
def new_source(store_session: Session) -> Callable[..., Source]:
    def create(name: str, **options: Any) -> Source:
        url = options.pop("base_url", f"https://{name}.example.org/oai")
        source = add_source(store_session, name, url, options.pop("metadata_prefix", "lom"), **options)
        store_session.commit()
        return source

    return create


@pytest.fixture
def edurep(new_source: Callable[..., Source]) -> Source:
    return new_source("edurep", set_spec="wikiwijsmaken")


@pytest.fixture
def school(new_source: Callable[..., Source]) -> Source:
    return new_source("school")
