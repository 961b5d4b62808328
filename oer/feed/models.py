"""The feed's tables: set membership, and the records as the feed serves them. Pure; no I/O."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Dialect, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from oer.store.base import Base
from oer.store.types import UTCDateTime


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


class _Utf8Text(TypeDecorator[bytes]):
    """Bytes of UTF-8 text kept in a `text` column: bytes in, bytes out."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> str | None:
        return None if value is None else value.decode("utf-8")

    def process_result_value(self, value: str | None, dialect: Dialect) -> bytes | None:
        return None if value is None else value.encode("utf-8")


# A payload's bytes: a BLOB on SQLite, `text` on PostgreSQL. psycopg reads results in
# PostgreSQL's text format, where a `bytea` value crosses as hex (twice its size, then decoded):
# a page's payloads took about twice as long to read as the same bytes kept as `text`, which
# cross as they are. A payload is always UTF-8 (lxml writes it), so nothing is lost.
PAYLOAD_BYTES = LargeBinary().with_variant(_Utf8Text(), "postgresql")


class FeedPayload(Base):
    """A live resource's record as the feed serves it in one metadata format: the bytes inside
    `<metadata>` (`oer.feed.oai.formats.payload_bytes`), and the serialiser version that wrote them.

    Kept by `oer.feed.payloads` (which says what is stored and why); a tombstone has none.
    The index on (prefix, version) answers "how many are stale" without reading a payload.
    """

    __tablename__ = "feed_payload"
    __table_args__ = (Index(None, "metadata_prefix", "version"),)

    resource_id: Mapped[str] = mapped_column(
        ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True
    )
    metadata_prefix: Mapped[str] = mapped_column(String(50), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[bytes] = mapped_column(PAYLOAD_BYTES)
