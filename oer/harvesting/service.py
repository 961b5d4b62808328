"""Harvesting registered sources into the store and the search index. I/O: network, database, search index.

`harvest(settings, names)` is the one entry point for the CLI, the Celery task
and the demo: per source it takes the source's harvest lock, opens a run, and
drives `harvester.run.harvest_source` with an `OaiClient` and a
`DatabaseHarvestSink`. The sink keeps the harvester's contract
(`harvester.sink.HarvestSink`): every page is ONE transaction that archives
and applies the page's records (`resources.apply_harvested_page`), marks what
changed for the search index, counts the page into the run and saves the
checkpoint; the last page of a complete full run also withdraws what the
source no longer has. A killed harvest therefore resumes at the page after the
last commit, losing and duplicating nothing. Search indexing follows the
commits in batches and never blocks them, through the drain the runtime
registered (`index_catch_up`).

Speed: the next page is fetched on a thread while the current one is stored
(`SourceClient`); a long list (thousands of records) is also normalised in a
helper process (`Normaliser`) and, on SQLite, indexed in another (the
catch-up's background drain), so a harvest uses two cores. Helpers end
with the harvest, or by themselves when it is killed. A record is parsed once
per process that reads it: normalised from the tree the client parsed, or, in
the helper, from the page's body parsed once there; what comes back is its
stored form (`StoredRecord`), whose JSON is encoded once for its hash and its rows.

Only one harvest of a source runs at a time: a lock that the operating system
or the database releases when its holder dies (an advisory lock on
PostgreSQL, a file lock beside a SQLite database), so a killed harvest never
blocks the next one, while a second concurrent one is refused with a message.
"""

from __future__ import annotations

import enum
import fcntl
import functools
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Engine, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from harvester.backoff import RetryNotice, RetryPolicy
from harvester.checkpoint import Checkpoint
from harvester.datestamps import datestamp_or_none, parse_datestamp
from harvester.errors import HarvestError, InvalidWindowError
from harvester.oai_client import ClientSettings, OaiClient, metadata_payload, record_elements
from harvester.outcome import Outcome
from harvester.progress import HarvestProgress
from harvester.records import Page, RawRecord, RepositoryInfo
from harvester.run import HarvestSource, LoopLimits, harvest_source
from harvester.summary import HarvestSummary, RunIssue
from metadata.errors import MetadataError, XMLInputError
from metadata.formats import OAI_DC
from metadata.limits import check_record_size
from metadata.lom_bindings import LOM_NAMESPACES
from metadata.normalize import normalize_metadata, parse_record_xml
from metadata.oai import Granularity
from metadata.xml_input import local_name, namespace_of, parse_xml
from oer.errors import OerError
from oer.harvesting.addresses import judge_address
from oer.harvesting.checkpoints import load_checkpoint, save_checkpoint
from oer.harvesting.errors import ServiceError
from oer.harvesting.failures import classify
from oer.harvesting.index_catch_up import BackgroundDrain, IndexDrain, index_catch_up
from oer.harvesting.models import (
    ErrorKind,
    ErrorSeverity,
    ErrorStage,
    HarvestRun,
    Provenance,
    RunStatus,
    Source,
)
from oer.harvesting.provenance import (
    HarvestedRecord,
    PageResult,
    StoredRecord,
    apply_harvested_page,
    stored_record,
    withdraw_provenances,
)
from oer.harvesting.runs import (
    RunErrorEntry,
    add_run_errors,
    finish_run,
    record_page,
    start_run,
)
from oer.harvesting.sources import get_source, list_sources
from oer.search.outbox import IndexingReport
from oer.settings import Settings
from oer.store.database import engine_of, store_sessions
from oer.store.types import utcnow

# Keys of the PostgreSQL advisory lock of a source's harvest: (this class, source id).
_ADVISORY_LOCK_CLASS = 0x0E12


# -- errors -------------------------------------------------------------------------------------


class HarvestInProgressError(ServiceError):
    """Another process is harvesting (or re-normalising) the same source right now."""


class SourceRemovedError(OerError, HarvestError):
    """The source (or its run) disappeared while it was being harvested."""

    # Read by `oer.harvesting.failures.classify`, the run's error rows say so.
    stage = ErrorStage.STORE
    kind = ErrorKind.OTHER


class HarvestStoreError(OerError, HarvestError):
    """The database failed in the middle of a harvest (the page being stored was rolled back).

    A HarvestError too, so the harvest loop ends the run with it like any other
    reason to stop, and the run is recorded as failed if the database lets us.
    """

    stage = ErrorStage.STORE
    kind = ErrorKind.DATABASE


# -- one harvest at a time per source -------------------------------------------------------------

_local_locks: dict[tuple[str, int], threading.Lock] = {}
_local_locks_guard = threading.Lock()


