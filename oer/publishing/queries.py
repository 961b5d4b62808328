"""Readers of the publishing domain, returning frozen values (never ORM objects). I/O: database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from oer.accounts.actor import PUBLISHING_MEMBER_ROLES, Actor
from oer.accounts.models import Organisation, User
from oer.publishing.errors import UnknownPublication
from oer.publishing.files import StoredFile
from oer.publishing.models import Publication, PublicationState, PublicationVersion
from oer.publishing.service import may_edit, working_copy


@dataclass(frozen=True, slots=True)
class VersionView:
    number: int
    title: str | None
    published_at: datetime
    published_by: str | None
    files: tuple[StoredFile, ...]


@dataclass(frozen=True, slots=True)
class PublicationView:
    """A publication as its pages show it: state, owner, versions, and the working copy."""

    id: str
    state: PublicationState
    organisation_id: int | None
    organisation_slug: str | None
    organisation_name: str | None
    created_by: int
    maker_name: str | None
    external_id: str | None
    current_version: int
    has_draft: bool
    title: str | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    withdrawn_at: datetime | None
    withdrawn_reason: str | None
    versions: tuple[VersionView, ...]
    submission: dict[str, Any]
    files: tuple[StoredFile, ...]
    editable: bool

    @property
    def published_files(self) -> tuple[StoredFile, ...]:
        return self.versions[-1].files if self.versions else ()


@dataclass(frozen=True, slots=True)
class PublicationSummary:
    id: str
    title: str | None
    state: PublicationState
    organisation_name: str | None
    current_version: int
    has_draft: bool
    updated_at: datetime


def _names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {row.id: row.display_name for row in rows}


def _title(publication: Publication) -> str | None:
    if publication.draft is not None and isinstance(publication.draft.get("title"), str):
        return str(publication.draft["title"]).strip() or None
    if publication.versions:
        title = publication.versions[-1].record.get("title")
        return str(title) if title else None
    return None


def get_publication(session: Session, publication_id: str, actor: Actor | None = None) -> PublicationView:
    """The publication with its versions; raises UnknownPublication.

    Whoever may not edit it sees no working copy, and a material never
    published is unknown to them.
    """
    publication = session.scalars(
        select(Publication).options(selectinload(Publication.versions)).where(Publication.id == publication_id)
    ).first()
    editable = actor is not None and publication is not None and may_edit(actor, publication)
    if publication is None or (publication.current_version == 0 and not editable):
        raise UnknownPublication(f"no material {publication_id!r} was published here")
    organisation = session.get(Organisation, publication.organisation_id) if publication.organisation_id else None
    names = _names(session, [publication.created_by, *(v.published_by for v in publication.versions)])
    submission, files = working_copy(publication) if editable else ({}, [])
    return PublicationView(
        id=publication.id,
        state=publication.state,
        organisation_id=publication.organisation_id,
        organisation_slug=organisation.slug if organisation else None,
        organisation_name=organisation.name if organisation else None,
        created_by=publication.created_by,
        maker_name=names.get(publication.created_by),
        external_id=publication.external_id,
        current_version=publication.current_version,
        has_draft=publication.draft is not None,
        title=_title(publication),
        created_at=publication.created_at,
        updated_at=publication.updated_at,
        published_at=publication.published_at,
        withdrawn_at=publication.withdrawn_at,
        withdrawn_reason=publication.withdrawn_reason,
        versions=tuple(_version_view(v, names) for v in publication.versions),
        submission=submission,
        files=tuple(files),
        editable=editable,
    )


def _version_view(version: PublicationVersion, names: dict[int, str]) -> VersionView:
    return VersionView(
        number=version.number,
        title=version.record.get("title"),
        published_at=version.published_at,
        published_by=names.get(version.published_by) if version.published_by is not None else None,
        files=tuple(StoredFile.from_dict(f) for f in version.files),
    )


def find_publication(session: Session, publication_id: str, actor: Actor | None = None) -> PublicationView | None:
    """The published side of a material (versions, publisher), or None when it was not published here."""
    try:
        return get_publication(session, publication_id, actor)
    except UnknownPublication:
        return None


def version_record(session: Session, publication_id: str, number: int) -> dict[str, Any] | None:
    """The record a published version made (for its history page), or None."""
    version = session.scalars(select(PublicationVersion).where(
        PublicationVersion.publication_id == publication_id, PublicationVersion.number == number)).first()
    return dict(version.record) if version is not None else None


def list_publications(session: Session, actor: Actor) -> list[PublicationSummary]:
    """What the actor may edit: their own materials and those of organisations they publish for."""
    organisations = [org for org, role in actor.memberships if role in PUBLISHING_MEMBER_ROLES]
    query = select(Publication).options(selectinload(Publication.versions)).where(or_(
        Publication.created_by == actor.user_id,
        Publication.organisation_id.in_(organisations),
    )).order_by(Publication.updated_at.desc())
    rows = [p for p in session.scalars(query) if may_edit(actor, p)]
    return _summaries(session, rows)


def organisation_publications(session: Session, organisation_id: int) -> list[PublicationSummary]:
    """An organisation's published materials (not drafts, not withdrawn), newest first."""
    query = select(Publication).options(selectinload(Publication.versions)).where(
        Publication.organisation_id == organisation_id, Publication.state == PublicationState.PUBLISHED,
    ).order_by(Publication.published_at.desc())
    return _summaries(session, list(session.scalars(query)))


def _summaries(session: Session, publications: list[Publication]) -> list[PublicationSummary]:
    ids = {p.organisation_id for p in publications if p.organisation_id is not None}
    names = {}
    if ids:
        names = {row.id: row.name for row in session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))}
    return [
        PublicationSummary(
            id=p.id, title=_title(p), state=p.state,
            organisation_name=names.get(p.organisation_id) if p.organisation_id is not None else None,
            current_version=p.current_version, has_draft=p.draft is not None, updated_at=p.updated_at,
        )
        for p in publications
    ]


def file_of(session: Session, publication_id: str, sha256: str, actor: Actor | None) -> StoredFile | None:
    """A file of a material as a visitor may download it: one of its current published version,
    or, for whoever may edit it, of its draft or any version."""
    publication = session.scalars(
        select(Publication).options(selectinload(Publication.versions)).where(Publication.id == publication_id)
    ).first()
    if publication is None:
        return None
    if publication.state is PublicationState.PUBLISHED and publication.versions:
        for data in publication.versions[-1].files:
            if data["sha256"] == sha256:
                return StoredFile.from_dict(data)
    if actor is None or not may_edit(actor, publication):
        return None
    for data in [*(publication.draft_files or []), *(f for v in publication.versions for f in v.files)]:
        if data["sha256"] == sha256:
            return StoredFile.from_dict(data)
    return None
