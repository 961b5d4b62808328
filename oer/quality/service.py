"""The quality domain's writer: framework versions, annotations, experience reports, moderation. I/O: database.

Each use case takes the session (the caller owns the transaction) and the
`Actor` (None for a pupil or parent without an account), checks the actor may
in the role asked (`oer.accounts.actor` for platform roles and scopes, the
material's record for who counts as its author), and raises one of
`oer.quality.errors` when it may not or the input is wrong.

Who annotates in which role (DESIGN.md, "Quality annotations"):

- `redactie`: a user holding the platform's redactie role.
- `vakexpert`: a user with a vakexpert grant for one of the material's disciplines.
- `leraar`: any user whose address is verified.
- `auteur`: a member of an organisation the record names as publisher, or a
  user whose name the record names as author. The second is only a name
  match, so such a self-declaration waits for the redactie.
- `leerling`, `ouder`: anyone, also without an account; always moderated.

What a user with a new account (younger than `NEW_ACCOUNT_DAYS`, without a
platform role or membership) writes waits in the moderation queue too. An
annotation is shown once approved; when what is shown changes, the material
is touched (`oer.catalogue.service.touch`), so its feed datestamp moves (the
annotations travel in its LOM) and search indexes its quality tokens again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from metadata.quality import (
    CURRENT_FILE,
    AnnotatorRole,
    Criterion,
    Framework,
    FrameworkError,
    bundled_framework,
    check_framework,
    in_discipline,
    named_parties,
    plain_name,
    read_framework,
)
from metadata.record import Record
from metadata.submission import Problem
from oer.accounts.actor import Actor, can_curate, can_give_feedback, is_platform_beheerder
from oer.accounts.models import Organisation, PlatformRole, User
from oer.catalogue import service as catalogue
from oer.catalogue.changes import mark_changed
from oer.catalogue.models import Resource
from oer.quality.errors import (
    AlreadyReplied,
    AnnotationNotAllowed,
    InvalidAnnotation,
    InvalidFramework,
    UnknownAnnotation,
    UnknownResource,
)
from oer.quality.models import (
    NAME_LENGTH,
    TEXT_LENGTH,
    AbuseReport,
    ExperienceReport,
    ModerationState,
    QualityAnnotation,
    QualityFramework,
)
from oer.store.types import utcnow
from schemas import resources

# An account younger than this, without a platform role or membership, is moderated.
NEW_ACCOUNT_DAYS = 14
# Short answers of an experience report (group, duration).
SHORT_LENGTH = 200

_ANONYMOUS_ROLES = frozenset({AnnotatorRole.LEERLING, AnnotatorRole.OUDER})


@dataclass(frozen=True, slots=True)
class Annotated:
    """What `annotate` stored: the annotation's id and whether it waits for moderation."""

    id: int
    pending: bool


# -- frameworks --------------------------------------------------------------------------------


def ensure_framework(session: Session) -> Framework:
    """The current framework version, loading the bundled version 1 when none was loaded yet."""
    row = session.scalar(select(QualityFramework).where(QualityFramework.current.is_(True)))
    if row is not None:
        return read_framework(row.document)
    framework = bundled_framework()
    if session.get(QualityFramework, framework.version) is None:
        session.add(QualityFramework(version=framework.version, document=resources.load_json(CURRENT_FILE),
                                     current=True, loaded_at=utcnow()))
    else:
        session.execute(update(QualityFramework).where(QualityFramework.version == framework.version)
                        .values(current=True))
    session.flush()
    return framework


def validate_framework(session: Session, document: Any) -> list[str]:
    """Every problem with a framework document, checked against the version it says it replaces."""
    previous = None
    if isinstance(document, Mapping) and isinstance(document.get("replaces"), Mapping):
        row = session.get(QualityFramework, str(document["replaces"].get("version")))
        if row is not None:
            previous = read_framework(row.document)
    problems = check_framework(document, previous)
    if problems:
        return problems
    row = session.get(QualityFramework, document["version"])
    if row is not None and row.document != document:
        return [f"version: {document['version']} is loaded already with other content; "
                "give the new version a new number"]
    return []