@contextmanager
def source_lock(engine: Engine, source: Source, *, purpose: str = "harvested") -> Iterator[None]:
    """Hold the source's harvest lock for the `with` block; HarvestInProgressError if it is taken.

    The lock dies with its holder: a PostgreSQL session-level advisory lock
    (released when the connection closes, also when the process is killed),
    or `flock` on a file beside the SQLite database (released by the kernel
    with the process's files). An in-memory SQLite database has one process
    by definition: a lock per database URL and source in this process.
    """
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, source, purpose):
            yield
        return
    database = engine.url.database
    if database and database != ":memory:":
        with _file_lock(Path(f"{database}.harvest-{source.id}.lock"), source, purpose):
            yield
        return
    key = (engine.url.render_as_string(), source.id)
    with _local_locks_guard:
        lock = _local_locks.setdefault(key, threading.Lock())
    if not lock.acquire(blocking=False):
        raise _busy(source, purpose)
    try:
        yield
    finally:
        lock.release()


@contextmanager
def _advisory_lock(engine: Engine, source: Source, purpose: str) -> Iterator[None]:
    connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        keys = {"lock_class": _ADVISORY_LOCK_CLASS, "source_id": source.id}
        taken = connection.scalar(text("SELECT pg_try_advisory_lock(:lock_class, :source_id)"), keys)
        if not taken:
            raise _busy(source, purpose)
        try:
            yield
        finally:
            connection.scalar(text("SELECT pg_advisory_unlock(:lock_class, :source_id)"), keys)
    finally:
        connection.close()


@contextmanager
def _file_lock(path: Path, source: Source, purpose: str) -> Iterator[None]:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _busy(source, purpose) from None
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def _busy(source: Source, purpose: str) -> HarvestInProgressError:
    return HarvestInProgressError(
        f"source {source.name!r} is being harvested by another process right now; "
        f"it was not {purpose}: try again when that harvest has finished"
    )


# -- one record ---------------------------------------------------------------------------------


def format_problem(root: Any, metadata_prefix: str) -> str | None:
    """Why a metadata payload is not in the format `metadata_prefix` asked for (None: it is).

    `oai_dc` must be Dublin Core; any prefix naming LOM (`lom`, `nl_lom`,
    `LOMv1.0`, ...) must be a LOM record in either binding (or in no
    namespace, which some repositories send). Other prefixes take whatever
    the normaliser can read.
    """
    tag = root.tag if isinstance(root.tag, str) else ""
    name, namespace = local_name(tag), namespace_of(tag)
    prefix = metadata_prefix.lower()
    if prefix == OAI_DC.prefix:
        if name == "dc" and namespace == OAI_DC.namespace:
            return None
        wanted = "oai_dc (Dublin Core)"
    elif "lom" in prefix:
        if name == "lom" and (namespace in LOM_NAMESPACES or not namespace):
            return None
        wanted = f"{metadata_prefix} (LOM)"
    else:
        return None
    return (
        f"metadata is <{name}> in {'namespace ' + namespace if namespace else 'no namespace'}, "
        f"not the requested format {wanted}"
    )


class RecordHead(NamedTuple):
    """What normalising a record needs of it besides its payload: all a normaliser process is sent."""

    oai_identifier: str
    datestamp: str
    deleted: bool
    problem: str | None
    # The size of `RawRecord.metadata_xml` in bytes; None when the record has no metadata.
    metadata_size: int | None

    @classmethod
    def of(cls, raw: RawRecord) -> RecordHead:
        size = len(raw.metadata_xml) if raw.metadata_xml is not None else None
        return cls(raw.oai_identifier, raw.datestamp, raw.deleted, raw.problem, size)


# A record normalised for the store (None for a deletion or a failure), and why it failed (None: it did not).
Normalised = tuple[StoredRecord | None, str | None]


def normalised(head: RecordHead, metadata_prefix: str, payload: Callable[[], Any]) -> Normalised:
    """Normalise one record whose parsed payload `payload` gives; whatever is wrong with it is the failure.

    The size limit applies as if the payload were parsed from `metadata_xml`:
    a record over `RECORD_XML_MAX` fails unread, whoever parsed it already.
    """
    if head.problem is not None:
        return None, head.problem
    if head.deleted:
        return None, None
    if head.metadata_size is None:
        return None, "record has no metadata"
    try:
        check_record_size(head.metadata_size)
        root = payload()
        problem = format_problem(root, metadata_prefix)
        if problem is not None:
            return None, problem
        record = normalize_metadata(root, oai_identifier=head.oai_identifier, datestamp=head.datestamp)
        return stored_record(record), None
    except MetadataError as error:
        return None, _one_line(error)
    except Exception as error:  # noqa: BLE001 - a mapping bug must cost one record, not the harvest
        return None, f"cannot normalise the metadata: {type(error).__name__}: {_one_line(error)}"


