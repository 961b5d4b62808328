"""Incremental harvest windows: which `from` the next list starts at. Pure; no I/O.

The next incremental harvest asks for `from` = the previous successful run's
`responseDate` minus an overlap, formatted in the source's granularity.

Why the source's `responseDate` and not our clock: datestamps are the
source's clock, and ours may be off by minutes. Why an overlap (one hour by
default): a repository may stamp a record with the time its transaction
started, and commit it after it produced the previous list, so the record's
datestamp lies before the previous `responseDate` although we never saw it.
An hour covers such transactions and clock steps (daylight-saving bugs in
repositories that stamp local time as UTC cost an hour). The price is
re-receiving an hour of changes, which the store recognises as unchanged.
With day granularity the `from` is truncated to the day, which widens the
overlap further; `from` is inclusive (OAI-PMH 2.0 section 3.3.1), so
truncation never loses a record.
"""

from __future__ import annotations

from datetime import timedelta

from harvester.datestamps import format_datestamp, parse_datestamp
from harvester.errors import InvalidWindowError
from metadata.oai import Granularity

DEFAULT_OVERLAP = timedelta(hours=1)


def incremental_from(
    previous_response_date: str,
    granularity: Granularity,
    overlap: timedelta = DEFAULT_OVERLAP,
) -> str:
    """The `from` of the next incremental list, given the last successful run's responseDate."""
    return format_datestamp(parse_datestamp(previous_response_date) - overlap, granularity)


def override_from(text: str, granularity: Granularity) -> str:
    """A user's `--from DATE` (YYYY-MM-DD or a full UTC timestamp) in the source's granularity."""
    try:
        moment = parse_datestamp(text)
    except ValueError:
        raise InvalidWindowError(
            f"--from {text!r} is not a date (use YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)"
        ) from None
    return format_datestamp(moment, granularity)


def restart_from(last_datestamp: str, granularity: Granularity) -> str:
    """The `from` that restarts a broken list at the last committed datestamp, inclusive."""
    return format_datestamp(parse_datestamp(last_datestamp), granularity)
