"""Validation of written LOM against the IMS Meta-data 1.2.4 XML schema. Pure; reads package data.

The schema imports `http://www.w3.org/2001/03/xml.xsd`; that location is
resolved to the copy vendored in `schemas/xsd/`, so validating never touches
the network.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from lxml import etree

from schemas import resources

_XML_XSD_LOCATION = "http://www.w3.org/2001/03/xml.xsd"


class _VendoredSchemas(etree.Resolver):  # type: ignore[misc]
    """Resolves the schema's one external import to the vendored file."""

    def resolve(self, url: str, pubid: str | None, context: Any) -> Any:
        if url == _XML_XSD_LOCATION or url.endswith("/xml.xsd"):
            return self.resolve_string(resources.read_bytes("xsd/xml.xsd"), context)
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