def harvested_record(raw: RawRecord, metadata_prefix: str) -> HarvestedRecord:
    """Normalise one harvested record for the store; whatever is wrong with it becomes its `failure`.

    The payload the client parsed (`RawRecord.payload`) is read as it is;
    without one, `metadata_xml` is parsed.
    """

    def payload() -> Any:
        if raw.payload is not None:
            return raw.payload
        assert raw.metadata_xml is not None
        return parse_record_xml(raw.metadata_xml).root

    return _harvested(raw, normalised(RecordHead.of(raw), metadata_prefix, payload))


def _harvested(raw: RawRecord, outcome: Normalised) -> HarvestedRecord:
    stored, failure = outcome
    if failure is not None:
        return HarvestedRecord(raw.oai_identifier, raw.datestamp, raw_xml=raw.raw_xml, failure=failure,
                               raw_sha256=raw.sha256)
    if stored is None:
        return HarvestedRecord(raw.oai_identifier, raw.datestamp, deleted=True, raw_xml=raw.raw_xml,
                               raw_sha256=raw.sha256)
    return HarvestedRecord(raw.oai_identifier, raw.datestamp, raw_xml=raw.raw_xml,
                           origin_identifiers=raw.origin_identifiers, stored=stored, raw_sha256=raw.sha256)


def record_failure_stage(raw: RawRecord, item: HarvestedRecord) -> ErrorStage:
    """PARSE when the record itself was unreadable (the harvester's `problem`, no metadata, an
    unusable header, which `apply_harvested_page` fails without a reason); else NORMALIZE."""
    if raw.problem is not None or raw.metadata_xml is None or item.failure is None:
        return ErrorStage.PARSE
    return ErrorStage.NORMALIZE


def _issue_entry(issue: RunIssue) -> RunErrorEntry:
    stage, kind = classify(issue.cause)
    severity = ErrorSeverity.FATAL if issue.fatal else ErrorSeverity.WARNING
    return RunErrorEntry(severity, stage, kind, issue.message)


def harvested_page(records: Sequence[RawRecord], metadata_prefix: str) -> list[HarvestedRecord]:
    """`harvested_record` for every record of a page."""
    return [harvested_record(raw, metadata_prefix) for raw in records]


def normalised_page(body: bytes, heads: Sequence[RecordHead], metadata_prefix: str) -> list[Normalised] | None:
    """What a normaliser process runs: the page's records read from its body (`Page.body`) and normalised.

    The body is parsed once, as the client parsed it, and each record
    normalised from its payload in that tree: nothing is serialised per record
    on the way here, nor parsed twice. None if the body does not hold the
    records `heads` describes (the page is then normalised where it is stored).
    """
    try:
        elements = record_elements(parse_xml(body).root)
    except XMLInputError:
        return None
    if len(elements) != len(heads):
        return None
    payloads = [metadata_payload(element) if head.metadata_size is not None else None
                for head, element in zip(heads, elements, strict=True)]
    if any(payload is None for head, payload in zip(heads, payloads, strict=True) if head.metadata_size is not None):
        return None
    return [normalised(head, metadata_prefix, functools.partial(_given, payload))
            for head, payload in zip(heads, payloads, strict=True)]


def _given(payload: Any) -> Any:
    """A payload parsed already, handed to `normalised` the way it asks for one."""
    return payload


class Normaliser:
    """Normalises pages in a child process while the previous page is stored.

    Normalising is pure CPU work: in a process of its own it runs on another
    core, beside the database work of the page before. The fetching thread
    hands each page over as soon as it arrives (`submit`): the response body
    and a few header values per record, no XML per record; the child parses
    the body once and sends back each record's stored form (`StoredRecord`:
    its JSON encoded once, its hash and keys), not the Record. `commit_page`
    takes the result (`take`), or normalises here if the page was not handed
    over. The child ends with the pool, or by itself when its parent dies.
    """

    def __init__(self, metadata_prefix: str) -> None:
        self._prefix = metadata_prefix
        # spawn, not fork: the parent has threads (the page fetched ahead, connection pools).
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=exit_with_parent, initargs=(os.getpid(),))
        self._pending: dict[int, tuple[Sequence[RawRecord], Future[list[Normalised] | None]]] = {}
        self._lock = threading.Lock()

    @classmethod
    def start(cls, metadata_prefix: str) -> Normaliser | None:
        """A normaliser, or None where this process may not have children (a daemonic one)."""
        if multiprocessing.current_process().daemon:
            return None
        return cls(metadata_prefix)

    def submit(self, page: Page) -> None:
        """Hand the page over, unless it has no records or no body to read them from again."""
        records = page.records
        if not records or page.body is None:
            return
        heads = [RecordHead.of(raw) for raw in records]
        try:
            future = self._pool.submit(normalised_page, page.body, heads, self._prefix)
        except RuntimeError:
            return  # shut down meanwhile: the page is normalised where it is stored
        with self._lock:
            self._pending[id(records)] = (records, future)

    def take(self, records: Sequence[RawRecord]) -> list[HarvestedRecord] | None:
        with self._lock:
            pending = self._pending.pop(id(records), None)
        if pending is None or pending[0] is not records:
            return None
        try:
            outcomes = pending[1].result()
        except Exception:  # noqa: BLE001 - a broken or cancelled helper: normalise here instead
            return None
        if outcomes is None or len(outcomes) != len(records):
            return None
        return [_harvested(raw, outcome) for raw, outcome in zip(records, outcomes, strict=True)]

    def forget(self) -> None:
        """Drop pages handed over but not stored (the list is being started again)."""
        with self._lock:
            stale, self._pending = list(self._pending.values()), {}
        for _, future in stale:
            future.cancel()

    def close(self, *, wait: bool = True) -> None:
        """End the child: pages not taken are dropped; with `wait`, once it has exited (and is counted)."""
        self._pool.shutdown(wait=wait, cancel_futures=True)


