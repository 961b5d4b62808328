"""The metadata formats a record is written in, by OAI-PMH metadataPrefix. Pure; no I/O.

| prefix | format | namespace |
|---|---|---|
| `lom` | NL-LOM, IMS binding (as Edurep serves it) | `http://www.imsglobal.org/xsd/imsmd_v1p2` |
| `nl_lom` | NL-LOM, IEEE binding | `http://ltsc.ieee.org/xsd/LOM` |
| `oai_dc` | simple Dublin Core | `http://www.openarchives.org/OAI/2.0/oai_dc/` |
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from lxml import etree

from metadata.dublin_core import OAI_DC_NAMESPACE, record_to_dublin_core
from metadata.lom import IEEE_BINDING, IMS_BINDING, record_to_lom
from metadata.record import Record


class MetadataFormat(str, Enum):
    LOM = "lom"
    NL_LOM = "nl_lom"
    OAI_DC = "oai_dc"

    @property
    def namespace(self) -> str:
        return _NAMESPACES[self]

    @property
    def schema(self) -> str:
        """The schema URL an OAI-PMH ListMetadataFormats answer gives for this format."""
        return _SCHEMAS[self]


_NAMESPACES = {
    MetadataFormat.LOM: IMS_BINDING.namespace,
    MetadataFormat.NL_LOM: IEEE_BINDING.namespace,
    MetadataFormat.OAI_DC: OAI_DC_NAMESPACE,
}
_SCHEMAS = {
    MetadataFormat.LOM: "http://www.imsglobal.org/xsd/imsmd_v1p2p4.xsd",
    MetadataFormat.NL_LOM: "http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd",
    MetadataFormat.OAI_DC: "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
}


def record_to_element(record: Record, metadata_format: MetadataFormat) -> Any:
    """The record as an lxml element in `metadata_format` (to embed in an OAI-PMH response)."""
    if metadata_format is MetadataFormat.LOM:
        return record_to_lom(record, IMS_BINDING)
    if metadata_format is MetadataFormat.NL_LOM:
        return record_to_lom(record, IEEE_BINDING)
    return record_to_dublin_core(record)


def record_to_xml(record: Record, metadata_format: MetadataFormat, *, pretty: bool = True) -> bytes:
    """The record as a standalone UTF-8 XML document in `metadata_format`."""
    element = record_to_element(record, metadata_format)
    data: bytes = etree.tostring(element, xml_declaration=True, encoding="UTF-8", pretty_print=pretty)
    return data
