"""The two-way LOM profile: NL-LOM's IMS binding and the IEEE binding, read and written. Pure; no I/O.

Both bindings carry the same information model and differ only in spelling,
so one profile serves both and a `LomBinding` table holds the differences:
element names (`catalogentry`/`identifier`, `centity`+`vcard`/`entity`,
lower-case/camelCase), the language-string element and its language attribute
(`langstring xml:lang` / `string language`), and whether vocabulary values
and identifier entries are wrapped in language strings.

Reading is deliberately tolerant, because real feeds are: element names are
matched case-insensitively in either binding's spelling and in any namespace
(AnatomyTool puts the children of a namespaced `lom:lom` in no namespace;
Kennisnet's QTI packages write `metadataschema` in lower case). Writing is
strict: it emits exactly one binding, in the element order its schema
requires, with NL-LOM's vocabulary sources. Two things are written in a form
the schemas allow and read back from it: a contributor role outside LOM's
vocabulary (`unknown`, the role as the vCard's ROLE) and, in the IEEE binding,
a zoned date-time (`_ieee_datetime`).

What the record does not carry is not read (and so not written back):
classifications other than discipline, educational level, educational
objective (kerndoelen) and access rights, lifecycle version and status,
meta-metadata contributors, relation resource descriptions,
and technical size, duration and requirements. Within what it does carry,
vocabulary values are never dropped (each is kept, repaired or reported);
single-valued fields keep the first value the source gives (location, age
range, learning time, access rights) and descriptions their main-language text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from lxml import etree

from metadata.duration import duration_to_seconds, seconds_to_duration
from metadata.issues import IssueCode, make_issue
from metadata.kerndoelen import kerndoel_term, replacement_of
from metadata.licence import licence_table, normalise_licence
from metadata.links import is_safe_target, is_web_url
from metadata.record import (
    Annotation,
    Contributor,
    Identifier,
    Issue,
    Licence,
    Record,
    Relation,
    Term,
)
from metadata.text import (
    NO_LANGUAGE,
    choose_main_text,
    clean_block,
    clean_language,
    clean_line,
    dedupe,
    xml_safe_text,
)
from metadata.vcard import name_to_vcard, read_vcard_name, read_vcard_role
from metadata.vocabulary import (
    OBK_SOURCE,
    VocabularyName,
    known_term,
    normalise_term,
    vocabulary,
)
from metadata.xml_input import local_name

IMS_NAMESPACE = "http://www.imsglobal.org/xsd/imsmd_v1p2"
IEEE_NAMESPACE = "http://ltsc.ieee.org/xsd/LOM"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XSI_SCHEMA_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"

# NL-LOM identifies itself in metametadata/metadatascheme with both values.
METADATA_SCHEMES = ("LOMv1.0", "nl_lom_v1p0")

# Classification purposes the record models (NL-LOM classification_purpose vocabulary).
PURPOSE_DISCIPLINE = "discipline"
PURPOSE_EDUCATIONAL_LEVEL = "educational level"
PURPOSE_EDUCATIONAL_OBJECTIVE = "educational objective"
PURPOSE_ACCESS_RIGHTS = "access rights"

# The LOMv1.0 value written for a contribution whose role is not one of LOM's (2.3.1).
UNKNOWN_ROLE = "unknown"

# A time with seconds, an optional fraction and a zone designator (ISO 8601 extended format).
_ZONED_TIME = re.compile(r"(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)")


@dataclass(frozen=True, slots=True)
class LomBinding:
    """How one XML binding of LOM spells the information model.

    `names` maps the logical element name (the IMS spelling, which NL-LOM's
    documentation and this product's issue paths use) to this binding's
    element name wherever the two differ.
    """

    name: str
    namespace: str
    # The binding's XSD, which xsi:schemaLocation names.
    schema: str
    language_attribute: str
    wrapped_vocabulary: bool
    wrapped_entity: bool
    wrapped_identifier_entry: bool
    duration_child: str
    names: Mapping[str, str] = field(default_factory=dict)
    # The namespace prefix written out (None: the default namespace). Edurep writes the IMS
    # binding with `czp:`, and consumers of Edurep's `lom` (SURF edusources) match that prefix.
    prefix: str | None = None

    @property
    def schema_location(self) -> str:
        """The xsi:schemaLocation value: the namespace and its schema."""
        return f"{self.namespace} {self.schema}"

    def element_name(self, logical: str) -> str:
        return self.names.get(logical, logical)

    def tag(self, logical: str) -> str:
        return f"{{{self.namespace}}}{self.names.get(logical, logical)}"


IMS_BINDING = LomBinding(
    name="ims",
    namespace=IMS_NAMESPACE,
    schema="http://www.imsglobal.org/xsd/imsmd_v1p2p4.xsd",
    language_attribute=XML_LANG,
    wrapped_vocabulary=True,
    wrapped_entity=True,
    wrapped_identifier_entry=True,
    duration_child="datetime",
    prefix="czp",
)

IEEE_BINDING = LomBinding(
    name="ieee",
    namespace=IEEE_NAMESPACE,
    schema="http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd",
    language_attribute="language",
    wrapped_vocabulary=False,
    wrapped_entity=False,
    wrapped_identifier_entry=False,
    duration_child="duration",
    names={
        "catalogentry": "identifier",
        "aggregationlevel": "aggregationLevel",
        "lifecycle": "lifeCycle",
        "centity": "entity",
        "datetime": "dateTime",
        "metametadata": "metaMetadata",
        "metadatascheme": "metadataSchema",
        "learningresourcetype": "learningResourceType",
        "intendedenduserrole": "intendedEndUserRole",
        "typicalagerange": "typicalAgeRange",
        "typicallearningtime": "typicalLearningTime",
        "copyrightandotherrestrictions": "copyrightAndOtherRestrictions",
        "taxonpath": "taxonPath",
        "langstring": "string",
    },
)

BINDINGS = (IMS_BINDING, IEEE_BINDING)
LOM_NAMESPACES = frozenset(binding.namespace for binding in BINDINGS)


# --- reading -------------------------------------------------------------------------------

# Lower-cased element name in either binding -> logical name (names not listed are their own).
_READ_NAMES: dict[str, str] = {
    name.lower(): logical for binding in BINDINGS for logical, name in binding.names.items()}

# Children are listed with `getchildren()` throughout the reader: it builds the list in
# one C call, where `for child in element` creates an iterator object per element, which
# costs lxml about twice as much for the one-to-five children LOM elements have
# (reading is one child loop per element). Both list comments and processing
# instructions alike, so the tag checks below are unchanged.
_TAG_CACHE: dict[Any, str] = {}
_TAG_CACHE_LIMIT = 10_000
# Reading walks every element; a bound dict lookup per child is the cheapest
# way to name it (the slow path fills the cache).
_known = _TAG_CACHE.get


def _logical_name(tag: Any) -> str:
    """The logical name of an element tag (cached: tags repeat across records)."""
    try:
        return _TAG_CACHE[tag]
    except KeyError:
        pass
    if isinstance(tag, str):
        lowered = local_name(tag).lower()
        logical = _READ_NAMES.get(lowered, lowered)
    else:
        logical = ""  # comments and processing instructions
    if len(_TAG_CACHE) < _TAG_CACHE_LIMIT:
        _TAG_CACHE[tag] = logical
    return logical


def _first_child(element: Any, logical: str) -> Any:
    """The first child with the logical name `logical`, or None (stops at the first match)."""
    for child in element.getchildren():
        if (_known(child.tag) or _logical_name(child.tag)) == logical:
            return child
    return None


def _element_text(element: Any) -> str:
    if len(element):
        return "".join(element.itertext())
    text: str | None = element.text
    return text or ""


def _plain(element: Any) -> str:
    """The text of an element that is either plain text or wraps a single language string."""
    if len(element):
        string = element[0]
        if (_known(string.tag) or _logical_name(string.tag)) != "langstring":
            string = _first_child(element, "langstring")
        if string is not None:
            # `_element_text` inlined for the usual leaf string: this runs for every vocabulary value.
            return "".join(string.itertext()) if len(string) else (string.text or "")
    return _element_text(element)


def _langstrings(element: Any) -> list[tuple[str, str]]:
    """`(language, raw text)` for each language string of a LangString element."""
    found = []
    for child in element.getchildren():
        if (_known(child.tag) or _logical_name(child.tag)) == "langstring":
            # `_element_text` inlined for the usual leaf string: this runs for every language string.
            text = "".join(child.itertext()) if len(child) else (child.text or "")
            found.append((_language_of(child), text))
    if not found and len(element) == 0 and element.text and element.text.strip():
        # A bare text where a language string belongs: keep it, language unknown.
        found.append((NO_LANGUAGE, element.text))
    return found


def _language_of(string: Any) -> str:
    """A language string's language: `xml:lang` (IMS), else `language` (IEEE), else none given."""
    # One pass over the (one or two) attributes: looking a namespaced attribute up by name
    # costs lxml more than listing them.
    xml_lang = language = None
    for name, value in string.items():
        if name == XML_LANG:
            xml_lang = value
        elif name == "language":
            language = value
    return xml_lang or language or NO_LANGUAGE


def _vocabulary_value(element: Any) -> str | None:
    # <value> is normally the last child (after <source>): look there first.
    value = element[-1] if len(element) else None
    if value is None or (_known(value.tag) or _logical_name(value.tag)) != "value":
        value = _first_child(element, "value")
    return None if value is None else _plain(value)


@dataclass(frozen=True, slots=True)
class LomFacts:
    """NL-LOM elements completeness counts that the Record does not carry."""

    has_metadata_scheme: bool = False
    has_rights_description: bool = False


@dataclass(frozen=True, slots=True)
class LomReading:
    record: Record
    facts: LomFacts


class _LomReader:
    """Reads one `<lom>` element into record fields, collecting issues as it goes."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self.titles: dict[str, str] = {}
        self.descriptions: list[list[tuple[str, str]]] = []
        self.keywords: list[str] = []
        self.languages: list[str] = []
        self.identifiers: list[Identifier] = []
        self.locations: list[str] = []
        self.formats: list[str] = []
        self.aggregation_level: int | None = None
        self.learning_resource_types: list[str] = []
        self.end_user_roles: list[str] = []
        self.contexts: list[str] = []
        self.age_ranges: list[str] = []
        self.learning_time: int | None = None
        self.cost: bool | None = None
        self.copyright: str | None = None
        self.rights_descriptions: list[str] = []
        self.contributors: list[Contributor] = []
        self.relations: list[Relation] = []
        self.annotations: list[Annotation] = []
        self.levels: dict[str, Term] = {}
        self.disciplines: dict[str, Term] = {}
        self.objectives: dict[str, Term] = {}
        self.access_rights: str | None = None
        self.metadata_schemes: list[str] = []

    def read(self, root: Any) -> LomReading:
        for section in root.getchildren():
            reader = _SECTION_READERS.get(_known(section.tag) or _logical_name(section.tag))
            if reader is not None:
                reader(self, section)
        return LomReading(record=self._record(), facts=LomFacts(
            has_metadata_scheme=bool(self.metadata_schemes),
            has_rights_description=bool(self.rights_descriptions),
        ))

    def _record(self) -> Record:
        languages = dedupe(self.languages)
        descriptions = []
        for strings in self.descriptions:
            texts: dict[str, str] = {}
            for lang, string in strings:
                texts.setdefault(lang, string)
            main = choose_main_text(texts, languages)
            if main:
                descriptions.append(main)
        copyright_path = "rights/copyrightandotherrestrictions"
        licence = normalise_licence(self.copyright, self.rights_descriptions, copyright_path, self.issues)
        return Record(
            title=choose_main_text(self.titles, languages),
            titles=self.titles,
            description="\n\n".join(descriptions) or None,
            keywords=dedupe(self.keywords),
            languages=languages,
            identifiers=tuple(dict.fromkeys(self.identifiers)),
            location=self.locations[0] if self.locations else None,
            formats=dedupe(self.formats),
            aggregation_level=self.aggregation_level,
            learning_resource_types=dedupe(self.learning_resource_types),
            end_user_roles=dedupe(self.end_user_roles),
            contexts=dedupe(self.contexts),
            educational_levels=tuple(self.levels.values()),
            disciplines=tuple(self.disciplines.values()),
            educational_objectives=tuple(self.objectives.values()),
            typical_age_range=self.age_ranges[0] if self.age_ranges else None,
            typical_learning_time=self.learning_time,
            cost=self.cost,
            licence=licence,
            access_rights=self.access_rights,
            contributors=tuple(self.contributors),
            relations=tuple(self.relations),
            annotations=tuple(self.annotations),
            issues=tuple(self.issues),
        )

    # general ---------------------------------------------------------------------------------

    def _general(self, section: Any) -> None:
        for child in section.getchildren():
            name = _known(child.tag) or _logical_name(child.tag)
            if name == "title":
                for lang, raw in _langstrings(child):
                    text = clean_line(raw)
                    if not text:
                        continue
                    lang = clean_language(lang) or NO_LANGUAGE
                    if lang in self.titles:
                        if self.titles[lang] != text:
                            self.issues.append(make_issue(
                                IssueCode.LANGSTRING_DUPLICATE, "general/title",
                                f"second title in {lang!r} not kept: {text!r}"))
                        continue
                    self.titles[lang] = text
            elif name == "catalogentry":
                self._identifier(child, self.identifiers)
            elif name == "language":
                self.languages.append(clean_language(_element_text(child)))
            elif name == "description":
                strings = [(clean_language(lang) or NO_LANGUAGE, clean_block(raw))
                           for lang, raw in _langstrings(child)]
                strings = [(lang, text) for lang, text in strings if text]
                if strings:
                    self.descriptions.append(strings)
            elif name == "keyword":
                self.keywords.extend(clean_line(raw) for _, raw in _langstrings(child))
            elif name == "aggregationlevel":
                self._aggregation_level(child)

    @staticmethod
    def _identifier(element: Any, into: list[Identifier]) -> None:
        catalog, entry = "", ""
        for child in element.getchildren():
            name = _known(child.tag) or _logical_name(child.tag)
            if name == "catalog":
                catalog = clean_line(_element_text(child))
            elif name == "entry":
                entry = clean_line(_plain(child))
        if entry:
            into.append(Identifier(catalog=catalog, entry=entry))

    def _aggregation_level(self, element: Any) -> None:
        raw = _vocabulary_value(element)
        if raw is None or not raw.strip():
            return
        path = "general/aggregationlevel"
        value, known = vocabulary(VocabularyName.AGGREGATION_LEVEL).lookup(raw)
        if known:
            self.aggregation_level = int(value)
        else:
            self.issues.append(make_issue(
                IssueCode.VALUE_INVALID, path, f"aggregation level {value!r} is not 1, 2, 3 or 4"))

    # lifecycle and metametadata ----------------------------------------------------------------

    def _lifecycle(self, section: Any) -> None:
        for child in section.getchildren():
            name = _known(child.tag) or _logical_name(child.tag)
            if name == "contribute":
                self._contribute(child)

    def _contribute(self, element: Any) -> None:
        path = "lifecycle/contribute"
        role = ""
        entities: list[tuple[str | None, str]] = []
        date = None
        for child in element.getchildren():
            name = _known(child.tag) or _logical_name(child.tag)
            if name == "role":
                raw = _vocabulary_value(child)
                if raw and raw.strip():
                    role = vocabulary(VocabularyName.CONTRIBUTE_ROLE).normalise(
                        raw, f"{path}/role", self.issues)
            elif name == "centity":
                entities.append(self._entity(child))
            elif name == "date":
                for date_child in child.getchildren():
                    date_name = _known(date_child.tag) or _logical_name(date_child.tag)
                    if date_name == "datetime":
                        date = _read_datetime(date_child)
        # LOM's `unknown` (or no role) with a vCard ROLE is how a role outside LOM's
        # vocabulary is written (`_write_lifecycle`): the ROLE is the contributor's role,
        # looked up (and reported when unknown) as if it had been in <role>.
        roles = [role] * len(entities)
        if role in ("", UNKNOWN_ROLE):
            for number, (_, vcard) in enumerate(entities):
                card_role = read_vcard_role(vcard)
                if card_role:
                    roles[number] = vocabulary(VocabularyName.CONTRIBUTE_ROLE).normalise(
                        card_role, f"{path}/role", self.issues)
        if not all(roles or [role]):
            self.issues.append(make_issue(
                IssueCode.CONTRIBUTE_WITHOUT_ROLE, f"{path}/role",
                "contribute without a role; kept with an empty role"))
        if not entities:
            self.contributors.append(Contributor(role=role, name=None, date=date))
        for (contributor_name, _), contributor_role in zip(entities, roles, strict=True):
            self.contributors.append(Contributor(role=contributor_role, name=contributor_name, date=date))

    def _entity(self, element: Any) -> tuple[str | None, str]:
        """The name a contributor's vCard gives, and the vCard."""
        # IMS wraps the vCard in <centity><vcard>; IEEE puts it straight in <entity>.
        text = None
        for child in element.getchildren():
            name = _known(child.tag) or _logical_name(child.tag)
            if name == "vcard":
                text = _element_text(child)
                break
        if text is None:
            text = element.text or ""
        result = read_vcard_name(text)
        if result.problem is not None and text.strip():
            self.issues.append(make_issue(
                IssueCode.VCARD_UNREADABLE, "lifecycle/contribute/centity", result.problem))
        return result.name, text

    def _metametadata(self, section: Any) -> None:
        for child in section.getchildren():
            name = _known(child.tag) or _logical_name(child.tag)
            if name == "metadatascheme":
                scheme = clean_line(_element_text(child))
                if scheme:
                    self.metadata_schemes.append(scheme)

    # technical and educational -----------------------------------------------------------------

    def _technical(self, section: Any) -> None:
        for child in section.getchildren():
            name = _known(child.tag) or _logical_name(child.tag)
            if name == "format":
                self.formats.append(clean_line(_element_text(child)))
            elif name == "location":
                location = clean_line(_element_text(child))
                if location and not is_web_url(location):
                    self.issues.append(make_issue(
                        IssueCode.UNSAFE_LINK, "technical/location",
                        f"{location[:200]!r} is not an http(s) link; not kept"))
                elif location:
                    self.locations.append(location)

    def _educational(self, section: Any) -> None:
        for child in section.getchildren():
            name = _known(child.tag) or _logical_name(child.tag)
            if name == "learningresourcetype":
                self._vocabulary_list(child, VocabularyName.LEARNING_RESOURCE_TYPE,
                                      "educational/learningresourcetype", self.learning_resource_types)
            elif name == "intendedenduserrole":
                self._vocabulary_list(child, VocabularyName.END_USER_ROLE,
                                      "educational/intendedenduserrole", self.end_user_roles)
            elif name == "context":
                self._vocabulary_list(child, VocabularyName.CONTEXT, "educational/context",
                                      self.contexts)
            elif name == "typicalagerange":
                for _, raw in _langstrings(child):
                    if clean_line(raw):
                        self.age_ranges.append(clean_line(raw))
            elif name == "typicallearningtime" and self.learning_time is None:
                self._learning_time(child)

    def _vocabulary_list(self, element: Any, name: VocabularyName, path: str,
                         into: list[str]) -> None:
        raw = _vocabulary_value(element)
        if raw is not None and raw.strip():
            into.append(vocabulary(name).normalise(raw, path, self.issues))

    def _learning_time(self, element: Any) -> None:
        raw = ""
        for child in element.getchildren():
            name = _known(child.tag) or _logical_name(child.tag)
            if name in ("datetime", "duration"):
                raw = clean_line(_element_text(child))
                break
        else:
            raw = clean_line(element.text)
        if not raw:
            return
        seconds = duration_to_seconds(raw)
        if seconds is None:
            self.issues.append(make_issue(
                IssueCode.VALUE_INVALID, "educational/typicallearningtime",
                f"{raw!r} is not an ISO 8601 duration"))
        self.learning_time = seconds

    # rights ------------------------------------------------------------------------------------

    def _rights(self, section: Any) -> None:
        for child in section.getchildren():
            name = _known(child.tag) or _logical_name(child.tag)
            if name == "cost":
                raw = _vocabulary_value(child)
                if raw is None or not raw.strip():
                    continue
                value, known = vocabulary(VocabularyName.COST).lookup(raw)
                if known:
                    if clean_line(raw) != value:
                        self.issues.append(make_issue(
                            IssueCode.VOCABULARY_REPAIRED, "rights/cost", f"{raw!r} read as {value!r}"))
                    self.cost = value == "yes"
                else:
                    self.issues.append(make_issue(
                        IssueCode.VALUE_INVALID, "rights/cost", f"cost {value!r} is not yes or no"))
            elif name == "copyrightandotherrestrictions":
                self.copyright = _vocabulary_value(child)
            elif name == "description":
                self.rights_descriptions.extend(
                    clean_block(raw) for _, raw in _langstrings(child) if raw.strip())

    # relation and classification ---------------------------------------------------------------

    def _relation(self, section: Any) -> None:
        kind = ""
        targets: list[Identifier] = []
        location = ""
        for child in section.getchildren():
            name = _known(child.tag) or _logical_name(child.tag)
            if name == "kind":
                raw = _vocabulary_value(child)
                if raw and raw.strip():
                    kind = vocabulary(VocabularyName.RELATION_KIND).normalise(
                        raw, "relation/kind", self.issues)
            elif name == "resource":
                for resource_child in child.getchildren():
                    resource_name = _known(resource_child.tag) or _logical_name(resource_child.tag)
                    if resource_name == "catalogentry":
                        self._identifier(resource_child, targets)
                    elif resource_name == "location" and not location:
                        location = clean_line(_element_text(resource_child))
        target = targets[0].entry if targets else location
        if target and not is_safe_target(target):
            self.issues.append(make_issue(
                IssueCode.UNSAFE_LINK, "relation/resource",
                f"relation target {target[:200]!r} is a link that is not http(s); not kept"))
            return
        if not target:
            self.issues.append(make_issue(
                IssueCode.RELATION_WITHOUT_TARGET, "relation/resource",
                f"relation{' ' + repr(kind) if kind else ''} names no resource; not kept"))
            return
        if not kind:
            self.issues.append(make_issue(
                IssueCode.RELATION_WITHOUT_KIND, "relation/kind",
                f"relation to {target!r} has no kind; kept with an empty kind"))
        self.relations.append(Relation(kind=kind, target=target))

    def _annotation(self, section: Any) -> None:
        name = role = date = description = None
        for child in section.getchildren():
            child_name = _known(child.tag) or _logical_name(child.tag)
            if child_name in ("person", "centity"):
                text = None
                for vcard in child.getchildren():
                    if (_known(vcard.tag) or _logical_name(vcard.tag)) == "vcard":
                        text = _element_text(vcard)
                if text is None:
                    text = child.text or ""
                name = read_vcard_name(text).name
                role = read_vcard_role(text)
            elif child_name == "date":
                for date_child in child.getchildren():
                    if (_known(date_child.tag) or _logical_name(date_child.tag)) == "datetime":
                        date = _read_datetime(date_child)
            elif child_name == "description":
                texts = {clean_language(lang): text.strip() for lang, text in _langstrings(child) if text.strip()}
                description = choose_main_text(texts, ("nl",)) or None
        if name or description:
            self.annotations.append(Annotation(name=name, role=role, date=date, description=description))

    def _classification(self, section: Any) -> None:
        purpose = ""
        paths: list[Any] = []
        for child in section.getchildren():
            name = _known(child.tag) or _logical_name(child.tag)
            if name == "purpose":
                raw = _vocabulary_value(child)
                if raw and raw.strip():
                    purpose = vocabulary(VocabularyName.CLASSIFICATION_PURPOSE).normalise(
                        raw, "classification/purpose", self.issues)
            elif name == "taxonpath":
                paths.append(child)
        if purpose == PURPOSE_ACCESS_RIGHTS:
            for taxon_id, _ in _taxons(paths):
                if self.access_rights is None:
                    self.access_rights = vocabulary(VocabularyName.ACCESS_RIGHTS).normalise(
                        taxon_id, "classification/taxonpath/taxon/id", self.issues)
        elif purpose in (PURPOSE_DISCIPLINE, PURPOSE_EDUCATIONAL_LEVEL):
            into = self.disciplines if purpose == PURPOSE_DISCIPLINE else self.levels
            for taxon_id, entry in _taxons(paths):
                key = taxon_id.lower()
                if key in into:
                    continue
                # A known term takes its label from the table: the record's own
                # label is only read for terms the table does not know.
                into[key] = known_term(taxon_id) or normalise_term(
                    taxon_id, _taxon_label(entry), f"classification[{purpose}]/taxonpath/taxon",
                    self.issues)
        elif purpose == PURPOSE_EDUCATIONAL_OBJECTIVE:
            for taxon_id, entry in _taxons(paths):
                key = taxon_id.lower()
                if key in self.objectives:
                    continue
                term, known = kerndoel_term(taxon_id, _taxon_label(entry))
                if not known:
                    successor = replacement_of(taxon_id)
                    why = (f"was replaced by {successor.display}" if successor is not None
                           else "is not in SLO's table")
                    self.issues.append(make_issue(
                        IssueCode.TAXON_UNKNOWN, f"classification[{purpose}]/taxonpath/taxon",
                        f"kerndoel {taxon_id!r} ({term.label or 'no label'}) {why}; kept with its own label"))
                self.objectives[key] = term


def _read_datetime(element: Any) -> str | None:
    """A DateTime's text as the record keeps it, undoing `_ieee_datetime` for the IEEE spelling."""
    text = clean_line(_element_text(element)) or None
    if text is None or local_name(element.tag) != IEEE_BINDING.element_name("datetime"):
        return text
    match = _ZONED_TIME.fullmatch(text)
    if match is None or match.group(2) is None or match.group(2).strip("0"):
        return text
    zeros = match.group(2)[1:]
    return f"{match.group(1)}{'.' + zeros if zeros else ''}{match.group(3)}"


def _ieee_datetime(date: str) -> str:
    """`date` in a form the IEEE binding's DateTimeString pattern accepts, same instant.

    The pattern (lomStrict.xsd, common/dataTypes.xsd) admits a zone designator
    (`Z`, `+01:00`) only after fractional seconds, so `2015-12-08T10:33:43Z` (SRU's
    and many sources' spelling) is refused: a zero fraction is added. To keep the
    spelling the record had, a fraction of zeros gains one more zero (`.0Z` is
    written `.00Z`) and `_read_datetime` takes one off, so reading gives back
    exactly what was written from. Any other date is written as it is.
    """
    match = _ZONED_TIME.fullmatch(date)
    if match is None or (match.group(2) or "").strip("0"):
        return date
    return f"{match.group(1)}.{match.group(2) or ''}0{match.group(3)}"


def _taxons(paths: list[Any]) -> Iterator[tuple[str, Any]]:
    """`(id, entry element or None)` for each taxon with an id in the taxonpaths."""
    for path in paths:
        for taxon in path.getchildren():
            if (_known(taxon.tag) or _logical_name(taxon.tag)) != "taxon":
                continue
            taxon_id, entry = "", None
            for child in taxon.getchildren():
                name = _known(child.tag) or _logical_name(child.tag)
                if name == "id":
                    taxon_id = clean_line(_element_text(child))
                elif name == "entry":
                    entry = child
            if taxon_id:
                yield taxon_id, entry


def _taxon_label(entry: Any) -> str | None:
    """A taxon's label from its entry: the Dutch text if there is one, else the first."""
    if entry is None:
        return None
    labels: dict[str, str] = {}
    for lang, raw in _langstrings(entry):
        text = clean_line(raw)
        if text:
            labels.setdefault(clean_language(lang), text)
    return choose_main_text(labels, ("nl",))


_SECTION_READERS: dict[str, Callable[[_LomReader, Any], None]] = {
    "general": _LomReader._general,
    "lifecycle": _LomReader._lifecycle,
    "metametadata": _LomReader._metametadata,
    "technical": _LomReader._technical,
    "educational": _LomReader._educational,
    "rights": _LomReader._rights,
    "relation": _LomReader._relation,
    "annotation": _LomReader._annotation,
    "classification": _LomReader._classification,
}


def read_lom(root: Any) -> LomReading:
    """Read a `<lom>` element of either binding into a Record (without completeness)."""
    return _LomReader().read(root)


# --- writing -------------------------------------------------------------------------------

# The source of IEEE LOM's own vocabularies (IEEE 1484.12.1-2002, 1484.12.3 binding).
LOM_SOURCE = "LOMv1.0"

# The values IEEE 1484.12.1-2002 defines for the vocabularies the record carries.
LOM_VALUES: Mapping[VocabularyName, frozenset[str]] = {
    VocabularyName.AGGREGATION_LEVEL: frozenset({"1", "2", "3", "4"}),  # 1.8
    VocabularyName.CONTRIBUTE_ROLE: frozenset({  # 2.3.1
        "author", "publisher", "unknown", "initiator", "terminator", "validator", "editor",
        "graphical designer", "technical implementer", "content provider", "technical validator",
        "educational validator", "script writer", "instructional designer", "subject matter expert"}),
    VocabularyName.LEARNING_RESOURCE_TYPE: frozenset({  # 5.2
        "exercise", "simulation", "questionnaire", "diagram", "figure", "graph", "index", "slide",
        "table", "narrative text", "exam", "experiment", "problem statement", "self assessment",
        "lecture"}),
    VocabularyName.END_USER_ROLE: frozenset({"teacher", "author", "learner", "manager"}),  # 5.5
    VocabularyName.CONTEXT: frozenset({"school", "higher education", "training", "other"}),  # 5.6
    VocabularyName.COST: frozenset({"yes", "no"}),  # 6.1
    VocabularyName.RELATION_KIND: frozenset({  # 7.1
        "ispartof", "haspart", "isversionof", "hasversion", "isformatof", "hasformat", "references",
        "isreferencedby", "isbasedon", "isbasisfor", "requires", "isrequiredby"}),
    VocabularyName.CLASSIFICATION_PURPOSE: frozenset({  # 9.1
        "discipline", "idea", "prerequisite", "educational objective", "accessibility restrictions",
        "educational level", "skill level", "security level", "competency"}),
}
# Elements for which NL-LOM prescribes a vocabulary of its own (czp or nllom) in place of LOM's;
# for the others NL-LOM adopts LOM's vocabulary, extended at most by values of its own
# (classification purpose `access rights`). This is how Edurep writes them.
NL_LOM_VOCABULARIES = frozenset({
    VocabularyName.LEARNING_RESOURCE_TYPE, VocabularyName.CONTEXT, VocabularyName.RELATION_KIND})


def _is_lom_copy(source: str) -> bool:
    """Whether a source names LOM's vocabulary itself: `LOMv1.0` or Edustandaard's purl copy of it."""
    return source == LOM_SOURCE or "_lomv1p0_" in source


def vocabulary_source(name: VocabularyName, value: str) -> str:
    """The `<source>` NL-LOM prescribes for `value` of vocabulary `name`.

    `LOMv1.0` for a value of one of LOM's own vocabularies; for an element with a
    vocabulary of NL-LOM's own, the NL-LOM source that lists the value (a LOM value
    NL-LOM's list lacks is written as LOM's); a value neither lists keeps the
    element's NL-LOM source.
    """
    lom_value = value in LOM_VALUES.get(name, frozenset())
    if lom_value and name not in NL_LOM_VOCABULARIES:
        return LOM_SOURCE
    table = vocabulary(name)
    for source, values in table.sources:
        if value in values and not _is_lom_copy(source):
            return source
    if lom_value:
        return LOM_SOURCE
    return next((source for source, _ in table.sources if not _is_lom_copy(source)), table.default_source)


class _LomWriter:
    def __init__(self, binding: LomBinding, language: str) -> None:
        self.binding = binding
        self.language = language

    def sub(self, parent: Any, logical: str) -> Any:
        return etree.SubElement(parent, self.binding.tag(logical))

    def text(self, parent: Any, logical: str, text: str) -> Any:
        element = self.sub(parent, logical)
        element.text = xml_safe_text(text)
        return element

    def langstring(self, parent: Any, logical: str, text: str, language: str | None = None) -> Any:
        element = self.sub(parent, logical)
        self.add_langstring(element, text, language or self.language)
        return element

    def add_langstring(self, element: Any, text: str, language: str) -> None:
        string = self.sub(element, "langstring")
        string.set(self.binding.language_attribute, language)
        string.text = xml_safe_text(text)

    def vocabulary(self, parent: Any, logical: str, source: str, value: str) -> Any:
        element = self.sub(parent, logical)
        if self.binding.wrapped_vocabulary:
            self.langstring(element, "source", source, NO_LANGUAGE)
            self.langstring(element, "value", value, NO_LANGUAGE)
        else:
            self.text(element, "source", source)
            self.text(element, "value", value)
        return element

    def datetime(self, parent: Any, date: str) -> None:
        """A `<date>` with its DateTime (in the form the IEEE binding's pattern accepts)."""
        text = _ieee_datetime(date) if self.binding is IEEE_BINDING else date
        self.text(self.sub(parent, "date"), "datetime", text)

    def identifier(self, parent: Any, identifier: Identifier) -> None:
        element = self.sub(parent, "catalogentry")
        self.text(element, "catalog", identifier.catalog)
        if self.binding.wrapped_identifier_entry:
            self.langstring(element, "entry", identifier.entry, NO_LANGUAGE)
        else:
            self.text(element, "entry", identifier.entry)

    def entity(self, parent: Any, name: str, role: str | None = None) -> None:
        vcard = name_to_vcard(name, role)
        if self.binding.wrapped_entity:
            self.text(self.sub(parent, "centity"), "vcard", vcard)
        else:
            self.text(parent, "centity", vcard)


def record_to_lom(record: Record, binding: LomBinding = IMS_BINDING) -> Any:
    """The `<lom>` element for a record in `binding`, in its schema's element order.

    The IMS output is written as Edurep serves it (prefix `czp:`, the same
    schemaLocation and element order) and validates against imsmd_v1p2p4.xsd.
    Fields the record does not have are left out; vocabulary values carry the
    source NL-LOM prescribes (`vocabulary_source`).
    """
    language = record.languages[0] if record.languages else NO_LANGUAGE
    w = _LomWriter(binding, language)
    root = etree.Element(binding.tag("lom"), nsmap={
        "xsi": "http://www.w3.org/2001/XMLSchema-instance", binding.prefix: binding.namespace})
    root.set(XSI_SCHEMA_LOCATION, binding.schema_location)
    _write_general(w, root, record)
    _write_lifecycle(w, root, record)
    meta = w.sub(root, "metametadata")
    for scheme in METADATA_SCHEMES:
        w.text(meta, "metadatascheme", scheme)
    _write_technical(w, root, record)
    _write_educational(w, root, record)
    _write_rights(w, root, record)
    for relation in record.relations:
        element = w.sub(root, "relation")
        if relation.kind:
            w.vocabulary(element, "kind", vocabulary_source(VocabularyName.RELATION_KIND, relation.kind),
                         relation.kind)
        resource = w.sub(element, "resource")
        w.identifier(resource, Identifier(catalog="URI", entry=relation.target))
    for annotation in record.annotations:
        _write_annotation(w, root, annotation)
    _write_classifications(w, root, record)
    return root


def _write_annotation(w: _LomWriter, root: Any, annotation: Annotation) -> None:
    element = w.sub(root, "annotation")
    if annotation.name is not None:
        vcard = name_to_vcard(annotation.name, annotation.role)
        # IMS: <person><vcard>; IEEE: <entity> holds the vCard itself.
        if w.binding.wrapped_entity:
            w.text(w.sub(element, "person"), "vcard", vcard)
        else:
            w.text(element, "centity", vcard)
    if annotation.date:
        w.datetime(element, annotation.date)
    if annotation.description:
        w.langstring(element, "description", annotation.description, "nl")


def _write_general(w: _LomWriter, root: Any, record: Record) -> None:
    general = w.sub(root, "general")
    titles = dict(record.titles)
    if not titles and record.title:
        titles[w.language] = record.title
    # The main-language title first: a consumer that reads one title takes the first
    # (SURF edusources does), and a reader choosing by language still picks the same one.
    main = next((lang for lang, text in titles.items() if text == record.title), None)
    if main is not None:
        titles = {main: titles.pop(main), **titles}
    if titles:
        title = w.sub(general, "title")
        for lang, text in titles.items():
            w.add_langstring(title, text, lang)
    for identifier in record.identifiers:
        w.identifier(general, identifier)
    for language in record.languages:
        w.text(general, "language", language)
    if record.description:
        w.langstring(general, "description", record.description)
    for keyword in record.keywords:
        w.langstring(general, "keyword", keyword)
    if record.aggregation_level is not None:
        level = str(record.aggregation_level)
        w.vocabulary(general, "aggregationlevel", vocabulary_source(VocabularyName.AGGREGATION_LEVEL, level),
                     level)


def _write_lifecycle(w: _LomWriter, root: Any, record: Record) -> None:
    # A contribution that names no one and has no date says nothing (a source's empty
    # <contribute>, reported when it was read): it is not written.
    contributors = [c for c in record.contributors if c.name is not None or c.date]
    if not contributors:
        return
    lifecycle = w.sub(root, "lifecycle")
    lom_roles = LOM_VALUES[VocabularyName.CONTRIBUTE_ROLE]
    # Contributors in a row with the same role and date share one <contribute> with an entity
    # each, as Edurep writes them (and reading gives them back one by one, in order).
    groups = groupby(contributors, key=lambda c: (c.role, c.date, c.name is not None))
    batches = [(role_given, date, names)
               for (role_given, date, named), group in groups
               for names in ([[c.name for c in group]] if named else [[] for _ in group])]
    for role_given, date, names in batches:
        contribute = w.sub(lifecycle, "contribute")
        # Both bindings want a role from LOM's vocabulary (IMS requires the element). A role
        # outside it (Edurep passes on `hogeschool`, `university`) or none at all is written as
        # LOM's `unknown`; the record keeps the role (reported when read), and the vCard, free
        # text, carries it as ROLE (RFC 2426 section 3.5.2), the one place the schemas allow it.
        known = role_given in lom_roles
        role = role_given if known else UNKNOWN_ROLE
        w.vocabulary(contribute, "role", vocabulary_source(VocabularyName.CONTRIBUTE_ROLE, role), role)
        for name in names:
            if name is not None:
                w.entity(contribute, name, None if known else role_given or None)
        if date:
            w.datetime(contribute, date)


def _write_technical(w: _LomWriter, root: Any, record: Record) -> None:
    if not record.formats and not record.location:
        return
    technical = w.sub(root, "technical")
    for media_type in record.formats:
        w.text(technical, "format", media_type)
    if record.location:
        w.text(technical, "location", record.location)


def _write_educational(w: _LomWriter, root: Any, record: Record) -> None:
    if not (record.learning_resource_types or record.end_user_roles or record.contexts
            or record.typical_age_range or record.typical_learning_time is not None):
        return
    educational = w.sub(root, "educational")
    for name, values, logical in (
        (VocabularyName.LEARNING_RESOURCE_TYPE, record.learning_resource_types, "learningresourcetype"),
        (VocabularyName.END_USER_ROLE, record.end_user_roles, "intendedenduserrole"),
        (VocabularyName.CONTEXT, record.contexts, "context"),
    ):
        for value in values:
            w.vocabulary(educational, logical, vocabulary_source(name, value), value)
    if record.typical_age_range:
        w.langstring(educational, "typicalagerange", record.typical_age_range, NO_LANGUAGE)
    if record.typical_learning_time is not None:
        time = w.sub(educational, "typicallearningtime")
        w.text(time, w.binding.duration_child, seconds_to_duration(record.typical_learning_time))


def _write_rights(w: _LomWriter, root: Any, record: Record) -> None:
    if record.cost is None and record.licence is None:
        return
    rights = w.sub(root, "rights")
    if record.cost is not None:
        cost = "yes" if record.cost else "no"
        w.vocabulary(rights, "cost", vocabulary_source(VocabularyName.COST, cost), cost)
    licence: Licence | None = record.licence
    if licence is not None:
        w.vocabulary(rights, "copyrightandotherrestrictions", licence_table().source, licence.code)
        if licence.url:
            w.langstring(rights, "description", licence.url, NO_LANGUAGE)


def _write_classifications(w: _LomWriter, root: Any, record: Record) -> None:
    purposes = VocabularyName.CLASSIFICATION_PURPOSE
    for purpose, terms in ((PURPOSE_DISCIPLINE, record.disciplines),
                           (PURPOSE_EDUCATIONAL_LEVEL, record.educational_levels),
                           (PURPOSE_EDUCATIONAL_OBJECTIVE, record.educational_objectives)):
        if not terms:
            continue
        classification = w.sub(root, "classification")
        w.vocabulary(classification, "purpose", vocabulary_source(purposes, purpose), purpose)
        # One taxonpath per term: the record keeps terms, not the paths they came in.
        for term in terms:
            path = w.sub(classification, "taxonpath")
            w.langstring(path, "source", OBK_SOURCE, NO_LANGUAGE)
            taxon = w.sub(path, "taxon")
            w.text(taxon, "id", term.id)
            if term.label:
                w.langstring(taxon, "entry", term.label, "nl")
    if record.access_rights:
        access = vocabulary(VocabularyName.ACCESS_RIGHTS)
        classification = w.sub(root, "classification")
        w.vocabulary(classification, "purpose", vocabulary_source(purposes, PURPOSE_ACCESS_RIGHTS),
                     PURPOSE_ACCESS_RIGHTS)
        path = w.sub(classification, "taxonpath")
        w.langstring(path, "source", access.default_source, NO_LANGUAGE)
        taxon = w.sub(path, "taxon")
        w.text(taxon, "id", record.access_rights)
        label = access.labels.get(record.access_rights)
        if label:
            w.langstring(taxon, "entry", label, "nl")
