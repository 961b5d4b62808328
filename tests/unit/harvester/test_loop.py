"""The harvest loop with a fake client: the sink contract and the page bookkeeping, no network."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence

import pytest

from harvester.backoff import RetryNotice
from harvester.checkpoint import Checkpoint
from harvester.outcome import Outcome
from harvester.records import DeletedRecordPolicy, Page, RawRecord, RepositoryInfo
from harvester.run import HarvestSource, harvest_source
from metadata.oai import Granularity
from tests.support.memory_sink import MemorySink

SOURCE = HarvestSource(name="fake", url="http://fake.invalid/oai", metadata_prefix="lom")


def record(identifier: str, datestamp: str, metadata: bytes = b"<lom/>") -> RawRecord:
    raw = f"<record><header><identifier>{identifier}</identifier></header></record>".encode()
    return RawRecord(oai_identifier=identifier, datestamp=datestamp, deleted=False, set_specs=(),
                     metadata_xml=metadata, raw_xml=raw)


class FakeClient:
    """Serves pages from a dict keyed by token (None: the first page)."""

    def __init__(self, pages: dict[str | None, Page]) -> None:
        self.pages = pages
        self.requests: list[tuple[str | None, str | None]] = []
        self.observer: Callable[[RetryNotice], None] | None = None

    def identify(self) -> RepositoryInfo:
        return RepositoryInfo("fake", SOURCE.url, "2.0", Granularity.SECOND, None, DeletedRecordPolicy.NO)

    def list_records(self, *, metadata_prefix: str, set_spec: str | None = None,
                     from_date: str | None = None, until: str | None = None) -> Page:
        self.requests.append((None, from_date))
        return self.pages[None]

    def resume_list(self, resumption_token: str) -> Page:
        self.requests.append((resumption_token, None))
        return self.pages[resumption_token]

    @contextlib.contextmanager
    def observing_retries(self, observer: Callable[[RetryNotice], None] | None) -> Iterator[None]:
        self.observer = observer
        yield
        self.observer = None


def two_pages() -> dict[str | None, Page]:
    return {
        None: Page((record("a", "2020-01-01T00:00:00Z"), record("b", "2020-01-02T00:00:00Z")), "t1", 0, 3,
                   "2024-01-01T00:00:00Z"),
        "t1": Page((record("c", "2020-01-01T12:00:00Z"),), None, 2, 3, "2024-01-01T00:00:05Z"),
    }


def test_checkpoints_track_the_list() -> None:
    sink = MemorySink()
    summary = harvest_source(FakeClient(two_pages()), SOURCE, sink)
    assert summary.complete and summary.count(Outcome.CREATED) == 3
    checkpoint = sink.checkpoint
    assert checkpoint is not None
    assert checkpoint.last_datestamp == "2020-01-02T00:00:00Z"
    # c is older than b: the source does not deliver in datestamp order.
    assert not checkpoint.datestamps_ordered
    assert checkpoint.response_date == "2024-01-01T00:00:00Z"
    assert (checkpoint.pages, checkpoint.records, checkpoint.cursor) == (2, 3, 2)


def test_a_sink_that_miscounts_outcomes_is_a_bug_not_a_harvest_error() -> None:
    class ForgetfulSink(MemorySink):
        def commit_page(self, records: Sequence[RawRecord], checkpoint: Checkpoint) -> Sequence[Outcome]:
            return list(super().commit_page(records, checkpoint))[:-1]

    with pytest.raises(RuntimeError, match="outcomes"):
        harvest_source(FakeClient(two_pages()), SOURCE, ForgetfulSink())


def test_the_progress_observer_sees_retries_only_during_the_run() -> None:
    client = FakeClient(two_pages())
    seen: list[Callable[[RetryNotice], None] | None] = []

    class Progress:
        def page_committed(self, progress: object) -> None:
            seen.append(client.observer)

        def retrying(self, notice: RetryNotice) -> None:
            return None

    progress = Progress()
    harvest_source(client, SOURCE, MemorySink(), progress=progress)  # type: ignore[arg-type]
    assert seen == [progress.retrying, progress.retrying]
    assert client.observer is None


def test_memory_sink_outcomes() -> None:
    sink = MemorySink()
    checkpoint = Checkpoint.from_dict({
        "started_at": "2024-01-01T00:00:00+00:00", "full": False, "window_from": None, "list_from": None,
        "resumption_token": None, "cursor": None, "complete_list_size": None, "response_date": None,
        "last_datestamp": None, "datestamps_ordered": True, "pages": 1, "records": 1, "complete": False,
    })
    deleted = RawRecord("a", "2020-01-01", True, (), None, b"<record/>")
    broken = RawRecord("", "", False, (), None, b"<record>x</record>", problem="record has no <header>")
    assert sink.commit_page([record("a", "2020-01-01")], checkpoint) == [Outcome.CREATED]
    assert sink.commit_page([record("a", "2020-01-01")], checkpoint) == [Outcome.UNCHANGED]
    assert sink.commit_page([record("a", "2020-01-01", b"<lom>2</lom>")], checkpoint) == [Outcome.UPDATED]
    assert sink.commit_page([deleted, deleted], checkpoint) == [Outcome.DELETED, Outcome.SKIPPED]
    assert sink.commit_page([record("a", "2020-01-01")], checkpoint) == [Outcome.CREATED]
    assert sink.commit_page([broken], checkpoint) == [Outcome.FAILED]
    assert sink.records[f"sha256:{broken.sha256}"].failure == "record has no <header>"
