"""Validation of written LOM and content packages against the IMS schemas. Pure; reads package data.

The IMS Meta-data 1.2.4 schema (NL-LOM's `lom`) and the IMS Content Packaging
1.1.3 schema (`imsmanifest.xml`, whose metadata holds a LOM record) import
`http://www.w3.org/2001/03/xml.xsd`; that location, and the two schemas' own
file names, are resolved to the copies vendored in `schemas/xsd/`, so
validating never touches the network.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from lxml import etree

from schemas import resources

_XML_XSD_LOCATION = "http://www.w3.org/2001/03/xml.xsd"


_VENDORED = ("imsmd_v1p2p4.xsd", "imscp_v1p1.xsd")


class _VendoredSchemas(etree.Resolver):  # type: ignore[misc]
    """Resolves the schemas' imports to the vendored files."""

    def resolve(self, url: str, pubid: str | None, context: Any) -> Any:
        if url == _XML_XSD_LOCATION or url.endswith("/xml.xsd"):
            return self.resolve_string(resources.read_bytes("xsd/xml.xsd"), context)
        name = url.rsplit("/", 1)[-1]
        if name in _VENDORED:
            return self.resolve_string(resources.read_bytes(f"xsd/{name}"), context)
        return None


@cache
def ims_lom_schema() -> Any:
    """The IMS Meta-data 1.2.4 schema (NL-LOM's `lom` binding) as an lxml XMLSchema."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_VendoredSchemas())
    document = etree.fromstring(resources.read_bytes("xsd/imsmd_v1p2p4.xsd"), parser,
                                base_url="imsmd_v1p2p4.xsd")
    return etree.XMLSchema(document)


def ims_lom_errors(element: Any) -> list[str]:
    """Why `element` (an IMS-binding `<lom>`) is not valid against the schema; empty if valid."""
    schema = ims_lom_schema()
    if schema.validate(element):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


# Both namespaces in one schema: a manifest's metadata holds a LOM record, validated strictly.
_PACKAGE_SCHEMA = b"""<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:oer:content-package">
  <xsd:import namespace="http://www.imsglobal.org/xsd/imscp_v1p1" schemaLocation="imscp_v1p1.xsd"/>
  <xsd:import namespace="http://www.imsglobal.org/xsd/imsmd_v1p2" schemaLocation="imsmd_v1p2p4.xsd"/>
</xsd:schema>"""


@cache
def ims_cp_schema() -> Any:
    """IMS Content Packaging 1.1.3 with IMS Meta-data 1.2.4 for the LOM inside, as one XMLSchema."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_VendoredSchemas())
    return etree.XMLSchema(etree.fromstring(_PACKAGE_SCHEMA, parser, base_url="package.xsd"))


def ims_cp_errors(element: Any) -> list[str]:
    """Why `element` (an `imsmanifest.xml` root) is not valid; empty if valid."""
    schema = ims_cp_schema()
    if schema.validate(element):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]
