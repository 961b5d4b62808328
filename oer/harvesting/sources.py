"""The registry of harvest sources: add, list, change, remove. I/O: database.

Names are short lower-case slugs because they appear in the curated feed's set
specs (`source:NAME`) and on the command line. A source is also refused when
another one already harvests the same endpoint (base URL compared normalised),
metadata prefix and set. Whether this server may fetch the URL at all, and
whether a repository answers there, is checked before (`oer.harvesting.addresses`,
`oer.harvesting.probe`).

Removing a source withdraws everything it brought, exactly as if it had deleted
each of its records: resources that another source also serves stay (now shown
from that source), the others become tombstones so feed harvesters learn of the
deletion. Then the source's runs, checkpoint, raw archive and provenance rows go.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from metadata.oai import Granularity
from oer.harvesting.addresses import endpoint_identity
from oer.harvesting.errors import (
    DuplicateSourceError,
    InvalidSourceError,
    UnknownSourceError,
)
from oer.harvesting.models import (
    ArchivedRecord,
    HarvestRun,
    Provenance,
    RunStatus,
    Source,
)
from oer.harvesting.provenance import PageResult, withdraw_provenances
from oer.harvesting.runs import latest_run
from oer.tasks.crontab import parse_crontab

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
# OAI-PMH 2.0 schema: metadataPrefix and setSpec are URI-unreserved characters (setSpec with ':').
_PREFIX = re.compile(r"^[A-Za-z0-9_.!~*'()-]+$")
_SET_SPEC = re.compile(r"^[A-Za-z0-9_.!~*'()-]+(:[A-Za-z0-9_.!~*'()-]+)*$")


class SourceHealth(enum.Enum):
    NEVER_HARVESTED = "never harvested"
    RUNNING = "running"
    OK = "ok"
    # The last run got to the end but some records could not be used.
    DEGRADED = "degraded"
    # The last run did not get to the end.
    FAILING = "failing"


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """A source with how its harvesting goes, for `oer sources list` and the admin pages."""

    source: Source
    last_run: HarvestRun | None
    health: SourceHealth
    resources: int


@dataclass(frozen=True, slots=True)
class SourceRemoval:
    name: str
    withdrawn: PageResult
    raw_records: int
    runs: int


def add_source(
    session: Session,
    name: str,
    base_url: str,
    metadata_prefix: str = "lom",
    set_spec: str | None = None,
    *,
    enabled: bool = True,
    schedule_cron: str | None = None,
    schedule_minutes: int | None = None,
) -> Source:
    """Register a source; raises InvalidSourceError or DuplicateSourceError."""
    name = name.strip()
    base_url = base_url.strip()
    metadata_prefix = metadata_prefix.strip()
    set_spec = set_spec.strip() if set_spec and set_spec.strip() else None
    validate_source(name, base_url, metadata_prefix, set_spec, schedule_cron, schedule_minutes)
    refuse_duplicate(session, name, base_url, metadata_prefix, set_spec)
    source = Source(
        name=name,
        base_url=base_url,
        metadata_prefix=metadata_prefix,
        set_spec=set_spec,
        enabled=enabled,
        schedule_cron=schedule_cron,
        schedule_minutes=schedule_minutes,
    )
    session.add(source)
    session.flush()
    return source


def refuse_duplicate(session: Session, name: str, base_url: str, metadata_prefix: str,
                     set_spec: str | None) -> None:
    """DuplicateSourceError when the name is taken or another source harvests this endpoint already."""
    if find_source(session, name) is not None:
        raise DuplicateSourceError(f"a source named {name.strip()!r} already exists")
    same = source_harvesting(session, base_url, metadata_prefix, set_spec)
    if same is not None:
        raise DuplicateSourceError(
            f"source {same.name!r} already harvests {same.base_url} "
            f"(prefix {same.metadata_prefix}, set {same.set_spec or 'none'})"
        )


def source_harvesting(session: Session, base_url: str, metadata_prefix: str, set_spec: str | None) -> Source | None:
    """The source that already harvests this endpoint, prefix and set, if any.

    One endpoint has many spellings (HTTP://, :80, a trailing slash): URLs are compared normalised.
    """
    endpoint = endpoint_identity(base_url)
    metadata_prefix = metadata_prefix.strip()
    set_spec = set_spec.strip() if set_spec and set_spec.strip() else None
    candidates = session.scalars(select(Source).where(
        Source.metadata_prefix == metadata_prefix,
        Source.set_spec.is_(None) if set_spec is None else Source.set_spec == set_spec,
    ))
    return next((existing for existing in candidates if endpoint_identity(existing.base_url) == endpoint), None)


def find_source(session: Session, name: str) -> Source | None:
    return session.scalars(select(Source).where(Source.name == name.strip())).first()


def get_source(session: Session, name: str) -> Source:
    """The source called `name`; raises UnknownSourceError listing the known names."""
    source = find_source(session, name)
    if source is None:
        known = ", ".join(s.name for s in list_sources(session)) or "none yet"
        raise UnknownSourceError(f"no source named {name!r} (known: {known})")
    return source


def list_sources(session: Session, *, enabled_only: bool = False) -> list[Source]:
    query = select(Source).order_by(Source.name)
    if enabled_only:
        query = query.where(Source.enabled.is_(True))
    return list(session.scalars(query))


def source_statuses(session: Session) -> list[SourceStatus]:
    """Every source with its last run, health and number of live resources it serves."""
    counts: dict[int, int] = {
        source_id: count
        for source_id, count in session.execute(
            select(Provenance.source_id, func.count())
            .where(Provenance.deleted.is_(False))
            .group_by(Provenance.source_id)
        )
    }
    statuses = []
    for source in list_sources(session):
        run = latest_run(session, source)
        statuses.append(
            SourceStatus(
                source=source,
                last_run=run,
                health=_health(run),
                resources=counts.get(source.id, 0),
            )
        )
    return statuses


def update_source(
    session: Session,
    name: str,
    *,
    enabled: bool | None = None,
    schedule_cron: str | None = None,
    schedule_minutes: int | None = None,
    clear_schedule: bool = False,
) -> Source:
    """Change what may change without re-harvesting: enabled flag and schedule."""
    source = get_source(session, name)
    if clear_schedule:
        source.schedule_cron = None
        source.schedule_minutes = None
    if schedule_cron is not None or schedule_minutes is not None:
        _validate_schedule(schedule_cron, schedule_minutes)
        source.schedule_cron = schedule_cron
        source.schedule_minutes = schedule_minutes
    if enabled is not None:
        source.enabled = enabled
    session.flush()
    return source


def set_granularity(session: Session, source: Source, granularity: Granularity) -> None:
    """Remember the datestamp granularity the source declared in Identify."""
    source.granularity = granularity
    session.flush()


def remove_source(session: Session, name: str) -> SourceRemoval:
    """Remove a source and withdraw what it brought (see the module docstring)."""
    source = get_source(session, name)
    withdrawn = withdraw_provenances(session, source)
    raw_records = session.scalar(
        select(func.count()).select_from(ArchivedRecord).where(ArchivedRecord.source_id == source.id)
    )
    session.execute(delete(ArchivedRecord).where(ArchivedRecord.source_id == source.id))
    runs = session.scalar(
        select(func.count()).select_from(HarvestRun).where(HarvestRun.source_id == source.id)
    )
    # Provenance rows (and their dedup keys) cascade with the source in the database.
    session.execute(delete(Provenance).where(Provenance.source_id == source.id))
    session.delete(source)
    session.flush()
    return SourceRemoval(
        name=name,
        withdrawn=withdrawn,
        raw_records=raw_records or 0,
        runs=runs or 0,
    )


def _health(run: HarvestRun | None) -> SourceHealth:
    if run is None:
        return SourceHealth.NEVER_HARVESTED
    if run.status is RunStatus.RUNNING:
        return SourceHealth.RUNNING
    if run.status is RunStatus.SUCCEEDED:
        return SourceHealth.DEGRADED if run.failed else SourceHealth.OK
    return SourceHealth.FAILING


def validate_source(
    name: str,
    base_url: str,
    metadata_prefix: str,
    set_spec: str | None,
    schedule_cron: str | None,
    schedule_minutes: int | None,
) -> None:
    """What add_source checks without the database or the network; InvalidSourceError if wrong."""
    if not _NAME.match(name):
        raise InvalidSourceError(
            f"source name {name!r}: use 1-64 lower-case letters, digits, '-', '_' or '.', "
            "starting with a letter or digit"
        )
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidSourceError(
            f"base URL {base_url!r} is not an http(s) URL of an OAI-PMH endpoint"
        )
    if "verb" in parse_qs(parts.query):
        raise InvalidSourceError(
            f"base URL {base_url!r} carries an OAI-PMH request; give the endpoint "
            f"without '?verb=...' (e.g. {parts.scheme}://{parts.netloc}{parts.path})"
        )
    if not _PREFIX.match(metadata_prefix):
        raise InvalidSourceError(f"metadata prefix {metadata_prefix!r} is not a valid prefix")
    if set_spec is not None and not _SET_SPEC.match(set_spec):
        raise InvalidSourceError(f"set {set_spec!r} is not a valid OAI-PMH setSpec")
    _validate_schedule(schedule_cron, schedule_minutes)


def _validate_schedule(schedule_cron: str | None, schedule_minutes: int | None) -> None:
    if schedule_cron is not None and schedule_minutes is not None:
        raise InvalidSourceError("give a source an interval or a crontab schedule, not both")
    if schedule_minutes is not None and schedule_minutes < 1:
        raise InvalidSourceError(f"schedule of {schedule_minutes} minutes: use 1 or more")
    if schedule_cron is not None:
        try:
            parse_crontab(schedule_cron)
        except ValueError as error:
            raise InvalidSourceError(f"schedule {error}") from None
