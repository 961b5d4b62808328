"""Helpers of the store tests: a clock, a start time and records to store."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from metadata.record import Completeness, Identifier, Record, Relation

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
    """Replaces the services' clock, so that each change gets a feed datestamp of its own."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 60) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now
