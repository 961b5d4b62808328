"""Validates OAI-PMH responses against the vendored schemas, offline. I/O: reads package data.

`validate_response` checks a whole response, payloads included, against one
schema: OAI-PMH.xsd (whose `##other` wildcards are `strict`, as published), with
the namespaces the feed writes into `metadata`, `about` and `description`
imported from their vendored schemas. Every schema location is answered from
`schemas/xsd/` by a resolver (a small XML catalog); anything else is refused,
so validation never touches the network. It returns the parsed root for
further assertions.

One payload namespace has no vendored schema: IEEE LOM (`nl_lom`). The IEEE
LOMv1.0 XSD set (lom.xsd with its custom, strict and loose profiles) is not in
the repository, so that namespace is imported from a stub that declares its
`lom` element with any content (`processContents="lax"`): the envelope around
an `nl_lom` payload is checked strictly, its contents are not.

`envelope_schema` is for pages other repositories wrote (the recorded Edurep
pages): it checks the OAI-PMH envelope only, as their payloads are theirs.
"""

from __future__ import annotations

from functools import cache

from lxml import etree

from metadata.formats import LOM, NL_LOM, OAI_DC
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
OAI_SCHEMA_LOCATION = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_IDENTIFIER_SCHEMA_LOCATION = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
SIMPLE_DC_SCHEMA_LOCATION = "http://dublincore.org/schemas/xmls/simpledc20021212.xsd"
_XML_XSD_LOCATIONS = ("http://www.w3.org/2001/03/xml.xsd", "http://www.w3.org/2001/xml.xsd")
# Where each published schema is kept here (the catalog the resolver answers from).
_CATALOG = {
    OAI_SCHEMA_LOCATION: "xsd/OAI-PMH.xsd",
    OAI_DC.schema: "xsd/oai_dc.xsd",
    SIMPLE_DC_SCHEMA_LOCATION: "xsd/simpledc20021212.xsd",
    LOM.schema: "xsd/imsmd_v1p2p4.xsd",
    OAI_IDENTIFIER_SCHEMA_LOCATION: "xsd/oai-identifier.xsd",
    **{location: "xsd/xml.xsd" for location in _XML_XSD_LOCATIONS},
}
# The namespaces a response of this feed may carry below OAI's wildcards, by schema location.
_PAYLOAD_SCHEMAS = {
    LOM.namespace: LOM.schema,
    OAI_DC.namespace: OAI_DC.schema,
    NS["id"]: OAI_IDENTIFIER_SCHEMA_LOCATION,
    NL_LOM.namespace: f"lax:lom:{NL_LOM.namespace}",
}
_LAX_STUB = """<schema xmlns="http://www.w3.org/2001/XMLSchema" targetNamespace="{namespace}"
        elementFormDefault="qualified">
  <element name="{element}"><complexType>
    <sequence><any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded"/></sequence>
    <anyAttribute namespace="##any" processContents="lax"/>
  </complexType></element>
</schema>"""


class _VendoredSchemas(etree.Resolver):
    """Answers every schema location from schemas/xsd; anything else is refused (no network)."""

    def resolve(self, system_url, public_id, context):  # type: ignore[no-untyped-def]
        if system_url in _CATALOG:
            return self.resolve_string(resources.read_bytes(_CATALOG[system_url]), context)
        if system_url.startswith("lax:"):
            _, element, namespace = system_url.split(":", 2)
            return self.resolve_string(_LAX_STUB.format(element=element, namespace=namespace), context)
        if system_url.endswith("/xml.xsd"):
            return self.resolve_string(resources.read_bytes("xsd/xml.xsd"), context)
        raise AssertionError(f"schema import {system_url} would need the network")


def _safe_parser() -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    parser.resolvers.add(_VendoredSchemas())
    return parser


@cache
def oai_schema() -> etree.XMLSchema:
    """OAI-PMH.xsd with the feed's payload schemas: what `validate_response` checks against."""
    imports = "".join(
        f'<xs:import namespace="{namespace}" schemaLocation="{location}"/>'
        for namespace, location in {OAI_NS: OAI_SCHEMA_LOCATION, **_PAYLOAD_SCHEMAS}.items())
    wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), _safe_parser(), base_url="wrapper.xsd"))


@cache
def envelope_schema() -> etree.XMLSchema:
    """OAI-PMH.xsd with its wildcards read `lax`: the envelope of a page another repository wrote."""
    text = resources.read_bytes("xsd/OAI-PMH.xsd").replace(b'processContents="strict"', b'processContents="lax"')
    return etree.XMLSchema(etree.fromstring(text, _safe_parser()))


@cache
def lom_schema() -> etree.XMLSchema:
    document = etree.fromstring(
        resources.read_bytes("xsd/imsmd_v1p2p4.xsd"), _safe_parser(), base_url="imsmd_v1p2p4.xsd"
    )
    return etree.XMLSchema(document)


@cache
def oai_dc_schema() -> etree.XMLSchema:
    document = etree.fromstring(resources.read_bytes("xsd/oai_dc.xsd"), _safe_parser(), base_url="oai_dc.xsd")
    return etree.XMLSchema(document)


def parse(body: bytes) -> etree._Element:
    return etree.fromstring(body, etree.XMLParser(no_network=True, resolve_entities=False))


def validate_response(body: bytes) -> etree._Element:
    """Parse `body`, assert it is a valid OAI-PMH response with valid payloads; return the root."""
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n"), body[:80]
    root = parse(body)
    assert etree.QName(root).localname == "OAI-PMH", root.tag
    oai_schema().assertValid(root)
    payloads = {"lom:lom": lom_schema(), "oai_dc:dc": oai_dc_schema()}
    for path, schema in payloads.items():
        for payload in root.iterfind(f"oai:*/oai:record/oai:metadata/{path}", NS):
            # Validate the payload as a document of its own too, as a harvester storing it would.
            schema.assertValid(etree.fromstring(etree.tostring(payload)))
    return root


def error_codes(root: etree._Element) -> list[str]:
    return [element.get("code") for element in root.iterfind("oai:error", NS)]


def request_echo(root: etree._Element) -> tuple[dict[str, str], str]:
    element = root.find("oai:request", NS)
    return dict(element.attrib), element.text
