"""The aggregates, computed from the search index's facet counts and SQL group-bys; snapshots read back. I/O: database, search.

Nothing here loads records: what a record says (sector, subject, kerndoel,
licence, quality information) is counted by the search backend's facets
(a handful of size-0 queries), and what the store records about resources and
harvests (dates, origin, completeness, runs) by `GROUP BY` in the database.
So the cost grows with the number of distinct values, not with the number of
materials. Figures hold counts only: no record, no person.

Every public figure can be computed for one organisation's materials (a
`Scope`): those harvested from the sources it owns, which the index's `source`
facet selects, and those published in its name. The index does not know who
published a material, so those (an organisation publishes a handful to a few
thousand) are flattened from the store as the index would hold them and
counted beside the index's facet counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from metadata.kerndoelen import KERNDOEL_SECTORS, kerndoelen
from metadata.levels import level_terms
from metadata.licence import LicenceFamily
from metadata.record import Record
from oer.accounts.models import Organisation
from oer.catalogue.models import Origin, Resource
from oer.harvesting.models import HarvestRun, Provenance, RunStatus, Source, SourceOwner
from oer.harvesting.queries import live_source_names
from oer.insights.figures import Cell, Figure, FigureName, figures_from_dict, share
from oer.insights.models import InsightSnapshot
from oer.publishing.models import Publication, PublicationState
from oer.quality.queries import search_tokens
from oer.search import SearchBackend, SearchDocument, document_from_record
from oer.search.query import SearchQuery

# A kerndoel with fewer open materials than this is listed as a gap.
GAP_THRESHOLD = 3
# Enough for every value of a facet (there are a few hundred kerndoelen, fewer subjects).
FACET_LIMIT = 10_000
# The sectors figures are given for, in the order shown: special and practical education
# (SO, VSO, pro) right beside PO and VO. NL-LOM's context has no VSO or pro, so those two are
# counted by their OBK level terms (`metadata.levels`).
CONTEXT_SECTORS = ("PO", "VO", "SO", "SBaO", "VVE", "BVE", "HBO", "WO")
LEVEL_SECTORS = ("VSO", "pro")
SECTORS = ("PO", "VO", "SO", "VSO", "pro", "SBaO", "VVE", "BVE", "HBO", "WO")


def sector_filters(sector: str) -> dict[str, tuple[str, ...]]:
    """The search filter that selects a sector's materials."""
    if sector in LEVEL_SECTORS:
        family = sector.lower()
        ids = tuple(term.id for term in level_terms().values() if term.family == family)
        return {"educational_levels": ids or ("-",)}
    return {"contexts": (sector,)}


@dataclass(frozen=True, slots=True)
class Scope:
    """Which materials the figures count: the whole catalogue (`EVERYTHING`), or one organisation's.

    For an organisation: `source_ids`/`source_names` are the sources it owns;
    `published` the documents of the live materials published in its name that
    none of those sources serves (so nothing is counted twice).
    """

    organisation_id: int | None = None
    source_ids: tuple[int, ...] = ()
    source_names: tuple[str, ...] = ()
    published: tuple[SearchDocument, ...] = ()


EVERYTHING = Scope()


@dataclass(frozen=True, slots=True)
class OrganisationRef:
    id: int
    slug: str
    name: str


def find_organisation(session: Session, key: str) -> OrganisationRef | None:
    """The organisation with this id (digits) or slug, or None."""
    # A number past a 32-bit id is no id (PostgreSQL would refuse to compare it).
    where = Organisation.id == int(key) if key.isdigit() and len(key) < 10 else Organisation.slug == key
    row = session.execute(select(Organisation.id, Organisation.slug, Organisation.name).where(where)).first()
    return None if row is None else OrganisationRef(row.id, row.slug, row.name)


def list_organisations(session: Session) -> tuple[OrganisationRef, ...]:
    rows = session.execute(select(Organisation.id, Organisation.slug, Organisation.name).order_by(Organisation.name))
    return tuple(OrganisationRef(*row) for row in rows)


