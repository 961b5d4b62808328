"""The collections domain's writer: themed collections of materials, kept by the redactie or an organisation. I/O: database.

Each use case takes the session (the caller owns the transaction) and the
`Actor`, checks the actor may (`oer.accounts.actor.can_keep_collection`: the
redactie for the platform's collections, an organisation's redacteuren and
beheerders for its own; featuring one on the home page is the redactie's), and
raises one of `oer.collections.errors` when it may not or the input is wrong.

Every collection is a set of the feed (`collection:SLUG`), and a platform
collection's materials are in `curated`: adding or removing a material touches
it (`oer.catalogue.service.touch`), so the feed's projection recomputes its sets
and moves its datestamp at the commit. A slug names the set, so it never changes.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from metadata.submission import Problem
from oer.accounts.actor import Actor, can_curate, can_keep_collection
from oer.accounts.errors import UnknownOrganisation
from oer.accounts.models import Organisation
from oer.catalogue import service as catalogue
from oer.catalogue.models import Resource
from oer.collections.errors import CollectionNotAllowed, InvalidCollection, UnknownCollection, UnknownResource
from oer.collections.models import NOTE_LENGTH, SLUG_LENGTH, TITLE_LENGTH, Collection, CollectionItem
from oer.store.types import utcnow

# Lower-case words joined by hyphens: valid in a URL and in an OAI-PMH setSpec.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DESCRIPTION_LENGTH = 4000


def _clean(text: str | None) -> str | None:
    # A title is one line: runs of white space become one space.
    return " ".join((text or "").split()) or None


def _check(title: str | None, description: str | None) -> list[Problem]:
    problems = []
    if not title:
        problems.append(Problem("title", "required", "Geef een titel.", "Give a title."))
    elif len(title) > TITLE_LENGTH:
        problems.append(Problem.too_long("title", TITLE_LENGTH, len(title)))
    if description and len(description) > DESCRIPTION_LENGTH:
        problems.append(Problem.too_long("description", DESCRIPTION_LENGTH, len(description)))
    return problems


def _kept(session: Session, actor: Actor, collection_id: int) -> Collection:
    collection = session.get(Collection, collection_id)
    if collection is None:
        raise UnknownCollection(f"no collection {collection_id}")
    if not can_keep_collection(actor, collection.organisation_id):
        raise CollectionNotAllowed("you may not change this collection")
    return collection


def _touch(session: Session, collection: Collection, resource_ids: list[str]) -> None:
    collection.updated_at = utcnow()
    session.flush()
    if resource_ids:
        catalogue.touch(session, resource_ids)


def create_collection(
    session: Session,
    actor: Actor,
    *,
    slug: str,
    title: str,
    description: str | None = None,
    organisation_id: int | None = None,
) -> int:
    """A new, empty collection; its slug names its page and its feed set for good."""
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise UnknownOrganisation(f"no organisation with id {organisation_id}")
    if not can_keep_collection(actor, organisation_id):
        raise CollectionNotAllowed("only the redactie, or an organisation's redacteuren and beheerders for its own, "
                                   "make collections")
    slug = slug.strip()
    title_, description_ = _clean(title), (description or "").strip() or None
    problems = _check(title_, description_)
    if not SLUG.fullmatch(slug) or len(slug) > SLUG_LENGTH:
        problems.append(Problem("slug", "invalid",
                                 f"Gebruik kleine letters, cijfers en streepjes (hoogstens {SLUG_LENGTH} tekens).",
                                 f"Use lower-case letters, digits and hyphens (at most {SLUG_LENGTH} characters)."))
    elif session.scalar(select(func.count()).where(Collection.slug == slug)):
        problems.append(Problem("slug", "taken", "Deze naam is al in gebruik.", "This name is taken."))
    if problems:
        raise InvalidCollection(tuple(problems))
    now = utcnow()
    collection = Collection(slug=slug, title=title_, description=description_, organisation_id=organisation_id,
                            created_by=actor.user_id, featured=False, created_at=now, updated_at=now)
    session.add(collection)
    session.flush()
    return collection.id


def update_collection(session: Session, actor: Actor, collection_id: int, *, title: str,
                      description: str | None) -> None:
    collection = _kept(session, actor, collection_id)
    title_, description_ = _clean(title), (description or "").strip() or None
    problems = _check(title_, description_)
    if problems:
        raise InvalidCollection(tuple(problems))
    collection.title, collection.description = title_ or collection.title, description_
    collection.updated_at = utcnow()
    session.flush()


def set_featured(session: Session, actor: Actor, collection_id: int, featured: bool) -> None:
    """Show a collection on the home page (or stop): the redactie decides for every collection."""
    if not can_curate(actor):
        raise CollectionNotAllowed("only the redactie features collections on the home page")
    collection = session.get(Collection, collection_id)
    if collection is None:
        raise UnknownCollection(f"no collection {collection_id}")
    collection.featured = featured
    collection.updated_at = utcnow()
    session.flush()


def delete_collection(session: Session, actor: Actor, collection_id: int) -> None:
    """Remove a collection; its materials leave its feed set (shown there as deleted from now on)."""
    collection = _kept(session, actor, collection_id)
    resource_ids = [item.resource_id for item in collection.items]
    session.delete(collection)
    session.flush()
    if resource_ids:
        catalogue.touch(session, resource_ids)


def _item(collection: Collection, resource_id: str) -> CollectionItem:
    for item in collection.items:
        if item.resource_id == resource_id:
            return item
    raise UnknownResource(f"material {resource_id!r} is not in this collection")


def _note(note: str | None) -> str | None:
    cleaned = (note or "").strip() or None
    if cleaned and len(cleaned) > NOTE_LENGTH:
        raise InvalidCollection((Problem.too_long("note", NOTE_LENGTH, len(cleaned)),))
    return cleaned


def add_item(session: Session, actor: Actor, collection_id: int, resource_id: str, *,
             note: str | None = None, featured: bool = False) -> None:
    """Add a live material at the end (or change its note when it is in already)."""
    collection = _kept(session, actor, collection_id)
    resource = session.get(Resource, resource_id)
    if resource is None or resource.deleted:
        raise UnknownResource(f"no material {resource_id!r}")
    cleaned = _note(note)
    existing = next((item for item in collection.items if item.resource_id == resource_id), None)
    if existing is not None:
        existing.note, existing.featured = cleaned, featured
        _touch(session, collection, [])
        return
    position = max((item.position for item in collection.items), default=-1) + 1
    collection.items.append(CollectionItem(resource_id=resource_id, position=position, note=cleaned,
                                           featured=featured))
    _touch(session, collection, [resource_id])


def update_item(session: Session, actor: Actor, collection_id: int, resource_id: str, *,
                note: str | None, featured: bool) -> None:
    collection = _kept(session, actor, collection_id)
    item = _item(collection, resource_id)
    item.note, item.featured = _note(note), featured
    _touch(session, collection, [])


def remove_item(session: Session, actor: Actor, collection_id: int, resource_id: str) -> None:
    collection = _kept(session, actor, collection_id)
    collection.items.remove(_item(collection, resource_id))
    for position, item in enumerate(collection.items):
        item.position = position
    _touch(session, collection, [resource_id])


def move_item(session: Session, actor: Actor, collection_id: int, resource_id: str, offset: int) -> None:
    """Move a material up (negative offset) or down the list; the ends stop it."""
    collection = _kept(session, actor, collection_id)
    items = list(collection.items)
    item = _item(collection, resource_id)
    index = items.index(item)
    target = max(0, min(len(items) - 1, index + offset))
    items.insert(target, items.pop(index))
    for position, moved in enumerate(items):
        moved.position = position
    _touch(session, collection, [])
