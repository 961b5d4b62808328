"""Helpers of the OAI-PMH provider tests: a fake clock, request builders and token following."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode

from lxml import etree

from oer.feed.oai.provider import OaiProvider
from tests.unit.oai.memory_feed import InMemoryFeedRepository
from tests.unit.oai.validation import NS, validate_response

SECRET = "test secret: signs resumption tokens"

NOW = datetime(2025, 3, 14, 15, 9, 26, 535897, tzinfo=UTC)

Ask = Callable[[str], etree._Element]


@dataclass
class FakeClock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def arguments_of(query: str) -> dict[str, list[str]]:
    """The raw arguments of a query string, every value of every key (as a web layer gives them)."""
    return parse_qs(query, keep_blank_values=True, strict_parsing=False)


def token_of(root: etree._Element) -> etree._Element | None:
    return root.find("oai:*/oai:resumptionToken", NS)


def follow(provider: OaiProvider, repository: InMemoryFeedRepository, query: str) -> list[etree._Element]:
    """Every page of a list, following resumption tokens; each page validated."""
    pages = [validate_response(provider.handle(repository, arguments_of(query)))]
    verb = arguments_of(query)["verb"][0]
    while (token := token_of(pages[-1])) is not None and token.text:
        assert len(pages) < 100, "the token chain does not end"
        next_query = urlencode({"verb": verb, "resumptionToken": token.text})
        pages.append(validate_response(provider.handle(repository, arguments_of(next_query))))
    return pages


def headers_of(pages: list[etree._Element]) -> list[tuple[str, str, bool]]:
    """(identifier, datestamp, deleted) of every header on the pages, in order.

    A ListIdentifiers page holds headers, a ListRecords page records with headers.
    """
    return [
        (
            header.findtext("oai:identifier", namespaces=NS),
            header.findtext("oai:datestamp", namespaces=NS),
            header.get("status") == "deleted",
        )
        for page in pages
        for header in page.xpath("oai:ListIdentifiers/oai:header | oai:ListRecords/oai:record/oai:header", namespaces=NS)
    ]
