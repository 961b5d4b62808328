"""Comparing two to four materials side by side: which ids, what each says, where they differ. I/O: database.

`parse_compare_ids` reads the ids of a comparison (`?ids=a,b,c`, or the
search page's repeated `ids` checkboxes) and collects every problem with them
instead of stopping at the first; `compare_materials` loads the materials and
says, per aspect and per quality criterion and role, whether they differ.
Everything returned is a frozen value detached from the session; labels are
the site's business (codes and vocabulary terms stay as they are here).
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from metadata.completeness import assess_completeness
from metadata.licence import LicenceRights, Permission
from metadata.quality import AnnotatorRole, Criterion, Framework
from metadata.record import Completeness, Record, Term
from oer.catalogue.models import Origin
from oer.catalogue.queries import resolve_resource_id
from oer.discovery.queries import get_resource
from oer.discovery.search import describe_resource
from oer.quality.queries import Profile, RoleSummary, profile
from oer.remix.queries import published_arrangements_using

MIN_MATERIALS = 2
MAX_MATERIALS = 4
# More references than this are not even looked at: a comparison holds four.
MAX_REFERENCES = 20
# Longer than any id, identifier or URL a material has here (see `oer.catalogue.keys`).
MAX_REFERENCE_LENGTH = 500


class CompareProblem(enum.StrEnum):
    """What can be wrong with the ids of a comparison."""

    TOO_FEW = "too_few"
    TOO_MANY = "too_many"
    DUPLICATE = "duplicate"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ComparisonProblem:
    code: CompareProblem
    # The references concerned (duplicates, unknown ones, those beyond the fourth).
    references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CompareSelection:
    """The references asked for, in order, and what is wrong with them.

    `usable` is the selection without duplicates and cut to the maximum: what
    the site offers as the corrected comparison.
    """

    references: tuple[str, ...]
    problems: tuple[ComparisonProblem, ...]

    @property
    def usable(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.references))[:MAX_MATERIALS]

    def problem(self, code: CompareProblem) -> ComparisonProblem | None:
        return next((p for p in self.problems if p.code is code), None)


def parse_compare_ids(values: Iterable[str]) -> CompareSelection:
    """The references in `values` (each a comma-separated list), with every problem found.

    Too few (fewer than two distinct) is reported too; the site shows it as a
    step ("choose another"), not as an error.
    """
    references: list[str] = []
    for value in values:
        references += [part.strip() for part in value.split(",") if part.strip()]
    references = references[:MAX_REFERENCES]
    problems: list[ComparisonProblem] = []
    seen: set[str] = set()
    duplicates: list[str] = []
    for reference in references:
        if reference in seen and reference not in duplicates:
            duplicates.append(reference)
        seen.add(reference)
    distinct = list(dict.fromkeys(references))
    if duplicates:
        problems.append(ComparisonProblem(CompareProblem.DUPLICATE, tuple(duplicates)))
    if len(distinct) > MAX_MATERIALS:
        problems.append(ComparisonProblem(CompareProblem.TOO_MANY, tuple(distinct[MAX_MATERIALS:])))
    elif len(distinct) < MIN_MATERIALS:
        problems.append(ComparisonProblem(CompareProblem.TOO_FEW))
    return CompareSelection(tuple(references), tuple(problems))


class Aspect(enum.StrEnum):
    """The rows of a comparison, in the order the site shows them (quality rows apart)."""

    SECTOR = "sector"
    LEVEL = "level"
    SUBJECT = "subject"
    OBJECTIVES = "objectives"
    MATERIAL_TYPE = "material_type"
    LEARNING_TIME = "learning_time"
    LICENCE = "licence"
    PERMISSIONS = "permissions"
    LANGUAGES = "languages"
    COMPLETENESS = "completeness"
    USED_IN = "used_in"
    SOURCE = "source"
    DATE = "date"


@dataclass(frozen=True, slots=True)
class ComparedMaterial:
    """One material as a comparison shows it."""

    id: str
    title: str
    origin: Origin
    record: Record
    licence: LicenceRights | None
    completeness: Completeness
    quality: Profile
    # Published arrangements that use it as a part.
    used_in: int
    sources: tuple[str, ...]
    updated_at: datetime


def _terms(terms: Sequence[Term]) -> frozenset[str]:
    return frozenset(term.id for term in terms)


def aspect_value(material: ComparedMaterial, aspect: Aspect) -> Hashable:
    """What two materials must share to be the same in `aspect` (order and labels aside)."""
    record = material.record
    match aspect:
        case Aspect.SECTOR:
            return frozenset(record.contexts)
        case Aspect.LEVEL:
            return _terms(record.educational_levels), record.typical_age_range
        case Aspect.SUBJECT:
            return _terms(record.disciplines)
        case Aspect.OBJECTIVES:
            return _terms(record.educational_objectives)
        case Aspect.MATERIAL_TYPE:
            return frozenset(record.learning_resource_types)
        case Aspect.LEARNING_TIME:
            return record.typical_learning_time
        case Aspect.LICENCE:
            return material.licence.code if material.licence else None
        case Aspect.PERMISSIONS:
            rights = material.licence
            if rights is None or rights.allows is None:
                return None
            return tuple(rights.allows[p] for p in Permission), frozenset(rights.requires)
        case Aspect.LANGUAGES:
            return frozenset(record.languages)
        case Aspect.COMPLETENESS:
            return material.completeness.score
        case Aspect.USED_IN:
            return material.used_in
        case Aspect.SOURCE:
            return material.origin, material.sources
        case Aspect.DATE:
            return material.updated_at.date()


@dataclass(frozen=True, slots=True)
class QualityRow:
    """One criterion in one role: what each material was given (None: nothing)."""

    criterion_id: str
    framework_version: str
    # The criterion as its version defines it (None: a version not loaded here).
    criterion: Criterion | None
    role: AnnotatorRole
    cells: tuple[RoleSummary | None, ...]

    @property
    def differs(self) -> bool:
        # The values given, not how often: two "goed" against one is no difference in quality.
        given = {tuple(c.value for c in cell.counts) if cell else () for cell in self.cells}
        return len(given) > 1


@dataclass(frozen=True, slots=True)
class Comparison:
    materials: tuple[ComparedMaterial, ...]
    differs: Mapping[Aspect, bool]
    quality_rows: tuple[QualityRow, ...]
    framework: Framework

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(material.id for material in self.materials)


@dataclass(frozen=True, slots=True)
class LoadedMaterials:
    """The materials found for a selection's references, and the references that name none."""

    materials: tuple[ComparedMaterial, ...]
    unknown: tuple[str, ...]


