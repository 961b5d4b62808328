"""The feed's view of the metadata format registry (`metadata.formats`): dissemination. Pure; no I/O.

The provider offers a `MetadataFormats` registry (by default
`metadata.formats.FORMATS`) and knows a format by its prefix, schema and
namespace only; what a record looks like in that format is the business of the
format's writer. Tests give the provider the same formats with stand-in writers
(`with_writers`).

`payload_bytes` is the one serialiser of a record as the feed serves it: the
bytes inside a response's `<metadata>` element. The store keeps those bytes
per format (`oer.feed.payloads`) stamped with `PAYLOAD_VERSION`, and a stored
payload of another version is never served; so the version must change
whenever these bytes may: a change of this module, of a writer in `metadata`
(`metadata.lom`, `metadata.dublin_core`) or of the vocabulary and licence
tables they write from. `tests/unit/feed/test_payload_version.py` fails when
the bytes of its sample records change and the version did not.
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

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
# The namespaces a response declares on its root, and so the context every payload is written in.
RESPONSE_NAMESPACES = {None: OAI_NS, "xsi": XSI_NS}
# Bump whenever `payload_bytes` may write other bytes for the same record (see the module docstring).
PAYLOAD_VERSION = 4

_SCHEMA_LOCATION = f"{{{XSI_NS}}}schemaLocation"
_METADATA = f"{{{OAI_NS}}}metadata"
_METADATA_END = b"</metadata>"


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


def payload_bytes(metadata_format: MetadataFormat, record: Record) -> bytes:
    """The record in `metadata_format` as the UTF-8 bytes a response holds inside `<metadata>`.

    Written inside a `<metadata>` element that declares the response root's
    namespaces, as it sits in a response: lxml then leaves out the declarations
    the root already makes (`xsi`), exactly as when the payload element is put
    into a whole response tree, so a response spliced from these bytes is the
    document lxml would have written. The bytes are a well-formed element that
    needs only those two declarations in scope. A format that writes its payload
    as text (`MetadataFormat.payload`, the LOM formats) gives the same bytes
    without building the element.
    """
    if metadata_format.payload is not None:
        written = metadata_format.payload(record)
        if written is not None:
            return written
    holder = etree.Element(_METADATA, nsmap=RESPONSE_NAMESPACES)
    holder.append(disseminate(metadata_format, record))
    data: bytes = etree.tostring(holder, encoding="UTF-8")
    # Namespace names hold no '>': the holder's start tag ends at the first one.
    start = data.index(b">") + 1
    if not data.endswith(_METADATA_END):
        raise ValueError(f"the {metadata_format.prefix} payload did not serialise inside <metadata>")
    return data[start : -len(_METADATA_END)]


def with_writers(*, lom: Writer, nl_lom: Writer, oai_dc: Writer) -> MetadataFormats:
    """The registry's three formats (`lom`, `nl_lom`, `oai_dc`), written by other writers."""
    return MetadataFormats(
        [replace(LOM, write=lom, payload=None), replace(NL_LOM, write=nl_lom, payload=None),
         replace(OAI_DC, write=oai_dc, payload=None)]
    )
