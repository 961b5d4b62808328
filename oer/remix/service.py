"""The remix domain's writer: arrangements, their sections and parts, forks and publication. I/O: database.

Each use case takes the session (the caller owns the transaction) and the
`Actor`, checks the actor may, and raises one of `oer.remix.errors` when it may
not or the input is wrong. Who may: the arrangement's owner; for one made in an
organisation's name also that organisation's redacteuren and beheerders; the
system always. Making one needs what publishing needs (a verified user, or a
publishing member for an organisation's).

Publishing an arrangement asks the licence engine (`metadata.licence_rules`)
which licences its parts allow, refuses a combination that cannot be shared
(every blocking part said) and a chosen licence outside the allowed set, and
builds the record from the parts (sectors, levels, subjects and kerndoelen as
the union, the learning time as the sum, lineage as `haspart` and `isbasedon`
relations) with what the teacher set on top. The record is checked by NL-LOM's
rules like any submission and written through the catalogue as a resource of
origin `arranged`, so it is searched and served in the feed like any other.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from metadata.completeness import assess_completeness
from metadata.licence_rules import LicenceCheck, check_licences
from metadata.record import Record, Relation
from metadata.submission import SUBMITTED_FIELDS, Problem, PublisherContext, check_submission
from oer.accounts.actor import Actor, can_publish_as_self, can_publish_for
from oer.accounts.errors import UnknownOrganisation
from oer.accounts.models import Organisation, User
from oer.catalogue import service as catalogue
from oer.catalogue.content import record_hash
from oer.catalogue.models import Origin
from oer.catalogue.queries import ResourceState, resource_states
from oer.catalogue.site import Site
from oer.remix.errors import (
    AdaptationNotAllowed,
    ArrangementNotAllowed,
    InvalidArrangement,
    LicenceConflict,
    UnknownArrangement,
    UnknownPart,
    UnknownResource,
)
from oer.remix.models import (
    PAGE_LENGTH,
    TITLE_LENGTH,
    Arrangement,
    ArrangementPart,
    ArrangementSection,
    ArrangementState,
    PartKind,
)
from oer.remix.parts import licence_part, read_part, snapshot_of
from oer.store.types import to_second, utcnow

# What a teacher may set on top of what the parts give (a submission's fields, `metadata.submission`).
SETTABLE = frozenset(SUBMITTED_FIELDS) - {"title", "description", "location", "aggregation_level"}


@dataclass(frozen=True, slots=True)
class PublishedArrangement:
    id: str
    version: int | None
    licence: str


def new_arrangement_id() -> str:
    return str(uuid.uuid4())


# -- permissions -------------------------------------------------------------------------------


def may_edit(actor: Actor, arrangement: Arrangement) -> bool:
    if actor.is_system:
        return True
    if arrangement.organisation_id is not None and can_publish_for(actor, arrangement.organisation_id):
        return True
    return actor.user_id == arrangement.owner_id and can_publish_as_self(actor)


def _editable(session: Session, actor: Actor, arrangement_id: str) -> Arrangement:
    arrangement = session.get(Arrangement, arrangement_id)
    if arrangement is None:
        raise UnknownArrangement(f"no arrangement {arrangement_id!r}")
    if not may_edit(actor, arrangement):
        raise ArrangementNotAllowed("you may not change this arrangement")
    if arrangement.state is ArrangementState.WITHDRAWN:
        raise ArrangementNotAllowed("a withdrawn arrangement cannot be changed")
    return arrangement


def _require_maker(session: Session, actor: Actor, organisation_id: int | None) -> None:
    if organisation_id is not None:
        if session.get(Organisation, organisation_id) is None:
            raise UnknownOrganisation(f"no organisation with id {organisation_id}")
        if not can_publish_for(actor, organisation_id):
            raise ArrangementNotAllowed("only the organisation's redacteuren and beheerders arrange in its name")
        return
    if actor.is_system or not can_publish_as_self(actor):
        raise ArrangementNotAllowed("this actor may not make arrangements in their own name")
    user = session.get(User, actor.user_id)
    if user is None or user.deleted_at is not None or not user.email_verified:
        raise ArrangementNotAllowed("confirm your e-mail address before you make an arrangement")


def _title(text: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidArrangement((_problem("title", "required", "Geef een titel.", "Give a title."),))
    return cleaned[:TITLE_LENGTH]


def _problem(field: str, code: str, nl: str, en: str) -> Problem:
    return Problem(field, code, nl, en)


# -- arrangements and sections -------------------------------------------------------------------


def create_arrangement(
    session: Session, actor: Actor, title: str, *, description: str | None = None,
    organisation_id: int | None = None, first_section: str = "Deel 1",
) -> str:
    """A new draft arrangement with one (empty) section; its id."""
    _require_maker(session, actor, organisation_id)
    owner = actor.user_id
    if owner is None:
        raise ArrangementNotAllowed("an arrangement belongs to a user")
    now = utcnow()
    arrangement = Arrangement(
        id=new_arrangement_id(), state=ArrangementState.DRAFT, owner_id=owner, organisation_id=organisation_id,
        title=_title(title), description=(description or "").strip() or None, metadata_json={},
        created_at=now, updated_at=now,
    )
    arrangement.sections.append(ArrangementSection(position=0, title=_title(first_section)))
    session.add(arrangement)
    session.flush()
    return arrangement.id


def update_details(
    session: Session, actor: Actor, arrangement_id: str, *, title: str, description: str | None,
    metadata: Mapping[str, Any] | None = None,
) -> None:
    """Change the title, description and what the teacher sets on top of the parts."""
    arrangement = _editable(session, actor, arrangement_id)
    arrangement.title = _title(title)
    arrangement.description = (description or "").strip() or None
    if metadata is not None:
        unknown = sorted(set(metadata) - SETTABLE)
        if unknown:
            raise InvalidArrangement(tuple(_problem(name, "unknown-field", f"Het veld {name!r} bestaat niet.",
                                                    f"There is no field {name!r}.") for name in unknown))
        arrangement.metadata_json = {name: value for name, value in metadata.items() if value not in (None, "", [])}
    _touch(arrangement)


def _touch(arrangement: Arrangement) -> None:
    arrangement.updated_at = utcnow()


def add_section(session: Session, actor: Actor, arrangement_id: str, title: str) -> int:
    arrangement = _editable(session, actor, arrangement_id)
    section = ArrangementSection(position=len(arrangement.sections), title=_title(title))
    arrangement.sections.append(section)
    _touch(arrangement)
    session.flush()
    return section.id


def _section(arrangement: Arrangement, section_id: int) -> ArrangementSection:
    for section in arrangement.sections:
        if section.id == section_id:
            return section
    raise UnknownPart(f"no section {section_id} in this arrangement")


def rename_section(session: Session, actor: Actor, arrangement_id: str, section_id: int, title: str) -> None:
    arrangement = _editable(session, actor, arrangement_id)
    _section(arrangement, section_id).title = _title(title)
    _touch(arrangement)


def remove_section(session: Session, actor: Actor, arrangement_id: str, section_id: int) -> None:
    arrangement = _editable(session, actor, arrangement_id)
    arrangement.sections.remove(_section(arrangement, section_id))
    _renumber(arrangement.sections)
    _touch(arrangement)
    session.flush()


def move_section(session: Session, actor: Actor, arrangement_id: str, section_id: int, offset: int) -> None:
    """Move a section `offset` places (-1 up, +1 down), within bounds."""
    arrangement = _editable(session, actor, arrangement_id)
    sections = list(arrangement.sections)
    section = _section(arrangement, section_id)
    _move(sections, section, offset)
    arrangement.sections[:] = sections
    _renumber(sections)
    _touch(arrangement)
    session.flush()


def _move(items: list[Any], item: Any, offset: int) -> None:
    index = items.index(item)
    target = max(0, min(len(items) - 1, index + offset))
    items.insert(target, items.pop(index))


def _renumber(items: Sequence[Any]) -> None:
    for position, item in enumerate(items):
        item.position = position


# -- parts --------------------------------------------------------------------------------------


def _part(arrangement: Arrangement, part_id: int) -> tuple[ArrangementSection, ArrangementPart]:
    for section in arrangement.sections:
        for part in section.parts:
            if part.id == part_id:
                return section, part
    raise UnknownPart(f"no part {part_id} in this arrangement")


def _resource_snapshot(session: Session, resource_id: str) -> tuple[ResourceState, dict[str, Any]]:
    state = resource_states(session, [resource_id]).get(resource_id)
    if state is None or state.deleted:
        raise UnknownResource(f"no material {resource_id!r} in the catalogue")
    return state, snapshot_of(state.record, state.origin.value)


def add_part(
    session: Session, actor: Actor, arrangement_id: str, section_id: int, kind: PartKind, *,
    resource_id: str | None = None, title: str | None = None, body: str | None = None,
) -> int:
    """Add a part at the end of the section; its id.

    `include` and `adapt` name a resource in the catalogue; an adaptation starts
    from the resource's text and may only be made when its licence allows it
    (AdaptationNotAllowed says why and what to do instead). A `page` is the
    teacher's own Markdown.
    """
    arrangement = _editable(session, actor, arrangement_id)
    section = _section(arrangement, section_id)
    part = ArrangementPart(position=len(section.parts), kind=kind, created_at=utcnow(), snapshot={})
    if kind is PartKind.PAGE:
        part.title = _title(title or "Nieuwe pagina")
        part.body = (body or "")[:PAGE_LENGTH]
    else:
        if resource_id is None:
            raise UnknownResource("a part of this kind names a material")
        if resource_id == arrangement.id:
            raise UnknownResource("an arrangement cannot contain itself")
        state, snapshot = _resource_snapshot(session, resource_id)
        if kind is PartKind.ADAPT:
            check = check_licences([licence_part(snapshot.get("licence"), adapted=True)])
            if check.problems:
                raise AdaptationNotAllowed(check.problems[0])
            part.title = _title(title or f"Bewerking van {snapshot.get('title') or 'materiaal'}")
            part.body = (body if body is not None else _starting_text(state.record))[:PAGE_LENGTH]
        part.resource_id = resource_id
        part.snapshot = snapshot
    section.parts.append(part)
    _touch(arrangement)
    session.flush()
    return part.id


def _starting_text(record: Mapping[str, Any]) -> str:
    # An adaptation starts from what the material says of itself; the teacher rewrites it.
    title = record.get("title") or ""
    description = record.get("description") or ""
    return f"# {title}\n\n{description}".strip()


def update_part(session: Session, actor: Actor, arrangement_id: str, part_id: int, *, title: str | None = None,
                body: str | None = None) -> None:
    """Change an adaptation's or a page's title and text."""
    arrangement = _editable(session, actor, arrangement_id)
    _, part = _part(arrangement, part_id)
    if part.kind is PartKind.INCLUDE:
        raise UnknownPart("an included material is used unchanged; adapt it to change it")
    if title is not None:
        part.title = _title(title)
    if body is not None:
        part.body = body[:PAGE_LENGTH]
    _touch(arrangement)


def move_part(session: Session, actor: Actor, arrangement_id: str, part_id: int, offset: int = 0,
              *, to_section: int | None = None) -> None:
    """Move a part `offset` places within its section, or to the end of another section."""
    arrangement = _editable(session, actor, arrangement_id)
    section, part = _part(arrangement, part_id)
    if to_section is not None and to_section != section.id:
        target = _section(arrangement, to_section)
        section.parts.remove(part)
        target.parts.append(part)
        _renumber(section.parts)
        _renumber(target.parts)
    else:
        parts = list(section.parts)
        _move(parts, part, offset)
        section.parts[:] = parts
        _renumber(parts)
    _touch(arrangement)
    session.flush()


def remove_part(session: Session, actor: Actor, arrangement_id: str, part_id: int) -> None:
    arrangement = _editable(session, actor, arrangement_id)
    section, part = _part(arrangement, part_id)
    section.parts.remove(part)
    _renumber(section.parts)
    _touch(arrangement)
    session.flush()


def refresh_part(session: Session, actor: Actor, arrangement_id: str, part_id: int) -> None:
    """Take the part's resource as it is now (after its title or licence changed at its source)."""
    arrangement = _editable(session, actor, arrangement_id)
    _, part = _part(arrangement, part_id)
    if part.resource_id is None:
        return
    _, part.snapshot = _resource_snapshot(session, part.resource_id)
    _touch(arrangement)


