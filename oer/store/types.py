"""Column types portable to SQLite and PostgreSQL, and datestamp parsing. Pure; no I/O."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

# JSON everywhere; JSONB on PostgreSQL so documents are stored parsed and can be indexed later.
JSONDocument: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")


@dataclass(frozen=True, slots=True)
class EncodedJSON:
    """A value for a JSON column that is encoded already, stored as it is (`json_serializer`).

    A writer that encodes a document anyway (the harvest hashes a record's JSON)
    hands over the text instead of encoding the same document again for its row.
    Not a `str`: an engine without `json_serializer` refuses it instead of
    storing it as a JSON string.
    """

    text: str


def json_serializer(value: Any) -> str:
    """How the store's engines encode JSON columns: as `json.dumps` does, except `EncodedJSON` as given."""
    if isinstance(value, EncodedJSON):
        return value.text
    return json.dumps(value)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, always stored and returned in UTC.

    PostgreSQL keeps `timestamp with time zone`; SQLite has no time zones, so the
    value is stored as naive UTC and made aware again on the way out. Naive values
    are refused on the way in: guessing a zone is how datestamps go wrong.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store keeps timezone-aware UTC values")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_second(value: datetime) -> datetime:
    """Truncate to whole seconds: the OAI-PMH feed's finest granularity (OAI-PMH 2.0, 3.3.2)."""
    return value.replace(microsecond=0)


def parse_datestamp(value: datetime | date | str) -> datetime:
    """An OAI-PMH datestamp (day or second granularity, with or without fraction) as UTC.

    Raises ValueError for text that is not an ISO 8601 date or date-time.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    else:
        parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        # OAI-PMH datestamps are UTC by definition (OAI-PMH 2.0, 3.3.1).
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        # `0001-01-01T00:00:00+01:00` is before year 1 in UTC: no datetime holds it.
        raise ValueError(f"datestamp {value!r} is out of range in UTC") from None
