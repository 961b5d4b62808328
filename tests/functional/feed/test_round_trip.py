"""Round trip: instance B harvests instance A's feed with the project's own harvester; the catalogues agree.

Instance A is the store of the other feed tests (SQLite or PostgreSQL) filled from
the real fixtures, served over loopback HTTP by werkzeug. Instance B is a second,
empty instance (its own SQLite database and home) that registers A's /oai as a
source with `oer sources add` and harvests it with `oer.harvesting.service.harvest`,
first everything, then incrementally after A changed (an edit, a source joining
and leaving, deletions at a source).

"Equal field by field" compares every live resource's record as JSON
(`Record.to_dict()`), leaving out only what must differ after a round trip:

- `oai_identifier`, `datestamp`: in A, the identifier and datestamp the original
  source gave; in B, A's feed identifier and feed datestamp (A republishes).
- `completeness`, `issues`: the normaliser's findings about the XML it read, not
  fields of the material. A's are about the sources' XML, B's about A's
  serialisation, and they differ: A writes the repairs `served_tree` lists
  (roles LOM knows, the metadatascheme NL-LOM requires, the normalised
  licence), so B finds fewer issues. Every record field they are computed from
  is compared, the source's whole LOM (`lom`) included, as B reads it back
  (`lom_projection`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from harvester.outcome import Outcome
from metadata.lom_bindings import IEEE_BINDING, IMS_BINDING, LomBinding
from metadata.record import Record
from oer.catalogue.models import Resource
from oer.harvesting.models import Provenance, Source
from oer.harvesting.provenance import HarvestedRecord
from oer.harvesting.service import harvest
from oer.harvesting.sources import add_source
from oer.settings import Settings
from oer.store.database import create_engine_from_settings, migrate, session_factory
from tests.fixtures.loopback import serving
from tests.integration.feed.harvests import (
    EDUREP_DELTA,
    FIXTURE_MATERIALS,
    Clock,
    fill_store,
    page_records,
    use_clock,
    variants,
)
from tests.integration.feed.harvests import harvest as apply_page
from tests.support.cli import run_oer as oer
from tests.support.feed_app import dispose, feed_app
from tests.support.lom_projection import lom_projection

# Differ legitimately after a round trip; see the module docstring.
NOT_COMPARED = ("oai_identifier", "datestamp", "completeness", "issues")
# Copies of the real records on top of them, so that A's lists take several pages.
COPIES = 240
FEED_PREFIX = "oai:oer.local:"


@pytest.fixture
def clock_a(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A's clock: three hours ago while it is filled, so that B's incremental window
    (the last harvest's responseDate minus the harvester's one-hour overlap) leaves
    the initial records out; the test moves it to the present for A's changes."""
    clock = Clock(datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3))
    use_clock(monkeypatch, clock)
    return clock


@pytest.fixture
def instance_a(
    store_settings: Settings, store_sessions: sessionmaker[Session], fixtures_dir: Path, clock_a: Clock
) -> Iterator[str]:
    """Instance A, filled from the fixtures and served over loopback; yields its /oai URL."""
    with store_sessions() as session:
        fill_store(session, fixtures_dir, clock_a)
        copies = add_source(session, "copies", "https://copies.example.org/oai")
        session.commit()
        apply_page(session, copies, variants(fixtures_dir, COPIES))
    app = feed_app(store_settings)
    try:
        with serving(app) as base_url:
            yield f"{base_url}/oai"
    finally:
        dispose(app)


@pytest.fixture
def instance_b(tmp_path: Path) -> Iterator[Settings]:
    """A second, initialised instance with a home and a database of its own."""
    home = tmp_path / "instance-b"
    home.mkdir()
    settings = Settings(
        home=home,
        database_url=f"sqlite:///{home / 'oer.sqlite3'}",
        search_url=None,
        broker_url=None,
        secret_key="instance b",
        # A harvests on loopback.
        allow_private_sources=True,
    )
    engine = create_engine_from_settings(settings)
    migrate(engine)
    engine.dispose()
    yield settings




def edit(record: Record, *, description: str, keyword: str) -> Record:
    """The record as its source writes it after an edit of its description and keywords."""
    assert record.lom is not None
    lom = dict(record.lom)
    general = dict(lom["general"][0])
    general["description"] = [[["nl", description]]]
    general["keyword"] = [[["nl", keyword]]]
    lom["general"] = [general]
    return record.with_changes(description=description, keywords=(keyword,), lom=lom)


def comparable(record: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in record.items() if name not in NOT_COMPARED}


def catalogue_a(sessions: sessionmaker[Session], binding: LomBinding) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """A's live resources by feed identifier (comparable records as B reads them from A's payloads
    in `binding`), and its tombstones' identifiers."""
    with sessions() as session:
        rows = session.execute(select(Resource.id, Resource.deleted, Resource.record)).all()
    # A's contributions without a role (or naming no one) reach B as LOM writes them (see `lom_projection`).
    live = {FEED_PREFIX + r.id: comparable(lom_projection(Record.from_dict(r.record), binding).to_dict())
            for r in rows if not r.deleted}
    return live, {FEED_PREFIX + r.id for r in rows if r.deleted}


