"""Helpers for the store suite: records to apply and registered sources."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from metadata.record import Completeness, Identifier, Record, Relation
from oer.harvesting import provenance as resources
from oer.harvesting.models import Source
from oer.harvesting.sources import add_source

T0 = datetime(2024, 3, 1, 12, 0, 0, tzinfo=UTC)


def make_record(
    uid: str | None = None,
    *,
    title: str = "Breuken oefenen",
    location: str | None = None,
    score: float = 0.5,
    description: str | None = None,
    relations: tuple[tuple[str, str], ...] = (),
    identifiers: tuple[Identifier, ...] | None = None,
    oai_identifier: str | None = None,
    datestamp: str | None = None,
) -> Record:
    """A normalised record as the metadata core would make it."""
    if identifiers is None:
        identifiers = (Identifier("UUID", f"urn:uuid:{uid or uuid.uuid4()}"),)
    return Record(
        oai_identifier=oai_identifier,
        datestamp=datestamp,
        title=title,
        titles={"nl": title},
        description=description,
        languages=("nl",),
        identifiers=identifiers,
        location=location,
        relations=tuple(Relation(kind, target) for kind, target in relations),
        completeness=Completeness(score=score),
    )


class Clock:
    """Replaces the services' clock, so feed datestamps can be told apart within a test."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 60) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(resources, "utcnow", clock)
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
