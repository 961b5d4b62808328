"""Fixtures for the OAI provider core: a fake clock, the generated feed, a provider and `ask`."""

from __future__ import annotations

import pytest
from lxml import etree

from oer.feed.oai.provider import OaiProvider
from oer.feed.oai.tokens import ResumptionTokens
from tests.support.oai_requests import (
    SECRET,
    Ask,
    FakeClock,
    arguments_of,
)
from tests.unit.oai.memory_feed import InMemoryFeedRepository, build_corpus
from tests.unit.oai.stand_ins import stand_in_formats
from tests.unit.oai.validation import validate_response


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def repository() -> InMemoryFeedRepository:
    return build_corpus()


@pytest.fixture
def provider(clock: FakeClock) -> OaiProvider:
    return OaiProvider(stand_in_formats(), ResumptionTokens(SECRET), page_size=100, clock=clock)


@pytest.fixture
def ask(provider: OaiProvider, repository: InMemoryFeedRepository) -> Ask:
    """Send a query string such as "verb=Identify" to the provider; get the validated response root."""

    def send(query: str) -> etree._Element:
        return validate_response(provider.handle(repository, arguments_of(query)))

    return send