def organisation_scope(session: Session, organisation_id: int) -> Scope:
    """An organisation's materials: harvested from its own sources, and published in its name."""
    sources = session.execute(
        select(Source.id, Source.name).join(SourceOwner, SourceOwner.source_id == Source.id)
        .where(SourceOwner.organisation_id == organisation_id).order_by(Source.name)
    ).all()
    names = tuple(name for _id, name in sources)
    live = session.execute(
        select(Resource.id, Resource.record, Resource.updated_at)
        .where(Resource.id.in_(select(Publication.id).where(
            Publication.organisation_id == organisation_id, Publication.state == PublicationState.PUBLISHED)),
            Resource.deleted.is_(False))
        .order_by(Resource.id)
    ).all()
    ids = [row.id for row in live]
    served = live_source_names(session, ids)
    quality = search_tokens(session, ids)
    documents = []
    for row in live:
        row_sources = served.get(row.id, set())
        if row_sources & set(names):
            continue  # the index's source filter counts it already
        criteria, details = quality.get(row.id, ((), ()))
        # As `oer.discovery.indexing` flattens a resource for the index.
        documents.append(document_from_record(
            row.id, Record.from_dict(row.record), sources=tuple(sorted(row_sources)),
            updated_at=row.updated_at, supplied={"quality": criteria, "quality_detail": details}))
    return Scope(organisation_id, tuple(source_id for source_id, _name in sources), names, tuple(documents))


def _matches(document: SearchDocument, filters: Mapping[str, tuple[str, ...]]) -> bool:
    # As a search filter: OR within a field, AND across fields.
    return all(set(document.facet_values(name)) & set(values) for name, values in filters.items())


def _facet(backend: SearchBackend, name: str | None, filters: Mapping[str, tuple[str, ...]] | None = None,
           scope: Scope = EVERYTHING) -> tuple[int, Mapping[str, int]]:
    """How many materials of `scope` match `filters`, and their counts per value of facet `name`."""
    wanted = dict(filters or {})
    total, counts = 0, Counter[str]()
    if scope.organisation_id is None or scope.source_names:
        scoped = wanted if scope.organisation_id is None else {**wanted, "source": scope.source_names}
        result = backend.search(SearchQuery(filters=scoped, facets=(name,) if name else (), size=0,
                                            facet_limit=FACET_LIMIT))
        total = result.total
        counts.update(result.facets.get(name, {}) if name else {})
    for document in scope.published:
        if _matches(document, wanted):
            total += 1
            if name:
                counts.update(document.facet_values(name))
    return total, counts


def sector_subject(backend: SearchBackend, scope: Scope = EVERYTHING) -> Figure:
    rows: list[tuple[Any, ...]] = []
    for sector in SECTORS:
        total, subjects = _facet(backend, "disciplines", sector_filters(sector), scope)
        rows.append((sector, None, total))
        rows.extend((sector, subject, count) for subject, count in sorted(subjects.items()))
    return Figure(FigureName.SECTOR_SUBJECT, ("sector", "subject", "materials"), tuple(rows))


def kerndoel_coverage(backend: SearchBackend, threshold: int = GAP_THRESHOLD, scope: Scope = EVERYTHING) -> Figure:
    """Per kerndoel the open materials that name it; under `threshold` it is a gap."""
    _, counts = _facet(backend, "educational_objectives", {"licence_family": (LicenceFamily.OPEN.value,)}, scope)
    lowered = {key.strip().lower(): value for key, value in counts.items()}
    order = {sector: i for i, sector in enumerate(KERNDOEL_SECTORS)}
    rows = []
    for key, kerndoel in sorted(kerndoelen().items(), key=lambda item: order.get(item[1].sector, 99)):
        count = lowered.get(key, 0)
        rows.append((kerndoel.sector, kerndoel.id, kerndoel.code, kerndoel.label, count, count < threshold))
    return Figure(FigureName.KERNDOELEN, ("sector", "kerndoel", "code", "label", "open_materials", "gap"),
                  tuple(rows))


