"""The curated feed's sets (saved queries) and their stored membership. I/O: database.

Sets of the OAI-PMH feed, each a saved query over what the store holds:

- ``curated``: what the redactie selected: every material in one of the
  redactie's collections, or with an annotation by the redactie
  (`oer.collections`, `oer.quality`).
- ``collection:SLUG``: the materials of one collection (the redactie's or an
  organisation's). Slugs are lower-case words and hyphens
  (`oer.collections.service.SLUG`), valid setSpec characters.
- ``source:NAME``: resources with a live provenance from source NAME. Source
  names are slugs (`oer.harvesting.sources` allows ``[a-z0-9_.-]`` only), which
  are valid setSpec characters, so the spec is the name itself. Its list
  serves each material as that source gave it: a material several sources
  describe shows one source's record everywhere else, and here it is this
  source's own (`oer.feed.repository`).
- ``sector:CONTEXT``: resources whose record has that NL-LOM educational
  context (``sector:PO``, ``sector:VO``, ...), one set per value of the czp
  context vocabulary (schemas/vocabularies/context.json). Values outside that
  vocabulary (the IEEE ``school``, ``higher education``, ...) make no set.

`set_specs_of` computes the sets of a live resource, a pure function of its
record, its live sources and its curation. Membership is stored in
`FeedMembership`, one row per (resource, set) that is never removed: leaving a
set marks the row ``member=False``, so the set's list goes on showing the
resource as deleted (``deletedRecord=persistent``). Every row of a resource
carries the resource's ``feed_datestamp``; joining or leaving a set is a change
of what the feed shows, so it is part of `feed_hash` and moves that datestamp.
A tombstone keeps the sets it was in when it was deleted (as a deleted item there).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from metadata.vocabulary import VocabularyName, vocabulary
from oer.feed.models import FeedMembership

CURATED = "curated"
COLLECTION_PREFIX = "collection:"
SOURCE_PREFIX = "source:"
SECTOR_PREFIX = "sector:"

# Dutch names of the czp contexts, as teachers and Edurep's portals call the sectors.
_SECTOR_NAMES = {
    "PO": "Primair onderwijs (PO)",
    "VO": "Voortgezet onderwijs (VO)",
    "BVE": "Beroepsonderwijs en volwasseneneducatie (BVE, mbo)",
    "HBO": "Hoger beroepsonderwijs (hbo)",
    "WO": "Wetenschappelijk onderwijs (wo)",
    "SO": "Speciaal onderwijs (SO)",
    "SBaO": "Speciaal basisonderwijs (SBaO)",
    "VVE": "Voor- en vroegschoolse educatie (VVE)",
    "bedrijfsopleiding": "Bedrijfsopleiding",
}


@dataclass(frozen=True, slots=True)
class SetDefinition:
    """A set as ListSets shows it: its spec, a Dutch name, and optionally a description."""

    spec: str
    name: str
    description: str | None = None


def sector_contexts() -> tuple[str, ...]:
    """The context values that make a `sector:` set: the NL-LOM (czp) context vocabulary."""
    return vocabulary(VocabularyName.CONTEXT).sources[0][1]


def source_set_spec(source_name: str) -> str:
    return f"{SOURCE_PREFIX}{source_name}"


def sector_set_spec(context: str) -> str:
    return f"{SECTOR_PREFIX}{context}"


def collection_set_spec(slug: str) -> str:
    return f"{COLLECTION_PREFIX}{slug}"


def curated_set() -> SetDefinition:
    return SetDefinition(
        CURATED,
        "Geselecteerd door de redactie",
        "Leermaterialen in een collectie van de redactie of met een kwaliteitsannotatie van de redactie.",
    )


def collection_set(slug: str, title: str | None, description: str | None = None) -> SetDefinition:
    """A collection's set; `title` None for a collection that was removed (its former members stay, deleted)."""
    if title is None:
        return SetDefinition(collection_set_spec(slug), f"Collectie: {slug} (opgeheven)")
    return SetDefinition(collection_set_spec(slug), f"Collectie: {title}", description)


def source_set(source_name: str, *, removed: bool = False) -> SetDefinition:
    suffix = " (niet meer geoogst)" if removed else ""
    return SetDefinition(source_set_spec(source_name), f"Bron: {source_name}{suffix}")


