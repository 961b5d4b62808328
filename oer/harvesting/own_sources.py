"""A school's own repository: registered by its beheerder, and how the harvest fares for it. I/O: database, network.

`register_own_source` lets an organisation's beheerder add its OAI-PMH
repository from the site. The URL is checked before anything is saved: http(s)
to an address this server may fetch (`oer.harvesting.addresses`), and a real
Identify answer from it that lists the prefix (so a typo is caught at once, not at the
first harvest).
The source is harvested daily; its name is made from the organisation's slug.

The readers give the organisation page what it shows: its sources with their
last runs and errors, and per record of a source what NL-LOM requires or
recommends that the record lacks, with what to fix at the source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oer.accounts.actor import Actor, can_manage_members
from oer.accounts.errors import PermissionDenied, UnknownOrganisation
from oer.accounts.models import Organisation
from oer.harvesting.addresses import check_source_url
from oer.harvesting.errors import DuplicateSourceError
from oer.harvesting.models import HarvestError, HarvestRun, Provenance, Source, SourceOwner
from oer.harvesting.sources import add_source, source_harvesting
from oer.store.types import utcnow

# Own repositories are harvested once a day, at night (Dutch time), unless an operator changes it.
DAILY_AT_NIGHT = "30 2 * * *"
RUNS_SHOWN = 10

# Asks the repository at a URL whether it serves a metadataPrefix (`oer.harvesting.probe`);
# raises InvalidSourceError when it does not.
Probe = Callable[[str, str], object]


def _source_name(session: Session, organisation: Organisation) -> str:
    base = organisation.slug[:56]
    taken = set(session.scalars(select(Source.name).where(Source.name.like(f"{base}%"))))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def register_own_source(
    session: Session,
    actor: Actor,
    organisation_id: int,
    url: str,
    metadata_prefix: str = "lom",
    set_spec: str | None = None,
    *,
    allow_private: bool,
    probe: Probe,
) -> Source:
    """Register the organisation's repository after checking its address and its Identify answer.

    Raises PermissionDenied (not the organisation's beheerder), UnknownOrganisation,
    InvalidSourceError (a URL this server may not fetch, or no OAI-PMH repository
    there), DuplicateSourceError.
    """
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise UnknownOrganisation(f"no organisation with id {organisation_id}")
    if not can_manage_members(actor, organisation_id):
        raise PermissionDenied("only the organisation's beheerders register its repository")
    checked = check_source_url(url, allow_private=allow_private)
    existing = source_harvesting(session, checked, metadata_prefix, set_spec)
    if existing is not None:
        raise DuplicateSourceError(f"this repository is harvested already (as {existing.name})")
    probe(checked, metadata_prefix.strip())
    source = add_source(session, _source_name(session, organisation), checked, metadata_prefix, set_spec,
                        schedule_cron=DAILY_AT_NIGHT)
    session.add(SourceOwner(source_id=source.id, organisation_id=organisation_id, registered_by=actor.user_id,
                            registered_at=utcnow()))
    session.flush()
    return source


# -- what the organisation page shows -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunSummary:
    id: int
    status: str
    full: bool
    started_at: datetime
    finished_at: datetime | None
    created: int
    # Joined a material another source brought (Outcome.MERGED).
    merged: int
    updated: int
    unchanged: int
    deleted: int
    failed: int
    errors: int


@dataclass(frozen=True, slots=True)
class OwnSource:
    id: int
    name: str
    base_url: str
    metadata_prefix: str
    set_spec: str | None
    records: int
    runs: tuple[RunSummary, ...]


@dataclass(frozen=True, slots=True)
class RecordCompleteness:
    """What one harvested record lacks, by NL-LOM's rules."""

    oai_identifier: str
    title: str | None
    resource_id: str
    score: float
    missing_required: tuple[str, ...]
    missing_recommended: tuple[str, ...]


def owned_source_ids(session: Session, organisation_id: int) -> list[int]:
    return list(session.scalars(select(SourceOwner.source_id).where(SourceOwner.organisation_id == organisation_id)))


def own_sources(session: Session, organisation_id: int) -> list[OwnSource]:
    """The organisation's sources with their last runs (newest first) and error counts."""
    result = []
    for source in session.scalars(select(Source).join(SourceOwner, SourceOwner.source_id == Source.id)
                                  .where(SourceOwner.organisation_id == organisation_id).order_by(Source.name)):
        runs = list(session.scalars(select(HarvestRun).where(HarvestRun.source_id == source.id)
                                    .order_by(HarvestRun.started_at.desc(), HarvestRun.id.desc()).limit(RUNS_SHOWN)))
        errors: dict[int, int] = {}
        if runs:
            errors = {row[0]: row[1] for row in session.execute(
                select(HarvestError.run_id, func.count()).where(HarvestError.run_id.in_([r.id for r in runs]))
                .group_by(HarvestError.run_id))}
        records = session.scalar(select(func.count()).select_from(Provenance).where(
            Provenance.source_id == source.id, Provenance.deleted.is_(False))) or 0
        result.append(OwnSource(
            id=source.id, name=source.name, base_url=source.base_url, metadata_prefix=source.metadata_prefix,
            set_spec=source.set_spec, records=records,
            runs=tuple(RunSummary(
                id=run.id, status=run.status.value, full=run.full, started_at=run.started_at,
                finished_at=run.finished_at, created=run.created, merged=run.merged, updated=run.updated, unchanged=run.unchanged,
                deleted=run.deleted, failed=run.failed, errors=errors.get(run.id, 0)) for run in runs),
        ))
    return result


def completeness_report(session: Session, source_id: int) -> list[RecordCompleteness]:
    """Every live record of the source with what it lacks, the least complete first."""
    rows = session.execute(
        select(Provenance.oai_identifier, Provenance.resource_id, Provenance.record, Provenance.completeness)
        .where(Provenance.source_id == source_id, Provenance.deleted.is_(False))
        .order_by(Provenance.completeness, Provenance.oai_identifier)
    )
    report = []
    for row in rows:
        completeness = (row.record or {}).get("completeness") or {}
        report.append(RecordCompleteness(
            oai_identifier=row.oai_identifier, title=(row.record or {}).get("title"), resource_id=row.resource_id,
            score=float(row.completeness or 0.0),
            missing_required=tuple(completeness.get("missing_required") or ()),
            missing_recommended=tuple(completeness.get("missing_recommended") or ()),
        ))
    return report

