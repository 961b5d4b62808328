"""Small stand-in serialisers for the three feed formats, so provider tests need no LOM mapping. Pure; no I/O.

Each writes a minimal but schema-valid payload carrying the record's
identifier and title, which is all the provider tests look at.
"""

from __future__ import annotations

from lxml import etree

from metadata.formats import LOM, NL_LOM, OAI_DC, MetadataFormats
from metadata.record import Record
from oer.feed.oai.formats import with_writers

DC_NS = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def ims_lom(record: Record) -> etree._Element:
    lom = etree.Element(f"{{{LOM.namespace}}}lom", nsmap={None: LOM.namespace})
    general = etree.SubElement(lom, f"{{{LOM.namespace}}}general")
    title = etree.SubElement(general, f"{{{LOM.namespace}}}title")
    langstring = etree.SubElement(title, f"{{{LOM.namespace}}}langstring")
    langstring.set(XML_LANG, "nl")
    langstring.text = record.title
    catalogentry = etree.SubElement(general, f"{{{LOM.namespace}}}catalogentry")
    etree.SubElement(catalogentry, f"{{{LOM.namespace}}}catalog").text = "URI"
    entry = etree.SubElement(catalogentry, f"{{{LOM.namespace}}}entry")
    etree.SubElement(entry, f"{{{LOM.namespace}}}langstring").text = record.oai_identifier
    return lom


def ieee_lom(record: Record) -> etree._Element:
    lom = etree.Element(f"{{{NL_LOM.namespace}}}lom", nsmap={None: NL_LOM.namespace})
    general = etree.SubElement(lom, f"{{{NL_LOM.namespace}}}general")
    title = etree.SubElement(general, f"{{{NL_LOM.namespace}}}title")
    string = etree.SubElement(title, f"{{{NL_LOM.namespace}}}string", language="nl")
    string.text = record.title
    return lom


def oai_dc(record: Record) -> etree._Element:
    dc = etree.Element(f"{{{OAI_DC.namespace}}}dc", nsmap={"oai_dc": OAI_DC.namespace, "dc": DC_NS})
    etree.SubElement(dc, f"{{{DC_NS}}}title").text = record.title
    etree.SubElement(dc, f"{{{DC_NS}}}identifier").text = record.oai_identifier
    return dc


def stand_in_formats() -> MetadataFormats:
    return with_writers(lom=ims_lom, nl_lom=ieee_lom, oai_dc=oai_dc)
