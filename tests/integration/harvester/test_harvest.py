"""The harvest loop end to end over loopback: complete lists, resume, restarts, loops and windows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import pytest

from harvester.backoff import RetryNotice
from harvester.checkpoint import Checkpoint
from harvester.oai_client import OaiClient
from harvester.outcome import Outcome
from harvester.progress import PageProgress
from harvester.records import RawRecord
from harvester.replay_pages import GeneratedCorpus, PageSource, ReplayRequest, Reply
from harvester.replay_server import OaiReplayServer
from harvester.run import HarvestSource, LoopLimits, harvest_source
from tests.fixtures.oai_server import (
    EDUREP_TOKEN,
    FaultPlan,
    body,
    edurep_pages,
    endless_empty_pages,
    expired_token,
    ignoring_from,
    repeating_pages,
    status,
    token_is,
    unavailable,
)
from tests.support.memory_sink import MemorySink

StartServer = Callable[[PageSource], OaiReplayServer]
MakeClient = Callable[..., OaiClient]

EDUREP_IDS = {
    "surfsharekit:oai:surfsharekit.nl:3d2940a0-9573-412e-8fa2-067c55e2a72f",
    "surfsharekit:oai:surfsharekit.nl:5af0e26f-c4d2-4ddd-94ab-7dd0bd531751",
    "surfsharekit:oai:surfsharekit.nl:5be6dfeb-b9ad-41a8-b4f5-94b9438e4257",
    "wikiwijs:oai:surfsharekit.nl:63903863-6c93-4bda-b850-277f3c9ec00e",
    "surfsharekit:oai:surfsharekit.nl:3c2b4e81-e9a1-41bc-8b6a-97bfe7e4048b",
    "surfsharekit:oai:surfsharekit.nl:a18cdda7-e9c7-40d7-a7ad-6e875d9015ce",
    "surfsharekit:oai:surfsharekit.nl:8936d0a3-4157-45f4-9595-c26d4c029d97",
    "surfsharekit:oai:surfsharekit.nl:f929b625-5ef7-47b8-8fa8-94c969d0c427",
    "l4l:oai:surfsharekit.nl:befb515c-5dce-4f27-82a4-2f5a7a3618a4",
    "surfsharekit:oai:surfsharekit.nl:b35875c5-678b-4d58-af85-4111c321c5cd",
    "surfsharekit:oai:surfsharekit.nl:b500d389-2fda-4696-ae51-9cd0603a48af",
    "surfsharekit:oai:surfsharekit.nl:wrong-copyright",
}


def source(server: OaiReplayServer, prefix: str = "lom", set_spec: str | None = None) -> HarvestSource:
    return HarvestSource(name="test", url=server.url, metadata_prefix=prefix, set_spec=set_spec)


def corpus_ids(total: int) -> set[str]:
    corpus = GeneratedCorpus(total)
    return {corpus.identifier(index) for index in range(total)}


def delivered(sink: MemorySink) -> list[str]:
    return [key for page in sink.commits for key in page]


class Progress:
    def __init__(self) -> None:
        self.pages: list[PageProgress] = []
        self.retries: list[RetryNotice] = []

    def page_committed(self, progress: PageProgress) -> None:
        self.pages.append(progress)

    def retrying(self, notice: RetryNotice) -> None:
        self.retries.append(notice)


class CrashingSink(MemorySink):
    """Dies (like a killed process) when asked to commit page number `crash_at` (1-based)."""

    def __init__(self, crash_at: int, checkpoint: Checkpoint | None = None) -> None:
        super().__init__(checkpoint)
        self.crash_at = crash_at

    def commit_page(self, records: Sequence[RawRecord], checkpoint: Checkpoint) -> Sequence[Outcome]:
        if len(self.commits) + 1 == self.crash_at:
            raise KeyboardInterrupt("simulated crash")
        return super().commit_page(records, checkpoint)


def test_edurep_list_is_harvested_completely(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(edurep_pages())
    sink, progress = MemorySink(), Progress()
    summary = harvest_source(make_client(server.url), source(server, set_spec="surf"), sink, progress=progress)
    assert summary.complete and summary.errors == ()
    assert (summary.pages, summary.records) == (2, 12)
    assert [len(page) for page in sink.commits] == [9, 3]
    assert set(delivered(sink)) == EDUREP_IDS and len(delivered(sink)) == 12
    assert summary.count(Outcome.CREATED) == 11
    # The one deletion concerns a record this store never had.
    assert summary.count(Outcome.SKIPPED) == 1
    assert sink.records["surfsharekit:oai:surfsharekit.nl:3d2940a0-9573-412e-8fa2-067c55e2a72f"].deleted
    assert summary.response_date == "2020-02-06T18:10:23Z"
    assert sink.checkpoint is not None and sink.checkpoint.complete
    assert sink.checkpoint.resumption_token is None and sink.checkpoint.records == 12
    assert sink.summaries == [summary]
    assert [page.run_records for page in progress.pages] == [9, 12]
    assert server.received[-1].resumption_token == EDUREP_TOKEN


def test_the_next_run_is_incremental_from_response_date_minus_an_hour(
        oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(edurep_pages())
    sink = MemorySink()
    client = make_client(server.url)
    harvest_source(client, source(server, set_spec="surf"), sink)
    summary = harvest_source(client, source(server, set_spec="surf"), sink)
    request = server.received[-1]
    assert request.arguments["from"] == "2020-02-06T17:10:23Z"
    assert request.arguments["set"] == "surf"
    assert summary.window_from == "2020-02-06T17:10:23Z"
    assert summary.complete and summary.records == 6
    # The delta page deletes a record we hold, and re-sends one that changed.
    assert summary.count(Outcome.DELETED) == 1
    assert sink.records["surfsharekit:oai:surfsharekit.nl:5af0e26f-c4d2-4ddd-94ab-7dd0bd531751"].deleted
    assert summary.response_date == "2020-02-06T18:16:01Z"


def test_generated_corpus_in_many_pages(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(GeneratedCorpus(1000, page_size=100, deleted_every=10))
    sink = MemorySink()
    summary = harvest_source(make_client(server.url), source(server), sink)
    assert summary.complete and summary.pages == 10 and summary.records == 1000
    assert Counter(delivered(sink)) == Counter(corpus_ids(1000))
    assert summary.count(Outcome.CREATED) == 900 and summary.count(Outcome.SKIPPED) == 100
    assert sink.checkpoint is not None and sink.checkpoint.datestamps_ordered


def test_resume_from_a_checkpoint_mid_list(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(GeneratedCorpus(500, page_size=100))
    crashing = CrashingSink(crash_at=3)
    with pytest.raises(KeyboardInterrupt):
        harvest_source(make_client(server.url), source(server), crashing)
    stored = crashing.checkpoint
    assert stored is not None and not stored.complete and stored.pages == 2
    assert stored.resumption_token == "0.200.500"

    sink = MemorySink(checkpoint=stored)
    summary = harvest_source(make_client(server.url), source(server), sink)
    assert summary.resumed and summary.complete
    assert summary.pages == 3 and summary.records == 300
    assert sink.checkpoint is not None and sink.checkpoint.records == 500 and sink.checkpoint.pages == 5
    # The resumed run asked for the page after the checkpoint, not for the list again.
    list_requests = [request for request in server.received if request.verb == "ListRecords"]
    assert list_requests[-3].resumption_token == "0.200.500"
    assert Counter(delivered(crashing) + delivered(sink)) == Counter(corpus_ids(500))
    assert summary.run_started_at == stored.started_at


def test_bad_resumption_token_restarts_from_the_last_committed_datestamp(
        oai_server: StartServer, make_client: MakeClient) -> None:
    corpus = GeneratedCorpus(500, page_size=100)
    server = oai_server(FaultPlan(corpus).add(expired_token(), when=token_is("0.300.500")))
    sink = MemorySink()
    summary = harvest_source(make_client(server.url), source(server), sink)
    assert summary.complete and summary.restarts == 1
    restart = [request for request in server.received if request.verb == "ListRecords"][4]
    # Page 3 ended with record 299: the list restarts at its datestamp, inclusive.
    assert restart.arguments["from"] == corpus.datestamp(299)
    assert restart.resumption_token is None
    assert any("restarted the list at the last committed datestamp" in warning for warning in summary.warnings)
    assert set(delivered(sink)) == corpus_ids(500)
    # Only record 299 (the restart point) came twice, and it was recognised as unchanged.
    twice = [key for key, count in Counter(delivered(sink)).items() if count > 1]
    assert twice == [corpus.identifier(299)]
    assert summary.count(Outcome.CREATED) == 500 and summary.count(Outcome.UNCHANGED) == 1


def test_bad_resumption_token_on_an_unordered_list_restarts_at_the_window_start(
        oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(FaultPlan(edurep_pages()).add(expired_token(), when=token_is(EDUREP_TOKEN)))
    sink = MemorySink()
    summary = harvest_source(make_client(server.url), source(server), sink)
    assert summary.complete and summary.restarts == 1
    assert any("not in order" in warning for warning in summary.warnings)
    restart = [request for request in server.received if request.verb == "ListRecords"][2]
    assert "from" not in restart.arguments
    assert set(delivered(sink)) == EDUREP_IDS


def test_bad_resumption_token_when_resuming_a_checkpoint(oai_server: StartServer, make_client: MakeClient) -> None:
    corpus = GeneratedCorpus(300, page_size=100)
    server = oai_server(corpus)
    crashing = CrashingSink(crash_at=2)
    with pytest.raises(KeyboardInterrupt):
        harvest_source(make_client(server.url), source(server), crashing)
    # The token has expired while the harvest was down.
    expired = oai_server(FaultPlan(corpus).add(expired_token(), when=token_is("0.100.300")))
    sink = MemorySink(checkpoint=crashing.checkpoint)
    summary = harvest_source(make_client(expired.url), source(expired), sink)
    assert summary.resumed and summary.complete and summary.restarts == 1
    assert set(delivered(crashing) + delivered(sink)) == corpus_ids(300)


def test_repeated_expired_tokens_give_up(oai_server: StartServer, make_client: MakeClient) -> None:
    corpus = GeneratedCorpus(500, page_size=100)
    server = oai_server(FaultPlan(corpus).add(expired_token(), when=lambda r: r.resumption_token is not None,
                                              times=None))
    summary = harvest_source(make_client(server.url), source(server), MemorySink(),
                             limits=LoopLimits(max_restarts=2))
    assert not summary.complete and summary.restarts == 2
    assert "badResumptionToken" in summary.errors[0]


def test_a_token_loop_is_stopped(oai_server: StartServer, make_client: MakeClient) -> None:
    corpus = GeneratedCorpus(500, page_size=100)

    def looping(request: ReplayRequest, reply: Reply) -> Reply:
        return Reply(body=reply.body.replace(b">0.400.500<", b">0.200.500<"))

    server = oai_server(FaultPlan(corpus).add(looping, when=token_is("0.300.500")))
    sink = MemorySink()
    summary = harvest_source(make_client(server.url), source(server), sink)
    assert not summary.complete
    assert "token loop" in summary.errors[0] and "0.200.500" in summary.errors[0]
    assert summary.pages == 4
    assert len(server.received) == 1 + 4


def test_repeated_identical_pages_are_stopped(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(repeating_pages(GeneratedCorpus(10)))
    summary = harvest_source(make_client(server.url), source(server), MemorySink())
    assert not summary.complete and summary.pages == 1
    assert "identical to an earlier one" in summary.errors[0]


def test_endless_empty_pages_are_stopped(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(endless_empty_pages(GeneratedCorpus(10)))
    summary = harvest_source(make_client(server.url), source(server), MemorySink(),
                             limits=LoopLimits(max_empty_pages=5))
    assert not summary.complete
    assert "5 pages in a row without records" in summary.errors[0]
    assert summary.pages == 5 and summary.records == 1


def test_a_repository_that_ignores_from_loses_nothing(oai_server: StartServer, make_client: MakeClient) -> None:
    corpus = GeneratedCorpus(300, page_size=100)
    server = oai_server(ignoring_from(corpus))
    sink = MemorySink()
    summary = harvest_source(make_client(server.url), source(server), sink, from_date=corpus.datestamp(250))
    assert summary.complete and summary.window_from == corpus.datestamp(250)
    assert summary.records == 300 and summary.records_before_window == 250
    assert any("ignore `from`" in warning for warning in summary.warnings)
    assert set(delivered(sink)) == corpus_ids(300)


def test_from_override_is_sent_in_the_source_granularity(oai_server: StartServer, make_client: MakeClient) -> None:
    corpus = GeneratedCorpus(300, page_size=100)
    server = oai_server(corpus)
    sink = MemorySink()
    summary = harvest_source(make_client(server.url), source(server), sink, from_date="2020-01-01T04:00:00Z")
    assert server.received[-1].arguments["from"] == "2020-01-01T04:00:00Z"
    # One record a minute from midnight: records 240..299.
    assert summary.records == 60 and summary.records_before_window == 0


def test_full_run_removes_records_the_source_no_longer_has(oai_server: StartServer,
                                                           make_client: MakeClient) -> None:
    sink = MemorySink()
    bigger = oai_server(GeneratedCorpus(250, page_size=100))
    harvest_source(make_client(bigger.url), source(bigger), sink)
    smaller = oai_server(GeneratedCorpus(200, page_size=100))
    summary = harvest_source(make_client(smaller.url), source(smaller), sink, full=True)
    assert summary.complete and summary.full
    assert summary.count(Outcome.UNCHANGED) == 200
    assert sorted(sink.removed) == sorted(corpus_ids(250) - corpus_ids(200))
    assert sink.live_identifiers() == corpus_ids(200)


def test_source_down_mid_run_keeps_the_checkpoint(oai_server: StartServer, make_client: MakeClient) -> None:
    corpus = GeneratedCorpus(300, page_size=100)
    server = oai_server(FaultPlan(corpus).add(unavailable("1"), when=token_is("0.200.300"), times=None))
    sink, progress = MemorySink(), Progress()
    summary = harvest_source(make_client(server.url), source(server), sink, progress=progress)
    assert not summary.complete and "source unavailable after 4 attempts" in summary.errors[0]
    assert [notice.delay for notice in progress.retries] == [1.0, 1.0, 1.0]
    assert sink.checkpoint is not None and sink.checkpoint.resumption_token == "0.200.300"
    assert sink.summaries == [summary]


def test_forbidden_stops_the_run(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(FaultPlan(GeneratedCorpus(10)).add(status(403), when=lambda r: True, times=None))
    summary = harvest_source(make_client(server.url), source(server), MemorySink())
    assert not summary.complete and "HTTP 403" in summary.errors[0]
    assert len(server.received) == 1


def test_a_broken_identify_falls_back_to_day_granularity(oai_server: StartServer, make_client: MakeClient) -> None:
    corpus = GeneratedCorpus(10)
    server = oai_server(FaultPlan(corpus).add(body(b"<html/>"), when=lambda r: r.verb == "Identify", times=None))
    summary = harvest_source(make_client(server.url), source(server), MemorySink(), from_date="2020-01-01T04:00:00Z")
    assert summary.complete
    assert server.received[-1].arguments["from"] == "2020-01-01"
    assert "using day granularity" in summary.warnings[0]


def test_an_empty_list_completes_and_advances_the_window(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(GeneratedCorpus(10))
    stored = Checkpoint(
        started_at=datetime(2024, 1, 1, tzinfo=UTC), full=False, window_from=None, list_from=None,
        resumption_token=None, cursor=None, complete_list_size=None, response_date="2999-01-01T00:00:00Z",
        last_datestamp=None, datestamps_ordered=True, pages=1, records=10, complete=True,
    )
    sink = MemorySink(checkpoint=stored)
    summary = harvest_source(make_client(server.url), source(server), sink)
    assert summary.complete and summary.records == 0 and summary.pages == 1
    assert sink.checkpoint is not None and sink.checkpoint.complete
    assert sink.checkpoint.window_from == "2998-12-31T23:00:00Z"
    assert sink.checkpoint.response_date != "2999-01-01T00:00:00Z"


def test_a_broken_record_is_handed_to_the_sink_as_failed(oai_server: StartServer, make_client: MakeClient) -> None:
    corpus = GeneratedCorpus(200, page_size=100)

    def break_record(request: ReplayRequest, reply: Reply) -> Reply:
        return Reply(body=reply.body.replace(b"les 5</langstring>", b"les 5 & <6</langstring>", 1))

    server = oai_server(FaultPlan(corpus).add(break_record, when=lambda r: r.verb == "ListRecords"))
    sink = MemorySink()
    summary = harvest_source(make_client(server.url), source(server), sink)
    assert summary.complete and summary.records == 200
    assert summary.count(Outcome.FAILED) == 1 and summary.count(Outcome.CREATED) == 199
    failed = sink.records[corpus.identifier(4)]
    assert failed.failure is not None and b"les 5 & <6" in failed.record.raw_xml


def test_summary_is_json_ready(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(edurep_pages())
    summary = harvest_source(make_client(server.url), source(server), MemorySink())
    data = summary.to_dict()
    assert data["outcomes"] == {"created": 11, "merged": 0, "updated": 0, "unchanged": 0, "deleted": 0, "skipped": 1,
                                "failed": 0}
    assert data["complete"] is True


def test_started_at_comes_from_the_clock(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(GeneratedCorpus(5))
    moment = datetime(2024, 5, 5, 5, 5, tzinfo=UTC)
    summary = harvest_source(make_client(server.url), source(server), MemorySink(), clock=lambda: moment)
    assert summary.started_at == moment == summary.run_started_at
    assert 0 <= summary.duration_seconds < 30
