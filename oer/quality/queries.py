"""Reading quality information: a material's profile, the moderation queue, what the feed and search need. I/O: database.

Only approved annotations and reports are shown anywhere but in the
moderation queue (and to their own author). Everything returned is a frozen
value detached from the session.

The profile is descriptive on purpose: per criterion, per role, how often
each value was given, the latest justifications and the framework version
they were given under. There is no total, no average and no ranking.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from metadata.quality import (
    AnnotatorRole,
    Criterion,
    Framework,
    Mark,
    annotation_text,
    bundled_framework,
    current_criterion,
    quality_tokens,
    read_framework,
)
from metadata.record import Annotation
from oer.accounts.models import User
from oer.catalogue.models import Resource
from oer.quality.models import (
    AbuseReport,
    ExperienceReport,
    ModerationState,
    QualityAnnotation,
    QualityFramework,
)

# Justifications shown per role and criterion in the profile (the newest first).
LATEST_JUSTIFICATIONS = 3
# Rows per IN (...) list.
_BATCH = 500

# Shown instead of a name for feedback without one, per role (Dutch; the site translates).
ROLE_NAMES: Mapping[AnnotatorRole, str] = {
    AnnotatorRole.AUTEUR: "Auteur",
    AnnotatorRole.VAKEXPERT: "Vakexpert",
    AnnotatorRole.LERAAR: "Leraar",
    AnnotatorRole.LEERLING: "Leerling",
    AnnotatorRole.OUDER: "Ouder",
    AnnotatorRole.REDACTIE: "Redactie",
}


@dataclass(frozen=True, slots=True)
class AnnotationView:
    id: int
    resource_id: str
    framework_version: str
    # As annotated, and as the current framework names it (None: the current version dropped it).
    criterion: str
    current_criterion: str | None
    value: str
    justification: str | None
    role: AnnotatorRole
    annotator_id: int | None
    # The annotator's display name, the name a pupil or parent gave, or None.
    annotator: str | None
    state: ModerationState
    moderation_reason: str | None
    reply: str | None
    reply_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def shown_name(self) -> str:
        return self.annotator or ROLE_NAMES[self.role]

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "criterion": self.criterion,
            "current_criterion": self.current_criterion,
            "value": self.value,
            "role": self.role.value,
            "justification": self.justification,
            "framework_version": self.framework_version,
            "date": self.updated_at.isoformat(),
            "annotator": self.shown_name,
            "state": self.state.value,
            "reply": self.reply,
            "reply_date": self.reply_at.isoformat() if self.reply_at else None,
        }


@dataclass(frozen=True, slots=True)
class ValueCount:
    value: str
    count: int


@dataclass(frozen=True, slots=True)
class RoleSummary:
    role: AnnotatorRole
    counts: tuple[ValueCount, ...]
    # The newest annotations with a justification, newest first.
    latest: tuple[AnnotationView, ...]
    versions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CriterionProfile:
    criterion_id: str
    # The criterion in the current framework; for a dropped one, in the version it was annotated under.
    criterion: Criterion | None
    framework_version: str
    roles: tuple[RoleSummary, ...]
    # Every shown annotation of it, newest first.
    annotations: tuple[AnnotationView, ...] = ()


@dataclass(frozen=True, slots=True)
class ExperienceView:
    id: int
    resource_id: str
    user_id: int
    author: str
    group_level: str
    duration: str | None
    worked: str | None
    not_worked: str | None
    state: ModerationState
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Profile:
    framework: Framework
    criteria: tuple[CriterionProfile, ...]
    annotations: tuple[AnnotationView, ...]
    experiences: tuple[ExperienceView, ...]

    @property
    def empty(self) -> bool:
        return not self.annotations and not self.experiences


@lru_cache(maxsize=32)
def _parsed(canonical: str) -> Framework:
    return read_framework(json.loads(canonical))


def _framework_of(document: Any) -> Framework:
    # Checking a document against the JSON Schema costs milliseconds; pages and index batches
    # read the same few versions over and over, so each distinct document is read once.
    return _parsed(json.dumps(document, sort_keys=True, ensure_ascii=False))


def frameworks(session: Session) -> dict[str, Framework]:
    """Every loaded version by its number (the bundled version 1 when none was loaded)."""
    rows = session.scalars(select(QualityFramework).order_by(QualityFramework.loaded_at))
    loaded = {row.version: _framework_of(row.document) for row in rows}
    return loaded or {bundled_framework().version: bundled_framework()}


def current_framework(session: Session) -> Framework:
    """The current version (the bundled version 1 when none was loaded)."""
    document = session.scalar(select(QualityFramework.document).where(QualityFramework.current.is_(True)))
    if document is not None:
        return _framework_of(document)
    return bundled_framework()


def _annotation_views(session: Session, query: Select[QualityAnnotation, str], known: Mapping[str, Framework], current: str) -> list[AnnotationView]:
    rows = session.execute(query).all()
    views = []
    for annotation, display_name in rows:
        views.append(AnnotationView(
            id=annotation.id, resource_id=annotation.resource_id, framework_version=annotation.framework_version,
            criterion=annotation.criterion,
            current_criterion=current_criterion(annotation.framework_version, annotation.criterion, known, current),
            value=annotation.value, justification=annotation.justification, role=annotation.role,
            annotator_id=annotation.annotator_id, annotator=display_name or annotation.annotator_name,
            state=annotation.state, moderation_reason=annotation.moderation_reason, reply=annotation.reply,
            reply_at=annotation.reply_at, created_at=annotation.created_at, updated_at=annotation.updated_at,
        ))
    return views


def _with_names() -> Select[QualityAnnotation, str]:
    return (select(QualityAnnotation, User.display_name)
            .outerjoin(User, User.id == QualityAnnotation.annotator_id))


def annotations_of(
    session: Session, resource_id: str, *, states: Iterable[ModerationState] = (ModerationState.APPROVED,),
    annotator_id: int | None = None,
) -> list[AnnotationView]:
    """A material's annotations in these states (and all of `annotator_id`'s own), newest first."""
    known = frameworks(session)
    current = current_framework(session).version
    condition: ColumnElement[bool] = QualityAnnotation.state.in_(list(states))
    if annotator_id is not None:
        condition = condition | (QualityAnnotation.annotator_id == annotator_id)
    query = (_with_names().where(QualityAnnotation.resource_id == resource_id, condition)
             .order_by(QualityAnnotation.updated_at.desc(), QualityAnnotation.id.desc()))
    return _annotation_views(session, query, known, current)


def contributions_of(session: Session, user_id: int) -> dict[str, list[dict[str, object]]]:
    """Everything a user wrote here about quality, in every state (for their data export)."""
    known = frameworks(session)
    current = current_framework(session).version
    annotations = _annotation_views(session, _with_names().where(QualityAnnotation.annotator_id == user_id)
                                    .order_by(QualityAnnotation.id), known, current)
    replies = _annotation_views(session, _with_names().where(QualityAnnotation.reply_by == user_id)
                                .order_by(QualityAnnotation.id), known, current)
    reports = session.scalars(select(ExperienceReport).where(ExperienceReport.user_id == user_id)
                              .order_by(ExperienceReport.id))
    abuse = session.scalars(select(AbuseReport).where(AbuseReport.reporter_id == user_id).order_by(AbuseReport.id))
    return {
        "annotations": [{**view.to_dict(), "resource": view.resource_id} for view in annotations],
        "replies": [{"annotation": view.id, "resource": view.resource_id, "reply": view.reply,
                     "date": view.reply_at.isoformat() if view.reply_at else None} for view in replies],
        "experiences": [{"id": r.id, "resource": r.resource_id, "group_level": r.group_level, "duration": r.duration,
                         "worked": r.worked, "not_worked": r.not_worked, "state": r.state.value,
                         "date": r.created_at.isoformat()} for r in reports],
        "abuse_reports": [{"id": a.id, "reason": a.reason, "annotation": a.annotation_id, "experience": a.report_id,
                           "date": a.created_at.isoformat()} for a in abuse],
    }


def get_annotation(session: Session, annotation_id: int) -> AnnotationView | None:
    known = frameworks(session)
    views = _annotation_views(session, _with_names().where(QualityAnnotation.id == annotation_id),
                              known, current_framework(session).version)
    return views[0] if views else None


def _experience_views(session: Session, query: Select[ExperienceReport, str]) -> list[ExperienceView]:
    return [
        ExperienceView(id=report.id, resource_id=report.resource_id, user_id=report.user_id, author=name,
                       group_level=report.group_level, duration=report.duration, worked=report.worked,
                       not_worked=report.not_worked, state=report.state, created_at=report.created_at)
        for report, name in session.execute(query).all()
    ]


def experiences_of(session: Session, resource_id: str) -> list[ExperienceView]:
    query = (select(ExperienceReport, User.display_name).join(User, User.id == ExperienceReport.user_id)
             .where(ExperienceReport.resource_id == resource_id, ExperienceReport.state == ModerationState.APPROVED)
             .order_by(ExperienceReport.created_at.desc()))
    return _experience_views(session, query)


def summarise(annotations: Sequence[AnnotationView], framework: Framework,
              known: Mapping[str, Framework]) -> tuple[CriterionProfile, ...]:
    """Per criterion (in the current framework's order, dropped ones after), per role, the values' counts."""
    by_criterion: dict[tuple[str, str], list[AnnotationView]] = {}
    for view in annotations:
        key = (view.current_criterion, framework.version) if view.current_criterion else (
            view.criterion, view.framework_version)
        by_criterion.setdefault(key, []).append(view)
    order = {criterion_id: index for index, criterion_id in enumerate(framework.criteria)}
    profiles = []
    for (criterion_id, version), views in sorted(
            by_criterion.items(), key=lambda item: (order.get(item[0][0], len(order)), item[0])):
        source = known.get(version)
        criterion = source.criteria.get(criterion_id) if source else None
        roles = []
        for role in AnnotatorRole:
            mine = [view for view in views if view.role is role]
            if not mine:
                continue
            counted = Counter(view.value for view in mine)
            scale = [value.code for value in criterion.scale.values] if criterion else []
            ordered = sorted(counted, key=lambda code: (scale.index(code) if code in scale else len(scale), code))
            latest = tuple(sorted((view for view in mine if view.justification), key=lambda v: v.updated_at,
                                  reverse=True)[:LATEST_JUSTIFICATIONS])
            roles.append(RoleSummary(role, tuple(ValueCount(code, counted[code]) for code in ordered), latest,
                                     tuple(sorted({view.framework_version for view in mine}))))
        newest = tuple(sorted(views, key=lambda v: (v.updated_at, v.id), reverse=True))
        profiles.append(CriterionProfile(criterion_id, criterion, version, tuple(roles), newest))
    return tuple(profiles)


def profile(session: Session, resource_id: str) -> Profile:
    """What the detail page shows of a material's quality information (approved only)."""
    known = frameworks(session)
    framework = current_framework(session)
    annotations = annotations_of(session, resource_id)
    return Profile(framework, summarise(annotations, framework, known), tuple(annotations),
                   tuple(experiences_of(session, resource_id)))


# -- the moderation queue ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AbuseView:
    id: int
    reason: str
    created_at: datetime
    annotation: AnnotationView | None
    experience: ExperienceView | None


@dataclass(frozen=True, slots=True)
class Queue:
    annotations: tuple[AnnotationView, ...]
    experiences: tuple[ExperienceView, ...]
    abuse: tuple[AbuseView, ...]
    # Resource id -> title, for everything in the queue.
    titles: Mapping[str, str]

    @property
    def size(self) -> int:
        return len(self.annotations) + len(self.experiences) + len(self.abuse)


def moderation_queue(session: Session, *, limit: int = 200) -> Queue:
    """What waits for the redactie, oldest first."""
    known = frameworks(session)
    current = current_framework(session).version
    annotations = _annotation_views(
        session, _with_names().where(QualityAnnotation.state == ModerationState.PENDING)
        .order_by(QualityAnnotation.created_at, QualityAnnotation.id).limit(limit), known, current)
    experiences = _experience_views(
        session, select(ExperienceReport, User.display_name).join(User, User.id == ExperienceReport.user_id)
        .where(ExperienceReport.state == ModerationState.PENDING)
        .order_by(ExperienceReport.created_at, ExperienceReport.id).limit(limit))
    abuse = []
    for report in session.scalars(select(AbuseReport).where(AbuseReport.handled.is_(False))
                                  .order_by(AbuseReport.created_at, AbuseReport.id).limit(limit)):
        annotation = get_annotation(session, report.annotation_id) if report.annotation_id else None
        experience = None
        if report.report_id is not None:
            found = _experience_views(session, select(ExperienceReport, User.display_name)
                                      .join(User, User.id == ExperienceReport.user_id)
                                      .where(ExperienceReport.id == report.report_id))
            experience = found[0] if found else None
        abuse.append(AbuseView(report.id, report.reason, report.created_at, annotation, experience))
    ids = {a.resource_id for a in annotations} | {e.resource_id for e in experiences} | {
        (a.annotation or a.experience).resource_id for a in abuse if a.annotation or a.experience}  # type: ignore[union-attr]
    titles = dict(session.execute(select(Resource.id, Resource.title).where(Resource.id.in_(ids))).all())
    return Queue(tuple(annotations), tuple(experiences), tuple(abuse),
                 {key: value or "" for key, value in titles.items()})


def pending_count(session: Session) -> int:
    """How much waits for the redactie: annotations, experience reports and abuse reports."""
    waiting = 0
    for state_column in (QualityAnnotation.state, ExperienceReport.state):
        waiting += session.scalar(select(func.count()).where(state_column == ModerationState.PENDING)) or 0
    waiting += session.scalar(select(func.count()).select_from(AbuseReport).where(
        AbuseReport.handled.is_(False))) or 0
    return waiting


# -- what the feed and search read ---------------------------------------------------------------


def _approved_rows(session: Session, ids: Sequence[str]) -> Iterable[tuple[QualityAnnotation, str | None]]:
    for start in range(0, len(ids), _BATCH):
        yield from session.execute(
            _with_names().where(
                QualityAnnotation.resource_id.in_(ids[start:start + _BATCH]),
                QualityAnnotation.state == ModerationState.APPROVED,
            ).order_by(QualityAnnotation.resource_id, QualityAnnotation.created_at, QualityAnnotation.id)
        )


def lom_annotations(session: Session, resource_ids: Iterable[str]) -> dict[str, tuple[Annotation, ...]]:
    """Resource id -> its shown annotations as LOM annotations (category 8), oldest first."""
    ids = sorted(set(resource_ids))
    if not ids:
        return {}
    known = frameworks(session)
    found: dict[str, list[Annotation]] = {}
    for annotation, display_name in _approved_rows(session, ids):
        name = display_name or annotation.annotator_name or ROLE_NAMES[annotation.role]
        text = annotation_text(known.get(annotation.framework_version), annotation.framework_version,
                               annotation.criterion, annotation.value, annotation.justification)
        found.setdefault(annotation.resource_id, []).append(Annotation(
            name=name, role=annotation.role.value, date=annotation.updated_at.date().isoformat(), description=text))
    return {key: tuple(value) for key, value in found.items()}


def search_tokens(session: Session, resource_ids: Iterable[str]) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Resource id -> (criteria, detail tokens) of its shown annotations (`metadata.quality.quality_tokens`)."""
    ids = sorted(set(resource_ids))
    if not ids:
        return {}
    known = frameworks(session)
    framework = current_framework(session)
    marks: dict[str, list[Mark]] = {}
    for annotation, _ in _approved_rows(session, ids):
        criterion = current_criterion(annotation.framework_version, annotation.criterion, known, framework.version)
        if criterion is not None:
            marks.setdefault(annotation.resource_id, []).append(Mark(criterion, annotation.role, annotation.value))
    return {resource_id: quality_tokens(found, framework) for resource_id, found in marks.items()}


def redactie_annotated(session: Session, resource_ids: Iterable[str]) -> set[str]:
    """Of these resources, those with a shown annotation by the redactie (they are `curated`)."""
    ids = sorted(set(resource_ids))
    found: set[str] = set()
    for start in range(0, len(ids), _BATCH):
        found.update(session.scalars(select(QualityAnnotation.resource_id).where(
            QualityAnnotation.resource_id.in_(ids[start:start + _BATCH]),
            QualityAnnotation.role == AnnotatorRole.REDACTIE,
            QualityAnnotation.state == ModerationState.APPROVED,
        )))
    return found
