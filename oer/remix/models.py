"""Arrangements: a teacher's own composition of sections and parts, and its lineage. Pure; no I/O.

An arrangement is made by a user (in an organisation's name or their own),
edited as a draft, and published as a resource with origin `arranged` whose id
is the arrangement's. It holds ordered sections, each with ordered parts. A
part is one of:

- `include`: an existing resource (harvested, published or arranged), used
  unchanged: linked to, with its own licence;
- `adapt`: a local, editable copy of an existing resource's text (only when
  that resource's licence allows adaptation), lineage `isbasedon` it;
- `page`: a new local page the teacher writes (Markdown, shown sanitised).

Each part that names a resource keeps a snapshot of what it was when it was
added or last refreshed (title, authors, source, licence, learning time, page
URL), so the arrangement keeps its attribution when the resource changes or is
withdrawn at its source, and can say so.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oer.store.base import Base, enum_column
from oer.store.types import JSONDocument, UTCDateTime, utcnow

TITLE_LENGTH = 500
PAGE_LENGTH = 200_000


class ArrangementState(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class PartKind(enum.Enum):
    INCLUDE = "include"
    ADAPT = "adapt"
    PAGE = "page"


class Arrangement(Base):
    """One arrangement, from first draft to withdrawal."""

    __tablename__ = "arrangement"
    __table_args__ = (Index(None, "owner_id", "state"),)

    # The resource's id as well, once published.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    state: Mapped[ArrangementState] = mapped_column(enum_column(ArrangementState), default=ArrangementState.DRAFT)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    description: Mapped[str | None] = mapped_column(Text)
    # The arrangement it was forked from (lineage `isbasedon`); kept when that one is withdrawn.
    forked_from: Mapped[str | None] = mapped_column(String(36))
    # What the publisher set beyond what the parts give (keywords, levels, licence chosen, ...),
    # as a submission (`metadata.submission`); the parts' union fills in the rest.
    metadata_json: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    # The record published last (its JSON form), to compare a new publication with.
    published_record: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sections: Mapped[list[ArrangementSection]] = relationship(
        back_populates="arrangement", order_by="ArrangementSection.position",
        cascade="all, delete-orphan", passive_deletes=True,
    )


class ArrangementSection(Base):
    """An ordered section of an arrangement ("Les 1: ...")."""

    __tablename__ = "arrangement_section"
    __table_args__ = (Index(None, "arrangement_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    arrangement_id: Mapped[str] = mapped_column(ForeignKey("arrangement.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))

    arrangement: Mapped[Arrangement] = relationship(back_populates="sections")
    parts: Mapped[list[ArrangementPart]] = relationship(
        back_populates="section", order_by="ArrangementPart.position",
        cascade="all, delete-orphan", passive_deletes=True,
    )


class ArrangementPart(Base):
    """An ordered part of a section: a resource included or adapted, or a local page."""

    __tablename__ = "arrangement_part"
    __table_args__ = (Index(None, "section_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("arrangement_section.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[PartKind] = mapped_column(enum_column(PartKind))
    # The resource included or adapted (None for a page). No foreign key: a resource is never
    # deleted (it becomes a tombstone), and the part must survive whatever happens to it.
    resource_id: Mapped[str | None] = mapped_column(String(36), index=True)
    # What the resource was when the part was added or refreshed: title, authors, source,
    # licence code and URL, learning time, its page URL, languages and classification.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    # The page's (or adaptation's) own title and Markdown text.
    title: Mapped[str | None] = mapped_column(String(TITLE_LENGTH))
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    section: Mapped[ArrangementSection] = relationship(back_populates="parts")
