"""Reading collections: their pages, the home page's featured ones, and the feed's sets. I/O: database.

Everything returned is a frozen value detached from the session.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from oer.accounts.actor import Actor, can_keep_collection
from oer.accounts.models import Organisation
from oer.catalogue.models import Resource
from oer.collections.models import Collection, CollectionItem

_BATCH = 500


@dataclass(frozen=True, slots=True)
class CollectionSummary:
    id: int
    slug: str
    title: str
    description: str | None
    # None: the platform's redactie.
    organisation_id: int | None
    organisation_name: str | None
    featured: bool
    size: int
    updated_at: datetime

    @property
    def by_redactie(self) -> bool:
        return self.organisation_id is None


@dataclass(frozen=True, slots=True)
class ItemView:
    resource_id: str
    title: str
    note: str | None
    featured: bool
    position: int
    # A withdrawn or deleted material stays listed, marked, until the collection's keepers remove it.
    available: bool


@dataclass(frozen=True, slots=True)
class CollectionDetail:
    summary: CollectionSummary
    items: tuple[ItemView, ...]


def _summaries(session: Session, *conditions: ColumnElement[bool], limit: int | None = None) -> list[CollectionSummary]:
    size = (select(func.count()).where(CollectionItem.collection_id == Collection.id)
            .correlate(Collection).scalar_subquery())
    query = (select(Collection, Organisation.name, size)
             .outerjoin(Organisation, Organisation.id == Collection.organisation_id)
             .where(*conditions)
             .order_by(Collection.organisation_id.is_not(None), Collection.title, Collection.id))
    if limit is not None:
        query = query.limit(limit)
    return [
        CollectionSummary(collection.id, collection.slug, collection.title, collection.description,
                          collection.organisation_id, organisation_name, collection.featured, count or 0,
                          collection.updated_at)
        for collection, organisation_name, count in session.execute(query)
    ]


def list_collections(session: Session) -> list[CollectionSummary]:
    """Every collection: the redactie's first, then organisations', by title."""
    return _summaries(session)


def featured_collections(session: Session, limit: int = 6) -> list[CollectionSummary]:
    return _summaries(session, Collection.featured.is_(True), limit=limit)


def kept_by(session: Session, actor: Actor) -> list[CollectionSummary]:
    """The collections this actor may change."""
    return [summary for summary in _summaries(session) if can_keep_collection(actor, summary.organisation_id)]


def get_collection(session: Session, slug: str) -> CollectionDetail | None:
    found = _summaries(session, Collection.slug == slug)
    if not found:
        return None
    summary = found[0]
    rows = session.execute(
        select(CollectionItem, Resource.title, Resource.deleted)
        .outerjoin(Resource, Resource.id == CollectionItem.resource_id)
        .where(CollectionItem.collection_id == summary.id)
        .order_by(CollectionItem.position, CollectionItem.id)
    )
    items = tuple(
        ItemView(item.resource_id, title or "", item.note, item.featured, item.position,
                 available=deleted is False)
        for item, title, deleted in rows
    )
    return CollectionDetail(summary, items)


def collections_of(session: Session, resource_id: str) -> list[CollectionSummary]:
    """The collections a material is in (for its detail page)."""
    ids = select(CollectionItem.collection_id).where(CollectionItem.resource_id == resource_id)
    return _summaries(session, Collection.id.in_(ids))


def collection_sets(session: Session, resource_ids: Iterable[str]) -> dict[str, list[tuple[str, bool]]]:
    """Resource id -> (slug, kept by the redactie) of every collection it is in."""
    ids = sorted(set(resource_ids))
    found: dict[str, list[tuple[str, bool]]] = {}
    for start in range(0, len(ids), _BATCH):
        rows = session.execute(
            select(CollectionItem.resource_id, Collection.slug, Collection.organisation_id)
            .join(Collection, Collection.id == CollectionItem.collection_id)
            .where(CollectionItem.resource_id.in_(ids[start:start + _BATCH]))
        )
        for resource_id, slug, organisation_id in rows:
            found.setdefault(resource_id, []).append((slug, organisation_id is None))
    return found
