"""Harvest pipeline scenarios over a real loopback OAI-PMH server, into the store (SQLite and PostgreSQL) and index."""

from __future__ import annotations

import socket
import threading
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from harvester.outcome import Outcome
from harvester.records import RawRecord
from harvester.replay_pages import GeneratedCorpus, nl_lom_record
from metadata.normalize import normalize_metadata
from metadata.oai import Granularity
from metadata.record import Record
from oer.catalogue.models import ResourceRelation
from oer.discovery.indexing import BackgroundIndexer, rebuild_search_index
from oer.harvesting import service as harvesting
from oer.harvesting.checkpoints import load_checkpoint
from oer.harvesting.models import (
    ArchivedRecord,
    ErrorKind,
    ErrorSeverity,
    ErrorStage,
    Provenance,
    RunStatus,
)
from oer.harvesting.provenance import HarvestedRecord
from oer.harvesting.renormalize import renormalize
from oer.harvesting.service import HarvestStatus, harvest
from oer.harvesting.sources import SourceHealth, get_source, source_statuses
from oer.search import SearchQuery, open_backend
from oer.settings import Settings
from oer.store.database import store_sessions
from tests.fixtures.oai_server import (
    FaultPlan,
    edurep_pages,
    expired_token,
    token_is,
    unavailable,
)
from tests.support.harvesting import (
    Gate,
    StartServer,
    Switchable,
    add,
    errors,
    indexed,
    list_requests,
    runs,
    stored,
)

EDUREP = "surfsharekit:oai:surfsharekit.nl:"
DELETED_IN_DELTA = EDUREP + "5af0e26f-c4d2-4ddd-94ab-7dd0bd531751"
NEW_IN_DELTA = {EDUREP + suffix for suffix in (
    "3e45b9e3-ba76-4200-a927-2902177f1f6c",
    "4842596f-fe60-40ef-8c06-4d3d6e296ba4",
    "b5473dd1-8aa4-455f-b359-9af8081ce697",
)}


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/oai"


def titles_in_index(settings: Settings, text: str) -> set[str]:
    backend = open_backend(settings)
    try:
        return {hit.document.title for hit in backend.search(SearchQuery(text=text, size=100)).hits}
    finally:
        backend.close()


# -- initial, delta, deleted, unchanged ------------------------------------------------------


def test_initial_harvest_stores_archives_indexes_and_records_the_run(instance: Settings,
                                                                     oai_server: StartServer) -> None:
    server = oai_server(edurep_pages())
    add(instance, "edurep", server.url)

    [report] = harvest(instance, ["edurep"])

    assert report.status is HarvestStatus.SUCCEEDED, report.errors
    assert (report.pages, report.records) == (2, 12)
    # The page's one deletion names a record this store never had.
    assert report.count(Outcome.CREATED) == 11 and report.count(Outcome.SKIPPED) == 1
    assert "from" not in list_requests(server)[0].arguments
    state = stored(instance)
    assert len(state.live) == 11 and not state.tombstones
    assert state.archived == 12, "every raw record is archived, the deletion too"
    assert not state.pending
    assert set(indexed(instance)) == set(state.live)
    [run] = runs(instance, "edurep")
    assert run.status is RunStatus.SUCCEEDED and run.finished_at is not None
    assert (run.pages, run.created, run.skipped, run.failed) == (2, 11, 1, 0)
    assert run.response_date == datetime(2020, 2, 6, 18, 10, 23, tzinfo=UTC)
    with store_sessions(instance) as sessions, sessions() as session:
        source = get_source(session, "edurep")
        assert source.granularity is Granularity.SECOND
        checkpoint = load_checkpoint(session, source)
        [status] = source_statuses(session)
    assert checkpoint is not None and checkpoint.state is not None
    assert checkpoint.state["complete"] is True and checkpoint.resumption_token is None
    assert status.health is SourceHealth.OK and status.resources == 11


