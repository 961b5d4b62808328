"""Reading the catalogue: resource counts and what a reference (id, identifier, URL) names. I/O: database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oer.catalogue.keys import KeyKind, target_key
from oer.catalogue.models import Origin, Resource, ResourceKey


def count_resources(session: Session, *, include_deleted: bool = False) -> int:
    query = select(func.count()).select_from(Resource)
    if not include_deleted:
        query = query.where(Resource.deleted.is_(False))
    return session.scalar(query) or 0


def resolve_resource_id(session: Session, reference: str) -> str | None:
    """The resource a reference names: its own id, an identifier (urn:uuid, DOI, ...) or a URL."""
    reference = reference.strip()
    if session.get(Resource, reference) is not None:
        return reference
    key = target_key(reference)
    if key is None:
        return None
    return resolve_keys(session, {key[1]}).get(key[1])


def resolve_keys(session: Session, values: set[str]) -> dict[str, str]:
    """Map dedup key values to the resource holding them (a live one preferred)."""
    if not values:
        return {}
    rows = session.execute(
        select(ResourceKey.value, ResourceKey.resource_id, Resource.deleted, Resource.created_at)
        .join(Resource, Resource.id == ResourceKey.resource_id)
        .where(ResourceKey.value.in_(values))
    )
    best: dict[str, tuple[bool, datetime, str]] = {}
    for row in rows:
        rank = (row.deleted, row.created_at, row.resource_id)
        if row.value not in best or rank < best[row.value]:
            best[row.value] = rank
    return {value: rank[2] for value, rank in best.items()}


@dataclass(frozen=True, slots=True)
class ResourceState:
    """What a resource shows now: its record (JSON form), whether it is withdrawn, how it came in."""

    id: str
    record: Mapping[str, Any]
    deleted: bool
    origin: Origin


def resource_states(session: Session, resource_ids: Iterable[str]) -> dict[str, ResourceState]:
    """The current state of these resources (those that exist), by id."""
    wanted = sorted(set(resource_ids))
    if not wanted:
        return {}
    rows = session.execute(select(Resource.id, Resource.record, Resource.deleted, Resource.origin)
                           .where(Resource.id.in_(wanted)))
    return {row.id: ResourceState(row.id, row.record, row.deleted, row.origin) for row in rows}


@dataclass(frozen=True, slots=True)
class SameLocation:
    """Another live material at one of a resource's locations (a shared landing page, zip or course)."""

    id: str
    title: str


# How many materials at the same location a detail page lists (a course page may hold hundreds).
SAME_LOCATION_SHOWN = 10


def same_location(session: Session, resource_id: str, *,
                  limit: int = SAME_LOCATION_SHOWN) -> tuple[list[SameLocation], int]:
    """Other live materials sharing a location with this one, oldest first, and how many there are.

    Records that share only a URL stay separate materials (`oer.harvesting.provenance`);
    this is how a reader still finds them from each other.
    """
    locations = (
        select(ResourceKey.value)
        .where(ResourceKey.resource_id == resource_id, ResourceKey.kind == KeyKind.LOCATION)
        .scalar_subquery()
    )
    others = (
        select(Resource.id, Resource.title, Resource.created_at)
        .join(ResourceKey, ResourceKey.resource_id == Resource.id)
        .where(ResourceKey.kind == KeyKind.LOCATION, ResourceKey.value.in_(locations),
               Resource.id != resource_id, Resource.deleted.is_(False))
        .distinct()
        .subquery()
    )
    # One query: the window count is the total before the limit.
    rows = session.execute(select(others.c.id, others.c.title, func.count().over().label("total"))
                           .order_by(others.c.created_at, others.c.id).limit(limit)).all()
    return [SameLocation(id=row.id, title=row.title or "") for row in rows], rows[0].total if rows else 0
