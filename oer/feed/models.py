"""The feed's table: which resource is (or was) in which OAI-PMH set. Pure; no I/O."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

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
