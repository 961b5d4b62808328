"""The source registry: adding, listing, validation, removal."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from harvester.outcome import Outcome
from oer.catalogue.models import Resource
from oer.harvesting.errors import (
    DuplicateSourceError,
    InvalidSourceError,
    UnknownSourceError,
)
from oer.harvesting.models import ArchivedRecord, HarvestRun, RunStatus, Source
from oer.harvesting.provenance import apply_harvested_record
from oer.harvesting.runs import finish_run, start_run
from oer.harvesting.sources import (
    SourceHealth,
    add_source,
    get_source,
    list_sources,
    remove_source,
    source_statuses,
    update_source,
)
from tests.support.store import make_record


def test_add_and_list_sources(store_session: Session) -> None:
    add_source(store_session, "school", "https://school.example.org/oai", "nl_lom")
    add_source(
        store_session,
        "edurep",
        " https://wszoeken.edurep.kennisnet.nl/edurep/oai ",
        "lom",
        "wikiwijsmaken",
        schedule_minutes=1440,
    )
    store_session.commit()

    sources = list_sources(store_session)
    assert [s.name for s in sources] == ["edurep", "school"]
    edurep = get_source(store_session, "edurep")
    assert edurep.base_url == "https://wszoeken.edurep.kennisnet.nl/edurep/oai"
    assert (edurep.metadata_prefix, edurep.set_spec, edurep.enabled) == ("lom", "wikiwijsmaken", True)
    assert edurep.schedule_minutes == 1440 and edurep.created_at.tzinfo is not None


@pytest.mark.parametrize(
    ("name", "url", "prefix", "set_spec", "message"),
    [
        ("Edurep!", "https://e.nl/oai", "lom", None, "source name"),
        ("edurep", "ftp://e.nl/oai", "lom", None, "not an http"),
        ("edurep", "e.nl/oai", "lom", None, "not an http"),
        ("edurep", "https://e.nl/oai?verb=ListRecords", "lom", None, "without '\\?verb"),
        ("edurep", "https://e.nl/oai", "l o m", None, "metadata prefix"),
        ("edurep", "https://e.nl/oai", "lom", "a b", "setSpec"),
    ],
)
def test_bad_sources_are_refused_with_a_reason(
    store_session: Session, name: str, url: str, prefix: str, set_spec: str | None, message: str
) -> None:
    with pytest.raises(InvalidSourceError, match=message):
        add_source(store_session, name, url, prefix, set_spec)


def test_bad_schedules_are_refused(store_session: Session) -> None:
    with pytest.raises(InvalidSourceError, match="crontab"):
        add_source(store_session, "a", "https://a.nl/oai", schedule_cron="daily")
    with pytest.raises(InvalidSourceError, match="minutes"):
        add_source(store_session, "a", "https://a.nl/oai", schedule_minutes=0)
    with pytest.raises(InvalidSourceError, match="not a valid crontab"):
        add_source(store_session, "a", "https://a.nl/oai", schedule_cron="0 25 * * *")
    with pytest.raises(InvalidSourceError, match="not both"):
        add_source(store_session, "a", "https://a.nl/oai", schedule_cron="0 3 * * *", schedule_minutes=60)


def test_duplicates_are_refused(store_session: Session) -> None:
    add_source(store_session, "edurep", "https://e.nl/oai", "lom", "wikiwijsmaken")

    with pytest.raises(DuplicateSourceError, match="named 'edurep'"):
        add_source(store_session, "edurep", "https://other.nl/oai")
    with pytest.raises(DuplicateSourceError, match="source 'edurep' already harvests"):
        add_source(store_session, "copy", "https://e.nl/oai", "lom", "wikiwijsmaken")
    # Another set of the same endpoint is another source.
    add_source(store_session, "edurep-delen", "https://e.nl/oai", "lom", "WikiwijsDelen")


def test_unknown_source_names_the_known_ones(store_session: Session, edurep: Source) -> None:
    with pytest.raises(UnknownSourceError, match=r"no source named 'nope' \(known: edurep\)"):
        get_source(store_session, "nope")
    with pytest.raises(UnknownSourceError):
        remove_source(store_session, "nope")


def test_update_source_schedule_and_enabled(store_session: Session, edurep: Source) -> None:
    update_source(store_session, "edurep", enabled=False, schedule_cron="0 3 * * *")
    assert (edurep.enabled, edurep.schedule_cron) == (False, "0 3 * * *")
    update_source(store_session, "edurep", clear_schedule=True)
    assert edurep.schedule_cron is None and edurep.schedule_minutes is None


def test_remove_source_withdraws_its_records_and_keeps_shared_ones(
    store_session: Session, edurep: Source, school: Source
) -> None:
    shared = make_record(title="Gedeeld")
    apply_harvested_record(store_session, edurep, "e:1", "2024-01-01", shared, False, b"<r/>")
    apply_harvested_record(store_session, edurep, "e:2", "2024-01-01", make_record(), False, b"<r/>")
    apply_harvested_record(store_session, school, "s:1", "2024-01-01", shared, False, b"<r/>")
    run = start_run(store_session, edurep)
    finish_run(store_session, run, RunStatus.SUCCEEDED)
    store_session.commit()

    removal = remove_source(store_session, "edurep")
    store_session.commit()

    assert removal.withdrawn.outcomes == (Outcome.DELETED, Outcome.DELETED)
    assert len(removal.withdrawn.deleted_ids) == 1 and len(removal.withdrawn.changed_ids) == 1
    assert (removal.raw_records, removal.runs) == (2, 1)
    assert [s.name for s in list_sources(store_session)] == ["school"]
    live = store_session.scalars(select(Resource.title).where(Resource.deleted.is_(False))).all()
    assert live == ["Gedeeld"]
    assert store_session.scalar(select(func.count()).select_from(Resource)) == 2, "tombstone kept"
    assert store_session.scalar(select(func.count()).select_from(HarvestRun)) == 0
    assert store_session.scalar(select(func.count()).select_from(ArchivedRecord)) == 1


def test_source_statuses_tell_health(store_session: Session, edurep: Source, school: Source) -> None:
    apply_harvested_record(store_session, edurep, "e:1", "2024-01-01", make_record(), False, None)
    run = start_run(store_session, edurep)
    run.failed = 2
    finish_run(store_session, run, RunStatus.SUCCEEDED)
    store_session.commit()

    statuses = {s.source.name: s for s in source_statuses(store_session)}

    assert statuses["edurep"].health is SourceHealth.DEGRADED
    assert statuses["edurep"].resources == 1
    assert statuses["edurep"].last_run is not None
    assert statuses["school"].health is SourceHealth.NEVER_HARVESTED
    assert statuses["school"].resources == 0
