"""Writes OAI-PMH response documents, as the spec's examples lay them out. Pure; no I/O.

The envelope (responseDate, request, errors, Identify, the sets, the
resumption token) is built with lxml. The items of a list, and GetRecord's
record, are written as bytes and spliced into the envelope's serialisation
(`ResponseDocument.hold`): a record's header is a few escaped strings, and its
payload is already bytes (`oer.feed.oai.formats.payload_bytes`, often stored),
so a page of records is one concatenation, not a tree of thousands of elements
serialised again. The bytes are those lxml writes for the same elements.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache

from lxml import etree

from metadata.dublin_core import DC_NAMESPACE
from metadata.formats import OAI_DC, MetadataFormat
from oer.feed.oai.contract import FeedItem, FeedSet, RepositoryIdentity
from oer.feed.oai.datestamps import format_datestamp
from oer.feed.oai.errors import ErrorCondition
from oer.feed.oai.formats import OAI_NS, RESPONSE_NAMESPACES, XSI_NS, payload_bytes

OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_IDENTIFIER_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"

_SCHEMA_LOCATION = f"{{{XSI_NS}}}schemaLocation"
# Where `hold` puts the items' bytes: a processing instruction, which lxml writes as
# `<?oer-items ?>`. Everything before it in a response is escaped text or markup lxml wrote,
# where "<?" cannot occur after the XML declaration, so the first occurrence is this one.
_ITEMS_TARGET = "oer-items"
_ITEMS_MARK = f"<?{_ITEMS_TARGET} ?>".encode()
_HEADER = b"<header><identifier>%s</identifier><datestamp>%s</datestamp>%s</header>"
_DELETED_HEADER = b'<header status="deleted"><identifier>%s</identifier><datestamp>%s</datestamp>%s</header>'
_TO_ESCAPE = re.compile("[&<>\r]")


def _oai(name: str) -> str:
    return f"{{{OAI_NS}}}{name}"


class ResponseDocument:
    """One response: the OAI-PMH root, responseDate and request, then the verb's content or errors."""

    def __init__(self, response_date: datetime, base_url: str, echo: Iterable[tuple[str, str]]) -> None:
        self.root = etree.Element(_oai("OAI-PMH"), nsmap=RESPONSE_NAMESPACES)
        self.root.set(_SCHEMA_LOCATION, f"{OAI_NS} {OAI_SCHEMA}")
        etree.SubElement(self.root, _oai("responseDate")).text = format_datestamp(response_date)
        request = etree.SubElement(self.root, _oai("request"))
        for name, value in echo:
            request.set(name, value)
        request.text = base_url
        self._items: list[bytes] | None = None

    def add_errors(self, errors: Iterable[ErrorCondition]) -> None:
        for error in errors:
            element = etree.SubElement(self.root, _oai("error"), code=error.code.value)
            element.text = error.message

    def add_container(self, verb: str) -> etree._Element:
        """The element named after the verb, which holds the verb's content."""
        return etree.SubElement(self.root, _oai(verb))

    def hold(self, container: etree._Element, items: Iterable[bytes]) -> None:
        """Put `items`, the parts of elements already serialised (`header_bytes`,
        `record_parts`), at this point of `container`: after what it holds now, before
        what is added later. The parts are joined once, with the envelope."""
        if self._items is not None:
            raise ValueError("a response holds one run of serialised items")
        container.append(etree.ProcessingInstruction(_ITEMS_TARGET))
        self._items = list(items)

    def to_bytes(self) -> bytes:
        result: bytes = etree.tostring(self.root, encoding="UTF-8", xml_declaration=True)
        if self._items is None:
            return result
        head, mark, tail = result.partition(_ITEMS_MARK)
        if not mark:
            raise ValueError("the items' place is missing from the response")
        return b"".join((head, *self._items, tail))