def load_framework(session: Session, actor: Actor, document: Any) -> Framework:
    """Make a framework document the current version (a platform beheerder, or the operator).

    Annotations made under earlier versions stay as they are; a version's
    `replaces` mapping names where their criteria went. Every annotated
    material is reindexed, since its search tokens follow the current names.
    """
    if not is_platform_beheerder(actor):
        raise AnnotationNotAllowed("only a platform beheerder loads a quality framework")
    ensure_framework(session)
    problems = validate_framework(session, document)
    if problems:
        raise InvalidFramework(problems)
    try:
        framework = read_framework(document)
    except FrameworkError as error:  # checked above; kept for the type checker's sake
        raise InvalidFramework(error.problems) from error
    session.execute(update(QualityFramework).values(current=False))
    row = session.get(QualityFramework, framework.version)
    if row is None:
        session.add(QualityFramework(version=framework.version, document=document, current=True,
                                     loaded_at=utcnow()))
    else:
        row.current = True
    session.flush()
    annotated = session.scalars(select(QualityAnnotation.resource_id).distinct())
    mark_changed(session, list(annotated), utcnow())
    return framework


# -- who may annotate in which role ------------------------------------------------------------


def _live_record(session: Session, resource_id: str) -> Record:
    resource = session.get(Resource, resource_id)
    if resource is None or resource.deleted:
        raise UnknownResource(f"no material {resource_id!r}")
    return Record.from_dict(resource.record)


def _user(session: Session, actor: Actor) -> User | None:
    if actor.user_id is None:
        return None
    user = session.get(User, actor.user_id)
    if user is None or user.deleted_at is not None:
        raise AnnotationNotAllowed("this account no longer exists")
    return user


def _is_new(user: User | None, actor: Actor) -> bool:
    if user is None or actor.grants or actor.memberships:
        return False
    return utcnow() - user.created_at < timedelta(days=NEW_ACCOUNT_DAYS)


def _organisation_names(session: Session, actor: Actor) -> set[str]:
    ids = [organisation_id for organisation_id, _ in actor.memberships]
    if not ids:
        return set()
    names = session.scalars(select(Organisation.name).where(Organisation.id.in_(ids)))
    return {plain_name(name) for name in names}


def author_standing(session: Session, actor: Actor, record: Record) -> str | None:
    """How the actor is the material's author: `publisher` (a member of an organisation the
    record names as publisher), `named` (their name is an author's), or None."""
    if actor.is_system:
        return "publisher"
    publishers, authors = named_parties(record)
    if publishers & _organisation_names(session, actor):
        return "publisher"
    user = session.get(User, actor.user_id)
    if user is not None and user.deleted_at is None and user.email_verified and plain_name(user.display_name) in authors:
        return "named"
    return None


def _role_check(session: Session, actor: Actor, role: AnnotatorRole, record: Record, user: User | None) -> bool:
    """Whether the annotation may be shown without moderation; AnnotationNotAllowed when not allowed at all."""
    if actor.is_system:
        return True
    if not can_give_feedback(actor):
        raise AnnotationNotAllowed("this token may not annotate (it needs the annotate scope)")
    if role is AnnotatorRole.REDACTIE:
        if not actor.holds(PlatformRole.REDACTIE):
            raise AnnotationNotAllowed("only the redactie annotates as redactie")
        return True
    if role is AnnotatorRole.VAKEXPERT:
        disciplines = actor.disciplines()
        if not (disciplines and in_discipline(record, disciplines)):
            raise AnnotationNotAllowed("a vakexpert annotates only materials of the disciplines of their grants")
        return True
    if user is None or not user.email_verified:
        raise AnnotationNotAllowed("confirm your e-mail address before you annotate")
    if role is AnnotatorRole.AUTEUR:
        standing = author_standing(session, actor, record)
        if standing is None:
            raise AnnotationNotAllowed(
                "only the publishing organisation's members or the named author declare as auteur")
        return standing == "publisher" and not _is_new(user, actor)
    if role is AnnotatorRole.LERAAR:
        return not _is_new(user, actor)
    return False  # leerling, ouder: always moderated


