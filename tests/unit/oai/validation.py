"""Validates OAI-PMH responses against the vendored schemas, offline. I/O: reads package data.

`validate_response` checks a whole response against OAI-PMH.xsd and each
`lom` payload against the IMS Meta-data 1.2.4 schema (whose import of the
W3C xml.xsd is answered from the vendored copy by a resolver, never the
network). It returns the parsed root for further assertions.
"""

from __future__ import annotations

from functools import cache

from lxml import etree

from metadata.formats import LOM
from schemas import resources

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
NS = {
    "oai": OAI_NS,
    "lom": LOM.namespace,
    "ieee": "http://ltsc.ieee.org/xsd/LOM",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "id": "http://www.openarchives.org/OAI/2.0/oai-identifier",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
_XML_XSD_LOCATIONS = ("http://www.w3.org/2001/03/xml.xsd", "http://www.w3.org/2001/xml.xsd")


class _VendoredSchemas(etree.Resolver):
    """Answers the W3C xml.xsd import from schemas/xsd; anything else is refused (no network)."""

    def resolve(self, system_url, public_id, context):  # type: ignore[no-untyped-def]
        if system_url in _XML_XSD_LOCATIONS or system_url.endswith("/xml.xsd"):
            return self.resolve_string(resources.read_bytes("xsd/xml.xsd"), context)
        raise AssertionError(f"schema import {system_url} would need the network")


def _safe_parser() -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    parser.resolvers.add(_VendoredSchemas())
    return parser


@cache
def oai_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.fromstring(resources.read_bytes("xsd/OAI-PMH.xsd"), _safe_parser()))


@cache
def lom_schema() -> etree.XMLSchema:
    document = etree.fromstring(
        resources.read_bytes("xsd/imsmd_v1p2p4.xsd"), _safe_parser(), base_url="imsmd_v1p2p4.xsd"
    )
    return etree.XMLSchema(document)


def parse(body: bytes) -> etree._Element:
    return etree.fromstring(body, etree.XMLParser(no_network=True, resolve_entities=False))


def validate_response(body: bytes) -> etree._Element:
    """Parse `body`, assert it is a valid OAI-PMH response with valid `lom` payloads; return the root."""
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<OAI-PMH "), body[:80]
    root = parse(body)
    oai_schema().assertValid(root)
    for payload in root.iterfind("oai:*/oai:record/oai:metadata/lom:lom", NS):
        # Validate the payload as a document of its own, as a harvester storing it would.
        lom_schema().assertValid(etree.fromstring(etree.tostring(payload)))
    return root


def error_codes(root: etree._Element) -> list[str]:
    return [element.get("code") for element in root.iterfind("oai:error", NS)]


def request_echo(root: etree._Element) -> tuple[dict[str, str], str]:
    element = root.find("oai:request", NS)
    return dict(element.attrib), element.text
