"""Quality information: framework versions, annotations per criterion and role, experience reports,
replies and abuse reports, each with its moderation state. Pure; no I/O.

An annotation records the framework version it was made under, so loading a new
version never invalidates it. Who made it is a user (or, for a pupil's or a
parent's feedback, nobody: a name they gave, moderated before it is shown).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from metadata.quality import AnnotatorRole
from oer.store.base import Base, enum_column
from oer.store.types import JSONDocument, UTCDateTime, utcnow

TEXT_LENGTH = 4000
NAME_LENGTH = 100


class ModerationState(enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class QualityFramework(Base):
    """A loaded framework version (the JSON document as it was loaded)."""

    __tablename__ = "quality_framework"

    version: Mapped[str] = mapped_column(String(20), primary_key=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    current: Mapped[bool] = mapped_column(Boolean, default=False)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QualityAnnotation(Base):
    """One value for one criterion of one material, by one person in one role."""

    __tablename__ = "quality_annotation"
    __table_args__ = (Index(None, "resource_id", "state"), Index(None, "state", "created_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No foreign key: a resource is never deleted (it becomes a tombstone).
    resource_id: Mapped[str] = mapped_column(String(36))
    framework_version: Mapped[str] = mapped_column(ForeignKey("quality_framework.version"))
    criterion: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(String(100))
    justification: Mapped[str | None] = mapped_column(Text)
    role: Mapped[AnnotatorRole] = mapped_column(enum_column(AnnotatorRole))
    # None for a pupil's or parent's feedback without an account; erasure keeps the row.
    annotator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # What a pupil or parent wants to be called (no account behind it).
    annotator_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    state: Mapped[ModerationState] = mapped_column(enum_column(ModerationState), default=ModerationState.PENDING)
    moderated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    moderation_reason: Mapped[str | None] = mapped_column(String(TEXT_LENGTH))
    # The author's one reply (right of reply), shown beside the annotation.
    reply: Mapped[str | None] = mapped_column(Text)
    reply_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExperienceReport(Base):
    """A teacher's experience with a material: with which group, how long, what worked and what not."""

    __tablename__ = "experience_report"
    __table_args__ = (Index(None, "resource_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[str] = mapped_column(String(36))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    group_level: Mapped[str] = mapped_column(String(200))
    duration: Mapped[str | None] = mapped_column(String(200))
    worked: Mapped[str | None] = mapped_column(Text)
    not_worked: Mapped[str | None] = mapped_column(Text)
    state: Mapped[ModerationState] = mapped_column(enum_column(ModerationState), default=ModerationState.PENDING)
    moderated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    moderation_reason: Mapped[str | None] = mapped_column(String(TEXT_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AbuseReport(Base):
    """Someone reports an annotation or experience report as abusive; it goes to the moderation queue."""

    __tablename__ = "abuse_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    annotation_id: Mapped[int | None] = mapped_column(ForeignKey("quality_annotation.id", ondelete="CASCADE"),
                                                      index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("experience_report.id", ondelete="CASCADE"),
                                                  index=True)
    reason: Mapped[str] = mapped_column(String(TEXT_LENGTH))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    handled: Mapped[bool] = mapped_column(Boolean, default=False)
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
