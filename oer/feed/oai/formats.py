"""The feed's view of the metadata format registry (`metadata.formats`): dissemination. Pure; no I/O.

The provider offers a `MetadataFormats` registry (by default
`metadata.formats.FORMATS`) and knows a format by its prefix, schema and
namespace only; what a record looks like in that format is the business of the
format's writer. Tests give the provider the same formats with stand-in writers
(`with_writers`).
"""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from metadata.formats import (
    LOM,
    NL_LOM,
    OAI_DC,
    MetadataFormat,
    MetadataFormats,
    Writer,
)
from metadata.record import Record

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA_LOCATION = f"{{{XSI_NS}}}schemaLocation"


def disseminate(metadata_format: MetadataFormat, record: Record) -> etree._Element:
    """The record's payload for a `<metadata>` element.

    Spec 2.5: the payload's root is in the format's namespace and names its
    schema in xsi:schemaLocation; a writer that leaves the location out gets
    it added here.
    """
    element: etree._Element = metadata_format.write(record)
    if etree.QName(element).namespace != metadata_format.namespace:
        raise ValueError(
            f"the {metadata_format.prefix} serialiser wrote {element.tag}, "
            f"not an element in {metadata_format.namespace}"
        )
    if element.get(_SCHEMA_LOCATION) is None:
        element.set(_SCHEMA_LOCATION, metadata_format.schema_location)
    return element


def with_writers(*, lom: Writer, nl_lom: Writer, oai_dc: Writer) -> MetadataFormats:
    """The registry's three formats (`lom`, `nl_lom`, `oai_dc`), written by other writers."""
    return MetadataFormats(
        [replace(LOM, write=lom), replace(NL_LOM, write=nl_lom), replace(OAI_DC, write=oai_dc)]
    )
