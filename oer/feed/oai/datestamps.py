"""UTC datestamps of OAI-PMH (spec 3.3): parsing request arguments and writing responses. Pure; no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from metadata.oai import Granularity

# Only the two forms the spec allows; anything finer (fractions, offsets) is badArgument.
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_SECOND = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z", re.ASCII)


@dataclass(frozen=True, slots=True)
class RequestDatestamp:
    """A `from` or `until` argument: the instant it names and the granularity it was given in."""

    value: datetime
    granularity: Granularity


def parse_datestamp(text: str, *, end_of_day: bool) -> RequestDatestamp:
    """Parse a `from`/`until` argument; raise ValueError when it is not a valid UTC datestamp.

    A day-granularity value names the whole day (spec 3.3.1: from/until are
    inclusive): as `from` it starts at 00:00:00, as `until` (`end_of_day`) it
    ends at 23:59:59, the last instant at the repository's second granularity.
    """
    if match := _SECOND.fullmatch(text):
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        value = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        return RequestDatestamp(value, Granularity.SECOND)
    if match := _DAY.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        moment = time(23, 59, 59) if end_of_day else time(0, 0, 0)
        value = datetime.combine(date(year, month, day), moment, tzinfo=UTC)
        return RequestDatestamp(value, Granularity.DAY)
    raise ValueError(f"{text!r} is not a datestamp of the form YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")


def format_datestamp(value: datetime) -> str:
    """The second-granularity UTC form `YYYY-MM-DDThh:mm:ssZ` of an aware datetime."""
    if value.tzinfo is None:
        raise ValueError("datestamps must be timezone-aware (UTC)")
    # isoformat is several times faster than strftime; a page writes hundreds of these.
    return value.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def to_second(value: datetime) -> datetime:
    """`value` in UTC, truncated to the repository's second granularity."""
    if value.tzinfo is None:
        raise ValueError("datestamps must be timezone-aware (UTC)")
    return value.astimezone(UTC).replace(microsecond=0)
