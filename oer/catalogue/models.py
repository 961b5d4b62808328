"""The catalogue's tables: the resource everything points at, its dedup keys and relations. Pure; no I/O.

`Resource` is the unit everything else points at: the feed, the search index, the
web pages. Its `origin` says how it came in; harvested resources derive their
record from their provenance rows (`oer.harvesting.models`), and later kinds
(published materials, arrangements) keep their own record and add their own
tables pointing at `resource.id`, so the resource row itself needs no reshaping.
Other domains point at these tables; these tables name no other domain.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oer.catalogue.keys import KeyKind
from oer.store.base import Base, enum_column
from oer.store.types import JSONDocument, UTCDateTime, utcnow


def new_resource_id() -> str:
    return str(uuid.uuid4())


class Origin(enum.Enum):
    HARVESTED = "harvested"
    PUBLISHED = "published"
    ARRANGED = "arranged"


class Resource(Base):
    """One learning material as this repository shows it (kept as a tombstone once deleted)."""

    __tablename__ = "resource"
    __table_args__ = (
        Index(None, "feed_datestamp", "id"),
        # Covers the insight figure "trends" (a scan of these columns only, not of the records).
        Index(None, "origin", "deleted", "created_at", "updated_at", "deleted_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_resource_id)
    origin: Mapped[Origin] = mapped_column(enum_column(Origin), default=Origin.HARVESTED)
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

    relations: Mapped[list[ResourceRelation]] = relationship(
        back_populates="resource",
        cascade="all, delete-orphan",
        passive_deletes=True,
        foreign_keys="ResourceRelation.resource_id",
        order_by="ResourceRelation.position",
    )


class ResourceKey(Base):
    """A dedup key (normalised identifier or location, see `oer.catalogue.keys`) of a resource.

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
    kind: Mapped[KeyKind] = mapped_column(enum_column(KeyKind))
    value: Mapped[str] = mapped_column(Text)


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
