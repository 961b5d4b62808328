"""The response validator itself: OAI-PMH.xsd as published, payloads checked strictly, offline."""

from __future__ import annotations

import pytest
from lxml import etree

from schemas import resources
from tests.unit.oai.validation import validate_response

XSD = "{http://www.w3.org/2001/XMLSchema}"


def response(payload: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        "<responseDate>2024-01-01T00:00:00Z</responseDate>"
        '<request verb="GetRecord" identifier="oai:voorbeeld.nl:1" metadataPrefix="x">https://voorbeeld.nl/oai</request>'
        "<GetRecord><record><header><identifier>oai:voorbeeld.nl:1</identifier>"
        "<datestamp>2024-01-01T00:00:00Z</datestamp></header>"
        f"<metadata>{payload}</metadata></record></GetRecord></OAI-PMH>"
    ).encode()


DC = ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/">{}</oai_dc:dc>')


def test_the_vendored_oai_schema_checks_every_wildcard_strictly() -> None:
    schema = etree.fromstring(resources.read_bytes("xsd/OAI-PMH.xsd"))
    wildcards = schema.iter(f"{XSD}any")
    assert [(w.get("namespace"), w.get("processContents")) for w in wildcards] == [("##other", "strict")] * 3


def test_valid_oai_dc_payload() -> None:
    validate_response(response(DC.format('<dc:title xml:lang="nl">Breuken</dc:title><dc:date>2017</dc:date>')))


@pytest.mark.parametrize("payload", [
    DC.format("<dc:titel>Breuken</dc:titel>"),  # not a DC element
    DC.format('<dc:title><b xmlns="http://www.w3.org/1999/xhtml">x</b></dc:title>'),  # no markup in DC
    '<lom xmlns="http://www.imsglobal.org/xsd/imsmd_v1p2"><rights/><general/></lom>',  # IMS order
    '<thing xmlns="urn:example:unknown"/>',  # a namespace without a schema is no payload of ours
])
def test_invalid_payloads_are_refused(payload: str) -> None:
    with pytest.raises(etree.DocumentInvalid):
        validate_response(response(payload))
