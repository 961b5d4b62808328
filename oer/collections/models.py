"""Collections: a slug, a title, an ordered list of materials with a note each. Pure; no I/O.

A collection of the platform's redactie (`organisation_id` None) makes its
materials part of the feed's `curated` set; every collection is a feed set of
its own, `collection:SLUG`. A featured collection is shown on the home page.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oer.store.base import Base
from oer.store.types import UTCDateTime, utcnow

SLUG_LENGTH = 64
TITLE_LENGTH = 300
NOTE_LENGTH = 2000


class Collection(Base):
    __tablename__ = "collection"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    description: Mapped[str | None] = mapped_column(Text)
    # None: the platform's redactie; else the organisation whose redacteuren keep it.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"),
                                                        index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list[CollectionItem]] = relationship(
        back_populates="collection", order_by="CollectionItem.position",
        cascade="all, delete-orphan", passive_deletes=True,
    )


class CollectionItem(Base):
    __tablename__ = "collection_item"
    # A material is in a collection once; its place is `position`.
    __table_args__ = (Index(None, "collection_id", "position"), UniqueConstraint("collection_id", "resource_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collection.id", ondelete="CASCADE"))
    # No foreign key: a resource is never deleted (it becomes a tombstone).
    resource_id: Mapped[str] = mapped_column(String(36), index=True)
    position: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(NOTE_LENGTH))
    # A featured item is shown first and larger on the collection's page.
    featured: Mapped[bool] = mapped_column(Boolean, default=False)

    collection: Mapped[Collection] = relationship(back_populates="items")
