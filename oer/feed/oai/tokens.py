"""Stateless resumption tokens: the list arguments and a stable position, signed and expiring. Pure; no I/O.

A token carries everything needed to produce the next page (spec 3.5): the
verb, metadataPrefix, set, from and a frozen until, the (datestamp, identifier)
of the last item delivered, the cursor and the complete list size. It is
signed with the application's secret key (itsdangerous), so a harvester can
neither forge nor alter one, and it holds its own expiry instant, so the
provider's injectable clock decides whether it is still valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadData, URLSafeSerializer

from oer.feed.oai.arguments import Verb

# Validators flag tokens that live less than about a day; harvests of large feeds take hours.
MINIMUM_LIFETIME = timedelta(hours=24)
_FORMAT_VERSION = 1
_SALT = "oai-pmh.resumption-token"


class TokenError(ValueError):
    """A token that is not one of ours, was altered, has expired, or does not fit the request."""


@dataclass(frozen=True, slots=True)
class ListState:
    """Where an incomplete list stands after a page.

    `after` is the position of the last item delivered (None before the
    first page); `cursor` is the number of items delivered before the page
    the token asks for, which is the spec's `cursor` of that page.
    """

    verb: Verb
    metadata_prefix: str
    set_spec: str | None
    from_: datetime | None
    until: datetime
    after: tuple[datetime, str] | None
    cursor: int
    complete_list_size: int


class ResumptionTokens:
    """Writes and reads signed tokens for ListIdentifiers and ListRecords."""

    def __init__(self, secret_key: str | bytes, *, lifetime: timedelta = MINIMUM_LIFETIME) -> None:
        if not secret_key:
            raise ValueError("resumption tokens need a secret key")
        if lifetime < MINIMUM_LIFETIME:
            raise ValueError(f"resumption tokens must live at least {MINIMUM_LIFETIME}")
        self.lifetime = lifetime
        self._serializer = URLSafeSerializer(secret_key, salt=_SALT)

    def issue(self, state: ListState, now: datetime) -> tuple[str, datetime]:
        """The token for `state` and the instant it expires (second precision)."""
        if state.after is None:
            raise ValueError("a token continues a list after a delivered item")
        expires = now.astimezone(UTC).replace(microsecond=0) + self.lifetime
        payload = [
            _FORMAT_VERSION,
            state.verb.value,
            state.metadata_prefix,
            state.set_spec,
            _epoch(state.from_) if state.from_ is not None else None,
            _epoch(state.until),
            _epoch(state.after[0]),
            state.after[1],
            state.cursor,
            state.complete_list_size,
            _epoch(expires),
        ]
        return self._serializer.dumps(payload), expires

    def read(self, token: str, verb: Verb, now: datetime) -> ListState:
        """The state in `token`; TokenError when it is invalid, expired, or for another verb."""
        try:
            payload = self._serializer.loads(token)
        except (BadData, UnicodeError) as error:
            raise TokenError("the resumptionToken is not valid (altered or not issued here)") from error
        state, expires = _state_from_payload(payload)
        if now >= expires:
            raise TokenError("the resumptionToken has expired; start the list again")
        if state.verb is not verb:
            raise TokenError(f"the resumptionToken belongs to {state.verb.value}, not {verb.value}")
        return state


def _state_from_payload(payload: Any) -> tuple[ListState, datetime]:
    # Signed payloads were written by `issue`, but possibly by an older format version.
    try:
        (version, verb, prefix, set_spec, from_, until, after_time, after_id, cursor, size, expires) = payload
        if version != _FORMAT_VERSION:
            raise TokenError("the resumptionToken was issued by an older version; start the list again")
        state = ListState(
            verb=Verb(verb),
            metadata_prefix=_text(prefix),
            set_spec=None if set_spec is None else _text(set_spec),
            from_=None if from_ is None else _instant(from_),
            until=_instant(until),
            after=(_instant(after_time), _text(after_id)),
            cursor=_count(cursor),
            complete_list_size=_count(size),
        )
        return state, _instant(expires)
    except TokenError:
        raise
    except (TypeError, ValueError, OverflowError, OSError) as error:
        raise TokenError("the resumptionToken is not valid") from error


def _epoch(value: datetime) -> int:
    return int(value.timestamp())


def _instant(value: Any) -> datetime:
    if type(value) is not int:
        raise TypeError("expected an integer timestamp")
    return datetime.fromtimestamp(value, UTC)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _count(value: Any) -> int:
    if type(value) is not int or value < 0:
        raise TypeError("expected a non-negative integer")
    return value
