"""ISO 8601 durations (LOM typicallearningtime) to seconds and back. Pure; no I/O.

LOM's Duration is the ISO 8601 form `PnYnMnWnDTnHnMnS`. A year counts as
365 days and a month as 30 days: a learning time has no calendar to anchor
it, and these are the conventions of XML Schema's duration ordering.
"""

from __future__ import annotations

import math
import re

_DURATION = re.compile(
    r"P(?!$)(?:(?P<years>\d+(?:[.,]\d+)?)Y)?(?:(?P<months>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<weeks>\d+(?:[.,]\d+)?)W)?(?:(?P<days>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+(?:[.,]\d+)?)H)?(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?",
    re.IGNORECASE,
)
_SECONDS = {
    "years": 365 * 86400,
    "months": 30 * 86400,
    "weeks": 7 * 86400,
    "days": 86400,
    "hours": 3600,
    "minutes": 60,
    "seconds": 1,
}


def duration_to_seconds(text: str) -> int | None:
    """Whole seconds of an ISO 8601 duration (`PT1H30M` -> 5400), or None if it is not one.

    None too for a duration too large to count in seconds (hundreds of digits overflow a float).
    """
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        return None
    total = 0.0
    for unit, value in match.groupdict().items():
        if value:
            total += float(value.replace(",", ".")) * _SECONDS[unit]
    return round(total) if math.isfinite(total) else None


def seconds_to_duration(seconds: int) -> str:
    """The shortest `PT..H..M..S` form of a number of seconds (5400 -> `PT1H30M`, 0 -> `PT0S`)."""
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return text + (f"{secs}S" if secs or text == "PT" else "")
