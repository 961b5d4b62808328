"""Demand signals' tables: anonymous counts of thin searches, and the wensenlijst. Pure; no I/O.

`demand_count` holds one row per day, normalised query text, sector and
subject, with how many searches asked it: no address, account, session or
time of day, so nothing in it points at who searched. Rows older than the
retention period are purged (`oer.demand.service.purge_counts`).

A wish keeps what a teacher looked for; who supports it is kept only for
signed-in users (`wish_support`, once per user, with their choice to be told
by e-mail); a visitor's support is a number (`anonymous_support`).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oer.store.base import Base, enum_column
from oer.store.types import UTCDateTime, utcnow

QUERY_LENGTH = 200
SECTOR_LENGTH = 20
SUBJECT_LENGTH = 200
WISH_TEXT_LENGTH = 500
WISH_FIELD_LENGTH = 100
ANSWER_NOTE_LENGTH = 500


class DemandCount(Base):
    __tablename__ = "demand_count"

    # The primary key is the bucket an upsert counts into; '' (not NULL) for "no sector/subject",
    # so the key is comparable on every database.
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    query: Mapped[str] = mapped_column(String(QUERY_LENGTH), primary_key=True)
    sector: Mapped[str] = mapped_column(String(SECTOR_LENGTH), primary_key=True)
    subject: Mapped[str] = mapped_column(String(SUBJECT_LENGTH), primary_key=True)
    searches: Mapped[int] = mapped_column(Integer, default=0)
    # Of those, how many found nothing at all (the rest found a few).
    empty: Mapped[int] = mapped_column(Integer, default=0)


class WishState(enum.Enum):
    OPEN = "open"
    # A maker or organisation said "wij maken dit".
    ANSWERED = "answered"
    # Material was linked to it.
    FULFILLED = "fulfilled"


class Wish(Base):
    __tablename__ = "wish"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(WISH_TEXT_LENGTH))
    sector: Mapped[str | None] = mapped_column(String(SECTOR_LENGTH))
    level: Mapped[str | None] = mapped_column(String(WISH_FIELD_LENGTH))
    subject: Mapped[str | None] = mapped_column(String(WISH_FIELD_LENGTH))
    kerndoel: Mapped[str | None] = mapped_column(String(WISH_FIELD_LENGTH))
    # The search that found too little, as typed (normalised), when the wish came from one.
    query: Mapped[str | None] = mapped_column(String(QUERY_LENGTH))
    state: Mapped[WishState] = mapped_column(enum_column(WishState), default=WishState.OPEN, index=True)
    # Visitors without an account who asked for this too: counted, never named.
    anonymous_support: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    supporters: Mapped[list[WishSupport]] = relationship(
        back_populates="wish", cascade="all, delete-orphan", passive_deletes=True)
    answers: Mapped[list[WishAnswer]] = relationship(
        back_populates="wish", order_by="WishAnswer.id", cascade="all, delete-orphan", passive_deletes=True)


class WishSupport(Base):
    """A signed-in user who asked for a wish (its maker too): once per user."""

    __tablename__ = "wish_support"
    __table_args__ = (UniqueConstraint("wish_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wish_id: Mapped[int] = mapped_column(ForeignKey("wish.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # They agreed to an e-mail when material is linked.
    notify: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    wish: Mapped[Wish] = relationship(back_populates="supporters")


class WishAnswer(Base):
    """"Wij maken dit": a maker's promise, in an organisation's name or the redactie's, and later its material."""

    __tablename__ = "wish_answer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wish_id: Mapped[int] = mapped_column(ForeignKey("wish.id", ondelete="CASCADE"), index=True)
    # None: the platform's redactie.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(ANSWER_NOTE_LENGTH))
    # No foreign key: a resource is never deleted (it becomes a tombstone).
    resource_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    wish: Mapped[Wish] = relationship(back_populates="answers")