def licence_openness(backend: SearchBackend, scope: Scope = EVERYTHING) -> Figure:
    """How many materials may be adapted (open), and what restricts the rest."""
    total, families = _facet(backend, "licence_family", scope=scope)
    rows: list[tuple[Any, ...]] = [
        (family.value, families.get(family.value, 0), share(families.get(family.value, 0), total))
        for family in LicenceFamily
    ]
    # A licence can be NC and ND at once, so the families do not add up; "unknown" counts what has
    # no family at all: every material less those matching any family (one OR filter).
    having, _families = _facet(backend, None, {"licence_family": tuple(f.value for f in LicenceFamily)}, scope)
    unknown = total - having
    rows.append(("unknown", unknown, share(unknown, total)))
    return Figure(FigureName.LICENCES, ("licence_family", "materials", "share"), tuple(rows))


def quality_coverage(backend: SearchBackend, scope: Scope = EVERYTHING) -> Figure:
    """Per criterion the materials with shown quality information about it."""
    total, criteria = _facet(backend, "quality", scope=scope)
    rows = tuple((criterion, count, share(count, total)) for criterion, count in sorted(criteria.items()))
    return Figure(FigureName.QUALITY, ("criterion", "materials", "share"), rows)


def completeness_by_source(session: Session, scope: Scope = EVERYTHING) -> Figure:
    """Per harvest source (of the scope) its live records and their mean metadata completeness (0-1)."""
    statement = (
        select(Source.name, func.count(Provenance.id), func.avg(Provenance.completeness))
        .join(Provenance, and_(Provenance.source_id == Source.id, Provenance.deleted.is_(False)), isouter=True)
        .group_by(Source.name).order_by(Source.name)
    )
    if scope.organisation_id is not None:
        statement = statement.where(Source.id.in_(scope.source_ids))
    rows = session.execute(statement).all()
    return Figure(FigureName.COMPLETENESS, ("source", "records", "completeness"),
                  tuple((name, count, round(float(mean or 0.0), 4)) for name, count, mean in rows))


def month_of(session: Session, column: Any) -> ColumnElement[str]:
    """`YYYY-MM` of a timestamp column, in the store's SQL dialect (timestamps are UTC)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _in_scope(scope: Scope) -> tuple[ColumnElement[bool], ...]:
    """The SQL condition on `Resource` for the scope's materials, withdrawn ones included."""
    if scope.organisation_id is None:
        return ()
    harvested_ = select(Provenance.resource_id).where(Provenance.source_id.in_(scope.source_ids))
    # Published in its name, withdrawn since or not (a draft has no resource).
    published = select(Publication.id).where(Publication.organisation_id == scope.organisation_id)
    return (or_(Resource.id.in_(harvested_), Resource.id.in_(published)),)


def trends(session: Session, scope: Scope = EVERYTHING) -> Figure:
    """Per month and origin: materials added, last changed, withdrawn.

    The catalogue keeps a resource's creation, its last change and its
    withdrawal; "changed" counts resources whose last change fell in the month
    (and was not their creation), so an earlier change shows in the month of
    the change only until the next one.
    """
    counts: dict[tuple[str, str], list[int]] = {}
    scoped = _in_scope(scope)

    def add(column: Any, index: int, *conditions: ColumnElement[bool]) -> None:
        month = month_of(session, column)
        statement = (select(month, Resource.origin, func.count()).where(column.is_not(None), *conditions, *scoped)
                     .group_by(month, Resource.origin))
        for key, origin, count in session.execute(statement):
            counts.setdefault((key, origin.value), [0, 0, 0])[index] += count

    add(Resource.created_at, 0)
    add(Resource.updated_at, 1, Resource.updated_at > Resource.created_at, Resource.deleted.is_(False))
    add(Resource.deleted_at, 2, Resource.deleted.is_(True))
    order = {origin.value: i for i, origin in enumerate(Origin)}
    rows: tuple[tuple[Cell, ...], ...] = tuple((month, origin, *values) for (month, origin), values
                 in sorted(counts.items(), key=lambda item: (item[0][0], order[item[0][1]])))
    return Figure(FigureName.TRENDS, ("month", "origin", "added", "changed", "withdrawn"), rows)