@dataclass(frozen=True, slots=True)
class PartSpec:
    """A part as a client describes it (the write API): how it is used, and what."""

    kind: PartKind
    resource_id: str | None = None
    title: str | None = None
    body: str | None = None


def replace_contents(session: Session, actor: Actor, arrangement_id: str,
                     sections: Sequence[tuple[str, Sequence[PartSpec]]]) -> None:
    """Replace every section and part with these (in order); each part checked as `add_part` does."""
    arrangement = _editable(session, actor, arrangement_id)
    arrangement.sections.clear()
    session.flush()
    for title, parts in sections:
        section_id = add_section(session, actor, arrangement_id, title)
        for spec in parts:
            add_part(session, actor, arrangement_id, section_id, spec.kind, resource_id=spec.resource_id,
                     title=spec.title, body=spec.body)


# -- the licence, the record, publication ---------------------------------------------------------


def _parts(arrangement: Arrangement) -> list[ArrangementPart]:
    return [part for section in arrangement.sections for part in section.parts]


def current_licences(session: Session, arrangement: Arrangement) -> tuple[list[ArrangementPart], LicenceCheck]:
    """The parts that bring a licence, and the engine's answer on their current licences."""
    named = [part for part in _parts(arrangement) if part.resource_id is not None]
    states = resource_states(session, [part.resource_id for part in named if part.resource_id])
    engine_parts = []
    for part in named:
        state = states.get(part.resource_id or "")
        current = snapshot_of(state.record, state.origin.value) if state is not None else None
        reading = read_part(part.snapshot, current, state.deleted if state is not None else True)
        engine_parts.append(licence_part(reading.licence, adapted=part.kind is PartKind.ADAPT))
    return named, check_licences(engine_parts)