def test_edurep_s_part_relations_resolve_through_the_origins_it_names(instance: Settings,
                                                                     oai_server: StartServer) -> None:
    # Edurep names parts by their OAI identifier at the origin (oai:surfsharekit.nl:…) and serves
    # them as surfsharekit:oai:surfsharekit.nl:…, naming that origin in <about><provenance>.
    server = oai_server(edurep_pages())
    add(instance, "edurep", server.url)
    assert harvest(instance, ["edurep"])[0].ok
    whole, part = ("surfsharekit:oai:surfsharekit.nl:3c2b4e81-e9a1-41bc-8b6a-97bfe7e4048b",
                   "surfsharekit:oai:surfsharekit.nl:a18cdda7-e9c7-40d7-a7ad-6e875d9015ce")
    with store_sessions(instance) as sessions, sessions() as session:
        ids = {row.oai_identifier: row.resource_id
               for row in session.execute(select(Provenance.oai_identifier, Provenance.resource_id))}
        links = [tuple(row) for row in session.execute(
            select(ResourceRelation.kind, ResourceRelation.target, ResourceRelation.target_resource_id)
            .where(ResourceRelation.resource_id == ids[part]))]
    assert ("ispartof", "oai:surfsharekit.nl:3c2b4e81-e9a1-41bc-8b6a-97bfe7e4048b", ids[whole]) in links


def test_delta_applies_updates_and_deletions_and_the_index_follows(instance: Settings,
                                                                    oai_server: StartServer) -> None:
    server = oai_server(edurep_pages())
    add(instance, "edurep", server.url)
    harvest(instance, ["edurep"])
    before = stored(instance)

    [report] = harvest(instance, ["edurep"])

    assert report.status is HarvestStatus.SUCCEEDED
    # Incremental: the last run's responseDate (18:10:23) minus an hour of overlap.
    assert list_requests(server)[-1].arguments["from"] == "2020-02-06T17:10:23Z"
    assert report.count(Outcome.CREATED) == 3
    assert report.count(Outcome.UPDATED) == 1
    assert report.count(Outcome.DELETED) == 1
    # The second deletion names a record that was never here.
    assert report.count(Outcome.SKIPPED) == 1
    after = stored(instance)
    assert {key[1] for key in after.provenances} - {key[1] for key in before.provenances} == NEW_IN_DELTA
    assert len(after.live) == 13
    assert set(indexed(instance)) == set(after.live)
    assert not after.pending
    assert any("ignore `from`" in warning for warning in report.warnings)


def test_a_deleted_record_becomes_a_tombstone_and_leaves_the_index(instance: Settings,
                                                                   oai_server: StartServer) -> None:
    server = oai_server(edurep_pages())
    add(instance, "edurep", server.url)
    harvest(instance, ["edurep"])
    gone = stored(instance).resource_of("edurep", DELETED_IN_DELTA)
    assert gone in indexed(instance)

    harvest(instance, ["edurep"])

    state = stored(instance)
    assert gone in state.tombstones
    assert state.provenances[("edurep", DELETED_IN_DELTA)] == (gone, True)
    assert gone not in indexed(instance)
    with store_sessions(instance) as sessions, sessions() as session:
        tombstone = session.scalars(
            select(Provenance).where(Provenance.oai_identifier == DELETED_IN_DELTA)
        ).one()
        # The tombstone keeps its last record for the feed's deletedRecord=persistent.
        assert tombstone.record["title"] and tombstone.deleted_at is not None


def test_an_unchanged_reharvest_changes_nothing(instance: Settings, oai_server: StartServer) -> None:
    server = oai_server(edurep_pages())
    add(instance, "edurep", server.url)
    harvest(instance, ["edurep"])
    before = stored(instance)

    [report] = harvest(instance, ["edurep"], full=True)

    assert report.status is HarvestStatus.SUCCEEDED and report.full
    assert report.count(Outcome.UNCHANGED) == 11 and report.count(Outcome.SKIPPED) == 1
    assert report.count(Outcome.CREATED) == report.count(Outcome.UPDATED) == report.removed == 0
    assert stored(instance) == before, "nothing archived again, nothing marked for the index"
    assert report.index.indexed == 0