# -- annotations -------------------------------------------------------------------------------


def _clean(text: str | None) -> str | None:
    cleaned = (text or "").strip()
    return cleaned or None


def check_annotation(framework: Framework, role: AnnotatorRole, criterion_id: str, value: str,
                     justification: str | None) -> tuple[Criterion | None, list[Problem]]:
    """Problems with an annotation against the framework (empty when it may be stored)."""
    problems: list[Problem] = []
    criterion = framework.criteria.get(criterion_id)
    if criterion is None:
        problems.append(Problem("criterion", "unknown", f"Kies een criterium uit versie {framework.version}.",
                                 f"Choose a criterion of version {framework.version}."))
        return None, problems
    if role not in criterion.roles:
        problems.append(Problem(
            "role", "not-for-criterion", f"'{criterion.nl}' wordt niet door de rol {role.value} beoordeeld.",
            f"'{criterion.en}' is not annotated in the role {role.value}."))
    if criterion.scale.value(value) is None:
        codes = ", ".join(v.code for v in criterion.scale.values)
        problems.append(Problem("value", "unknown", f"Kies een van: {codes}.", f"Choose one of: {codes}."))
    elif value == criterion.scale.lowest and not justification:
        problems.append(Problem("justification", "required",
                                 "Licht de laagste waarde toe: wat ontbreekt er?",
                                 "Justify the lowest value: what is missing?"))
    if justification and len(justification) > TEXT_LENGTH:
        problems.append(Problem.too_long("justification", TEXT_LENGTH, len(justification)))
    return criterion, problems


def annotate(
    session: Session,
    actor: Actor | None,
    resource_id: str,
    role: AnnotatorRole,
    criterion: str,
    value: str,
    justification: str | None = None,
    *,
    name: str | None = None,
) -> Annotated:
    """Annotate one criterion of a material in a role; a user's earlier annotation of it in that role is replaced.

    `actor` None is someone without an account, only as `leerling` or `ouder`,
    who may give a `name` to be shown (else the role is).
    """
    record = _live_record(session, resource_id)
    framework = ensure_framework(session)
    justification = _clean(justification)
    _, problems = check_annotation(framework, role, criterion, value, justification)
    given_name = _clean(name)
    if given_name and len(given_name) > NAME_LENGTH:
        problems.append(Problem.too_long("name", NAME_LENGTH, len(given_name)))
    if problems:
        raise InvalidAnnotation(tuple(problems))
    if actor is None:
        if role not in _ANONYMOUS_ROLES:
            raise AnnotationNotAllowed("sign in to annotate in this role")
        user, shown = None, False
    else:
        user = _user(session, actor)
        shown = _role_check(session, actor, role, record, user) and role not in _ANONYMOUS_ROLES
    now = utcnow()
    state = ModerationState.APPROVED if shown else ModerationState.PENDING
    existing = None
    if user is not None:
        existing = session.scalar(select(QualityAnnotation).where(
            QualityAnnotation.resource_id == resource_id, QualityAnnotation.criterion == criterion,
            QualityAnnotation.role == role, QualityAnnotation.annotator_id == user.id,
            QualityAnnotation.framework_version == framework.version,
        ))
    was_shown = existing is not None and existing.state is ModerationState.APPROVED
    if existing is None:
        existing = QualityAnnotation(
            resource_id=resource_id, framework_version=framework.version, criterion=criterion, role=role,
            annotator_id=user.id if user is not None else None, created_at=now,
        )
        session.add(existing)
    existing.value = value
    existing.justification = justification
    existing.annotator_name = given_name if user is None else None
    existing.state = state
    existing.moderated_by = None
    existing.moderation_reason = None
    existing.updated_at = now
    session.flush()
    if shown or was_shown:
        catalogue.touch(session, [resource_id])
    return Annotated(existing.id, pending=not shown)