def _union(parts: Iterable[Mapping[str, Any]], name: str) -> list[Any]:
    seen: dict[str, Any] = {}
    for snapshot in parts:
        for value in snapshot.get(name) or []:
            key = value["id"] if isinstance(value, Mapping) else value
            seen.setdefault(key, value["id"] if isinstance(value, Mapping) else value)
    return list(seen.values())


def _age_range(parts: Iterable[Mapping[str, Any]]) -> str | None:
    lows, highs = [], []
    for snapshot in parts:
        text = snapshot.get("typical_age_range") or ""
        low, _, high = text.partition("-")
        if low.strip().isdigit():
            lows.append(int(low))
            if high.strip().isdigit():
                highs.append(int(high))
    if not lows:
        return None
    return f"{min(lows)}-{max(highs)}" if highs else f"{min(lows)}-"


def submission_of(arrangement: Arrangement, owner_name: str | None) -> dict[str, Any]:
    """The submission an arrangement makes: the parts' union, then what the teacher set."""
    snapshots = [part.snapshot for part in _parts(arrangement) if part.resource_id is not None]
    minutes = sum((s.get("learning_time") or 0) for s in snapshots) // 60
    nested = any(s.get("origin") == Origin.ARRANGED.value for s in snapshots)
    derived: dict[str, Any] = {
        "title": arrangement.title,
        "description": arrangement.description,
        "languages": _union(snapshots, "languages") or ["nl"],
        "aggregation_level": 4 if nested else 3,
        "learning_resource_types": _union(snapshots, "learning_resource_types"),
        "end_user_roles": _union(snapshots, "end_user_roles") or ["learner", "teacher"],
        "contexts": _union(snapshots, "contexts"),
        "educational_levels": _union(snapshots, "educational_levels"),
        "disciplines": _union(snapshots, "disciplines"),
        "educational_objectives": _union(snapshots, "educational_objectives"),
        "typical_age_range": _age_range(snapshots),
        "typical_learning_time": minutes or None,
        "authors": [owner_name] if owner_name else [],
    }
    return {**derived, **arrangement.metadata_json}