def test_an_incremental_run_with_nothing_new_keeps_everything(instance: Settings,
                                                              oai_server: StartServer) -> None:
    corpus = GeneratedCorpus(25, page_size=10)
    server = oai_server(corpus)
    add(instance, "generated", server.url)
    harvest(instance, ["generated"])

    [report] = harvest(instance, ["generated"])

    # The window starts after the first run (an hour of overlap): the source answers noRecordsMatch.
    assert report.status is HarvestStatus.SUCCEEDED and report.records == 0
    assert list_requests(server)[-1].arguments["from"] > corpus.datestamp(24)
    assert len(stored(instance).live) == 25
    assert [run.status for run in runs(instance, "generated")] == [RunStatus.SUCCEEDED] * 2


# -- broken records ------------------------------------------------------------------------------

OAI_DC = (b'<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
          b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Dublin Core</dc:title></oai_dc:dc>')
TITLE_ONLY = (b'<lom xmlns="http://www.imsglobal.org/xsd/imsmd_v1p2"><general><title>'
              b'<langstring xml:lang="nl">Alleen een titel</langstring></title></general></lom>')


def mixed_record(index: int) -> bytes:
    if index == 2:
        # An unescaped ampersand: the record (and so the page) is not well-formed XML.
        return nl_lom_record(index).replace(b"Biologie: ", b"Biologie & ", 1)
    if index == 4:
        return OAI_DC
    if index == 6:
        return TITLE_ONLY
    return nl_lom_record(index)


def test_broken_records_are_kept_as_failed_and_the_harvest_goes_on(instance: Settings,
                                                                    oai_server: StartServer) -> None:
    corpus = GeneratedCorpus(10, page_size=5, record=mixed_record)
    server = oai_server(corpus)
    add(instance, "mixed", server.url, prefix="lom")

    [report] = harvest(instance, ["mixed"])

    assert report.status is HarvestStatus.SUCCEEDED, "records that fail on their own do not fail the run"
    assert report.count(Outcome.CREATED) == 8 and report.count(Outcome.FAILED) == 2
    state = stored(instance)
    assert set(state.failed) == {corpus.identifier(2), corpus.identifier(4)}
    assert "not well-formed" in (state.failed[corpus.identifier(2)] or "")
    assert "not the requested format" in (state.failed[corpus.identifier(4)] or "")
    with store_sessions(instance) as sessions, sessions() as session:
        broken = session.scalars(
            select(ArchivedRecord).where(ArchivedRecord.oai_identifier == corpus.identifier(2))
        ).one()
        assert b"Biologie &amp; cellen" in broken.xml or b"Biologie & cellen" in broken.xml
        sparse = session.scalars(
            select(Provenance).where(Provenance.oai_identifier == corpus.identifier(6))
        ).one()
        record = Record.from_dict(sparse.record)
        [status] = source_statuses(session)
    # A record with missing fields is kept, with what it lacks.
    assert record.title == "Alleen een titel"
    assert record.completeness.missing_required and record.issues
    assert status.health is SourceHealth.DEGRADED
    [run] = runs(instance, "mixed")
    assert run.failed == 2
    recorded = errors(instance, "mixed")
    assert len(recorded) == run.failed, "one row per failed record"
    assert {(e.oai_identifier, e.severity, e.stage, e.kind) for e in recorded} == {
        # Unreadable XML: the record itself could not be parsed.
        (corpus.identifier(2), ErrorSeverity.ERROR, ErrorStage.PARSE, ErrorKind.RECORD),
        # Well-formed, but Dublin Core where LOM was asked for.
        (corpus.identifier(4), ErrorSeverity.ERROR, ErrorStage.NORMALIZE, ErrorKind.RECORD),
    }
    assert all(e.run_id == run.id for e in recorded)
    assert any("not the requested format" in e.message for e in recorded)
    assert set(indexed(instance)) == set(state.live) and len(state.live) == 8
    assert "Alleen een titel" in titles_in_index(instance, "titel")


# -- a source that is down, or goes down -----------------------------------------------------------


def test_a_source_that_is_down_fails_the_run(instance: Settings) -> None:
    add(instance, "down", closed_port_url())

    [report] = harvest(instance, ["down"])

    assert report.status is HarvestStatus.FAILED
    assert "unavailable" in report.errors[-1]
    [run] = runs(instance, "down")
    assert run.status is RunStatus.FAILED and run.finished_at is not None
    [fatal] = errors(instance, "down")
    assert (fatal.severity, fatal.stage, fatal.kind) == (ErrorSeverity.FATAL, ErrorStage.FETCH, ErrorKind.NETWORK)
    assert "unavailable" in fatal.message and fatal.oai_identifier is None
    assert stored(instance).archived == 0


def test_a_source_that_goes_down_mid_list_is_resumed_by_the_next_run(instance: Settings,
                                                                     oai_server: StartServer) -> None:
    corpus = GeneratedCorpus(30, page_size=10)
    source = Switchable(FaultPlan(corpus).add(unavailable(), when=token_is("0.10.30"), times=None))
    server = oai_server(source)
    add(instance, "flaky", server.url)

    [first] = harvest(instance, ["flaky"])
    assert first.status is HarvestStatus.FAILED and first.pages == 1
    assert len(stored(instance).live) == 10
    source.pages = corpus
    [second] = harvest(instance, ["flaky"])

    assert second.status is HarvestStatus.SUCCEEDED and second.resumed
    assert second.count(Outcome.CREATED) == 20
    assert len([r for r in list_requests(server) if r.resumption_token is None]) == 1, "resumed, not restarted"
    state = stored(instance)
    assert {key[1] for key in state.provenances} == {corpus.identifier(i) for i in range(30)}
    assert set(indexed(instance)) == set(state.live)
    assert [run.status for run in runs(instance, "flaky")] == [RunStatus.FAILED, RunStatus.SUCCEEDED]


def test_a_bad_resumption_token_restarts_from_the_last_stored_datestamp(instance: Settings,
                                                                         oai_server: StartServer) -> None:
    corpus = GeneratedCorpus(50, page_size=10)
    server = oai_server(FaultPlan(corpus).add(expired_token(), when=token_is("0.30.50")))
    add(instance, "expiring", server.url)

    [report] = harvest(instance, ["expiring"])

    assert report.status is HarvestStatus.SUCCEEDED
    restart = [r for r in list_requests(server) if r.resumption_token is None][-1]
    assert restart.arguments["from"] == corpus.datestamp(29)
    assert any("restarted the list at the last committed datestamp" in w for w in report.warnings)
    # `from` is inclusive: the last stored record comes again, and is recognised.
    assert report.count(Outcome.CREATED) == 50 and report.count(Outcome.UNCHANGED) == 1
    assert len(stored(instance).live) == 50


# -- full harvests, two sources, renormalising ---------------------------------------------------


def test_a_full_harvest_withdraws_what_the_source_no_longer_has(instance: Settings,
                                                                oai_server: StartServer) -> None:
    source = Switchable(GeneratedCorpus(20, page_size=10))
    server = oai_server(source)
    add(instance, "shrinking", server.url)
    harvest(instance, ["shrinking"])
    everything = stored(instance)
    source.pages = GeneratedCorpus(15, page_size=10)

    [incremental] = harvest(instance, ["shrinking"], from_date="2019-12-31")
    assert incremental.removed == 0 and len(stored(instance).live) == 20
    [full] = harvest(instance, ["shrinking"], full=True)

    assert full.status is HarvestStatus.SUCCEEDED and full.removed == 5
    assert full.count(Outcome.UNCHANGED) == 15 and full.count(Outcome.DELETED) == 5
    state = stored(instance)
    withdrawn = {everything.resource_of("shrinking", f"oai:generated.example.org:{i}") for i in range(15, 20)}
    assert state.tombstones == withdrawn
    assert set(indexed(instance)) == set(state.live) and len(state.live) == 15
    assert any("no longer has" in warning for warning in full.warnings)
    # Re-normalising from the archive does not bring back what the source no longer has.
    server.stop()
    [again] = renormalize(instance, ["shrinking"])
    assert again.withdrawn == 5 and stored(instance).tombstones == withdrawn


def test_two_sources_make_one_resource_and_each_deletes_only_its_own(instance: Settings,
                                                                     oai_server: StartServer) -> None:
    first = Switchable(GeneratedCorpus(6, page_size=10, identifier_prefix="oai:a.example.org:"))
    second = Switchable(GeneratedCorpus(6, page_size=10, identifier_prefix="oai:b.example.org:"))
    add(instance, "alpha", oai_server(first).url)
    add(instance, "beta", oai_server(second).url)

    reports = harvest(instance, None)

    # The second source's records join the first's materials: counted as merged, not created.
    assert [(r.count(Outcome.CREATED), r.count(Outcome.MERGED)) for r in reports] == [(6, 0), (0, 6)]
    state = stored(instance)
    assert len(state.live) == 6, "the same six materials, reached through two sources"
    for index in range(6):
        assert state.resource_of("alpha", f"oai:a.example.org:{index}") == \
            state.resource_of("beta", f"oai:b.example.org:{index}")
    assert set(indexed(instance).values()) == {("alpha", "beta")}

    # alpha deletes records 2 and 5; beta still serves them.
    first.pages = GeneratedCorpus(6, page_size=10, identifier_prefix="oai:a.example.org:", deleted_every=3)
    [alpha] = harvest(instance, ["alpha"], from_date="2019-12-31")
    assert alpha.count(Outcome.DELETED) == 2
    shared = {state.resource_of("alpha", f"oai:a.example.org:{i}") for i in (2, 5)}
    after = stored(instance)
    assert shared <= set(after.live)
    assert all(after.provenances[("alpha", f"oai:a.example.org:{i}")][1] for i in (2, 5))
    assert not any(after.provenances[("beta", f"oai:b.example.org:{i}")][1] for i in (2, 5))
    sources = indexed(instance)
    assert {sources[rid] for rid in shared} == {("beta",)}

    # Then beta deletes them too: now they are gone.
    second.pages = GeneratedCorpus(6, page_size=10, identifier_prefix="oai:b.example.org:", deleted_every=3)
    harvest(instance, ["beta"], from_date="2019-12-31")
    assert shared <= stored(instance).tombstones
    assert not shared & set(indexed(instance))


def test_renormalize_rebuilds_from_the_archive_without_the_source(instance: Settings,
                                                                 oai_server: StartServer,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    server = oai_server(edurep_pages())
    add(instance, "edurep", server.url)
    normalize = normalize_metadata

    def mapping_bug(payload: object, **header: str | None) -> Record:
        return normalize(payload, **header).with_changes(title="MAPPING BUG", titles={"nl": "MAPPING BUG"})

    with monkeypatch.context() as patch:
        patch.setattr(harvesting, "normalize_metadata", mapping_bug)
        harvest(instance, ["edurep"])
    assert set(stored(instance).live.values()) == {"MAPPING BUG"}
    archived = stored(instance).archived
    server.stop()

    [report] = renormalize(instance, ["edurep"])

    assert report.count(Outcome.UPDATED) == 11 and report.count(Outcome.SKIPPED) == 1
    state = stored(instance)
    assert "MAPPING BUG" not in state.live.values() and all(state.live.values())
    assert state.archived == archived and not state.pending
    assert not titles_in_index(instance, "MAPPING BUG")
    assert set(indexed(instance)) == set(state.live)
    assert "Can big history reunify all our knowledge?" in " ".join(titles_in_index(instance, "history"))


# -- search outages, and one harvest at a time ----------------------------------------------------


def test_a_search_outage_keeps_storing_and_the_next_run_catches_up(instance: Settings,
                                                                    oai_server: StartServer) -> None:
    server = oai_server(edurep_pages())
    add(instance, "edurep", server.url)
    # The embedded index cannot be opened: its directory is a file.
    instance.index_dir.write_text("not an index")

    [report] = harvest(instance, ["edurep"])

    assert report.status is HarvestStatus.SUCCEEDED, "a search outage never blocks storing"
    state = stored(instance)
    assert len(state.live) == 11 and state.pending == set(state.live)
    assert report.index.pending == 11 and report.index.error
    assert any("search index unavailable" in warning for warning in report.warnings)
    [run] = runs(instance, "edurep")
    assert any((e.severity, e.stage, e.kind) == (ErrorSeverity.WARNING, ErrorStage.INDEX, ErrorKind.SEARCH)
               and "search index unavailable" in e.message and e.run_id == run.id
               for e in errors(instance, "edurep"))

    instance.index_dir.unlink()
    [caught_up] = harvest(instance, ["edurep"])

    assert caught_up.index.pending == 0 and caught_up.index.error is None
    state = stored(instance)
    assert not state.pending and len(state.live) == 13
    assert set(indexed(instance)) == set(state.live)


def test_a_rebuild_of_the_index_clears_what_an_outage_left_pending(instance: Settings,
                                                                    oai_server: StartServer) -> None:
    server = oai_server(edurep_pages())
    add(instance, "edurep", server.url)
    instance.index_dir.write_text("not an index")
    harvest(instance, ["edurep"])
    assert len(stored(instance).pending) == 11
    instance.index_dir.unlink()

    backend = open_backend(instance)
    try:
        with store_sessions(instance) as sessions:
            report = rebuild_search_index(sessions, backend)
    finally:
        backend.close()

    assert report.documents == 11
    state = stored(instance)
    assert not state.pending and set(indexed(instance)) == set(state.live)


def test_a_second_harvest_of_a_source_being_harvested_is_refused(instance: Settings,
                                                                  oai_server: StartServer) -> None:
    gate = Gate(GeneratedCorpus(5))
    server = oai_server(gate)
    add(instance, "busy", server.url)
    first: list[harvesting.HarvestReport] = []
    worker = threading.Thread(target=lambda: first.extend(harvest(instance, ["busy"])))
    worker.start()
    try:
        assert gate.waiting.wait(30), "the first harvest never asked for a page"
        [second] = harvest(instance, ["busy"])
    finally:
        gate.opened.set()
        worker.join(60)

    assert second.status is HarvestStatus.REFUSED
    assert "being harvested by another process" in second.errors[0]
    assert [r.status for r in first] == [HarvestStatus.SUCCEEDED]
    assert [run.status for run in runs(instance, "busy")] == [RunStatus.SUCCEEDED]
    assert len(stored(instance).live) == 5


def test_a_long_list_is_normalised_and_indexed_by_helper_processes(instance: Settings, oai_server: StartServer,
                                                                   database_backend: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harvesting.DatabaseHarvestSink, "helper_threshold", 100)
    indexers: list[BackgroundIndexer | None] = []
    normalised_there: list[bool] = []
    start, take = BackgroundIndexer.start, harvesting.Normaliser.take

    def start_indexer(cls: type[BackgroundIndexer], settings: Settings) -> BackgroundIndexer | None:
        indexers.append(start(settings))
        return indexers[-1]

    def take_page(self: harvesting.Normaliser, records: Sequence[RawRecord]) -> list[HarvestedRecord] | None:
        items = take(self, records)
        normalised_there.append(items is not None)
        return items

    monkeypatch.setattr(BackgroundIndexer, "start", classmethod(start_indexer))
    monkeypatch.setattr(harvesting.Normaliser, "take", take_page)
    server = oai_server(GeneratedCorpus(600, page_size=20, record=mixed_record))
    add(instance, "long", server.url)

    [report] = harvest(instance, ["long"])

    assert report.status is HarvestStatus.SUCCEEDED
    assert report.count(Outcome.CREATED) == 598 and report.count(Outcome.FAILED) == 2
    # Pages fetched ahead were normalised in the helper process, with the same results.
    assert normalised_there.count(True) >= 20
    assert stored(instance).failed.keys() == {"oai:generated.example.org:2", "oai:generated.example.org:4"}
    # The embedded database indexes in a background process; PostgreSQL in this one.
    assert len([i for i in indexers if i is not None]) == (1 if database_backend == "sqlite" else 0)
    assert report.index.indexed == 598 and report.index.pending == 0
    state = stored(instance)
    assert not state.pending and set(indexed(instance)) == set(state.live)
