"""The two-way oai_dc profile: simple Dublin Core read into a Record and written from one. Pure; no I/O.

oai_dc carries a subset of the record. The mapping, both ways:

| record | oai_dc |
|---|---|
| titles / title | `dc:title` (per `xml:lang`) |
| description | `dc:description` |
| keywords, disciplines, educational_objectives | `dc:subject` (a discipline by its label, a kerndoel by its label, "PO 26: Structuren doorzien"; read back as keywords) |
| languages | `dc:language` |
| location, identifiers | `dc:identifier` (location first; read back as catalog `URI`; the first http(s) identifier is the location) |
| formats | `dc:format` |
| learning_resource_types, aggregation_level | `dc:type` (the types; `Collection`, of the DCMI Type Vocabulary, for aggregation level 3 or 4, which LOM defines as collections of lessons; DCMI types are not read back as learning resource types) |
| contributors | `dc:creator` (role author), `dc:publisher` (publisher), `dc:contributor` (any other role; read back as `unknown`) |
| the publisher's lifecycle date, else the author's | `dc:date` (its ISO 8601 date part; not read back) |
| licence | `dc:rights` (the licence URL, then its name, else its code) |
| relations | `dc:relation` (http(s) targets only: an identifier such as `oai:…` is no resource a DC consumer can follow; DC has no relation kind, read back as empty) |

`dc:date` is written but not read (the record keeps dates on its contributors, and a DC date
says nothing of whose it is); `dc:source` and `dc:coverage` are not part of the record.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from metadata.issues import IssueCode, make_issue
from metadata.licence import licence_from_text, licence_name
from metadata.links import is_safe_target, is_web_url
from metadata.record import Contributor, Identifier, Issue, Record, Relation
from metadata.text import (
    NO_LANGUAGE,
    choose_main_text,
    clean_block,
    clean_language,
    clean_line,
    dedupe,
    xml_safe_text,
)
from metadata.vocabulary import VocabularyName, vocabulary
from metadata.xml_input import local_name

OAI_DC_NAMESPACE = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
_SCHEMA_LOCATION = f"{OAI_DC_NAMESPACE} {OAI_DC_SCHEMA}"

_ROLE_BY_ELEMENT = {"creator": "author", "publisher": "publisher", "contributor": "unknown"}
_ELEMENT_BY_ROLE = {"author": "creator", "publisher": "publisher"}
URI_CATALOG = "URI"
# DCMI Type Vocabulary terms (http://purl.org/dc/dcmitype/): a kind of resource, not a learning
# resource type, so not read as one.
DCMI_TYPES = frozenset({
    "Collection", "Dataset", "Event", "Image", "InteractiveResource", "MovingImage", "PhysicalObject",
    "Service", "Software", "Sound", "StillImage", "Text"})
DCMI_COLLECTION = "Collection"
# LOM 1.8: levels 3 and 4 are collections of level-2 objects (a course, a set of courses).
_COLLECTION_LEVELS = frozenset({3, 4})
# The roles whose lifecycle date is the publication date, in order of preference.
_PUBLICATION_ROLES = ("publisher", "author")
# A W3CDTF date (year, year-month or full date) at the start of a LOM dateTime.
_DATE_PART = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def publication_date(record: Record) -> str | None:
    """The date the material was published, as an ISO 8601 date (`2017-09-27`, `2017`).

    LOM has no publication date of its own: the lifecycle contribution of the publisher
    carries it (NL-LOM 2.3.3), else the author's. Of a date-time only the date is kept,
    as written (in its own offset); a date that does not start with a year is no date.
    """
    for role in _PUBLICATION_ROLES:
        for contributor in record.contributors:
            if contributor.role == role and contributor.date:
                match = _DATE_PART.match(contributor.date.strip())
                if match is not None:
                    return match.group()
    return None


def read_dublin_core(root: Any) -> Record:
    """Read an `oai_dc:dc` element into a Record (without completeness)."""
    issues: list[Issue] = []
    titles: dict[str, str] = {}
    descriptions: list[str] = []
    values: dict[str, list[str]] = {}
    contributors: list[Contributor] = []
    for child in root:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        name = local_name(tag).lower()
        if name == "title":
            text = clean_line(_text(child))
            if text:
                titles.setdefault(clean_language(child.get(_XML_LANG)) or NO_LANGUAGE, text)
        elif name == "description":
            text = clean_block(_text(child))
            if text:
                descriptions.append(text)
        elif name in _ROLE_BY_ELEMENT:
            text = clean_line(_text(child))
            if text:
                contributors.append(Contributor(role=_ROLE_BY_ELEMENT[name], name=text))
        else:
            values.setdefault(name, []).append(
                clean_language(_text(child)) if name == "language" else clean_line(_text(child)))
    languages = dedupe(values.get("language", []))
    identifiers = dedupe(values.get("identifier", []))
    location = next((entry for entry in identifiers if entry.startswith(("http://", "https://"))
                     and is_web_url(entry)), None)
    relations = []
    for target in dedupe(values.get("relation", [])):
        if is_safe_target(target):
            relations.append(Relation(kind="", target=target))
        else:
            issues.append(make_issue(IssueCode.UNSAFE_LINK, "dc/relation",
                                     f"relation target {target[:200]!r} is a link that is not http(s); not kept"))
    types = vocabulary(VocabularyName.LEARNING_RESOURCE_TYPE)
    licence = None
    for rights in values.get("rights", []):
        licence = licence_from_text(rights, "dc/rights", issues)
        if licence is not None:
            break
    return Record(
        title=choose_main_text(titles, languages),
        titles=titles,
        description="\n\n".join(descriptions) or None,
        keywords=dedupe(values.get("subject", [])),
        languages=languages,
        identifiers=tuple(Identifier(catalog=URI_CATALOG, entry=entry) for entry in identifiers),
        location=location,
        formats=dedupe(values.get("format", [])),
        learning_resource_types=dedupe(
            types.normalise(value, "dc/type", issues) for value in values.get("type", [])
            if value and value not in DCMI_TYPES),
        contributors=tuple(contributors),
        licence=licence,
        relations=tuple(relations),
        issues=tuple(issues),
    )


def record_to_dublin_core(record: Record) -> Any:
    """The `oai_dc:dc` element for a record (see the module docstring for the mapping)."""
    root = etree.Element(f"{{{OAI_DC_NAMESPACE}}}dc", nsmap={
        "oai_dc": OAI_DC_NAMESPACE, "dc": DC_NAMESPACE, "xsi": _XSI})
    root.set(f"{{{_XSI}}}schemaLocation", _SCHEMA_LOCATION)

    def add(name: str, text: str, language: str | None = None) -> None:
        element = etree.SubElement(root, f"{{{DC_NAMESPACE}}}{name}")
        element.text = xml_safe_text(text)
        if language and language != NO_LANGUAGE:
            element.set(_XML_LANG, language)

    titles = dict(record.titles) or ({NO_LANGUAGE: record.title} if record.title else {})
    for language, title in titles.items():
        add("title", title, language)
    for contributor in record.contributors:
        if contributor.name:
            add(_ELEMENT_BY_ROLE.get(contributor.role, "contributor"), contributor.name)
    disciplines = (term.label for term in record.disciplines if term.label)
    objectives = (term.label or term.id for term in record.educational_objectives)
    for subject in dedupe([*record.keywords, *disciplines, *objectives]):
        add("subject", subject)
    if record.description:
        add("description", record.description)
    date = publication_date(record)
    if date is not None:
        add("date", date)
    for media_type in record.formats:
        add("format", media_type)
    for kind in record.learning_resource_types:
        add("type", kind)
    if record.aggregation_level in _COLLECTION_LEVELS:
        add("type", DCMI_COLLECTION)
    entries = dedupe([record.location or "", *(identifier.entry for identifier in record.identifiers)])
    for entry in entries:
        add("identifier", entry)
    for language in record.languages:
        add("language", language)
    for target in dedupe([relation.target for relation in record.relations]):
        if is_web_url(target):
            add("relation", target)
    if record.licence is not None:
        # The URL first: it is what readers (this one too) recognise the licence by.
        for rights in dedupe([record.licence.url or "",
                              licence_name(record.licence.code) or record.licence.code]):
            add("rights", rights)
    return root


def _text(element: Any) -> str:
    return "".join(element.itertext())