def _relations(session: Session, site: Site, arrangement: Arrangement) -> tuple[Relation, ...]:
    relations: list[Relation] = []
    for part in _parts(arrangement):
        if part.resource_id is None:
            continue
        target = part.snapshot.get("location") or site.page_url(part.resource_id)
        relations.append(Relation("haspart", target))
        if part.kind is PartKind.ADAPT:
            relations.append(Relation("isbasedon", target))
    if arrangement.forked_from:
        relations.append(Relation("isbasedon", site.page_url(arrangement.forked_from)))
    return tuple(dict.fromkeys(relations))


def _record(session: Session, arrangement: Arrangement, site: Site, licence: str | None,
            now: datetime) -> tuple[Record, tuple[Problem, ...]]:
    """The record the arrangement makes now, and NL-LOM's problems with it."""
    owner = session.get(User, arrangement.owner_id)
    organisation = session.get(Organisation, arrangement.organisation_id) if arrangement.organisation_id else None
    submission = {**submission_of(arrangement, owner.display_name if owner and not owner.deleted_at else None),
                  "licence": licence, "location": site.page_url(arrangement.id)}
    context = PublisherContext(
        oai_identifier=site.oai_identifier(arrangement.id), catalog=site.repository_id, entry=arrangement.id,
        publisher_name=organisation.name if organisation else None, date=to_second(now).strftime("%Y-%m-%d"),
    )
    checked = check_submission(submission, context)
    record = checked.record.with_changes(formats=("text/html",), relations=_relations(session, site, arrangement))
    return record.with_changes(completeness=assess_completeness(record)), checked.problems