def add_identify(
    container: etree._Element, identity: RepositoryIdentity, compressions: Iterable[str]
) -> None:
    """Identify's content in the order IdentifyType prescribes (spec 4.2)."""
    _text(container, "repositoryName", identity.name)
    _text(container, "baseURL", identity.base_url)
    _text(container, "protocolVersion", "2.0")
    for email in identity.admin_emails:
        _text(container, "adminEmail", email)
    _text(container, "earliestDatestamp", format_datestamp(identity.earliest_datestamp))
    _text(container, "deletedRecord", "persistent")
    _text(container, "granularity", "YYYY-MM-DDThh:mm:ssZ")
    for compression in compressions:
        _text(container, "compression", compression)
    if identity.repository_identifier and identity.sample_identifier:
        description = etree.SubElement(container, _oai("description"))
        oai_identifier = etree.SubElement(
            description, f"{{{OAI_IDENTIFIER_NS}}}oai-identifier", nsmap={None: OAI_IDENTIFIER_NS}
        )
        oai_identifier.set(_SCHEMA_LOCATION, f"{OAI_IDENTIFIER_NS} {OAI_IDENTIFIER_SCHEMA}")
        for name, value in (
            ("scheme", "oai"),
            ("repositoryIdentifier", identity.repository_identifier),
            ("delimiter", ":"),
            ("sampleIdentifier", identity.sample_identifier),
        ):
            etree.SubElement(oai_identifier, f"{{{OAI_IDENTIFIER_NS}}}{name}").text = value


def add_metadata_format(container: etree._Element, metadata_format: MetadataFormat) -> None:
    element = etree.SubElement(container, _oai("metadataFormat"))
    _text(element, "metadataPrefix", metadata_format.prefix)
    _text(element, "schema", metadata_format.schema)
    _text(element, "metadataNamespace", metadata_format.namespace)


def add_set(container: etree._Element, feed_set: FeedSet) -> None:
    element = etree.SubElement(container, _oai("set"))
    _text(element, "setSpec", feed_set.spec)
    _text(element, "setName", feed_set.name)
    if feed_set.description:
        # setDescription needs a payload from another schema; oai_dc is the spec's own example (4.6).
        description = etree.SubElement(element, _oai("setDescription"))
        dc = etree.SubElement(description, f"{{{OAI_DC.namespace}}}dc", nsmap={"oai_dc": OAI_DC.namespace, "dc": DC_NAMESPACE})
        dc.set(_SCHEMA_LOCATION, OAI_DC.schema_location)
        etree.SubElement(dc, f"{{{DC_NAMESPACE}}}description").text = feed_set.description


def header_bytes(item: FeedItem) -> bytes:
    """An item's `<header>` as lxml writes it: identifier, datestamp, its sets (spec 2.5)."""
    specs = b"".join([b"<setSpec>%s</setSpec>" % _escaped(spec) for spec in item.set_specs])
    header = _DELETED_HEADER if item.deleted else _HEADER
    return header % (_escaped(item.oai_identifier), _datestamp_bytes(item.datestamp), specs)


def record_parts(item: FeedItem, metadata_format: MetadataFormat) -> tuple[bytes, ...]:
    """A `<record>` in parts: its header, and its metadata unless it is deleted (spec 2.5.1).

    The metadata is the item's stored payload when it carries one (the
    repository made it for this format), else its record serialised now. In
    parts, so that a page's payloads are copied once, into the response.
    """
    if item.deleted:
        return (b"<record>", header_bytes(item), b"</record>")
    payload = item.payload
    if payload is None:
        if item.record is None:
            raise ValueError(f"{item.oai_identifier}: a live item without its record or payload")
        payload = payload_bytes(metadata_format, item.record)
    return (b"<record>", header_bytes(item), b"<metadata>", payload, b"</metadata></record>")


def record_bytes(item: FeedItem, metadata_format: MetadataFormat) -> bytes:
    """A `<record>` element's bytes (`record_parts` joined)."""
    return b"".join(record_parts(item, metadata_format))


def add_resumption_token(
    parent: etree._Element,
    token: str,
    *,
    complete_list_size: int,
    cursor: int,
    expires: datetime | None,
) -> None:
    """The resumptionToken element (spec 3.5); an empty `token` ends an incomplete list."""
    element = etree.SubElement(parent, _oai("resumptionToken"))
    if expires is not None:
        element.set("expirationDate", format_datestamp(expires))
    element.set("completeListSize", str(complete_list_size))
    element.set("cursor", str(cursor))
    element.text = token


def _text(parent: etree._Element, name: str, value: str) -> None:
    etree.SubElement(parent, _oai(name)).text = value


def _escaped(text: str) -> bytes:
    """Character data as lxml escapes it: the markup characters, and CR (kept as a reference)."""
    if _TO_ESCAPE.search(text) is not None:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return text.encode("utf-8")


@lru_cache(maxsize=4096)
def _datestamp_bytes(value: datetime) -> bytes:
    # Items of a page often share a datestamp (a harvested page is stored at one moment).
    return format_datestamp(value).encode("ascii")
