"""The replay server's page sources, called directly: selection, tokens and recorded chains."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from harvester.replay_pages import (
    GeneratedCorpus,
    RecordedPages,
    ReplayRequest,
    nl_lom_record,
)

NS = {"oai": "http://www.openarchives.org/OAI/2.0/"}
EDUREP = Path(__file__).resolve().parents[2] / "data" / "fixtures" / "oai" / "edurep"


def request(**arguments: str) -> ReplayRequest:
    return ReplayRequest(method="GET", path="/oai", arguments={"verb": "ListRecords", **arguments})


def parse(body: bytes):  # type: ignore[no-untyped-def]
    return etree.fromstring(body)


def test_generated_pages_chain_to_the_end() -> None:
    corpus = GeneratedCorpus(250, page_size=100)
    identifiers: list[str] = []
    reply = corpus(request(metadataPrefix="lom"))
    while True:
        root = parse(reply.body)
        identifiers += root.xpath("//oai:header/oai:identifier/text()", namespaces=NS)
        token = root.find(".//oai:resumptionToken", NS)
        if not token.text:
            break
        reply = corpus(request(resumptionToken=token.text))
    assert identifiers == [corpus.identifier(index) for index in range(250)]
    assert token.get("cursor") == "200" and token.get("completeListSize") == "250"


def test_from_and_until_select_a_range() -> None:
    corpus = GeneratedCorpus(1000, page_size=500)
    root = parse(corpus(request(metadataPrefix="lom", **{"from": corpus.datestamp(10),
                                                          "until": corpus.datestamp(19)})).body)
    assert root.xpath("//oai:header/oai:identifier/text()", namespaces=NS) == [
        corpus.identifier(index) for index in range(10, 20)]


def test_errors() -> None:
    corpus = GeneratedCorpus(10)
    codes = [parse(corpus(req).body).find("oai:error", NS).get("code") for req in (
        request(metadataPrefix="oai_dc"),
        request(resumptionToken="nonsense"),
        request(metadataPrefix="lom", **{"from": "2999-01-01"}),
        ReplayRequest("GET", "/oai", {"verb": "ListSets"}),
    )]
    assert codes == ["cannotDisseminateFormat", "badResumptionToken", "noRecordsMatch", "badVerb"]


def test_deleted_records() -> None:
    corpus = GeneratedCorpus(10, deleted_every=5)
    root = parse(corpus(request(metadataPrefix="lom")).body)
    assert len(root.xpath("//oai:header[@status='deleted']", namespaces=NS)) == 2


def test_generated_record_is_nl_lom() -> None:
    lom = etree.fromstring(nl_lom_record(7))
    ims = {"lom": "http://www.imsglobal.org/xsd/imsmd_v1p2"}
    assert lom.xpath("lom:metametadata/lom:metadatascheme/text()", namespaces=ims) == ["LOMv1.0", "nl_lom_v1p0"]
    assert lom.xpath("lom:general/lom:title/lom:langstring/text()", namespaces=ims) == ["Rekenen: breuken, les 8"]


def test_recorded_pages_follow_their_tokens() -> None:
    pages = RecordedPages.from_files([EDUREP / "edurep-oaipmh.initial.0.xml", EDUREP / "edurep-oaipmh.initial.1.xml"])
    first = pages(request(metadataPrefix="lom"))
    token = parse(first.body).find(".//oai:resumptionToken", NS).text
    assert pages(request(resumptionToken=token)).body == (EDUREP / "edurep-oaipmh.initial.1.xml").read_bytes()
    assert parse(pages(request(resumptionToken="x")).body).find("oai:error", NS).get("code") == "badResumptionToken"


def test_recorded_pages_need_tokens_to_chain() -> None:
    with pytest.raises(ValueError, match="names no resumption token"):
        RecordedPages([(EDUREP / "edurep-oaipmh.initial.1.xml").read_bytes(), b"<x/>"])
