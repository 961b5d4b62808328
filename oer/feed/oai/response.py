"""Writes OAI-PMH response documents with lxml, as the spec's examples lay them out. Pure; no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from lxml import etree

from metadata.dublin_core import DC_NAMESPACE
from metadata.formats import OAI_DC, MetadataFormat
from oer.feed.oai.contract import FeedItem, FeedSet, RepositoryIdentity
from oer.feed.oai.datestamps import format_datestamp
from oer.feed.oai.errors import ErrorCondition
from oer.feed.oai.formats import XSI_NS, disseminate

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_IDENTIFIER_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"

_SCHEMA_LOCATION = f"{{{XSI_NS}}}schemaLocation"


def _oai(name: str) -> str:
    return f"{{{OAI_NS}}}{name}"


# Clark names built once: a page of ListRecords writes thousands of elements.
_HEADER = _oai("header")
_IDENTIFIER = _oai("identifier")
_DATESTAMP = _oai("datestamp")
_SET_SPEC = _oai("setSpec")
_RECORD = _oai("record")
_METADATA = _oai("metadata")


class ResponseDocument:
    """One response: the OAI-PMH root, responseDate and request, then the verb's content or errors."""

    def __init__(self, response_date: datetime, base_url: str, echo: Iterable[tuple[str, str]]) -> None:
        self.root = etree.Element(_oai("OAI-PMH"), nsmap={None: OAI_NS, "xsi": XSI_NS})
        self.root.set(_SCHEMA_LOCATION, f"{OAI_NS} {OAI_SCHEMA}")
        etree.SubElement(self.root, _oai("responseDate")).text = format_datestamp(response_date)
        request = etree.SubElement(self.root, _oai("request"))
        for name, value in echo:
            request.set(name, value)
        request.text = base_url

    def add_errors(self, errors: Iterable[ErrorCondition]) -> None:
        for error in errors:
            element = etree.SubElement(self.root, _oai("error"), code=error.code.value)
            element.text = error.message

    def add_container(self, verb: str) -> etree._Element:
        """The element named after the verb, which holds the verb's content."""
        return etree.SubElement(self.root, _oai(verb))

    def to_bytes(self) -> bytes:
        result: bytes = etree.tostring(self.root, encoding="UTF-8", xml_declaration=True)
        return result


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


def add_header(parent: etree._Element, item: FeedItem) -> None:
    header = etree.SubElement(parent, _HEADER)
    if item.deleted:
        header.set("status", "deleted")
    etree.SubElement(header, _IDENTIFIER).text = item.oai_identifier
    etree.SubElement(header, _DATESTAMP).text = format_datestamp(item.datestamp)
    for spec in item.set_specs:
        etree.SubElement(header, _SET_SPEC).text = spec


def add_record(parent: etree._Element, item: FeedItem, metadata_format: MetadataFormat) -> None:
    """A record: its header, and its metadata unless it is deleted (spec 2.5.1)."""
    record = etree.SubElement(parent, _RECORD)
    add_header(record, item)
    if not item.deleted and item.record is not None:
        etree.SubElement(record, _METADATA).append(disseminate(metadata_format, item.record))


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
