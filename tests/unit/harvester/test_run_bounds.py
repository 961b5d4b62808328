"""The bounds of one run (pages, wall clock, token length) with a fake client and a fake clock."""

from __future__ import annotations

import pytest

from harvester.errors import RunLimitError, TokenTooLongError
from harvester.records import Page
from harvester.run import HarvestSource, LoopLimits, harvest_source
from tests.support.memory_sink import MemorySink
from tests.unit.harvester.test_loop import FakeClient, record

SOURCE = HarvestSource(name="fake", url="http://fake.invalid/oai", metadata_prefix="lom")


def endless_pages(count: int, token: str = "t{next}") -> dict[str | None, Page]:
    """`count` pages of one record each, every one naming a next token (the list never ends here)."""
    pages: dict[str | None, Page] = {}
    for number in range(count):
        key = None if number == 0 else token.format(next=number)
        pages[key] = Page((record(f"r{number}", f"2020-01-{number % 28 + 1:02d}T00:00:00Z"),),
                          token.format(next=number + 1), number, None, "2024-01-01T00:00:00Z")
    return pages


class Clock:
    """A monotonic clock that moves `step` seconds every time it is read."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_the_page_cap_stops_the_run_after_a_committed_page_and_the_next_run_continues() -> None:
    sink = MemorySink()
    client = FakeClient(endless_pages(10))

    first = harvest_source(client, SOURCE, sink, limits=LoopLimits(max_pages=3))

    assert not first.complete and first.pages == 3
    [issue] = first.issues
    assert issue.fatal and issue.cause is RunLimitError
    assert issue.message == "fake: stopped after 3 pages (OER_HARVEST_MAX_PAGES); the next run continues from here"
    assert sink.checkpoint is not None and sink.checkpoint.resumption_token == "t3"
    # The page cap is not asked for the page after it.
    assert [token for token, _ in client.requests] == [None, "t1", "t2"]

    second = harvest_source(client, SOURCE, sink, limits=LoopLimits(max_pages=3))

    assert second.resumed and second.pages == 3
    assert [token for token, _ in client.requests][3:] == ["t3", "t4", "t5"]
    assert sink.checkpoint is not None and sink.checkpoint.records == 6


def test_a_list_that_ends_at_the_page_cap_is_complete() -> None:
    pages = endless_pages(3)
    pages["t2"] = Page((record("r2", "2020-01-03T00:00:00Z"),), None, 2, 3, "2024-01-01T00:00:00Z")

    summary = harvest_source(FakeClient(pages), SOURCE, MemorySink(), limits=LoopLimits(max_pages=3))

    assert summary.complete and summary.issues == ()


def test_the_run_stops_once_its_time_is_up_on_the_monotonic_clock() -> None:
    sink = MemorySink()
    # Every reading of the clock advances it 10 s: the run starts at 10 s, the first check reads 20 s.
    summary = harvest_source(FakeClient(endless_pages(50)), SOURCE, sink,
                             limits=LoopLimits(max_run_seconds=45.0), monotonic=Clock(10.0))

    assert not summary.complete
    [issue] = summary.issues
    assert issue.cause is RunLimitError
    assert issue.message == (f"fake: stopped after 45 seconds (OER_HARVEST_MAX_RUN_MINUTES), {summary.pages} pages in; "
                             "the next run continues from here")
    assert sink.checkpoint is not None and sink.checkpoint.resumption_token == f"t{summary.pages}"
    assert 1 <= summary.pages < 50


def test_long_durations_are_told_in_minutes() -> None:
    summary = harvest_source(FakeClient(endless_pages(5)), SOURCE, MemorySink(),
                             limits=LoopLimits(max_run_seconds=360 * 60.0), monotonic=Clock(3600.0 * 24))
    assert "stopped after 360 minutes (OER_HARVEST_MAX_RUN_MINUTES)" in summary.errors[0]


def test_a_token_longer_than_the_limit_ends_the_run_before_its_page_is_committed() -> None:
    pages = endless_pages(3)
    pages["t1"] = Page((record("r1", "2020-01-02T00:00:00Z"),), "x" * 65, 1, None, "2024-01-01T00:00:00Z")
    sink = MemorySink()

    summary = harvest_source(FakeClient(pages), SOURCE, sink, limits=LoopLimits(max_token_chars=64))

    [issue] = summary.issues
    assert issue.cause is TokenTooLongError
    assert issue.message == ("fake: the source sent a resumption token of 65 characters, longer than the 64 "
                             "accepted (OER_HARVEST_MAX_TOKEN_CHARS); stopped before storing that page")
    # Only the first page is stored, and the checkpoint still names the page that was refused.
    assert summary.records == 1
    assert sink.checkpoint is not None and sink.checkpoint.resumption_token == "t1"


def test_a_token_of_exactly_the_limit_passes() -> None:
    token = "t" * 64
    pages = {
        None: Page((record("r0", "2020-01-01T00:00:00Z"),), token, 0, 2, "2024-01-01T00:00:00Z"),
        token: Page((record("r1", "2020-01-02T00:00:00Z"),), None, 1, 2, "2024-01-01T00:00:00Z"),
    }

    summary = harvest_source(FakeClient(pages), SOURCE, MemorySink(), limits=LoopLimits(max_token_chars=64))

    assert summary.complete and summary.records == 2


def test_no_bound_at_all_is_none() -> None:
    summary = harvest_source(FakeClient(endless_pages(3) | {"t3": Page((), None, 3, 3, "2024-01-01T00:00:00Z")}),
                             SOURCE, MemorySink(),
                             limits=LoopLimits(max_pages=None, max_run_seconds=None, max_token_chars=None))
    assert summary.complete and summary.pages == 4


@pytest.mark.parametrize("bound", ["max_pages", "max_run_seconds", "max_token_chars"])
def test_bounds_are_positive(bound: str) -> None:
    with pytest.raises(ValueError, match=bound):
        LoopLimits(**{bound: 0})