def harvest_health(session: Session) -> Figure:
    """Per source and month: runs by outcome, and what they changed and failed on."""
    month = month_of(session, HarvestRun.started_at)

    def runs(status: RunStatus) -> ColumnElement[int]:
        return func.sum(case((HarvestRun.status == status, 1), else_=0))

    statement = (
        select(Source.name, month, func.count(HarvestRun.id), runs(RunStatus.SUCCEEDED), runs(RunStatus.FAILED),
               runs(RunStatus.INTERRUPTED), func.sum(HarvestRun.created), func.sum(HarvestRun.updated),
               func.sum(HarvestRun.deleted), func.sum(HarvestRun.failed))
        .join(HarvestRun, HarvestRun.source_id == Source.id)
        .group_by(Source.name, month).order_by(Source.name, month)
    )
    rows: tuple[tuple[Cell, ...], ...] = tuple((name, key, *(int(value or 0) for value in values))
                 for name, key, *values in session.execute(statement))
    return Figure(FigureName.HARVEST_HEALTH,
                  ("source", "month", "runs", "succeeded", "failed", "interrupted", "created", "updated",
                   "deleted", "failed_records"), rows)


def organisation_figures(session: Session) -> Figure:
    """Per organisation: its own sources, their live records and completeness, its published materials."""
    harvested: dict[int, int] = {}
    completeness: dict[int, float | None] = {}
    for org_id, count, mean in session.execute(
        select(SourceOwner.organisation_id, func.count(Provenance.id), func.avg(Provenance.completeness))
        .join(Provenance, and_(Provenance.source_id == SourceOwner.source_id, Provenance.deleted.is_(False)))
        .group_by(SourceOwner.organisation_id)
    ):
        harvested[org_id], completeness[org_id] = count, mean
    sources = dict(session.execute(
        select(SourceOwner.organisation_id, func.count()).group_by(SourceOwner.organisation_id)
    ).all())
    published = dict(session.execute(
        select(Publication.organisation_id, func.count())
        .where(Publication.state == PublicationState.PUBLISHED, Publication.organisation_id.is_not(None))
        .group_by(Publication.organisation_id)
    ).all())
    rows = tuple(
        (slug, name, sources.get(org_id, 0), harvested.get(org_id, 0),
         round(float(completeness.get(org_id) or 0.0), 4), published.get(org_id, 0))
        for org_id, slug, name in session.execute(
            select(Organisation.id, Organisation.slug, Organisation.name).order_by(Organisation.slug))
    )
    return Figure(FigureName.ORGANISATIONS,
                  ("organisation", "name", "sources", "harvested_records", "completeness", "published"), rows)


def public_figures(session: Session, backend: SearchBackend, scope: Scope = EVERYTHING) -> dict[FigureName, Figure]:
    """Every public figure, now: of the whole catalogue, or of one organisation's materials (`scope`)."""
    return {
        FigureName.SECTOR_SUBJECT: sector_subject(backend, scope),
        FigureName.KERNDOELEN: kerndoel_coverage(backend, scope=scope),
        FigureName.LICENCES: licence_openness(backend, scope),
        FigureName.COMPLETENESS: completeness_by_source(session, scope),
        FigureName.QUALITY: quality_coverage(backend, scope),
        FigureName.TRENDS: trends(session, scope),
    }


def operator_figures(session: Session) -> dict[FigureName, Figure]:
    """The figures for operators and the alliance, now."""
    return {
        FigureName.HARVEST_HEALTH: harvest_health(session),
        FigureName.ORGANISATIONS: organisation_figures(session),
    }


@dataclass(frozen=True, slots=True)
class Snapshot:
    taken_on: date
    taken_at: datetime
    figures: Mapping[FigureName, Figure]


def snapshot_dates(session: Session) -> tuple[date, ...]:
    return tuple(session.scalars(select(InsightSnapshot.taken_on).order_by(InsightSnapshot.taken_on.desc())))


def find_snapshot(session: Session, on_or_before: date) -> Snapshot | None:
    """The latest snapshot taken on or before the date, or None."""
    row = session.scalars(
        select(InsightSnapshot).where(InsightSnapshot.taken_on <= on_or_before)
        .order_by(InsightSnapshot.taken_on.desc()).limit(1)
    ).first()
    if row is None:
        return None
    return Snapshot(row.taken_on, row.taken_at, figures_from_dict(row.figures))
