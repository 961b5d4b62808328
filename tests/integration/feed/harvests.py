"""The vendored real records, harvested into a store by its own services, and checks on what the feed keeps.

Three sources, each fed the way a harvest would feed it (`apply_harvested_page`):
``edurep`` gets Edurep's two initial ListRecords pages, ``anatomytool`` the
AnatomyTool page, ``school`` the standalone LOM documents and the Edurep SRU
records (several of which Edurep's OAI pages also carry, so some resources
have two sources). `EDUREP_DELTA` is Edurep's later page of changes and
deletions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from metadata.normalize import normalize_document
from metadata.record import Identifier, Record
from oer.catalogue import service as catalogue
from oer.catalogue.models import Resource
from oer.collections import service as collections
from oer.feed.models import FeedMembership
from oer.harvesting import provenance as resources
from oer.harvesting.models import Source
from oer.harvesting.provenance import HarvestedRecord, PageResult, apply_harvested_page
from oer.harvesting.sources import add_source
from tests.support.store import Clock

EDUREP_INITIAL = ("oai/edurep/edurep-oaipmh.initial.0.xml", "oai/edurep/edurep-oaipmh.initial.1.xml")
EDUREP_DELTA = "oai/edurep/edurep-oaipmh.delta.0.xml"
ANATOMYTOOL = ("oai/anatomytool/anatomy-tool-oaipmh.initial.0.xml",)
SCHOOL = ("lom/*.xml", "sru/edurep-sru-lom.xml")
# The materials the three sources' fixture records make: the SRU page lists one Wikipedia article
# twice, as its record and its metaplus copy, and within one source those are two materials.
FIXTURE_MATERIALS = 36


def use_clock(monkeypatch: object, clock: Clock) -> None:
    """Make the store's services take their time from `clock`."""
    monkeypatch.setattr(resources, "utcnow", clock)  # type: ignore[attr-defined]
    monkeypatch.setattr(catalogue, "utcnow", clock)  # type: ignore[attr-defined]
    monkeypatch.setattr(collections, "utcnow", clock)  # type: ignore[attr-defined]


def page_records(fixtures_dir: Path, pattern: str, *, prefix: str = "oai:school") -> list[HarvestedRecord]:
    """The records of fixture files as a harvest hands them over (made-up identifiers where none)."""
    records = []
    for path in sorted(fixtures_dir.glob(pattern)):
        for number, record in enumerate(normalize_document(path.read_bytes())):
            identifier = record.oai_identifier or f"{prefix}:{path.stem}:{number}"
            datestamp = record.datestamp or "2024-01-15T10:00:00Z"
            if record.deleted:
                items = HarvestedRecord(identifier, datestamp, deleted=True)
            else:
                items = HarvestedRecord(identifier, datestamp, record)
            records.append(items)
    return records


def variants(fixtures_dir: Path, count: int, *, datestamp: str = "2024-02-01T09:00:00Z") -> list[HarvestedRecord]:
    """`count` distinct materials made from the real LOM records: each a copy with its own
    catalog entry, location and title (so the store does not merge them)."""
    originals = [item.record for item in page_records(fixtures_dir, "oai/edurep/*initial*.xml") if item.record]
    originals += [item.record for item in page_records(fixtures_dir, "sru/*.xml") if item.record]
    items = []
    for number in range(count):
        record = originals[number % len(originals)]
        identifier = f"https://copies.example.org/material/{number}"
        location = f"{identifier}/view"
        titles = {language: f"{title} ({number})" for language, title in record.titles.items()}
        copy = record.with_changes(
            identifiers=(Identifier("URI", identifier),),
            location=location,
            locations=(location,),
            title=f"{record.title} ({number})",
            titles=titles,
            lom=_copied_lom(record.lom, titles, identifier, location),
        )
        items.append(HarvestedRecord(f"oai:copies:{number}", datestamp, copy))
    return items


def _copied_lom(lom: Mapping[str, Any] | None, titles: Mapping[str, str], identifier: str,
                location: str) -> dict[str, Any] | None:
    """The source's LOM with the copy's title, catalog entry and location, as the copy's source would write it."""
    if lom is None:
        return None
    tree = dict(lom)
    general = dict(tree.get("general", [{}])[0])
    general["title"] = [[[language, title] for language, title in titles.items()]]
    general["catalogentry"] = [{"catalog": ["URI"], "entry": [identifier]}]
    technical = dict(tree.get("technical", [{}])[0])
    technical["location"] = [location]
    tree["general"] = [general]
    tree["technical"] = [technical]
    return tree


def harvest(session: Session, source: Source, items: list[HarvestedRecord]) -> PageResult:
    result = apply_harvested_page(session, source, items)
    session.commit()
    return result


@dataclass
class Catalogue:
    """A store filled from the fixtures; `sources` by name."""

    sources: dict[str, Source]


def fill_store(session: Session, fixtures_dir: Path, clock: Clock) -> Catalogue:
    """Register the three sources and harvest their initial records, a minute apart per page."""
    sources = {
        name: add_source(session, name, f"https://{name}.example.org/oai")
        for name in ("edurep", "anatomytool", "school")
    }
    session.commit()
    for name, patterns in (("edurep", EDUREP_INITIAL), ("anatomytool", ANATOMYTOOL), ("school", SCHOOL)):
        for pattern in patterns:
            clock.advance()
            harvest(session, sources[name], page_records(fixtures_dir, pattern))
    return Catalogue(sources)


def memberships(session: Session) -> dict[str, dict[str, bool]]:
    """resource id -> {set spec: member}, as stored."""
    session.expire_all()
    found: dict[str, dict[str, bool]] = {}
    for row in session.execute(select(FeedMembership.resource_id, FeedMembership.set_spec, FeedMembership.member)):
        found.setdefault(row.resource_id, {})[row.set_spec] = row.member
    return found


def assert_membership_datestamps_follow_resources(session: Session) -> None:
    """The store's invariant: every membership row carries its resource's feed datestamp."""
    session.expire_all()
    rows = session.execute(
        select(FeedMembership.resource_id, FeedMembership.set_spec, FeedMembership.datestamp, Resource.feed_datestamp)
        .join(Resource, Resource.id == FeedMembership.resource_id)
    ).all()
    assert rows, "no membership rows at all"
    stale = [(r.resource_id, r.set_spec) for r in rows if r.datestamp != r.feed_datestamp]
    assert stale == []


def resource_of(session: Session, predicate: Callable[[Record], bool]) -> Iterator[Resource]:
    """Live resources whose shown record satisfies `predicate`."""
    session.expire_all()
    for resource in session.scalars(select(Resource).where(Resource.deleted.is_(False)).order_by(Resource.id)):
        if predicate(Record.from_dict(resource.record)):
            yield resource
