"""The metadata formats the provider disseminates, each with an injected serialiser. Pure; no I/O.

The provider knows a format by its prefix, schema and namespace only; what a
record looks like in that format is the business of the serialiser (the
`metadata` package's NL-LOM, IEEE LOM and oai_dc writers).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from lxml import etree

from metadata import formats as metadata_formats
from metadata.record import Record

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA_LOCATION = f"{{{XSI_NS}}}schemaLocation"
# metadataPrefixType of OAI-PMH.xsd.
METADATA_PREFIX_PATTERN = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")

Serialiser = Callable[[Record], etree._Element]

# NL-LOM in the IMS Meta-data 1.2.4 binding, as Edurep serves it under `lom`.
LOM_PREFIX = "lom"
LOM_NAMESPACE = "http://www.imsglobal.org/xsd/imsmd_v1p2"
LOM_SCHEMA = "http://www.imsglobal.org/xsd/imsmd_v1p2p4.xsd"
# NL-LOM in the IEEE LOM XML binding (IEEE 1484.12.3).
NL_LOM_PREFIX = "nl_lom"
NL_LOM_NAMESPACE = "http://ltsc.ieee.org/xsd/LOM"
NL_LOM_SCHEMA = "http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd"
# Unqualified Dublin Core, mandatory for every OAI-PMH repository (spec 3.4).
OAI_DC_PREFIX = "oai_dc"
OAI_DC_NAMESPACE = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"


@dataclass(frozen=True, slots=True)
class MetadataFormat:
    """One format of ListMetadataFormats and the serialiser that writes a record in it."""

    prefix: str
    schema: str
    namespace: str
    serialise: Serialiser

    def __post_init__(self) -> None:
        if not METADATA_PREFIX_PATTERN.fullmatch(self.prefix):
            raise ValueError(f"{self.prefix!r} is not a valid metadata prefix")

    def disseminate(self, record: Record) -> etree._Element:
        """The record's payload for a `<metadata>` element.

        Spec 2.5: the payload's root is in the format's namespace and names its
        schema in xsi:schemaLocation; a serialiser that leaves the location out
        gets it added here.
        """
        element = self.serialise(record)
        if etree.QName(element).namespace != self.namespace:
            raise ValueError(
                f"the {self.prefix} serialiser wrote {element.tag}, not an element in {self.namespace}"
            )
        if element.get(_SCHEMA_LOCATION) is None:
            element.set(_SCHEMA_LOCATION, f"{self.namespace} {self.schema}")
        return element


class MetadataFormats:
    """The formats the repository offers, in the order ListMetadataFormats lists them."""

    def __init__(self, formats: list[MetadataFormat]) -> None:
        self._by_prefix: dict[str, MetadataFormat] = {}
        for metadata_format in formats:
            if metadata_format.prefix in self._by_prefix:
                raise ValueError(f"metadata prefix {metadata_format.prefix!r} given twice")
            self._by_prefix[metadata_format.prefix] = metadata_format

    def get(self, prefix: str) -> MetadataFormat | None:
        return self._by_prefix.get(prefix)

    def __iter__(self) -> Iterator[MetadataFormat]:
        return iter(self._by_prefix.values())

    def __len__(self) -> int:
        return len(self._by_prefix)


def standard_formats(*, lom: Serialiser, nl_lom: Serialiser, oai_dc: Serialiser) -> MetadataFormats:
    """The feed's three formats: `lom` (IMS binding), `nl_lom` (IEEE binding) and `oai_dc`."""
    return MetadataFormats(
        [
            MetadataFormat(LOM_PREFIX, LOM_SCHEMA, LOM_NAMESPACE, lom),
            MetadataFormat(NL_LOM_PREFIX, NL_LOM_SCHEMA, NL_LOM_NAMESPACE, nl_lom),
            MetadataFormat(OAI_DC_PREFIX, OAI_DC_SCHEMA, OAI_DC_NAMESPACE, oai_dc),
        ]
    )


def feed_formats() -> MetadataFormats:
    """The three formats written by the `metadata` package's serialisers (the production wiring)."""
    prefix = metadata_formats.MetadataFormat
    write = metadata_formats.record_to_element
    return standard_formats(
        lom=partial(write, metadata_format=prefix.LOM),
        nl_lom=partial(write, metadata_format=prefix.NL_LOM),
        oai_dc=partial(write, metadata_format=prefix.OAI_DC),
    )
