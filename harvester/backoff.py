"""When to try a request again: capped exponential backoff with jitter and Retry-After. Pure; no I/O.

The clock and the random source are parameters so the arithmetic is tested
with fakes; the client that sleeps lives in `harvester.oai_client`.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How persistent the client is with a failing source.

    The defaults give a source about a minute of backoff between six attempts
    (1, 2, 4, 8, 16 s, each with jitter) and honour a Retry-After of up to five
    minutes; a whole request gives up after 15 minutes of waiting.

    A Retry-After longer than `max_retry_after` is cut to it once per request;
    if the source again asks for longer, the client gives up at once, saying
    so: the source has said it will not be back within what we are willing to
    wait, and waiting the cap over and over would cost a worker the whole
    `max_total_delay` (15 minutes) for nothing. The next run asks again.
    """

    # Total attempts per request, the first one included.
    max_attempts: int = 6
    # Backoff before retry n (n = 1, 2, ...) is base_delay * 2**(n-1), capped at max_delay.
    base_delay: float = 1.0
    max_delay: float = 60.0
    # A Retry-After longer than this is shortened to it, once (see above): we never sleep
    # unbounded on a header.
    max_retry_after: float = 300.0
    # Stop retrying one request once the sleeps would add up to more than this.
    max_total_delay: float = 900.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if min(self.base_delay, self.max_delay, self.max_retry_after, self.max_total_delay) < 0:
            raise ValueError("delays must not be negative")


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """Told to progress observers before the client sleeps and tries again."""

    attempt: int
    delay: float
    reason: str


def backoff_delay(retry: int, policy: RetryPolicy, random: Callable[[], float]) -> float:
    """Delay before retry number `retry` (1-based): capped exponential with "equal jitter".

    Half the capped delay is fixed and half is random, so clients that failed
    together spread out, yet none retries almost at once (which full jitter
    allows and which hurts an overloaded source).
    """
    if retry < 1:
        raise ValueError("retry numbers start at 1")
    capped = min(policy.max_delay, policy.base_delay * 2.0 ** (retry - 1))
    return capped / 2.0 + random() * capped / 2.0


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait according to a Retry-After header (RFC 9110 section 10.2.3), or None.

    The header is either delay-seconds or an HTTP-date; a date in the past
    means "now" (0). Anything else is ignored (None) so the caller falls back
    to its own backoff: sickle int()s the header and crashes on a date.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


def retry_delay(
    retry: int,
    retry_after: float | None,
    policy: RetryPolicy,
    random: Callable[[], float],
) -> float:
    """The delay before retry `retry`: the source's Retry-After (capped) if it gave one, else backoff."""
    if retry_after is not None:
        return min(retry_after, policy.max_retry_after)
    return backoff_delay(retry, policy, random)
