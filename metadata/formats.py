"""The metadata formats a record is read and written in, by OAI-PMH metadataPrefix. Pure; no I/O.

The one registry of formats: the feed offers these (ListMetadataFormats and
every payload it writes), the harvester and re-normalising know a payload's
format by them, and the `oer normalize` and serialisation paths write with them.

| prefix | format | namespace | schema |
|---|---|---|---|
| `lom` | NL-LOM, IMS binding (as Edurep serves it) | `http://www.imsglobal.org/xsd/imsmd_v1p2` | `imsmd_v1p2p4.xsd` |
| `nl_lom` | NL-LOM, IEEE binding | `http://ltsc.ieee.org/xsd/LOM` | `lomv1.0/lom.xsd` |
| `oai_dc` | simple Dublin Core | `http://www.openarchives.org/OAI/2.0/oai_dc/` | `oai_dc.xsd` |

The namespaces and schemas are those of the readers and writers themselves
(`metadata.lom`'s bindings, `metadata.dublin_core`), so there is one copy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from lxml import etree

from metadata.dublin_core import (
    OAI_DC_NAMESPACE,
    OAI_DC_SCHEMA,
    read_dublin_core,
    record_to_dublin_core,
)
from metadata.lom import lom_payload, read_lom, record_to_lom
from metadata.lom_bindings import IEEE_BINDING, IMS_BINDING
from metadata.record import Record

# metadataPrefixType of OAI-PMH.xsd.
METADATA_PREFIX_PATTERN = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")

# A format's payload element (an lxml element) to a Record, without completeness
# (`metadata.normalize` assesses that), and a Record to its payload element.
Reader = Callable[[Any], Record]
Writer = Callable[[Record], Any]


@dataclass(frozen=True, slots=True)
class MetadataFormat:
    """One metadata format: its OAI-PMH prefix, namespace and schema, and how to read and write it."""

    prefix: str
    namespace: str
    schema: str
    read: Reader
    write: Writer
    # The payload `write` gives, as the UTF-8 text of its element inside an OAI-PMH
    # `<metadata>` (xsi in scope), written without lxml; None where only `write` can.
    payload: Callable[[Record], bytes | None] | None = None

    def __post_init__(self) -> None:
        if not METADATA_PREFIX_PATTERN.fullmatch(self.prefix):
            raise ValueError(f"{self.prefix!r} is not a valid metadata prefix")

    @property
    def schema_location(self) -> str:
        """The xsi:schemaLocation value of a payload: the namespace and its schema."""
        return f"{self.namespace} {self.schema}"


class MetadataFormats:
    """Formats by prefix, in the order they were given (the order ListMetadataFormats lists them)."""

    def __init__(self, formats: Iterable[MetadataFormat]) -> None:
        self._by_prefix: dict[str, MetadataFormat] = {}
        for metadata_format in formats:
            if metadata_format.prefix in self._by_prefix:
                raise ValueError(f"metadata prefix {metadata_format.prefix!r} given twice")
            self._by_prefix[metadata_format.prefix] = metadata_format

    def get(self, prefix: str) -> MetadataFormat | None:
        return self._by_prefix.get(prefix)

    def __getitem__(self, prefix: str) -> MetadataFormat:
        return self._by_prefix[prefix]

    def __iter__(self) -> Iterator[MetadataFormat]:
        return iter(self._by_prefix.values())

    def __len__(self) -> int:
        return len(self._by_prefix)


def _read_lom_record(root: Any) -> Record:
    return read_lom(root).record


# NL-LOM in the IMS Meta-data 1.2.4 binding, as Edurep serves it under `lom`.
LOM = MetadataFormat(
    "lom", IMS_BINDING.namespace, IMS_BINDING.schema, _read_lom_record, partial(record_to_lom, binding=IMS_BINDING),
    partial(lom_payload, binding=IMS_BINDING),
)
# NL-LOM in the IEEE LOM XML binding (IEEE 1484.12.3).
NL_LOM = MetadataFormat(
    "nl_lom", IEEE_BINDING.namespace, IEEE_BINDING.schema, _read_lom_record,
    partial(record_to_lom, binding=IEEE_BINDING), partial(lom_payload, binding=IEEE_BINDING),
)
# Unqualified Dublin Core, mandatory for every OAI-PMH repository (spec 3.4).
OAI_DC = MetadataFormat("oai_dc", OAI_DC_NAMESPACE, OAI_DC_SCHEMA, read_dublin_core, record_to_dublin_core)

# The registry: every format this product reads and writes.
FORMATS = MetadataFormats([LOM, NL_LOM, OAI_DC])


def record_to_element(record: Record, metadata_format: MetadataFormat) -> Any:
    """The record as an lxml element in `metadata_format` (to embed in an OAI-PMH response)."""
    return metadata_format.write(record)


def record_to_xml(record: Record, metadata_format: MetadataFormat, *, pretty: bool = True) -> bytes:
    """The record as a standalone UTF-8 XML document in `metadata_format`."""
    element = record_to_element(record, metadata_format)
    data: bytes = etree.tostring(element, xml_declaration=True, encoding="UTF-8", pretty_print=pretty)
    return data
