"""Five-field crontab schedules for beat: parsing, and how long a run may wait. Pure.

Kept apart from `schedule` (which imports the Celery app) so that validating a
source's schedule does not load the worker.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from celery.schedules import crontab

# A crontab entry's message expires after the shortest gap between its runs, at most a day:
# a nightly harvest that no worker took by the next night is dropped, like an interval's.
LONGEST_EXPIRY = timedelta(days=1)


def parse_crontab(text: str) -> crontab:
    """A five-field crontab (minute hour day-of-month month day-of-week) as Celery's schedule.

    Raises ValueError naming the problem. Celery's own constructor takes the fields in
    another order (day of week third), so they are passed by name.
    """
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(f"{text!r} is not a five-field crontab (e.g. '0 3 * * *')")
    minute, hour, day_of_month, month_of_year, day_of_week = fields
    try:
        return crontab(minute=minute, hour=hour, day_of_month=day_of_month,
                       month_of_year=month_of_year, day_of_week=day_of_week)
    except ValueError as error:
        raise ValueError(f"{text!r} is not a valid crontab: {error}") from None


@lru_cache(maxsize=256)
def crontab_expiry(text: str) -> timedelta:
    """The shortest gap between two runs of `text`, capped at a day.

    Found by walking the minutes of eight days from a Monday in January: enough for
    daily and weekly fields. A crontab that runs less often (on one day of the month,
    or outside January) has no two runs there and gets the cap.
    """
    schedule = parse_crontab(text)
    start = datetime(2024, 1, 1)
    previous: datetime | None = None
    shortest = LONGEST_EXPIRY
    for step in range(8 * 24 * 60):
        moment = start + timedelta(minutes=step)
        if (moment.minute in schedule.minute and moment.hour in schedule.hour
                and moment.day in schedule.day_of_month and moment.month in schedule.month_of_year
                and moment.isoweekday() % 7 in schedule.day_of_week):
            if previous is not None:
                shortest = min(shortest, moment - previous)
            previous = moment
    return shortest