def arrangement_record(session: Session, arrangement_id: str, site: Site) -> Record:
    """The record an arrangement shows: the one published last, else the one it would make now."""
    arrangement = session.get(Arrangement, arrangement_id)
    if arrangement is None:
        raise UnknownArrangement(f"no arrangement {arrangement_id!r}")
    if arrangement.published_record is not None:
        return Record.from_dict(arrangement.published_record)
    _, check = current_licences(session, arrangement)
    record, _ = _record(session, arrangement, site, arrangement.metadata_json.get("licence") or check.recommended,
                        utcnow())
    return record


def publish(session: Session, actor: Actor, arrangement_id: str, site: Site) -> PublishedArrangement:
    """Publish (a new version of) the arrangement; LicenceConflict or InvalidArrangement say why not."""
    arrangement = _editable(session, actor, arrangement_id)
    _, check = current_licences(session, arrangement)
    if check.problems:
        raise LicenceConflict(check.problems, "these parts cannot be shared together")
    chosen = arrangement.metadata_json.get("licence") or check.recommended
    if chosen not in check.allowed:
        raise LicenceConflict((), f"the parts allow {', '.join(check.allowed)}, not {chosen}")
    now = utcnow()
    record_value, problems = _record(session, arrangement, site, chosen, now)
    if problems:
        raise InvalidArrangement(problems)
    record = record_value.to_dict()
    content = record_hash(record)
    if arrangement.published_record is not None and record_hash(arrangement.published_record) == content \
            and arrangement.state is ArrangementState.PUBLISHED:
        return PublishedArrangement(arrangement.id, None, chosen)
    created = arrangement.current_version == 0
    catalogue.write_own_resource(session, arrangement.id, record, content, Origin.ARRANGED, now, created=created)
    arrangement.state = ArrangementState.PUBLISHED
    arrangement.current_version += 1
    arrangement.published_record = record
    arrangement.published_at = arrangement.published_at or now
    _touch(arrangement)
    session.flush()
    return PublishedArrangement(arrangement.id, arrangement.current_version, chosen)


def withdraw(session: Session, actor: Actor, arrangement_id: str) -> None:
    arrangement = _editable(session, actor, arrangement_id)
    if arrangement.state is not ArrangementState.PUBLISHED:
        raise ArrangementNotAllowed("only a published arrangement can be withdrawn")
    now = utcnow()
    arrangement.state = ArrangementState.WITHDRAWN
    arrangement.withdrawn_at = now
    catalogue.withdraw_own_resource(session, arrangement.id, now)
    session.flush()


def fork(session: Session, actor: Actor, arrangement_id: str, *, organisation_id: int | None = None) -> str:
    """A copy of someone's published arrangement (or one's own) to edit; its id (lineage `isbasedon`)."""
    original = session.get(Arrangement, arrangement_id)
    if original is None or (original.state is not ArrangementState.PUBLISHED and not may_edit(actor, original)):
        raise UnknownArrangement(f"no arrangement {arrangement_id!r}")
    copy_id = create_arrangement(session, actor, f"{original.title} (eigen versie)",
                                 description=original.description, organisation_id=organisation_id)
    copy = session.get(Arrangement, copy_id)
    assert copy is not None
    copy.forked_from = original.id
    copy.metadata_json = {k: v for k, v in original.metadata_json.items() if k != "licence"}
    copy.sections.clear()
    session.flush()
    for section in original.sections:
        new_section = ArrangementSection(position=section.position, title=section.title)
        for part in section.parts:
            new_section.parts.append(ArrangementPart(
                position=part.position, kind=part.kind, resource_id=part.resource_id, snapshot=dict(part.snapshot),
                title=part.title, body=part.body, created_at=utcnow()))
        copy.sections.append(new_section)
    session.flush()
    return copy_id


def arrangements_using(session: Session, resource_ids: Sequence[str]) -> dict[str, list[str]]:
    """resource id -> ids of arrangements (any state) that have it as a part."""
    rows = session.execute(
        select(ArrangementPart.resource_id, ArrangementSection.arrangement_id)
        .join(ArrangementSection, ArrangementSection.id == ArrangementPart.section_id)
        .where(ArrangementPart.resource_id.in_(list(resource_ids)))
    )
    found: dict[str, list[str]] = {}
    for resource_id, arrangement_id in rows:
        if resource_id is not None:
            found.setdefault(resource_id, []).append(arrangement_id)
    return found
