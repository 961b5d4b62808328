"""The insight domain's table: dated snapshots of the aggregates. Pure; no I/O.

A snapshot holds figures only (counts and shares per sector, subject,
kerndoel, licence, source, month): no record, no person. One per day; taking
another on the same day replaces it, so the monthly task is idempotent.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Integer
from sqlalchemy.orm import Mapped, mapped_column

from oer.store.base import Base
from oer.store.types import JSONDocument, UTCDateTime, utcnow


class InsightSnapshot(Base):
    """The aggregates as they were on `taken_on` (`oer.insights.figures.Figure` as JSON, by name)."""

    __tablename__ = "insight_snapshot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    taken_on: Mapped[date] = mapped_column(Date, unique=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    figures: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