def sector_sets() -> list[SetDefinition]:
    return [
        SetDefinition(sector_set_spec(context), _SECTOR_NAMES.get(context, f"Sector {context}"))
        for context in sector_contexts()
    ]


def set_specs_of(
    record: Mapping[str, Any] | None,
    live_sources: Iterable[str],
    collections: Iterable[tuple[str, bool]] = (),
    annotated_by_redactie: bool = False,
) -> frozenset[str]:
    """The sets of a live resource.

    `record` is the JSON form (`Record.to_dict()`) of the record the resource
    shows; `live_sources` the names of the sources that serve it now;
    `collections` the (slug, kept by the redactie) of the collections it is
    in; `annotated_by_redactie` whether the redactie annotated it.
    """
    specs = {source_set_spec(name) for name in live_sources}
    known = set(sector_contexts())
    for context in (record or {}).get("contexts") or ():
        if context in known:
            specs.add(sector_set_spec(context))
    curated = annotated_by_redactie
    for slug, by_redactie in collections:
        specs.add(collection_set_spec(slug))
        curated = curated or by_redactie
    if curated:
        specs.add(CURATED)
    return frozenset(specs)


def feed_hash(content_hash: str, set_specs: Iterable[str], deleted: bool) -> str:
    """SHA-256 of what the feed shows of a resource: its record, its sets, its deleted flag."""
    shown = {"record": content_hash, "sets": sorted(set_specs), "deleted": deleted}
    canonical = json.dumps(shown, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# -- stored membership ---------------------------------------------------------------------------

Memberships = Mapping[str, bool]


@dataclass(frozen=True, slots=True)
class MembershipChange:
    """A resource's new sets, written with its new feed datestamp.

    `stored` is its membership before the change (spec -> member), as
    `load_memberships` returned it.
    """

    resource_id: str
    datestamp: datetime
    set_specs: frozenset[str]
    stored: Memberships


def load_memberships(session: Session, resource_ids: Iterable[str]) -> dict[str, dict[str, bool]]:
    """resource id -> {set spec: member} for every stored row of these resources."""
    ids = sorted(set(resource_ids))
    found: dict[str, dict[str, bool]] = {}
    for start in range(0, len(ids), _BATCH):
        rows = session.execute(
            select(FeedMembership.resource_id, FeedMembership.set_spec, FeedMembership.member).where(
                FeedMembership.resource_id.in_(ids[start : start + _BATCH])
            )
        )
        for resource_id, spec, member in rows:
            found.setdefault(resource_id, {})[spec] = member
    return found


def current_sets(stored: Memberships) -> frozenset[str]:
    """The sets a resource is in now, from its stored rows."""
    return frozenset(spec for spec, member in stored.items() if member)


def write_memberships(session: Session, changes: Sequence[MembershipChange]) -> None:
    """Store new memberships: current sets as members, every other stored set as left.

    Every row of a changed resource gets its new datestamp, a left set's too,
    since the set's list shows the resource (as deleted) with that datestamp.
    """
    new_rows: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for change in changes:
        for spec in sorted(change.set_specs | set(change.stored)):
            row = {
                "resource_id": change.resource_id,
                "set_spec": spec,
                "member": spec in change.set_specs,
                "datestamp": change.datestamp,
            }
            (updates if spec in change.stored else new_rows).append(row)
    if new_rows:
        # On the table, past the ORM's per-row bulk bookkeeping: plain rows, same-named columns.
        session.execute(insert(cast(Table, FeedMembership.__table__)), new_rows)
    if updates:
        session.execute(update(FeedMembership), updates)


def restamp_memberships(session: Session, resource_ids: Sequence[str], datestamp: datetime) -> None:
    """Give the membership rows of these resources their resources' new feed datestamp."""
    for start in range(0, len(resource_ids), _BATCH):
        session.execute(
            update(FeedMembership)
            .where(FeedMembership.resource_id.in_(resource_ids[start : start + _BATCH]))
            .values(datestamp=datestamp)
        )


# Ids per IN (...) list: well under SQLite's and PostgreSQL's bound-parameter limits.
_BATCH = 500
