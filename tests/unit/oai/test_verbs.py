"""Identify, ListMetadataFormats, ListSets and GetRecord, and the error codes each can answer (spec 4)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from lxml import etree

from metadata.formats import LOM, NL_LOM, OAI_DC, MetadataFormat, MetadataFormats
from oer.feed.oai.provider import OaiProvider
from oer.feed.oai.tokens import ResumptionTokens
from tests.support.oai_requests import SECRET, Ask, FakeClock, arguments_of
from tests.unit.oai.memory_feed import (
    BASE_URL,
    REPOSITORY_ID,
    START,
    InMemoryFeedRepository,
    identifier_for,
)
from tests.unit.oai.stand_ins import oai_dc
from tests.unit.oai.validation import NS, error_codes, validate_response

UTC_SECOND = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
LIVE_ID = identifier_for(0)
DELETED_ID = identifier_for(5)  # build_corpus makes every ninth item, from the sixth, a tombstone
XSI_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"


def texts(root: etree._Element, path: str) -> list[str]:
    return [element.text for element in root.iterfind(path, NS)]


class TestResponseEnvelope:
    def test_response_date_is_utc_at_second_granularity_from_the_clock(self, ask: Ask, clock: FakeClock) -> None:
        (response_date,) = texts(ask("verb=Identify"), "oai:responseDate")
        assert UTC_SECOND.fullmatch(response_date)
        assert response_date == clock.now.strftime("%Y-%m-%dT%H:%M:%SZ")

    def test_root_names_the_oai_schema(self, ask: Ask) -> None:
        root = ask("verb=Identify")
        assert root.tag == "{http://www.openarchives.org/OAI/2.0/}OAI-PMH"
        assert root.get(XSI_LOCATION) == (
            "http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
        )


class TestIdentify:
    def test_identify_describes_the_repository(self, ask: Ask) -> None:
        identify = ask("verb=Identify").find("oai:Identify", NS)
        value = {child.tag.split("}")[1]: child.text for child in identify if child.tag != f"{{{NS['oai']}}}description"}
        assert value == {
            "repositoryName": "OER test repository",
            "baseURL": BASE_URL,
            "protocolVersion": "2.0",
            "adminEmail": "feed@oer.example.org",
            "earliestDatestamp": "2024-01-01T08:00:00Z",
            "deletedRecord": "persistent",
            "granularity": "YYYY-MM-DDThh:mm:ssZ",
            "compression": "gzip",
        }

    def test_identify_carries_an_oai_identifier_description(self, ask: Ask) -> None:
        root = ask("verb=Identify")
        assert texts(root, "oai:Identify/oai:description/id:oai-identifier/id:repositoryIdentifier") == [REPOSITORY_ID]
        (sample,) = texts(root, "oai:Identify/oai:description/id:oai-identifier/id:sampleIdentifier")
        assert sample.startswith(f"oai:{REPOSITORY_ID}:")

    def test_earliest_datestamp_of_an_empty_repository(self, provider: OaiProvider) -> None:
        root = validate_response(provider.handle(InMemoryFeedRepository(), arguments_of("verb=Identify")))
        assert texts(root, "oai:Identify/oai:earliestDatestamp") == [START.strftime("%Y-%m-%dT%H:%M:%SZ")]


class TestListMetadataFormats:
    def test_lists_the_three_formats(self, ask: Ask) -> None:
        root = ask("verb=ListMetadataFormats")
        formats = list(
            zip(
                texts(root, "oai:ListMetadataFormats/oai:metadataFormat/oai:metadataPrefix"),
                texts(root, "oai:ListMetadataFormats/oai:metadataFormat/oai:metadataNamespace"),
                texts(root, "oai:ListMetadataFormats/oai:metadataFormat/oai:schema"),
                strict=True,
            )
        )
        assert formats == [
            ("lom", LOM.namespace, LOM.schema),
            ("nl_lom", NL_LOM.namespace, "http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd"),
            ("oai_dc", OAI_DC.namespace, "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"),
        ]

    @pytest.mark.parametrize("identifier", [LIVE_ID, DELETED_ID])
    def test_for_an_item_lists_every_format(self, ask: Ask, identifier: str) -> None:
        root = ask(f"verb=ListMetadataFormats&identifier={identifier}")
        assert texts(root, "oai:ListMetadataFormats/oai:metadataFormat/oai:metadataPrefix") == ["lom", "nl_lom", "oai_dc"]

    def test_unknown_item_is_id_does_not_exist(self, ask: Ask) -> None:
        assert error_codes(ask("verb=ListMetadataFormats&identifier=oai:elsewhere:1")) == ["idDoesNotExist"]

    def test_no_formats_is_no_metadata_formats(self, repository: InMemoryFeedRepository, clock: FakeClock) -> None:
        provider = OaiProvider(MetadataFormats([]), ResumptionTokens(SECRET), clock=clock)
        root = validate_response(provider.handle(repository, arguments_of(f"verb=ListMetadataFormats&identifier={LIVE_ID}")))
        assert error_codes(root) == ["noMetadataFormats"]


class TestListSets:
    def test_lists_every_set_with_its_name_and_description(self, ask: Ask) -> None:
        root = ask("verb=ListSets")
        assert texts(root, "oai:ListSets/oai:set/oai:setSpec") == [
            "curated", "source:wikiwijs", "source:school-a", "sector:PO", "sector:VO", "collection:empty",
        ]
        assert texts(root, "oai:ListSets/oai:set/oai:setName")[0] == "Curated by the editors"
        assert texts(root, "oai:ListSets/oai:set/oai:setDescription/oai_dc:dc/dc:description") == [
            "Materials the editors selected."
        ]
        assert root.find("oai:ListSets/oai:resumptionToken", NS) is None

    def test_any_resumption_token_is_bad_resumption_token(self, ask: Ask) -> None:
        assert error_codes(ask("verb=ListSets&resumptionToken=x")) == ["badResumptionToken"]

    def test_without_sets_the_answer_is_no_set_hierarchy(self, provider: OaiProvider) -> None:
        repository = InMemoryFeedRepository(sets=[])
        for query in ("verb=ListSets", "verb=ListRecords&metadataPrefix=lom&set=curated",
                      "verb=ListIdentifiers&metadataPrefix=lom&set=curated"):
            root = validate_response(provider.handle(repository, arguments_of(query)))
            assert error_codes(root) == ["noSetHierarchy"], query


class TestGetRecord:
    @pytest.mark.parametrize(
        ("prefix", "payload"),
        [("lom", "lom:lom"), ("nl_lom", "ieee:lom"), ("oai_dc", "oai_dc:dc")],
    )
    def test_record_in_each_format(self, ask: Ask, prefix: str, payload: str) -> None:
        root = ask(f"verb=GetRecord&identifier={LIVE_ID}&metadataPrefix={prefix}")
        (record,) = root.iterfind("oai:GetRecord/oai:record", NS)
        assert texts(record, "oai:header/oai:identifier") == [LIVE_ID]
        assert texts(record, "oai:header/oai:datestamp") == ["2024-01-01T08:00:00Z"]
        assert sorted(texts(record, "oai:header/oai:setSpec")) == ["curated", "sector:VO", "source:wikiwijs"]
        (element,) = record.iterfind(f"oai:metadata/{payload}", NS)
        namespace = element.tag[1:].split("}")[0]
        assert element.get(XSI_LOCATION).startswith(namespace + " ")

    def test_metadata_text_is_escaped_not_injected(self, ask: Ask) -> None:
        root = ask(f"verb=GetRecord&identifier={LIVE_ID}&metadataPrefix=oai_dc")
        assert texts(root, "oai:GetRecord/oai:record/oai:metadata/oai_dc:dc/dc:title") == [
            "Les 0: breuken & procenten <deel 0>"
        ]

    def test_deleted_item_is_a_deleted_header_without_metadata(self, ask: Ask) -> None:
        root = ask(f"verb=GetRecord&identifier={DELETED_ID}&metadataPrefix=lom")
        (record,) = root.iterfind("oai:GetRecord/oai:record", NS)
        assert record.find("oai:header", NS).get("status") == "deleted"
        assert record.find("oai:metadata", NS) is None

    def test_unknown_identifier_is_id_does_not_exist(self, ask: Ask) -> None:
        assert error_codes(ask("verb=GetRecord&identifier=oai:elsewhere:1&metadataPrefix=lom")) == ["idDoesNotExist"]

    def test_unknown_format_is_cannot_disseminate_format(self, ask: Ask) -> None:
        assert error_codes(ask(f"verb=GetRecord&identifier={LIVE_ID}&metadataPrefix=marc21")) == [
            "cannotDisseminateFormat"
        ]

    def test_both_problems_are_reported(self, ask: Ask) -> None:
        root = ask("verb=GetRecord&identifier=oai:elsewhere:1&metadataPrefix=marc21")
        assert error_codes(root) == ["cannotDisseminateFormat", "idDoesNotExist"]

    def test_identifier_with_reserved_and_non_ascii_characters(
        self, provider: OaiProvider, repository: InMemoryFeedRepository
    ) -> None:
        odd = "oai:oer.example.org:é/(1)?x=y&z=%20;'!*~"
        repository.put(odd, repository.items[LIVE_ID].record, {"curated"}, START)
        query = urlencode({"verb": "GetRecord", "identifier": odd, "metadataPrefix": "lom"})
        root = validate_response(provider.handle(repository, arguments_of(query)))
        assert texts(root, "oai:GetRecord/oai:record/oai:header/oai:identifier") == [odd]
        assert root.find("oai:request", NS).get("identifier") == odd


def test_serialiser_in_the_wrong_namespace_is_a_programming_error(
    repository: InMemoryFeedRepository, clock: FakeClock
) -> None:
    wrong = MetadataFormats([MetadataFormat("lom", LOM.namespace, LOM.schema, LOM.read, oai_dc)])
    provider = OaiProvider(wrong, ResumptionTokens(SECRET), clock=clock)
    with pytest.raises(ValueError, match="not an element in"):
        provider.handle(repository, arguments_of(f"verb=GetRecord&identifier={LIVE_ID}&metadataPrefix=lom"))


def test_clock_advances_the_response_date(ask: Ask, clock: FakeClock) -> None:
    first = texts(ask("verb=Identify"), "oai:responseDate")
    clock.advance(seconds=61)
    assert texts(ask("verb=Identify"), "oai:responseDate") != first
