"""The database tables, as SQLAlchemy 2.0 typed declarative models. Pure; no I/O.

Written to only through `oer.services`. Every timestamp is timezone-aware UTC
(`UTCDateTime`); JSON columns hold `Record.to_dict()` documents; enums are stored
as short strings (no native database enums) so adding a member needs no migration.

`Resource` is the unit everything else points at: the feed, the search index, the
web pages. Its `origin` says how it came in; harvested resources derive their
record from their `Provenance` rows (one per source that serves the material),
and later kinds (published materials, arrangements) keep their own record and add
their own tables pointing at `resource.id` (owners, annotations, parts), so the
resource row itself does not need reshaping.
"""

from __future__ import annotations

import enum
import uuid
import zlib
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from oer.store.keys import KeyKind
from oer.store.types import JSONDocument, UTCDateTime, utcnow

# Explicit constraint names: migrations (and SQLite's batch mode) can then refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _enum(kind: type[enum.Enum], length: int = 20) -> Enum:
    """An enum stored as its lower-case value in a VARCHAR, portable and easy to extend."""
    return Enum(
        kind,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def new_resource_id() -> str:
    return str(uuid.uuid4())


class Granularity(enum.Enum):
    """OAI-PMH datestamp granularity a repository declares in Identify (OAI-PMH 2.0, 4.2)."""

    DAY = "YYYY-MM-DD"
    SECOND = "YYYY-MM-DDThh:mm:ssZ"


class RunStatus(enum.Enum):
    RUNNING = "running"
    # Harvested to the end (records that failed on their own are counted, not fatal).
    SUCCEEDED = "succeeded"
    # Stopped before the end: the source was down, refused, or sent something unusable.
    FAILED = "failed"
    # Found still RUNNING by a later run: the process died (killed, crashed, machine stopped).
    INTERRUPTED = "interrupted"


class RawStatus(enum.Enum):
    OK = "ok"
    FAILED = "failed"
    DELETED = "deleted"


class Origin(enum.Enum):
    HARVESTED = "harvested"
    PUBLISHED = "published"
    ARRANGED = "arranged"


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
    granularity: Mapped[Granularity | None] = mapped_column(_enum(Granularity))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    runs: Mapped[list[HarvestRun]] = relationship(
        back_populates="source", cascade="all, delete-orphan", passive_deletes=True
    )
    checkpoint: Mapped[Checkpoint | None] = relationship(
        back_populates="source", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Source {self.name} {self.base_url} {self.metadata_prefix}>"


class HarvestRun(Base):
    """One harvest of one source: its window, how it went and what it changed."""

    __tablename__ = "harvest_run"
    __table_args__ = (Index(None, "source_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    status: Mapped[RunStatus] = mapped_column(_enum(RunStatus), default=RunStatus.RUNNING)
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The repository's responseDate of the first page: the base of the next incremental `from`.
    response_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    # [{"at": ISO time, "kind": str, "message": str}, ...]
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    source: Mapped[Source] = relationship(back_populates="runs")

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class Checkpoint(Base):
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


class RawRecord(Base):
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
    status: Mapped[RawStatus] = mapped_column(_enum(RawStatus))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def xml(self) -> bytes:
        return zlib.decompress(self.xml_zlib)


class Resource(Base):
    """One learning material as this repository shows it (kept as a tombstone once deleted)."""

    __tablename__ = "resource"
    __table_args__ = (Index(None, "feed_datestamp", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_resource_id)
    origin: Mapped[Origin] = mapped_column(_enum(Origin), default=Origin.HARVESTED)
    # Record.to_dict() of the record shown (for harvested ones: the preferred provenance's).
    record: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    title: Mapped[str | None] = mapped_column(Text)
    # SHA-256 of the canonical record JSON (without its source datestamp).
    content_hash: Mapped[str] = mapped_column(String(64))
    # SHA-256 of everything the OAI feed shows (record, set membership, deleted flag);
    # when it changes, feed_datestamp moves to the time of the change.
    feed_hash: Mapped[str] = mapped_column(String(64))
    feed_datestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Set in the transaction that changes the resource, cleared once the search index has
    # it: indexing is its own retryable step, so a search outage never blocks storing.
    index_pending: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), index=True
    )

    provenances: Mapped[list[Provenance]] = relationship(
        back_populates="resource",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Provenance.id",
    )
    relations: Mapped[list[ResourceRelation]] = relationship(
        back_populates="resource",
        cascade="all, delete-orphan",
        passive_deletes=True,
        foreign_keys="ResourceRelation.resource_id",
        order_by="ResourceRelation.position",
    )


class Provenance(Base):
    """One source's record of a resource: what that source said, and whether it still does."""

    __tablename__ = "provenance"
    __table_args__ = (UniqueConstraint("source_id", "oai_identifier"),)

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

    resource: Mapped[Resource] = relationship(back_populates="provenances")
    source: Mapped[Source] = relationship()
    keys: Mapped[list[ResourceKey]] = relationship(
        back_populates="provenance", cascade="all, delete-orphan", passive_deletes=True
    )


class ResourceKey(Base):
    """A dedup key (normalised identifier or location, see `oer.store.keys`) of a resource.

    Keys come from a provenance's record (provenance_id set) or, for materials made
    here, from the resource itself (provenance_id NULL).
    """

    __tablename__ = "resource_key"
    __table_args__ = (Index(None, "value", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[str] = mapped_column(
        ForeignKey("resource.id", ondelete="CASCADE"), index=True
    )
    provenance_id: Mapped[int | None] = mapped_column(
        ForeignKey("provenance.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[KeyKind] = mapped_column(_enum(KeyKind))
    value: Mapped[str] = mapped_column(Text)

    provenance: Mapped[Provenance | None] = relationship(back_populates="keys")


class ResourceRelation(Base):
    """A LOM relation of a resource, resolved to the target resource when that is known here."""

    __tablename__ = "resource_relation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[str] = mapped_column(
        ForeignKey("resource.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    # NL-LOM relation kind: haspart, ispartof, isbasedon, ...
    kind: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(Text)
    # The target's dedup key value, so a resource that arrives later resolves waiting relations.
    target_key: Mapped[str | None] = mapped_column(Text, index=True)
    target_resource_id: Mapped[str | None] = mapped_column(
        ForeignKey("resource.id", ondelete="SET NULL"), index=True
    )

    resource: Mapped[Resource] = relationship(
        back_populates="relations", foreign_keys=[resource_id]
    )


class FeedMembership(Base):
    """A resource's membership of one OAI-PMH set (a saved query), kept after it leaves.

    The feed lists a set from these rows ordered by (datestamp, resource_id): current
    members as records, former members (`member` false) as deleted headers, which is
    what `deletedRecord=persistent` asks of a record that leaves a set. `datestamp`
    mirrors `Resource.feed_datestamp` so a set's list is one index range scan.
    """

    __tablename__ = "feed_membership"
    __table_args__ = (Index(None, "set_spec", "datestamp", "resource_id"),)

    resource_id: Mapped[str] = mapped_column(
        ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True
    )
    set_spec: Mapped[str] = mapped_column(String(200), primary_key=True)
    member: Mapped[bool] = mapped_column(Boolean, default=True)
    datestamp: Mapped[datetime] = mapped_column(UTCDateTime)
