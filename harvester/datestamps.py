"""OAI-PMH datestamps: parsing what sources send and formatting in a source's granularity. Pure; no I/O.

OAI-PMH 2.0 section 3.3 allows two granularities for `from`/`until`:
`YYYY-MM-DD` (every repository must accept it) and `YYYY-MM-DDThh:mm:ssZ`.
Sources send more than that in their datestamps (milliseconds, offsets, no
zone at all), so parsing is lenient while formatting is strict.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from metadata.oai import Granularity


def parse_datestamp(text: str) -> datetime:
    """Parse a datestamp into an aware UTC datetime; raise ValueError if it is not one.

    Accepts `YYYY-MM-DD`, `YYYY-MM-DDThh:mm:ss` with or without fractions,
    with `Z`, an offset, or no zone (taken as UTC, as the protocol mandates UTC).
    """
    value = text.strip()
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        # `0001-01-01T00:00:00+01:00` is before year 1 in UTC: no datetime holds it.
        raise ValueError(f"datestamp {value!r} is out of range in UTC") from None


def format_datestamp(moment: datetime, granularity: Granularity) -> str:
    """Format a moment as a `from`/`until` argument; truncation keeps a `from` inclusive."""
    utc = moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    if granularity is Granularity.DAY:
        return utc.strftime("%Y-%m-%d")
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def datestamp_or_none(text: str | None) -> datetime | None:
    """Parse a datestamp a source sent, or None when it is missing or unreadable."""
    if not text:
        return None
    try:
        return parse_datestamp(text)
    except ValueError:
        return None
