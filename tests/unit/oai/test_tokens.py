"""Resumption tokens on their own: what they carry, and what they refuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import URLSafeSerializer

from oer.feed.oai.arguments import Verb
from oer.feed.oai.tokens import ListState, ResumptionTokens, TokenError

NOW = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
STATE = ListState(
    verb=Verb.LIST_RECORDS,
    metadata_prefix="lom",
    set_spec="sector:PO",
    from_=datetime(2024, 1, 1, tzinfo=UTC),
    until=datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC),
    after=(datetime(2024, 6, 1, 10, 0, 0, tzinfo=UTC), "oai:oer.example.org:42"),
    cursor=200,
    complete_list_size=1234,
)


def test_a_token_carries_the_whole_list_state() -> None:
    tokens = ResumptionTokens("secret")
    token, expires = tokens.issue(STATE, NOW)
    assert expires == NOW + timedelta(hours=24)
    assert tokens.read(token, Verb.LIST_RECORDS, NOW + timedelta(hours=23)) == STATE


def test_state_without_from_or_set() -> None:
    tokens = ResumptionTokens("secret")
    state = ListState(Verb.LIST_IDENTIFIERS, "oai_dc", None, None, STATE.until, STATE.after, 100, 101)
    token, _ = tokens.issue(state, NOW)
    assert tokens.read(token, Verb.LIST_IDENTIFIERS, NOW) == state


def test_token_is_url_safe() -> None:
    token, _ = ResumptionTokens("secret").issue(STATE, NOW)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_a_first_page_state_cannot_become_a_token() -> None:
    first = ListState(Verb.LIST_RECORDS, "lom", None, None, STATE.until, None, 0, 10)
    with pytest.raises(ValueError):
        ResumptionTokens("secret").issue(first, NOW)


@pytest.mark.parametrize(
    "payload",
    [
        [2, "ListRecords", "lom", None, None, 0, 0, "oai:a:1", 100, 200, 2_000_000_000],
        [1, "ListRecords", "lom", None, None, 0, 0, "oai:a:1", -1, 200, 2_000_000_000],
        [1, "ListAll", "lom", None, None, 0, 0, "oai:a:1", 100, 200, 2_000_000_000],
        [1, "ListRecords", "lom", None, None, "0", 0, "oai:a:1", 100, 200, 2_000_000_000],
        [1, "ListRecords", "lom"],
        {"verb": "ListRecords"},
        None,
    ],
    ids=["other-version", "negative-cursor", "bad-verb", "string-time", "short", "object", "null"],
)
def test_signed_but_malformed_payload_is_refused(payload: object) -> None:
    # Signed with the right key, as a token of an older or newer release would be.
    token = URLSafeSerializer("secret", salt="oai-pmh.resumption-token").dumps(payload)
    with pytest.raises(TokenError):
        ResumptionTokens("secret").read(token, Verb.LIST_RECORDS, NOW)


def test_a_secret_key_is_required() -> None:
    with pytest.raises(ValueError, match="secret"):
        ResumptionTokens("")