def remove_annotation(session: Session, actor: Actor, annotation_id: int) -> None:
    """The annotator takes back their own annotation (the redactie rejects others' instead)."""
    annotation = session.get(QualityAnnotation, annotation_id)
    if annotation is None:
        raise UnknownAnnotation(f"no annotation {annotation_id}")
    if not (actor.is_system or (actor.user_id is not None and actor.user_id == annotation.annotator_id)):
        raise AnnotationNotAllowed("only who made an annotation takes it back")
    shown = annotation.state is ModerationState.APPROVED
    resource_id = annotation.resource_id
    session.delete(annotation)
    session.flush()
    if shown:
        catalogue.touch(session, [resource_id])


def _require_moderator(actor: Actor) -> None:
    if not can_curate(actor):
        raise AnnotationNotAllowed("only the redactie moderates")


def _decision(approve: bool, reason: str | None) -> tuple[ModerationState, str | None]:
    reason = _clean(reason)
    if not approve and not reason:
        raise InvalidAnnotation((Problem("reason", "required", "Geef een reden voor de afwijzing.",
                                          "Give a reason for the rejection."),))
    if reason and len(reason) > TEXT_LENGTH:
        raise InvalidAnnotation((Problem.too_long("reason", TEXT_LENGTH, len(reason)),))
    return (ModerationState.APPROVED if approve else ModerationState.REJECTED), reason


def _close_abuse_reports(session: Session, actor: Actor, **target: int) -> None:
    session.execute(
        update(AbuseReport)
        .where(*(getattr(AbuseReport, column) == value for column, value in target.items()),
               AbuseReport.handled.is_(False))
        .values(handled=True, handled_by=actor.user_id, handled_at=utcnow())
    )


def moderate(session: Session, actor: Actor, annotation_id: int, *, approve: bool, reason: str | None = None) -> None:
    """The redactie approves or rejects (with a reason) an annotation; its abuse reports are then handled."""
    _require_moderator(actor)
    annotation = session.get(QualityAnnotation, annotation_id)
    if annotation is None:
        raise UnknownAnnotation(f"no annotation {annotation_id}")
    state, reason = _decision(approve, reason)
    was_shown = annotation.state is ModerationState.APPROVED
    annotation.state = state
    annotation.moderated_by = actor.user_id
    annotation.moderation_reason = reason
    _close_abuse_reports(session, actor, annotation_id=annotation.id)
    session.flush()
    if was_shown != (state is ModerationState.APPROVED):
        catalogue.touch(session, [annotation.resource_id])


def reply(session: Session, actor: Actor, annotation_id: int, text: str) -> None:
    """The material's author answers an annotation, once (right of reply); shown beside it."""
    annotation = session.get(QualityAnnotation, annotation_id)
    if annotation is None or annotation.state is not ModerationState.APPROVED:
        raise UnknownAnnotation(f"no shown annotation {annotation_id}")
    record = _live_record(session, annotation.resource_id)
    if not actor.is_system and (not can_give_feedback(actor) or author_standing(session, actor, record) is None):
        raise AnnotationNotAllowed("only the material's author or publishing organisation replies")
    if annotation.reply is not None:
        raise AlreadyReplied("this annotation has been answered already")
    cleaned = _clean(text)
    if not cleaned:
        raise InvalidAnnotation((Problem("reply", "required", "Schrijf een reactie.", "Write a reply."),))
    if len(cleaned) > TEXT_LENGTH:
        raise InvalidAnnotation((Problem.too_long("reply", TEXT_LENGTH, len(cleaned)),))
    annotation.reply = cleaned
    annotation.reply_by = actor.user_id
    annotation.reply_at = utcnow()
    session.flush()


