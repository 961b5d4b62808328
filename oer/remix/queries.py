"""Readers of the remix domain: an arrangement as its pages show it, with each part read against now. I/O: database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from metadata.licence_rules import Finding, LicenceCheck
from oer.accounts.actor import PUBLISHING_MEMBER_ROLES, Actor
from oer.accounts.models import Organisation, User
from oer.catalogue.queries import resource_states
from oer.catalogue.site import Site
from oer.remix.errors import UnknownArrangement
from oer.remix.models import Arrangement, ArrangementPart, ArrangementSection, ArrangementState, PartKind
from oer.remix.parts import PartStatus, attribution, read_part, snapshot_of
from oer.remix.service import current_licences, may_edit, submission_of


@dataclass(frozen=True, slots=True)
class PartView:
    id: int
    kind: PartKind
    resource_id: str | None
    title: str
    status: PartStatus
    changes: tuple[str, ...]
    licence: str | None
    learning_time: int | None
    page_url: str | None
    source_url: str | None
    attribution: str | None
    body: str | None
    problems: tuple[Finding, ...]
    notices: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class SectionView:
    id: int
    title: str
    parts: tuple[PartView, ...]


@dataclass(frozen=True, slots=True)
class ArrangementView:
    id: str
    state: ArrangementState
    title: str
    description: str | None
    owner_id: int
    owner_name: str | None
    organisation_id: int | None
    organisation_name: str | None
    forked_from: str | None
    current_version: int
    sections: tuple[SectionView, ...]
    licence_check: LicenceCheck
    chosen_licence: str | None
    metadata: dict[str, Any]
    derived: dict[str, Any]
    editable: bool
    updated_at: datetime

    @property
    def parts(self) -> tuple[PartView, ...]:
        return tuple(part for section in self.sections for part in section.parts)

    @property
    def licence(self) -> str | None:
        """The licence it would carry now: the chosen one if still allowed, else the recommended one."""
        if self.chosen_licence in self.licence_check.allowed:
            return self.chosen_licence
        return self.licence_check.recommended

    @property
    def needs_attention(self) -> bool:
        return any(part.status is not PartStatus.OK for part in self.parts) or not self.licence_check.possible

    def attributions(self) -> list[str]:
        return [part.attribution for part in self.parts if part.attribution]


@dataclass(frozen=True, slots=True)
class ArrangementSummary:
    id: str
    title: str
    state: ArrangementState
    parts: int
    needs_attention: bool
    updated_at: datetime


def _load(session: Session, arrangement_id: str) -> Arrangement | None:
    return session.scalars(
        select(Arrangement).options(selectinload(Arrangement.sections).selectinload(ArrangementSection.parts))
        .where(Arrangement.id == arrangement_id)
    ).first()


def get_arrangement(session: Session, arrangement_id: str, site: Site, actor: Actor | None = None,
                    language: str = "nl") -> ArrangementView:
    """The arrangement with every part read against its resource now; UnknownArrangement for a
    draft the actor may not edit (or none at all)."""
    arrangement = _load(session, arrangement_id)
    editable = arrangement is not None and actor is not None and may_edit(actor, arrangement)
    if arrangement is None or (arrangement.state is ArrangementState.DRAFT and not editable):
        raise UnknownArrangement(f"no arrangement {arrangement_id!r}")
    named, check = current_licences(session, arrangement)
    index_of = {part.id: index for index, part in enumerate(named)}
    states = resource_states(session, [p.resource_id for p in named if p.resource_id])
    owner = session.get(User, arrangement.owner_id)
    owner_name = owner.display_name if owner is not None and owner.deleted_at is None else None
    organisation = session.get(Organisation, arrangement.organisation_id) if arrangement.organisation_id else None
    sections = []
    for section in arrangement.sections:
        parts = []
        for part in section.parts:
            parts.append(_part_view(part, states, site, check, index_of.get(part.id), language))
        sections.append(SectionView(section.id, section.title, tuple(parts)))
    return ArrangementView(
        id=arrangement.id, state=arrangement.state, title=arrangement.title, description=arrangement.description,
        owner_id=arrangement.owner_id, owner_name=owner_name, organisation_id=arrangement.organisation_id,
        organisation_name=organisation.name if organisation else None, forked_from=arrangement.forked_from,
        current_version=arrangement.current_version, sections=tuple(sections), licence_check=check,
        chosen_licence=arrangement.metadata_json.get("licence"), metadata=dict(arrangement.metadata_json),
        derived=submission_of(arrangement, owner_name), editable=editable, updated_at=arrangement.updated_at,
    )


def _part_view(part: ArrangementPart, states: dict[str, Any], site: Site, check: LicenceCheck,
               index: int | None, language: str) -> PartView:
    if part.resource_id is None:
        return PartView(part.id, part.kind, None, part.title or "", PartStatus.OK, (), None, None, None, None, None,
                        part.body, (), ())
    state = states.get(part.resource_id)
    current = snapshot_of(state.record, state.origin.value) if state is not None else None
    reading = read_part(part.snapshot, current, state.deleted if state is not None else True)
    shown = reading.current or part.snapshot
    page_url = site.page_url(part.resource_id)
    return PartView(
        id=part.id, kind=part.kind, resource_id=part.resource_id,
        title=part.title if part.kind is PartKind.ADAPT and part.title else (shown.get("title") or ""),
        status=reading.status, changes=reading.changes, licence=reading.licence,
        learning_time=shown.get("learning_time"), page_url=page_url, source_url=shown.get("location"),
        attribution=attribution({**part.snapshot, **(reading.current or {})}, page_url,
                                adapted=part.kind is PartKind.ADAPT, language=language),
        body=part.body if part.kind is PartKind.ADAPT else None,
        problems=tuple(f for f in check.problems if f.part == index) if index is not None else (),
        notices=tuple(f for f in check.notices if f.part == index) if index is not None else (),
    )


def my_arrangements(session: Session, actor: Actor, site: Site) -> list[ArrangementSummary]:
    """What the actor may edit, newest first, saying which need attention (a part changed or gone)."""
    organisations = [org for org, role in actor.memberships if role in PUBLISHING_MEMBER_ROLES]
    rows = session.scalars(select(Arrangement.id).where(or_(
        Arrangement.owner_id == actor.user_id, Arrangement.organisation_id.in_(organisations),
    )).order_by(Arrangement.updated_at.desc()))
    summaries = []
    for arrangement_id in rows:
        view = get_arrangement(session, arrangement_id, site, actor)
        if view.editable:
            summaries.append(ArrangementSummary(view.id, view.title, view.state, len(view.parts),
                                                view.needs_attention, view.updated_at))
    return summaries


def published_arrangements_using(session: Session, resource_id: str) -> list[tuple[str, str]]:
    """(id, title) of the published arrangements that have this resource as a part."""
    rows = session.execute(
        select(Arrangement.id, Arrangement.title).distinct()
        .join(ArrangementSection, ArrangementSection.arrangement_id == Arrangement.id)
        .join(ArrangementPart, ArrangementPart.section_id == ArrangementSection.id)
        .where(ArrangementPart.resource_id == resource_id, Arrangement.state == ArrangementState.PUBLISHED)
        .order_by(Arrangement.title)
    )
    return [(row.id, row.title) for row in rows]
