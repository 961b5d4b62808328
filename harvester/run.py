"""The harvest loop: page after page from a source into a sink, a checkpoint after each. Pure; no I/O.

The loop itself does no I/O; it drives a client (network) and a sink
(storage) it is given. What it decides:

- which list to ask for: resume an interrupted run from its checkpoint, or
  start a new one (incremental from the last run's responseDate minus an
  overlap, everything with `full`, or a user's `from_date`);
- after every page, one atomic `sink.commit_page(records, checkpoint)`;
- on `badResumptionToken` (tokens expire; Invenio's live 60 s), restart the
  list at the last committed datestamp when the source delivers datestamps in
  order, else at the window start, since a restart from a datestamp would
  skip older records not yet delivered in an unordered list;
- when to give up: a token already used in this run (a token loop), a page
  identical to an earlier one, too many empty pages that still carry a token,
  a token longer than `LoopLimits.max_token_chars` (that page is not
  committed);
- when to stop for now: after `LoopLimits.max_pages` pages or
  `max_run_seconds` of wall clock, checked after each committed page, so a
  list that never ends cannot hold a worker forever; the checkpoint keeps the
  token and the next run continues the list;
- records older than the window (a source that ignores `from`) are counted
  and processed like any other: the store sees them as unchanged, so nothing
  is lost and nothing breaks; the summary warns so an operator knows the
  source re-sends everything.

A HarvestError ends the run early with `complete=False` in the summary;
the last committed checkpoint lets the next run continue from there.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Protocol

from harvester.backoff import RetryNotice
from harvester.checkpoint import Checkpoint
from harvester.datestamps import datestamp_or_none
from harvester.errors import (
    BadResumptionTokenError,
    EmptyPagesError,
    HarvestError,
    MalformedResponseError,
    OaiRequestError,
    ProtocolError,
    RepeatedPageError,
    RunLimitError,
    TokenLoopError,
    TokenTooLongError,
)
from harvester.outcome import Outcome
from harvester.progress import HarvestProgress, PageProgress, SilentProgress
from harvester.records import Page, RepositoryInfo
from harvester.sink import HarvestSink
from harvester.summary import HarvestSummary, RunIssue
from harvester.window import (
    DEFAULT_OVERLAP,
    incremental_from,
    override_from,
    restart_from,
)
from metadata.oai import Granularity


@dataclass(frozen=True, slots=True)
class HarvestSource:
    """A registered source as the harvester needs it."""

    name: str
    url: str
    metadata_prefix: str
    set_spec: str | None = None


@dataclass(frozen=True, slots=True)
class LoopLimits:
    """When the loop stops trusting a source."""

    # Consecutive pages without records that still carry a token. Some
    # repositories filter sets after paging and legitimately send a few.
    max_empty_pages: int = 20
    # badResumptionToken restarts per invocation.
    max_restarts: int = 3
    # Pages one invocation commits, and the wall-clock seconds it may take; None: no bound. When
    # one is reached the run stops after the page it just committed, and the next run goes on.
    max_pages: int | None = 20_000
    max_run_seconds: float | None = 6 * 60 * 60.0
    # The longest resumption token accepted. Tokens are opaque, but one that keeps growing is
    # a source keeping its state in them, and each request repeats it.
    max_token_chars: int | None = 4096

    def __post_init__(self) -> None:
        for name in ("max_pages", "max_run_seconds", "max_token_chars"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive (or None)")


class PageClient(Protocol):
    """What the loop needs of an OAI-PMH client (`harvester.oai_client.OaiClient` is one)."""

    def identify(self) -> RepositoryInfo: ...

    def list_records(
        self,
        *,
        metadata_prefix: str,
        set_spec: str | None = None,
        from_date: str | None = None,
        until: str | None = None,
    ) -> Page: ...

    def resume_list(self, resumption_token: str) -> Page: ...

    def observing_retries(
        self, observer: Callable[[RetryNotice], None] | None
    ) -> AbstractContextManager[None]: ...


@dataclass(frozen=True, slots=True)
class RunPlan:
    """Where a run starts: the checkpoint to continue from and whether that is a resume."""

    checkpoint: Checkpoint
    resumed: bool


def plan_run(
    stored: Checkpoint | None,
    *,
    full: bool,
    from_date: str | None,
    granularity: Granularity,
    now: datetime,
    overlap: timedelta = DEFAULT_OVERLAP,
) -> RunPlan:
    """Decide the list to ask for.

    An interrupted run is resumed unless the caller asks for a different
    list: `full` resumes only an interrupted full run, `from_date` only an
    interrupted run with the same window. Otherwise a new run starts: full,
    from `from_date`, incrementally after the last complete run, or (first
    harvest ever) from the beginning.
    """
    window_from = override_from(from_date, granularity) if from_date else None
    if stored is not None and not stored.complete and stored.resumption_token:
        if full:
            same_list = stored.full
        elif from_date:
            same_list = not stored.full and stored.window_from == window_from
        else:
            same_list = True
        if same_list:
            return RunPlan(checkpoint=stored, resumed=True)
    if not full and from_date is None and stored is not None and stored.complete and stored.response_date:
        window_from = incremental_from(stored.response_date, granularity, overlap)
    fresh = Checkpoint(
        started_at=now,
        full=full,
        window_from=None if full else window_from,
        list_from=None if full else window_from,
        resumption_token=None,
        cursor=None,
        complete_list_size=None,
        response_date=None,
        last_datestamp=None,
        datestamps_ordered=True,
        pages=0,
        records=0,
        complete=False,
    )
    return RunPlan(checkpoint=fresh, resumed=False)


def harvest_source(
    client: PageClient,
    source: HarvestSource,
    sink: HarvestSink,
    *,
    full: bool = False,
    from_date: str | None = None,
    progress: HarvestProgress | None = None,
    overlap: timedelta = DEFAULT_OVERLAP,
    limits: LoopLimits | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    monotonic: Callable[[], float] = time.monotonic,
) -> HarvestSummary:
    """Harvest one source into `sink`, checkpointing after every page; never raises HarvestError.

    Returns the summary it also passed to `sink.finish`. `complete` is False
    when the run stopped early; `errors` says why.
    """
    run = _Run(client, source, sink, progress or SilentProgress(), limits or LoopLimits(),
               clock(), monotonic)
    try:
        with client.observing_retries(run.progress.retrying):
            run.execute(full=full, from_date=from_date, overlap=overlap)
    except HarvestError as error:
        run.errors.append(RunIssue(str(error), type(error), fatal=True))
    summary = run.summary()
    sink.finish(summary)
    return summary


class _Run:
    """The mutable state of one invocation; `harvest_source` is its only user."""

    def __init__(
        self,
        client: PageClient,
        source: HarvestSource,
        sink: HarvestSink,
        progress: HarvestProgress,
        limits: LoopLimits,
        started_at: datetime,
        monotonic: Callable[[], float],
    ) -> None:
        self.client = client
        self.source = source
        self.sink = sink
        self.progress = progress
        self.limits = limits
        self.started_at = started_at
        self.monotonic = monotonic
        self.start = monotonic()
        self.errors: list[RunIssue] = []
        self.warnings: list[RunIssue] = []
        self.outcomes: Counter[Outcome] = Counter()
        self.pages = 0
        self.records = 0
        self.before_window = 0
        self.removed_characters = 0
        self.restarts = 0
        self.resumed = False
        self.checkpoint: Checkpoint | None = None
        self.full = False
        self.window_from: str | None = None

    def execute(self, *, full: bool, from_date: str | None, overlap: timedelta) -> None:
        self.full = full
        granularity = self._granularity()
        plan = plan_run(self.sink.load_checkpoint(), full=full, from_date=from_date,
                        granularity=granularity, now=self.started_at, overlap=overlap)
        checkpoint = plan.checkpoint
        self.checkpoint, self.resumed = checkpoint, plan.resumed
        self.full, self.window_from = checkpoint.full, checkpoint.window_from
        for page in self._pages(checkpoint, granularity):
            self._commit(page)

    def _granularity(self) -> Granularity:
        try:
            return self.client.identify().granularity
        except (ProtocolError, OaiRequestError) as error:
            # Every OAI-PMH 2.0 repository must accept day granularity (section 3.3.2),
            # so a broken Identify costs precision, not the harvest.
            self.warnings.append(
                RunIssue(f"Identify failed ({error}); using day granularity", type(error), fatal=False)
            )
            return Granularity.DAY

    def _pages(self, checkpoint: Checkpoint, granularity: Granularity) -> Iterator[Page]:
        """Yield pages until the list ends; self.checkpoint is kept current by _commit."""
        token = checkpoint.resumption_token
        seen_tokens: set[str] = set()
        seen_digests: set[str] = set()
        empty_pages = 0
        while True:
            current = self.checkpoint
            assert current is not None
            try:
                if token is None:
                    page = self.client.list_records(
                        metadata_prefix=self.source.metadata_prefix,
                        set_spec=self.source.set_spec,
                        from_date=current.list_from,
                    )
                else:
                    seen_tokens.add(token)
                    page = self.client.resume_list(token)
            except BadResumptionTokenError as error:
                if token is None or self.restarts >= self.limits.max_restarts:
                    raise
                self.restarts += 1
                self.checkpoint = self._restarted(current, granularity, error)
                # A new list: its pages and tokens may legitimately repeat the old one's.
                token = None
                seen_tokens.clear()
                seen_digests.clear()
                empty_pages = 0
                continue
            if page.records:
                digest = page.digest
                if digest in seen_digests:
                    raise RepeatedPageError(
                        f"{self.source.name}: the source sent a page identical to an earlier one; stopped"
                    )
                seen_digests.add(digest)
                empty_pages = 0
            elif page.resumption_token is not None:
                empty_pages += 1
                if empty_pages >= self.limits.max_empty_pages:
                    raise EmptyPagesError(
                        f"{self.source.name}: {empty_pages} pages in a row without records; stopped"
                    )
            self._check_token(page)
            yield page
            if page.resumption_token is None:
                return
            self._check_run_bounds()
            if page.resumption_token in seen_tokens:
                raise TokenLoopError(
                    f"{self.source.name}: the source sent resumption token "
                    f"{page.resumption_token!r} again (a token loop); stopped"
                )
            token = page.resumption_token

    def _check_token(self, page: Page) -> None:
        """Refuse a token longer than the limit before its page is committed.

        The checkpoint then still names the previous page, so nothing is skipped:
        the next run asks for this page again (and a raised limit lets it through).
        """
        limit = self.limits.max_token_chars
        token = page.resumption_token
        if limit is not None and token is not None and len(token) > limit:
            raise TokenTooLongError(
                f"{self.source.name}: the source sent a resumption token of {len(token)} characters, "
                f"longer than the {limit} accepted (OER_HARVEST_MAX_TOKEN_CHARS); stopped before "
                f"storing that page"
            )

    def _check_run_bounds(self) -> None:
        """Stop after a committed page once the run has read or taken as much as one run may.

        Raised between pages only, so the checkpoint just committed holds the
        next token: the next run continues the list from there.
        """
        limits = self.limits
        if limits.max_pages is not None and self.pages >= limits.max_pages:
            raise RunLimitError(
                f"{self.source.name}: stopped after {self.pages} pages (OER_HARVEST_MAX_PAGES); "
                f"the next run continues from here"
            )
        if limits.max_run_seconds is not None and self.monotonic() - self.start >= limits.max_run_seconds:
            raise RunLimitError(
                f"{self.source.name}: stopped after {_duration(limits.max_run_seconds)} "
                f"(OER_HARVEST_MAX_RUN_MINUTES), {self.pages} pages in; the next run continues from here"
            )

    def _restarted(self, current: Checkpoint, granularity: Granularity, error: HarvestError) -> Checkpoint:
        list_from: str | None
        if current.last_datestamp is not None and current.datestamps_ordered:
            list_from = restart_from(current.last_datestamp, granularity)
            where = f"at the last committed datestamp (from={list_from})"
        else:
            list_from = current.window_from
            where = (
                "at the window start, because the source's datestamps are not in order"
                if current.last_datestamp is not None else "at the window start"
            )
        self.warnings.append(RunIssue(f"{error}; restarted the list {where}", type(error), fatal=False))
        return replace(current, list_from=list_from, resumption_token=None, cursor=None,
                       complete_list_size=None)

    def _commit(self, page: Page) -> None:
        current = self.checkpoint
        assert current is not None
        last_datestamp, ordered = current.last_datestamp, current.datestamps_ordered
        last = datestamp_or_none(last_datestamp)
        window_start = datestamp_or_none(current.list_from)
        before_window = 0
        for record in page.records:
            moment = record.datestamp_utc
            if moment is None:
                continue
            if window_start is not None and moment < window_start:
                before_window += 1
            if last is not None and moment < last:
                ordered = False
            if last is None or moment > last:
                last, last_datestamp = moment, record.datestamp
        checkpoint = replace(
            current,
            resumption_token=page.resumption_token,
            cursor=page.cursor,
            complete_list_size=page.complete_list_size,
            response_date=current.response_date or page.response_date or None,
            last_datestamp=last_datestamp,
            datestamps_ordered=ordered,
            pages=current.pages + 1,
            records=current.records + len(page.records),
            complete=page.resumption_token is None,
        )
        outcomes = self.sink.commit_page(page.records, checkpoint)
        if len(outcomes) != len(page.records):
            raise RuntimeError(
                f"the sink returned {len(outcomes)} outcomes for {len(page.records)} records"
            )
        self.checkpoint = checkpoint
        self.outcomes.update(outcomes)
        self.pages += 1
        self.records += len(page.records)
        self.before_window += before_window
        self.removed_characters += page.removed_characters
        self.progress.page_committed(PageProgress(
            source=self.source.name,
            pages=self.pages,
            records=self.records,
            run_records=checkpoint.records,
            cursor=page.cursor,
            complete_list_size=page.complete_list_size,
            outcomes=MappingProxyType(dict(self.outcomes)),
            elapsed_seconds=self.monotonic() - self.start,
        ))

    def summary(self) -> HarvestSummary:
        checkpoint = self.checkpoint
        warnings = list(self.warnings)
        if self.before_window and checkpoint is not None:
            # Selective harvesting by date is part of OAI-PMH (2.0, section 3.3.1).
            warnings.append(RunIssue(
                f"{self.before_window} records were older than the requested window "
                f"(from={checkpoint.window_from}); the source seems to ignore `from`. "
                f"They were processed anyway.",
                ProtocolError, fatal=False,
            ))
        if self.removed_characters:
            warnings.append(RunIssue(
                f"{self.removed_characters} characters that XML 1.0 forbids were removed from the source's pages",
                MalformedResponseError, fatal=False,
            ))
        return HarvestSummary(
            source=self.source.name,
            full=self.full,
            resumed=self.resumed,
            window_from=self.window_from,
            response_date=checkpoint.response_date if checkpoint is not None else None,
            pages=self.pages,
            records=self.records,
            records_before_window=self.before_window,
            restarts=self.restarts,
            issues=(*warnings, *self.errors),
            run_started_at=checkpoint.started_at if checkpoint is not None else self.started_at,
            started_at=self.started_at,
            duration_seconds=self.monotonic() - self.start,
            complete=not self.errors and checkpoint is not None and checkpoint.complete,
            outcomes=MappingProxyType(dict(self.outcomes)),
        )


def _duration(seconds: float) -> str:
    if seconds >= 60:
        return f"{seconds / 60:g} minutes"
    return f"{seconds:g} seconds"