# -- experience reports ------------------------------------------------------------------------


def report_experience(
    session: Session,
    actor: Actor,
    resource_id: str,
    *,
    group_level: str,
    duration: str | None = None,
    worked: str | None = None,
    not_worked: str | None = None,
) -> Annotated:
    """A teacher tells how a material went: with which group, how long, what worked and what did not."""
    _live_record(session, resource_id)
    user = _user(session, actor)
    if user is None or not user.email_verified or not can_give_feedback(actor):
        raise AnnotationNotAllowed("confirm your e-mail address before you share an experience")
    group, how_long = _clean(group_level), _clean(duration)
    good, bad = _clean(worked), _clean(not_worked)
    problems = []
    if not group:
        problems.append(Problem("group_level", "required", "Met welke groep of op welk niveau?",
                                 "With which group or at which level?"))
    if not (good or bad):
        problems.append(Problem("worked", "required", "Vertel wat werkte of wat niet werkte.",
                                 "Say what worked or what did not."))
    for field, value, limit in (("group_level", group, SHORT_LENGTH), ("duration", how_long, SHORT_LENGTH),
                                ("worked", good, TEXT_LENGTH), ("not_worked", bad, TEXT_LENGTH)):
        if value and len(value) > limit:
            problems.append(Problem.too_long(field, limit, len(value)))
    if problems:
        raise InvalidAnnotation(tuple(problems))
    pending = _is_new(user, actor)
    report = ExperienceReport(
        resource_id=resource_id, user_id=user.id, group_level=group, duration=how_long, worked=good,
        not_worked=bad, state=ModerationState.PENDING if pending else ModerationState.APPROVED, created_at=utcnow(),
    )
    session.add(report)
    session.flush()
    return Annotated(report.id, pending=pending)


def moderate_experience(session: Session, actor: Actor, report_id: int, *, approve: bool,
                        reason: str | None = None) -> None:
    _require_moderator(actor)
    report = session.get(ExperienceReport, report_id)
    if report is None:
        raise UnknownAnnotation(f"no experience report {report_id}")
    report.state, report.moderation_reason = _decision(approve, reason)
    report.moderated_by = actor.user_id
    _close_abuse_reports(session, actor, report_id=report.id)
    session.flush()


# -- abuse ------------------------------------------------------------------------------------


def report_abuse(
    session: Session,
    actor: Actor | None,
    reason: str,
    *,
    annotation_id: int | None = None,
    report_id: int | None = None,
) -> int:
    """Anyone reports an annotation or experience report; it goes to the moderation queue."""
    if (annotation_id is None) == (report_id is None):
        raise ValueError("report one annotation or one experience report")
    target = (session.get(QualityAnnotation, annotation_id) if annotation_id is not None
              else session.get(ExperienceReport, report_id))
    if target is None or target.state is not ModerationState.APPROVED:
        raise UnknownAnnotation("nothing shown with that id")
    cleaned = _clean(reason)
    if not cleaned:
        raise InvalidAnnotation((Problem("reason", "required", "Wat is er mis mee?", "What is wrong with it?"),))
    abuse = AbuseReport(annotation_id=annotation_id, report_id=report_id, reason=cleaned[:TEXT_LENGTH],
                        reporter_id=actor.user_id if actor is not None else None, created_at=utcnow())
    session.add(abuse)
    session.flush()
    return abuse.id


def dismiss_abuse(session: Session, actor: Actor, abuse_id: int) -> None:
    """The redactie finds nothing wrong: the report leaves the queue, what it was about stays shown."""
    _require_moderator(actor)
    abuse = session.get(AbuseReport, abuse_id)
    if abuse is None:
        raise UnknownAnnotation(f"no abuse report {abuse_id}")
    abuse.handled, abuse.handled_by, abuse.handled_at = True, actor.user_id, utcnow()
    session.flush()

