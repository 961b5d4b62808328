"""Materials published here: the publication, its working draft and its published versions. Pure; no I/O.

A publication is made by a user, in an organisation's name or their own. Its
`draft` is the working copy (a submission, `metadata.submission`), edited until
it is published; publishing freezes the draft into a new `PublicationVersion`
(1, 2, ...) and writes the record it makes to the catalogue as a resource with
origin `published` (the publication's id is the resource's id). Withdrawing
keeps the versions and turns the resource into a tombstone. Versions are never
changed or deleted: they are the material's history.

Uploaded files are stored content-addressed (`oer.publishing.files`); a
draft and each version list the files that belong to them as JSON
(`{"sha256", "size", "media_type", "name"}`), so the same bytes uploaded twice
are stored once.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oer.store.base import Base, enum_column
from oer.store.types import JSONDocument, UTCDateTime, utcnow

EXTERNAL_ID_LENGTH = 500
REASON_LENGTH = 1000


class PublicationState(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class Publication(Base):
    """One material a user publishes here, from first draft to withdrawal."""

    __tablename__ = "publication"
    __table_args__ = (
        # Importing the same identifier again updates the material instead of duplicating it.
        UniqueConstraint("owner_key", "external_id"),
        Index(None, "organisation_id", "state"),
    )

    # The resource's id as well, once published.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    state: Mapped[PublicationState] = mapped_column(
        enum_column(PublicationState), default=PublicationState.DRAFT
    )
    # The organisation it is published for; None when a teacher publishes as themselves.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"))
    # Who made it. Users are never deleted (erasure anonymises the row), so this stays valid.
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # "org:<id>" or "user:<id>": whose namespace an external identifier (bulk import) is in.
    owner_key: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str | None] = mapped_column(String(EXTERNAL_ID_LENGTH))
    # The working copy, a submission in the record's JSON form; None when nothing is unpublished.
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    draft_files: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDocument)
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(String(REASON_LENGTH))

    versions: Mapped[list[PublicationVersion]] = relationship(
        back_populates="publication", order_by="PublicationVersion.number",
        cascade="all, delete-orphan", passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Publication {self.id} {self.state.value} v{self.current_version}>"


class PublicationVersion(Base):
    """A published state of a material: its submission, files, the record it made, who and when."""

    __tablename__ = "publication_version"
    __table_args__ = (UniqueConstraint("publication_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publication_id: Mapped[str] = mapped_column(ForeignKey("publication.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    submission: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    record: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    publication: Mapped[Publication] = relationship(back_populates="versions")
