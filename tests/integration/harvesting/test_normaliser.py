"""A page normalised where the client read it, in the normaliser process from its body, or record by record
from each record's metadata XML: the same stored records and the same failures, whichever way."""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Iterator

from harvester.oai_client import OaiClient
from harvester.records import Page
from harvester.replay_pages import GeneratedCorpus, PageSource, ReplayRequest, Reply, nl_lom_record
from metadata.limits import RECORD_XML_MAX
from oer.harvesting.service import RecordHead, harvested_page, normalised_page
from tests.support.harvesting import FAST_CLIENT, StartServer

OAI_DC = (b'<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
          b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Dublin Core</dc:title></oai_dc:dc>')
TITLE_ONLY = (b'<lom xmlns="http://www.imsglobal.org/xsd/imsmd_v1p2"><general><title>'
              b'<langstring xml:lang="nl">Alleen een titel</langstring></title></general></lom>')
# Indented, with a description spread over lines and text between child elements.
INDENTED = (b'<lom xmlns="http://www.imsglobal.org/xsd/imsmd_v1p2">\n  <general>\n    <title>\n'
            b'      <langstring xml:lang="nl">Ingesprongen</langstring>\n    </title>\n    <description>\n'
            b'      <langstring xml:lang="nl">regel een\n        regel <b>twee</b>\n  </langstring>\n'
            b'    </description>\n  </general>\n</lom>')


def varied_record(index: int) -> bytes:
    if index % 10 == 1:
        return OAI_DC  # not the format asked for
    if index % 10 == 3:
        return TITLE_ONLY
    if index % 10 == 5:
        return INDENTED
    if index % 10 == 8:
        # A character XML 1.0 forbids: the client removes it from the page before parsing.
        return nl_lom_record(index).replace(b"les ", b"les \x01", 1)
    if index == 26:
        # An unescaped ampersand: its page is read record by record (salvaged), without a body.
        return nl_lom_record(index).replace(b"Biologie: ", b"Biologie & ", 1)
    return nl_lom_record(index)


def pages_of(url: str) -> Iterator[Page]:
    with OaiClient(url, FAST_CLIENT) as client:
        page = client.list_records(metadata_prefix="lom")
        yield page
        while page.resumption_token is not None:
            page = client.resume_list(page.resumption_token)
            yield page


def without_payloads(page: Page) -> list:
    return [dataclasses.replace(raw, payload=None) for raw in page.records]


def test_every_way_to_normalise_a_page_gives_the_same_stored_records(oai_server: StartServer) -> None:
    server = oai_server(GeneratedCorpus(40, page_size=10, record=varied_record, deleted_every=7))
    pages = list(pages_of(server.url))

    assert len(pages) == 4
    salvaged = [page for page in pages if page.body is None]
    assert len(salvaged) == 1, "the page with a broken record is read record by record"
    for page in pages:
        in_tree = harvested_page(page.records, "lom")
        # The payloads the client parsed are read as they are, or `metadata_xml` is parsed again.
        assert all(raw.payload is not None for raw in page.records if raw.metadata_xml) == (page.body is not None)
        assert in_tree == harvested_page(without_payloads(page), "lom")
        if page.body is not None:
            heads = [RecordHead.of(raw) for raw in page.records]
            assert normalised_page(page.body, heads, "lom") == [(item.stored, item.failure) for item in in_tree]
    items = [item for page in pages for item in harvested_page(page.records, "lom")]
    failures = [item.failure for item in items if item.failure]
    assert sum(item.deleted for item in items) == 5
    assert len(failures) == 5 and sum(item.stored is not None for item in items) == 40 - 5 - 5
    assert sum("not the requested format lom" in failure for failure in failures) == 4
    assert sum(failure.startswith("record is not well-formed XML") for failure in failures) == 1


def test_a_page_whose_envelope_keeps_white_space_hands_on_only_metadata_xml(oai_server: StartServer) -> None:
    corpus = GeneratedCorpus(10, page_size=10, record=varied_record)

    def preserving(request: ReplayRequest) -> Reply:
        reply = corpus(request)
        return dataclasses.replace(reply, body=reply.body.replace(b"<ListRecords>", b'<ListRecords xml:space="preserve">'))

    pages: PageSource = preserving
    [page] = pages_of(oai_server(pages).url)

    # Inside xml:space="preserve" the parser keeps white space that the payload read on its own
    # drops: only `metadata_xml` says what the normaliser reads.
    assert page.body is None and all(raw.payload is None for raw in page.records)
    assert harvested_page(page.records, "lom") == harvested_page(without_payloads(page), "lom")


def test_a_record_over_the_size_limit_fails_unread_whoever_parsed_it() -> None:
    head = RecordHead("oai:x:1", "2024-01-01", deleted=False, problem=None, metadata_size=RECORD_XML_MAX + 1)
    body = (b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record><header>'
            b"<identifier>oai:x:1</identifier><datestamp>2024-01-01</datestamp></header>"
            b"<metadata>" + TITLE_ONLY + b"</metadata></record></ListRecords></OAI-PMH>")

    [(stored, failure)] = normalised_page(body, [head], "lom") or []

    assert stored is None and failure is not None
    assert failure.startswith(f"record metadata is {RECORD_XML_MAX + 1} bytes, more than the limit")


def test_a_body_that_does_not_hold_the_records_described_is_not_normalised() -> None:
    head = RecordHead("oai:x:1", "2024-01-01", deleted=False, problem=None, metadata_size=10)
    empty = b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords/></OAI-PMH>'

    assert normalised_page(empty, [head], "lom") is None
    assert normalised_page(b"<not xml", [head], "lom") is None


def test_a_raw_record_travels_without_its_parsed_payload(oai_server: StartServer) -> None:
    [page] = pages_of(oai_server(GeneratedCorpus(2, page_size=10)).url)
    raw = page.records[0]

    copy = pickle.loads(pickle.dumps(raw))

    assert raw.payload is not None and copy.payload is None
    assert copy == raw and copy.sha256 == raw.sha256 and copy.metadata_xml == raw.metadata_xml
