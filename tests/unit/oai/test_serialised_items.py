"""Items written as bytes and spliced into the response: what lxml would write, payloads sent as they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from oer.feed.oai.contract import FeedItem
from oer.feed.oai.formats import OAI_NS, RESPONSE_NAMESPACES, payload_bytes
from oer.feed.oai.provider import OaiProvider
from oer.feed.oai.response import header_bytes
from oer.feed.oai.tokens import ResumptionTokens
from tests.support.oai_requests import SECRET, FakeClock, arguments_of
from tests.unit.oai.memory_feed import InMemoryFeedRepository, build_corpus
from tests.unit.oai.stand_ins import stand_in_formats
from tests.unit.oai.validation import validate_response

WHEN = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
# Text XML 1.0 can carry (lxml refuses the rest), markup characters and CR included.
xml_text = st.text(
    st.characters(min_codepoint=0x9, exclude_categories=["Cs"]).filter(
        lambda c: c in "\t\n\r" or (" " <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd") or c >= "\U00010000"
    ),
    max_size=30,
)


def lxml_header(item: FeedItem) -> bytes:
    """The header as the element-built responses wrote it, inside a root with the response's namespaces."""
    root = etree.Element(f"{{{OAI_NS}}}OAI-PMH", nsmap=RESPONSE_NAMESPACES)
    header = etree.SubElement(root, f"{{{OAI_NS}}}header")
    if item.deleted:
        header.set("status", "deleted")
    etree.SubElement(header, f"{{{OAI_NS}}}identifier").text = item.oai_identifier
    etree.SubElement(header, f"{{{OAI_NS}}}datestamp").text = "2024-05-06T07:08:09Z"
    for spec in item.set_specs:
        etree.SubElement(header, f"{{{OAI_NS}}}setSpec").text = spec
    data: bytes = etree.tostring(root, encoding="UTF-8")
    return data[data.index(b">") + 1 : -len(b"</OAI-PMH>")]


@settings(max_examples=200, deadline=None)
@given(xml_text, st.lists(xml_text, max_size=3), st.booleans())
def test_a_header_is_the_bytes_lxml_writes(identifier: str, specs: list[str], deleted: bool) -> None:
    item = FeedItem(identifier, WHEN, deleted, tuple(specs), payload=None if deleted else b"<x/>")
    assert header_bytes(item) == lxml_header(item)


class PayloadFeed(InMemoryFeedRepository):
    """The generated feed, its live items handing over their payloads instead of their records."""

    def __init__(self, provider: OaiProvider, source: InMemoryFeedRepository) -> None:
        super().__init__(items=source.items.values())
        self.provider = provider

    def _with_payload(self, item: FeedItem, metadata_prefix: str | None) -> FeedItem:
        if item.record is None or metadata_prefix is None:
            return item
        payload = payload_bytes(self.provider.formats[metadata_prefix], item.record)
        return replace(item, record=None, payload=payload)

    def get_item(self, oai_identifier: str, metadata_prefix: str | None = None) -> FeedItem | None:
        item = super().get_item(oai_identifier)
        return None if item is None else self._with_payload(item, metadata_prefix)

    def list_items(
        self,
        set_spec: str | None,
        from_: datetime | None,
        until: datetime | None,
        after: tuple[datetime, str] | None,
        limit: int,
        metadata_prefix: str | None = None,
    ) -> Sequence[FeedItem]:
        items = super().list_items(set_spec, from_, until, after, limit)
        return [self._with_payload(item, metadata_prefix) for item in items]


def test_payloads_are_sent_as_they_are_and_make_the_same_response_as_records() -> None:
    provider = OaiProvider(stand_in_formats(), ResumptionTokens(SECRET), page_size=100, clock=FakeClock())
    records = build_corpus()
    payloads = PayloadFeed(provider, records)
    identifier = next(i.oai_identifier for i in records.items.values() if i.record is not None)
    for query in (
        "verb=ListRecords&metadataPrefix=lom",
        "verb=ListRecords&metadataPrefix=oai_dc&set=curated",
        "verb=ListIdentifiers&metadataPrefix=nl_lom",
        f"verb=GetRecord&metadataPrefix=lom&identifier={identifier}",
    ):
        body = provider.handle(payloads, arguments_of(query))
        assert body == provider.handle(records, arguments_of(query)), query
        validate_response(body)


class MarkedPayloadFeed(PayloadFeed):
    """Every live item hands over the same marked payload, whatever its record."""

    MARK = b'<lom xmlns="http://www.imsglobal.org/xsd/imsmd_v1p2"><general/></lom>'

    def _with_payload(self, item: FeedItem, metadata_prefix: str | None) -> FeedItem:
        if item.record is None or metadata_prefix is None:
            return item
        return replace(item, record=None, payload=self.MARK)


def test_a_payload_is_not_serialised_again() -> None:
    provider = OaiProvider(stand_in_formats(), ResumptionTokens(SECRET), page_size=100, clock=FakeClock())
    body = provider.handle(MarkedPayloadFeed(provider, build_corpus(120)), arguments_of("verb=ListRecords&metadataPrefix=lom"))
    marked = b"<metadata>" + MarkedPayloadFeed.MARK + b"</metadata>"
    assert body.count(marked) == body.count(b"<metadata>") > 0