def exit_with_parent(parent: int, interval: float = 0.5) -> None:
    """In a helper process: end it once `parent` is gone (killed, even by SIGKILL).

    A pool worker waits on a queue whose pipe it holds both ends of, so it
    would never notice; a daemon thread watches the parent instead.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def mark_failed_seen(session: Session, source: Source, items: Sequence[HarvestedRecord],
                     outcomes: Sequence[Outcome]) -> None:
    """A record the source still serves but we cannot read keeps its provenance alive.

    `apply_harvested_page` leaves a failed record's provenance untouched; a
    complete full run would then withdraw it as if the source no longer had
    it. Marking it seen keeps the last good version until a readable one comes.
    """
    identifiers = {
        item.oai_identifier for item, outcome in zip(items, outcomes, strict=True)
        if outcome is Outcome.FAILED and item.oai_identifier
    }
    if identifiers:
        session.execute(
            update(Provenance)
            .where(Provenance.source_id == source.id, Provenance.oai_identifier.in_(identifiers))
            .values(harvested_at=utcnow())
            .execution_options(synchronize_session=False)
        )


# -- the sink -----------------------------------------------------------------------------------


class DatabaseHarvestSink:
    """`harvester.sink.HarvestSink` over the store: one transaction per page, then search indexing.

    Made for one run of one source (`run_id`, opened by the caller). What the
    pages changed goes to the search index through `indexer` in batches (an
    index commit costs about as much as indexing a few hundred documents);
    until then the resources stay marked `index_pending`, so a crash loses
    nothing. `finish` sends whatever is still marked. Search outages are
    remembered and recorded as a warning of the run.
    """

    # Send changed resources to the index after this many, or this many seconds after the last send.
    index_batch = 2000
    index_interval_seconds = 10.0
    # A run with at least this many records ahead uses a second core: pages are normalised
    # in a child process (`Normaliser`) and, on SQLite, indexed in another one
    # (the background drain). Not on PostgreSQL: there, clearing the marks beside the page
    # transactions could deadlock on row locks, and scaled deployments run parallel workers.
    helper_threshold = 5000

    def __init__(
        self,
        sessions: sessionmaker[Session],
        source: Source,
        run_id: int,
        indexer: IndexDrain,
        settings: Settings,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.source_id = source.id
        self.source_name = source.name
        self.metadata_prefix = source.metadata_prefix
        self.run_id = run_id
        self.indexer = indexer
        # What Identify said, stored on the source with the next transaction.
        self.repository: RepositoryInfo | None = None
        self._stored_granularity = source.granularity
        self.removed = 0
        self.index = IndexingReport()
        self.index_outages: list[str] = []
        self.finished = False
        self._first_page = True
        self._unindexed: set[str] = set()
        self._indexed_at = time.monotonic()
        self.background: BackgroundDrain | None = None
        self.normaliser: Normaliser | None = None
        self._helpers_tried = False
        self._drained_at_stop = False

    # -- HarvestSink ---------------------------------------------------------------------------

    def load_checkpoint(self) -> Checkpoint | None:
        with self.sessions() as session:
            stored = load_checkpoint(session, self._source(session))
        if stored is None or stored.state is None:
            return None
        try:
            return Checkpoint.from_dict(stored.state)
        except (ValueError, TypeError, KeyError):
            # Written by an older version: harvesting from the beginning is safe
            # (everything known comes back as unchanged), only slower.
            return None

    def commit_page(self, records: Sequence[RawRecord], checkpoint: Checkpoint) -> Sequence[Outcome]:
        items = self.normaliser.take(records) if self.normaliser is not None else None
        if items is None:
            items = harvested_page(records, self.metadata_prefix)
        try:
            with self.sessions.begin() as session:
                self._begin_writing(session)
                source = self._source(session)
                result = apply_harvested_page(session, source, items)
                mark_failed_seen(session, source, items, result.outcomes)
                touched = set(result.changed_ids) | set(result.deleted_ids)
                counted, withdrawn = result, 0
                if checkpoint.complete and checkpoint.full:
                    removed = withdraw_provenances(session, source, harvested_before=checkpoint.started_at)
                    touched |= removed.changed_ids | removed.deleted_ids
                    withdrawn = len(removed.outcomes)
                    counted = result.merged_with(removed)
                run = self._run(session)
                if self._first_page:
                    run.full = checkpoint.full
                    run.window_from = datestamp_or_none(checkpoint.window_from)
                record_page(session, run, counted, response_date=datestamp_or_none(checkpoint.response_date))
                self._record_failures(session, run, records, items, result)
                save_checkpoint(
                    session, source, run=run,
                    resumption_token=checkpoint.resumption_token,
                    cursor=checkpoint.cursor,
                    complete_list_size=checkpoint.complete_list_size,
                    window_from=datestamp_or_none(checkpoint.window_from),
                    last_datestamp=datestamp_or_none(checkpoint.last_datestamp),
                    pages=checkpoint.pages,
                    state=checkpoint.to_dict(),
                )
                self._store_granularity(session, source)
        except SQLAlchemyError as error:
            raise HarvestStoreError(
                f"{self.source_name}: the database failed while storing a page "
                f"(nothing of that page was kept): {_one_line(error)}"
            ) from error
        self._first_page = False
        self.removed += withdrawn
        if not self._helpers_tried and self._long_list(checkpoint):
            self._helpers_tried = True
            self.normaliser = Normaliser.start(self.metadata_prefix)
            if engine_of(self.sessions).dialect.name == "sqlite":
                self.background = index_catch_up().background(self.settings)
        if self.background is not None:
            self.background.wake()
        else:
            self._index_changed(touched)
        return list(result.outcomes)

    def finish(self, summary: HarvestSummary) -> None:
        self.close()
        # Whatever is still waiting (this run's, or an earlier run's outage) gets another chance.
        if not self._drained_at_stop:
            final = self.indexer.drain(self.sessions, retry=True)
            self.index = self.index.plus(final)
            if final.error is not None:
                self.index_outages.append(final.error)
        with self.sessions.begin() as session:
            self._begin_writing(session)
            run = session.get(HarvestRun, self.run_id)
            if run is None:
                # The source was removed while it was harvested; its runs went with it.
                return
            # Recorded here and nowhere else: the loop's issues reach the store only through
            # the summary, so each is one row, the reason the run stopped last.
            loop = [_issue_entry(issue) for issue in summary.issues]
            add_run_errors(session, run, [
                *(entry for entry in loop if entry.severity is not ErrorSeverity.FATAL),
                *self._own_warnings(),
                *(entry for entry in loop if entry.severity is ErrorSeverity.FATAL),
            ])
            status = RunStatus.SUCCEEDED if summary.complete else RunStatus.FAILED
            finish_run(session, run, status)
            source = session.get(Source, self.source_id)
            if source is not None:
                self._store_granularity(session, source)
        self.finished = True

    # -- reporting -----------------------------------------------------------------------------

    def warnings(self, summary: HarvestSummary) -> list[str]:
        """The summary's warnings plus the sink's own (withdrawn records, search outages)."""
        return [*summary.warnings, *(entry.message for entry in self._own_warnings())]

    def _own_warnings(self) -> list[RunErrorEntry]:
        warnings = []
        if self.removed:
            warnings.append(RunErrorEntry(
                ErrorSeverity.WARNING, ErrorStage.STORE, ErrorKind.OTHER,
                f"{self.removed} records the source no longer has were withdrawn (full harvest)",
            ))
        if self.index_outages:
            if self.index.pending:
                message = (
                    f"search index unavailable ({self.index_outages[-1]}); {self.index.pending} "
                    "resources are stored and wait for indexing: the next harvest or "
                    "`oer reindex` sends them"
                )
            else:
                message = (
                    f"search index was unavailable during the harvest ({self.index_outages[0]}); "
                    "it caught up at the end"
                )
            warnings.append(RunErrorEntry(ErrorSeverity.WARNING, ErrorStage.INDEX, ErrorKind.SEARCH, message))
        return warnings

    # -- internals -----------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the helper processes, if any run, taking over what the indexer did."""
        normaliser, self.normaliser = self.normaliser, None
        if normaliser is not None:
            normaliser.close()
        background, self.background = self.background, None
        if background is None:
            return
        stopped = background.stop()
        if stopped is None:
            self.index_outages.append("the indexing process failed")
            return
        report, outages = stopped
        self.index = self.index.plus(report)
        self.index_outages.extend(o for o in outages if o not in self.index_outages)
        # It drained once more when stopped, retrying after an outage: nothing left to try now.
        self._drained_at_stop = True

    def abandon(self) -> None:
        """Stop the helper processes at once (the run is being interrupted)."""
        normaliser, self.normaliser = self.normaliser, None
        if normaliser is not None:
            normaliser.close(wait=False)
        background, self.background = self.background, None
        if background is not None:
            background.terminate()

    def _long_list(self, checkpoint: Checkpoint) -> bool:
        """At least `helper_threshold` records ahead (by the list size, else by what came so far)."""
        if checkpoint.complete or checkpoint.resumption_token is None:
            return False
        size = checkpoint.complete_list_size
        ahead = size - checkpoint.records if size is not None else checkpoint.records
        return ahead >= self.helper_threshold

    def _begin_writing(self, session: Session) -> None:
        # Take the write lock first (touching the run, a heartbeat): on SQLite, a transaction
        # that reads before it writes fails at once if another process wrote in between.
        session.execute(
            update(HarvestRun).where(HarvestRun.id == self.run_id).values(updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )

    def _source(self, session: Session) -> Source:
        source = session.get(Source, self.source_id)
        if source is None:
            raise SourceRemovedError(f"source {self.source_name!r} was removed during its harvest")
        return source

    def _run(self, session: Session) -> HarvestRun:
        run = session.get(HarvestRun, self.run_id)
        if run is None:
            raise SourceRemovedError(f"the run of source {self.source_name!r} was removed during the harvest")
        return run

    def _record_failures(self, session: Session, run: HarvestRun, records: Sequence[RawRecord],
                         items: Sequence[HarvestedRecord], result: PageResult) -> None:
        """One row per record of the page that FAILED, so the rows match the run's `failed` count."""
        add_run_errors(session, run, (
            RunErrorEntry(
                ErrorSeverity.ERROR, record_failure_stage(raw, item), ErrorKind.RECORD,
                item.failure or result.refusals.get(item.oai_identifier)
                or "unusable OAI header (identifier or datestamp)",
                oai_identifier=item.oai_identifier or None,
            )
            for raw, item, outcome in zip(records, items, result.outcomes, strict=True)
            if outcome is Outcome.FAILED
        ))

    def _store_granularity(self, session: Session, source: Source) -> None:
        if self.repository is None:
            return
        granularity = Granularity(self.repository.granularity.value)
        if granularity is not self._stored_granularity:
            source.granularity = granularity
            self._stored_granularity = granularity

    def _index_changed(self, ids: Collection[str]) -> None:
        self._unindexed.update(ids)
        due = time.monotonic() - self._indexed_at >= self.index_interval_seconds
        if self._unindexed and (len(self._unindexed) >= self.index_batch or due):
            batch, self._unindexed = self._unindexed, set()
            self._indexed_at = time.monotonic()
            self._drain(batch)

    def _drain(self, ids: Collection[str]) -> None:
        report = self.indexer.drain(self.sessions, ids)
        self.index = self.index.plus(report)
        if report.error is not None and (not self.index_outages or self.index_outages[-1] != report.error):
            self.index_outages.append(report.error)


class SourceClient:
    """The `OaiClient` as the harvest loop uses it, with the next page fetched ahead.

    Fetching a page is mostly waiting for the source, so the page after the
    one being stored is requested on a background thread right away and the
    wait overlaps with the database work. The loop still sees one request at
    a time and in order: a page fetched ahead (or the error that fetching it
    met) is handed over only when the loop asks for that very token, and the
    client, which is not thread-safe, never serves two requests at once.
    Identify's answer is handed to the sink, which stores the granularity.
    """

    def __init__(self, client: OaiClient, sink: DatabaseHarvestSink | None = None) -> None:
        self._client = client
        self._sink = sink
        self._ahead: tuple[str, Future[Page]] | None = None
        self._requests: queue.SimpleQueue[tuple[str, Future[Page]] | None] = queue.SimpleQueue()
        self._fetcher: threading.Thread | None = None

    def identify(self) -> RepositoryInfo:
        self._settle()
        info = self._client.identify()
        if self._sink is not None:
            self._sink.repository = info
        return info

    def list_records(self, *, metadata_prefix: str, set_spec: str | None = None,
                     from_date: str | None = None, until: str | None = None) -> Page:
        self._settle()
        if self._sink is not None and self._sink.normaliser is not None:
            self._sink.normaliser.forget()
        return self._fetch_next(self._client.list_records(
            metadata_prefix=metadata_prefix, set_spec=set_spec, from_date=from_date, until=until))

    def resume_list(self, resumption_token: str) -> Page:
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == resumption_token:
            page = ahead[1].result()
        else:
            if ahead is not None:
                wait([ahead[1]])
            page = self._client.resume_list(resumption_token)
        return self._fetch_next(page)

    def observing_retries(self, observer: Callable[[RetryNotice], None] | None) -> AbstractContextManager[None]:
        return self._client.observing_retries(observer)

    def close(self) -> None:
        """Forget a page fetched ahead and let the fetching thread end after its request."""
        self._ahead = None
        self._requests.put(None)

    def _fetch_next(self, page: Page) -> Page:
        token = page.resumption_token
        if token is not None:
            future: Future[Page] = Future()
            if self._fetcher is None:
                # A daemon thread: a Ctrl-C or a failed run never waits for a request in flight.
                self._fetcher = threading.Thread(target=self._fetch_ahead, name="oai-fetch-ahead", daemon=True)
                self._fetcher.start()
            self._requests.put((token, future))
            self._ahead = (token, future)
        return page

    def _fetch_ahead(self) -> None:
        while (request := self._requests.get()) is not None:
            token, future = request
            if not future.set_running_or_notify_cancel():
                continue
            try:
                page = self._client.resume_list(token)
                normaliser = self._sink.normaliser if self._sink is not None else None
                if normaliser is not None:
                    normaliser.submit(page)
                future.set_result(page)
            except BaseException as error:  # noqa: BLE001 - handed to the loop with the page it belongs to
                future.set_exception(error)

    def _settle(self) -> None:
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            wait([ahead[1]])


# -- the service ---------------------------------------------------------------------------------


class HarvestStatus(enum.Enum):
    """How one source's harvest ended."""

    # Harvested to the end of the list (records that failed on their own are only counted).
    SUCCEEDED = "succeeded"
    # Stopped before the end: the next harvest resumes from the last stored page.
    FAILED = "failed"
    # Not started: another harvest of the source was running.
    REFUSED = "refused"


COUNTED_OUTCOMES = (Outcome.CREATED, Outcome.MERGED, Outcome.UPDATED, Outcome.UNCHANGED, Outcome.DELETED,
                    Outcome.SKIPPED, Outcome.FAILED)


@dataclass(frozen=True, slots=True)
class HarvestReport:
    """What harvesting one source did, for the CLI, the task result and tests."""

    source: str
    status: HarvestStatus
    run_id: int | None = None
    pages: int = 0
    records: int = 0
    # Per outcome, as counted into the run (`deleted` includes `removed`).
    counts: Mapping[Outcome, int] = field(default_factory=dict)
    # Withdrawn at the end of a complete full run: the source no longer has them.
    removed: int = 0
    resumed: bool = False
    full: bool = False
    window_from: str | None = None
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    # The search index after the run: what was sent, and what still waits (an outage).
    index: IndexingReport = field(default_factory=IndexingReport)
    duration_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status is HarvestStatus.SUCCEEDED

    def count(self, outcome: Outcome) -> int:
        return self.counts.get(outcome, 0)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe form (the Celery task's result)."""
        return {
            "source": self.source,
            "status": self.status.value,
            "run_id": self.run_id,
            "pages": self.pages,
            "records": self.records,
            "counts": {outcome.value: self.count(outcome) for outcome in COUNTED_OUTCOMES},
            "removed": self.removed,
            "resumed": self.resumed,
            "full": self.full,
            "window_from": self.window_from,
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "index": {"indexed": self.index.indexed, "deleted": self.index.deleted,
                      "pending": self.index.pending, "error": self.index.error},
            "duration_seconds": self.duration_seconds,
        }


ReportCallback = Callable[[HarvestReport], None]


def default_client_settings(settings: Settings) -> ClientSettings:
    """How the harvester talks to sources: its User-Agent names the deployment's contact URL,
    the bounds on one response come from the settings, and every connection (redirects
    included) is judged by the same address policy as a source URL registered on the site."""
    return ClientSettings(
        contact_url=settings.harvester_contact_url,
        response_deadline=float(settings.harvest_response_seconds),
        max_response_bytes=settings.harvest_max_response_mb * 1024 * 1024,
        retry=RetryPolicy(max_retry_after=float(settings.harvest_max_retry_after)),
        address_policy=functools.partial(judge_address, allow_private=settings.allow_private_sources),
    )


def loop_limits(settings: Settings) -> LoopLimits:
    """How much one run of one source may read and take; the next run continues where it stopped."""
    return LoopLimits(
        max_pages=settings.harvest_max_pages,
        max_run_seconds=settings.harvest_max_run_minutes * 60.0,
        max_token_chars=settings.harvest_max_token_chars,
    )


def harvest(
    settings: Settings,
    names: Sequence[str] | None = None,
    *,
    full: bool = False,
    from_date: str | None = None,
    progress: HarvestProgress | None = None,
    on_start: Callable[[str], None] | None = None,
    on_report: ReportCallback | None = None,
    client_settings: ClientSettings | None = None,
) -> list[HarvestReport]:
    """Harvest the named sources (None: every enabled source), one after the other.

    Incremental by default: a source continues an interrupted run, or asks for
    what changed since its last complete run (minus an overlap). `full`
    re-harvests everything and withdraws what the source no longer has;
    `from_date` (YYYY-MM-DD or a UTC timestamp) sets the window's start.
    Unknown names fail before anything is harvested. `on_start` and
    `on_report` are told when each source starts and ends; `progress` sees
    every committed page and every retry.
    """
    if from_date is not None:
        try:
            parse_datestamp(from_date)
        except ValueError:
            raise InvalidWindowError(
                f"--from {from_date!r} is not a date (use YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)"
            ) from None
    reports: list[HarvestReport] = []
    with store_sessions(settings) as sessions:
        with sessions() as session:
            sources = (
                list_sources(session, enabled_only=True) if names is None
                else [get_source(session, name) for name in dict.fromkeys(names)]
            )
        for source in sources:
            if on_start is not None:
                on_start(source.name)
            report = _harvest_one(settings, sessions, source, full=full, from_date=from_date,
                                  progress=progress, client_settings=client_settings)
            reports.append(report)
            if on_report is not None:
                on_report(report)
    return reports


def harvest_source_by_id(
    settings: Settings,
    source_id: int,
    *,
    progress: HarvestProgress | None = None,
    client_settings: ClientSettings | None = None,
) -> HarvestReport | None:
    """One incremental harvest of the source with this id (the task's work); None if it is gone."""
    with store_sessions(settings) as sessions:
        with sessions() as session:
            source = session.get(Source, source_id)
        if source is None:
            return None
        return _harvest_one(settings, sessions, source, full=False, from_date=None,
                            progress=progress, client_settings=client_settings)


def _harvest_one(
    settings: Settings,
    sessions: sessionmaker[Session],
    source: Source,
    *,
    full: bool,
    from_date: str | None,
    progress: HarvestProgress | None,
    client_settings: ClientSettings | None,
) -> HarvestReport:
    engine = engine_of(sessions)
    started = time.monotonic()
    try:
        with source_lock(engine, source):
            return _run_locked(settings, sessions, source, full=full, from_date=from_date,
                               progress=progress, client_settings=client_settings, started=started)
    except HarvestInProgressError as error:
        return HarvestReport(source=source.name, status=HarvestStatus.REFUSED, errors=(str(error),),
                             duration_seconds=time.monotonic() - started)
    except SQLAlchemyError as error:
        raise HarvestStoreError(
            f"{source.name}: the database failed during the harvest: {_one_line(error)}"
        ) from error


def _run_locked(
    settings: Settings,
    sessions: sessionmaker[Session],
    source: Source,
    *,
    full: bool,
    from_date: str | None,
    progress: HarvestProgress | None,
    client_settings: ClientSettings | None,
    started: float,
) -> HarvestReport:
    with sessions.begin() as session:
        # Any run still RUNNING is dead (we hold the lock): start_run marks it INTERRUPTED.
        run = start_run(session, source, full=full)
        run_id = run.id
    indexer = index_catch_up().drain(settings)
    sink = DatabaseHarvestSink(sessions, source, run_id, indexer, settings)
    harvest_target = HarvestSource(source.name, source.base_url, source.metadata_prefix, source.set_spec)
    try:
        with OaiClient(source.base_url, client_settings or default_client_settings(settings)) as client:
            source_client = SourceClient(client, sink)
            try:
                summary = harvest_source(source_client, harvest_target, sink, full=full, from_date=from_date,
                                         progress=progress, limits=loop_limits(settings))
            finally:
                source_client.close()
    except BaseException:
        # Ctrl-C, or a failure the loop does not own (the database): the run did not finish.
        sink.abandon()
        if not sink.finished:
            _interrupt(sessions, run_id)
        raise
    finally:
        indexer.close()
    with sessions() as session:
        stored = session.get(HarvestRun, run_id)
        counts = {o: getattr(stored, o.value) for o in COUNTED_OUTCOMES} if stored is not None else {}
        pages = stored.pages if stored is not None else summary.pages
    return HarvestReport(
        source=source.name,
        status=HarvestStatus.SUCCEEDED if summary.complete else HarvestStatus.FAILED,
        run_id=run_id,
        pages=pages,
        records=summary.records,
        counts=counts,
        removed=sink.removed,
        resumed=summary.resumed,
        full=summary.full,
        window_from=summary.window_from,
        errors=summary.errors,
        warnings=tuple(sink.warnings(summary)),
        index=sink.index,
        duration_seconds=time.monotonic() - started,
    )


def _interrupt(sessions: sessionmaker[Session], run_id: int) -> None:
    try:
        with sessions.begin() as session:
            run = session.get(HarvestRun, run_id)
            if run is not None and run.status is RunStatus.RUNNING:
                finish_run(session, run, RunStatus.INTERRUPTED)
    except SQLAlchemyError:
        # The database is what failed; the next run marks this one INTERRUPTED.
        pass


def _one_line(error: BaseException) -> str:
    text_ = " ".join(str(error).split())
    return text_ or type(error).__name__
