"""Whatever a client sends, the answer is a schema-valid OAI-PMH response (never an exception)."""

from __future__ import annotations

from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from oer.feed.oai.arguments import Verb
from oer.feed.oai.provider import OaiProvider
from oer.feed.oai.tokens import ResumptionTokens
from tests.support.oai_requests import SECRET, FakeClock
from tests.unit.oai.memory_feed import (
    InMemoryFeedRepository,
    build_corpus,
    identifier_for,
)
from tests.unit.oai.stand_ins import stand_in_formats
from tests.unit.oai.validation import validate_response

# Web layers decode percent-escapes with replacement, so values never hold lone surrogates.
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
names = st.sampled_from(["verb", "identifier", "metadataPrefix", "from", "until", "set", "resumptionToken"]) | any_text
values = (
    st.sampled_from([v.value for v in Verb])
    | st.sampled_from(["lom", "oai_dc", "curated", "sector:PO", "2024-01-01", "2024-01-02T00:00:00Z",
                       identifier_for(0), identifier_for(5)])
    | any_text
)
arguments = st.dictionaries(names, st.lists(values, min_size=1, max_size=2), max_size=5)


@cache
def feed() -> tuple[OaiProvider, InMemoryFeedRepository]:
    return OaiProvider(stand_in_formats(), ResumptionTokens(SECRET), clock=FakeClock()), build_corpus(120)


@settings(max_examples=300, deadline=None)
@given(arguments)
def test_any_arguments_get_a_valid_response(raw: dict[str, list[str]]) -> None:
    provider, repository = feed()
    validate_response(provider.handle(repository, raw))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([Verb.GET_RECORD, Verb.LIST_METADATA_FORMATS]), any_text.filter(bool))
def test_any_identifier_is_answered_validly(verb: Verb, identifier: str) -> None:
    provider, repository = feed()
    raw = {"verb": [verb.value], "identifier": [identifier], "metadataPrefix": ["lom"]}
    if verb is Verb.LIST_METADATA_FORMATS:
        del raw["metadataPrefix"]
    validate_response(provider.handle(repository, raw))