def load_materials(session: Session, references: Sequence[str]) -> LoadedMaterials:
    """Each reference's material (an id, or an identifier or URL of it); withdrawn ones count as unknown.

    Two references to the same material (an id and its URL) load it once.
    """
    found: dict[str, ComparedMaterial] = {}
    unknown: list[str] = []
    for reference in references:
        material = None
        if len(reference) <= MAX_REFERENCE_LENGTH:
            resource_id = resolve_resource_id(session, reference)
            material = _material(session, resource_id) if resource_id else None
        if material is None:
            unknown.append(reference)
        else:
            found.setdefault(material.id, material)
    return LoadedMaterials(tuple(found.values()), tuple(unknown))


def _material(session: Session, resource_id: str) -> ComparedMaterial | None:
    detail = get_resource(session, resource_id)
    if detail is None or detail.deleted:
        return None
    view = describe_resource(detail)
    return ComparedMaterial(
        id=detail.id,
        title=view.title,
        origin=detail.origin,
        record=detail.record,
        licence=view.licence,
        completeness=completeness_of(detail.record),
        quality=profile(session, detail.id),
        used_in=len(published_arrangements_using(session, detail.id)),
        sources=detail.sources,
        updated_at=detail.updated_at,
    )


def completeness_of(record: Record) -> Completeness:
    """The record's stored completeness; assessed now when it was never assessed (all defaults).

    A record that was assessed and found empty lists what it misses, so the
    all-default value can only mean "not assessed" (records written before the
    score existed, or by a path that does not score).
    """
    stored = record.completeness
    if stored.score or stored.missing_required or stored.missing_recommended:
        return stored
    return assess_completeness(record)


def compare(materials: Sequence[ComparedMaterial]) -> Comparison:
    """Where `materials` differ, per aspect and per quality criterion and role. Pure."""
    if not materials:
        raise ValueError("a comparison needs materials")
    differs = {aspect: len({aspect_value(m, aspect) for m in materials}) > 1 for aspect in Aspect}
    framework = materials[0].quality.framework
    order: dict[tuple[str, str], int] = {}
    criteria: dict[tuple[str, str], Criterion | None] = {}
    roles: dict[tuple[str, str], set[AnnotatorRole]] = {}
    for material in materials:
        for item in material.quality.criteria:
            key = (item.criterion_id, item.framework_version)
            criteria.setdefault(key, item.criterion)
            roles.setdefault(key, set()).update(summary.role for summary in item.roles)
    # The current framework's criteria in its order, criteria of older versions after them.
    positions = {criterion_id: index for index, criterion_id in enumerate(framework.criteria)}
    for key in criteria:
        current = key[1] == framework.version
        order[key] = positions.get(key[0], len(positions)) if current else len(positions) + 1
    rows = []
    for key in sorted(criteria, key=lambda k: (order[k], k)):
        for role in AnnotatorRole:
            if role not in roles[key]:
                continue
            cells = tuple(_summary(material.quality, key, role) for material in materials)
            rows.append(QualityRow(key[0], key[1], criteria[key], role, cells))
    return Comparison(tuple(materials), differs, tuple(rows), framework)


def _summary(quality: Profile, key: tuple[str, str], role: AnnotatorRole) -> RoleSummary | None:
    for item in quality.criteria:
        if (item.criterion_id, item.framework_version) == key:
            return next((summary for summary in item.roles if summary.role is role), None)
    return None

