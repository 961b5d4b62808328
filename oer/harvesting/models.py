"""The harvesting domain's tables: sources, runs and their errors, checkpoints, the raw archive, provenance. Pure; no I/O.

A `Provenance` is one source's record of a catalogue `Resource`; the resource's
shown record is derived from its live provenances.
"""

from __future__ import annotations

import enum
import zlib
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from metadata.oai import Granularity
from oer.catalogue.models import Resource, ResourceKey
from oer.store.base import Base, enum_column
from oer.store.types import JSONDocument, UTCDateTime, utcnow


class RunStatus(enum.Enum):
    RUNNING = "running"
    # Harvested to the end (records that failed on their own are counted, not fatal).
    SUCCEEDED = "succeeded"
    # Stopped before the end: the source was down, refused, or sent something unusable.
    FAILED = "failed"
    # Found still RUNNING by a later run: the process died (killed, crashed, machine stopped).
    INTERRUPTED = "interrupted"


class ErrorSeverity(enum.Enum):
    """How much one harvest error cost (the `kind` of the old JSON list of a run's errors)."""

    # The run stopped because of it.
    FATAL = "fatal"
    # One record (or one step) failed; the run went on.
    ERROR = "error"
    # Nothing failed for good, but an operator should know (a restarted list, a search outage).
    WARNING = "warning"


class ErrorStage(enum.Enum):
    """Where in a harvest an error arose."""

    # Asking for and reading the list: Identify, ListRecords pages, resumption.
    FETCH = "fetch"
    # One record of a page could not be read as OAI-PMH (no identifier, not well-formed XML).
    PARSE = "parse"
    # One record's metadata is not the format asked for, or cannot be normalised.
    NORMALIZE = "normalize"
    # Writing a page or the run to the database.
    STORE = "store"
    # Sending what changed to the search index.
    INDEX = "index"


class ErrorKind(enum.Enum):
    """What failed, from the harvester's exception types (`harvester.errors`) and the sink's own."""

    # No connection: refused, reset, DNS, TLS, an invalid URL.
    NETWORK = "network"
    # The source did not answer in time.
    TIMEOUT = "timeout"
    # An HTTP failure status: 401/403, 404, 5xx or 429 after every retry.
    HTTP = "http"
    # A response that is not well-formed XML or not an OAI-PMH document.
    XML = "xml"
    # An OAI-PMH `<error>` (badResumptionToken, cannotDisseminateFormat, ...) or another
    # breach of the protocol (a response too large, a source that ignores `from`).
    PROTOCOL = "protocol"
    # A source that keeps the list going without progress (token loop, repeated pages).
    LOOP = "loop"
    # One record that could not be used; the run goes on.
    RECORD = "record"
    # The database failed.
    DATABASE = "database"
    # The search index was unavailable.
    SEARCH = "search"
    # Anything else, and the entries moved from the old JSON list, which did not say.
    OTHER = "other"


class RawStatus(enum.Enum):
    OK = "ok"
    FAILED = "failed"
    DELETED = "deleted"