def catalogue_b(settings: Settings) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """B's resources by the A identifier they were harvested under: live ones' records, tombstones."""
    engine = create_engine_from_settings(settings)
    try:
        with session_factory(engine)() as session:
            rows = session.execute(
                select(Provenance.oai_identifier, Resource.id, Resource.deleted, Resource.record)
                .join(Resource, Resource.id == Provenance.resource_id)
                .join(Source, Source.id == Provenance.source_id)
                .where(Source.name == "a")
            ).all()
            live_resources = set(session.scalars(select(Resource.id).where(Resource.deleted.is_(False))))
    finally:
        engine.dispose()
    # Each of A's materials stays one material in B (no two merged), and B holds nothing else.
    assert len({row.id for row in rows}) == len(rows)
    assert {row.id for row in rows if not row.deleted} == live_resources
    live = {row.oai_identifier: comparable(row.record) for row in rows if not row.deleted}
    return live, {row.oai_identifier for row in rows if row.deleted}


def assert_catalogues_equal(sessions_a: sessionmaker[Session], settings_b: Settings, prefix: str) -> int:
    live_a, gone_a = catalogue_a(sessions_a, IEEE_BINDING if prefix == "nl_lom" else IMS_BINDING)
    live_b, gone_b = catalogue_b(settings_b)
    assert set(live_b) == set(live_a)
    differences = {
        identifier: {name: (live_a[identifier].get(name), live_b[identifier].get(name))
                     for name in live_a[identifier] if live_a[identifier][name] != live_b[identifier].get(name)}
        for identifier in live_a
        if live_a[identifier] != live_b[identifier]
    }
    assert differences == {}
    # What A deleted, B deleted too (or never saw alive).
    assert gone_b <= gone_a
    return len(live_a)


@pytest.mark.parametrize("prefix", ["lom", "nl_lom"])
def test_b_harvests_a_and_the_catalogues_are_equal_then_stay_equal(
    instance_a: str,
    instance_b: Settings,
    store_sessions: sessionmaker[Session],
    fixtures_dir: Path,
    clock_a: Clock,
    prefix: str,
) -> None:
    added = oer(instance_b, "sources", "add", "a", instance_a, "--prefix", prefix)
    assert added.exit_code == 0, added.output

    [first] = harvest(instance_b, ["a"])
    assert first.ok, first.errors
    assert first.pages == 3 and first.count(Outcome.CREATED) == FIXTURE_MATERIALS + COPIES
    assert assert_catalogues_equal(store_sessions, instance_b, prefix) == FIXTURE_MATERIALS + COPIES

    # A changes, now: Edurep's delta (three new records, one changed, one deleted), an edit
    # of a copy, a copy joining a second source and leaving it again (its sets change, its
    # record does not), and a copy deleted at its only source.
    clock_a.now = datetime.now(UTC).replace(microsecond=0)
    with store_sessions() as session:
        sources = {s.name: s for s in session.scalars(select(Source))}
        apply_page(session, sources["edurep"], page_records(fixtures_dir, EDUREP_DELTA))
        copies = variants(fixtures_dir, COPIES)
        assert copies[7].record is not None and copies[8].record is not None
        edited = edit(copies[7].record, description="Herzien: nu met uitwerkingen.", keyword="herzien")
        apply_page(session, sources["copies"], [HarvestedRecord("oai:copies:7", "2024-06-01T00:00:00Z", edited)])
        apply_page(session, sources["school"], [HarvestedRecord("oai:school:8", "2024-06-01T00:00:00Z", copies[8].record)])
        apply_page(session, sources["school"], [HarvestedRecord("oai:school:8", "2024-06-02T00:00:00Z", deleted=True)])
        apply_page(session, sources["copies"], [HarvestedRecord("oai:copies:9", "2024-06-02T00:00:00Z", deleted=True)])
        gone = {FEED_PREFIX + rid for rid in session.scalars(select(Resource.id).where(Resource.deleted.is_(True)))}
    assert len(gone) == 2

    [second] = harvest(instance_b, ["a"])
    assert second.ok, second.errors
    assert not second.full and second.window_from is not None
    # Only what changed in A since B's first harvest: 3 new, 1 + 1 edited, 1 with new sets, 2 deleted.
    assert second.records == 8
    assert (second.count(Outcome.CREATED), second.count(Outcome.UPDATED), second.count(Outcome.UNCHANGED),
            second.count(Outcome.DELETED)) == (3, 2, 1, 2)
    assert assert_catalogues_equal(store_sessions, instance_b, prefix) == FIXTURE_MATERIALS + COPIES + 3 - 2
    live_b, gone_b = catalogue_b(instance_b)
    assert gone_b == gone
    assert sum(r.get("description") == "Herzien: nu met uitwerkingen." for r in live_b.values()) == 1