class Source(Base):
    """An OAI-PMH repository this instance harvests."""

    __tablename__ = "source"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    base_url: Mapped[str] = mapped_column(Text)
    metadata_prefix: Mapped[str] = mapped_column(String(64))
    set_spec: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Scheduled harvests: a five-field crontab (`0 3 * * *`) wins over an interval in minutes;
    # neither set means "by hand only".
    schedule_cron: Mapped[str | None] = mapped_column(String(100))
    schedule_minutes: Mapped[int | None] = mapped_column(Integer)
    # From Identify; None until the first harvest asked.
    granularity: Mapped[Granularity | None] = mapped_column(enum_column(Granularity))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    runs: Mapped[list[HarvestRun]] = relationship(
        back_populates="source", cascade="all, delete-orphan", passive_deletes=True
    )
    checkpoint: Mapped[CheckpointRow | None] = relationship(
        back_populates="source", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Source {self.name} {self.base_url} {self.metadata_prefix}>"


class SourceOwner(Base):
    """The organisation whose own repository a source is: registered from its page by its beheerder.

    A table of its own rather than a column of `source`, so adding it never rewrites the
    source table (on SQLite that would copy it, and dropping the old copy would cascade).
    An operator's source has no owner.
    """

    __tablename__ = "source_owner"

    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    registered_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HarvestRun(Base):
    """One harvest of one source: its window, how it went and what it changed."""

    __tablename__ = "harvest_run"
    __table_args__ = (Index(None, "source_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus), default=RunStatus.RUNNING)
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The repository's responseDate of the first page: the base of the next incremental `from`.
    response_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    # New to this source, joined to a material another source brought (`Outcome.MERGED`).
    merged: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    # Its errors are rows of `harvest_error`; `failed` above is the exact count of failed records.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    source: Mapped[Source] = relationship(back_populates="runs")

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class HarvestError(Base):
    """One error (or warning) of a harvest run, as ckanext-harvest's harvest_*_error tables keep them.

    Every failure is a row, uncapped: a run of 100k bad records writes 100k rows, which is what
    an operator wants to query (which records, why), and costs far less than the raw archive's
    row per failed record with its whole XML. The run's counters stay the exact counts.
    """

    __tablename__ = "harvest_error"
    # "Errors of a source, latest first" without a join through the runs.
    __table_args__ = (Index(None, "source_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("harvest_run.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    severity: Mapped[ErrorSeverity] = mapped_column(enum_column(ErrorSeverity))
    # None only for errors moved from the old JSON list, which did not say where they arose.
    stage: Mapped[ErrorStage | None] = mapped_column(enum_column(ErrorStage))
    kind: Mapped[ErrorKind] = mapped_column(enum_column(ErrorKind))
    # The record that failed, for record errors.
    oai_identifier: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CheckpointRow(Base):
    """Where a source's harvest stands, committed with every page (one row per source)."""

    __tablename__ = "checkpoint"

    source_id: Mapped[int] = mapped_column(
        ForeignKey("source.id", ondelete="CASCADE"), primary_key=True
    )
    run_id: Mapped[int | None] = mapped_column(ForeignKey("harvest_run.id", ondelete="SET NULL"))
    resumption_token: Mapped[str | None] = mapped_column(Text)
    cursor: Mapped[int | None] = mapped_column(Integer)
    complete_list_size: Mapped[int | None] = mapped_column(Integer)
    window_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The latest record datestamp stored so far: where to restart on badResumptionToken.
    last_datestamp: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    # The harvester's own checkpoint document (JSON primitives only), kept whole so the
    # harvester can add state without a migration here; the columns above are for reports.
    state: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    source: Mapped[Source] = relationship(back_populates="checkpoint")


class ArchivedRecord(Base):
    """The original XML of one harvested record version, compressed, kept for re-normalising."""

    __tablename__ = "raw_record"
    __table_args__ = (
        UniqueConstraint("source_id", "oai_identifier", "datestamp", "sha256"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    oai_identifier: Mapped[str] = mapped_column(Text)
    datestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    # SHA-256 of the uncompressed XML bytes.
    sha256: Mapped[str] = mapped_column(String(64))
    # zlib-compressed XML of the whole <record> element.
    xml_zlib: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[RawStatus] = mapped_column(enum_column(RawStatus))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def xml(self) -> bytes:
        return zlib.decompress(self.xml_zlib)


class Provenance(Base):
    """One source's record of a resource: what that source said, and whether it still does."""

    __tablename__ = "provenance"
    __table_args__ = (
        UniqueConstraint("source_id", "oai_identifier"),
        # Covers the insight figures' live records and completeness per source.
        Index(None, "source_id", "deleted", "completeness"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[str] = mapped_column(
        ForeignKey("resource.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    oai_identifier: Mapped[str] = mapped_column(Text)
    source_datestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    record: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    # SHA-256 of this source's canonical record JSON (without its datestamp).
    content_hash: Mapped[str] = mapped_column(String(64))
    # The record's completeness score (0-1): picks the record a resource shows, feeds reports.
    completeness: Mapped[float] = mapped_column(Float, default=0.0)
    harvested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The source deleted the record; the row (and its last record) is kept.
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The catalogue does not know harvesting exists (it imports no other domain), so the way
    # back, `Resource.provenances` and `ResourceKey.provenance`, is added from this side.
    resource: Mapped[Resource] = relationship(
        backref=backref(
            "provenances", cascade="all, delete-orphan", passive_deletes=True, order_by="Provenance.id"
        )
    )
    source: Mapped[Source] = relationship()
    keys: Mapped[list[ResourceKey]] = relationship(
        backref="provenance", cascade="all, delete-orphan", passive_deletes=True
    )
