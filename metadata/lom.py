"""The two-way LOM profile: a `<lom>` of NL-LOM's IMS binding or the IEEE binding to a Record, and back. Pure; no I/O.

Both bindings carry the same information model and differ only in spelling
(`metadata.lom_bindings`). Reading is deliberately tolerant, because real
feeds are: element names are matched case-insensitively in either binding's
spelling and in any namespace (AnatomyTool puts the children of a namespaced
`lom:lom` in no namespace; Kennisnet's QTI packages write `metadataschema` in
lower case).

Reading gives a Record twice over: its normalised fields, chosen and cleaned
from the source (vocabulary values are never dropped: each is kept, repaired
or reported; single-valued fields keep the first value the source gives, the
location the one given as a web page), and the source's whole LOM as it was
read (`Record.lom`, `metadata.lom_tree`), which nothing here rewrites.

Writing is strict: it emits exactly one binding, in the element order its
schema requires, as Edurep writes it. What is written is `served_tree`: the
source's whole LOM with the repairs that function lists (a contributor role
outside LOM's vocabulary as `unknown` with the role as the vCard's ROLE, from
where reading takes it back; `LOMv1.0` for Edustandaard's copies of LOM's
lists; the normalised licence), or, for a record that did not come from LOM,
a tree built from its fields with the vocabulary sources NL-LOM prescribes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from metadata.duration import duration_to_seconds, seconds_to_duration
from metadata.issues import IssueCode, make_issue
from metadata.kerndoelen import kerndoel_term, replacement_of
from metadata.licence import licence_table, normalise_licence
from metadata.links import is_safe_target, is_web_url
from metadata.lom_bindings import IEEE_BINDING, IMS_BINDING, XML_LANG, LomBinding, from_ieee_datetime
from metadata.lom_bindings import known_name as _known
from metadata.lom_bindings import logical_name as _logical_name
from metadata.lom_tree import (
    CONTAINER,
    LANGSTRING,
    LOM_MODEL,
    OTHER,
    VOCABULARY,
    Element,
    LomTree,
    read_tree,
    tree_payload,
    write_tree,
)
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
)
from metadata.vcard import name_to_vcard, read_vcard_name, read_vcard_role, with_vcard_role
from metadata.vocabulary import (
    OBK_SOURCE,
    VocabularyName,
    known_term,
    normalise_term,
    vocabulary,
)
from metadata.xml_input import local_name

# NL-LOM identifies itself in metametadata/metadatascheme with both values.
METADATA_SCHEMES = ("LOMv1.0", "nl_lom_v1p0")

# Classification purposes the record models (NL-LOM classification_purpose vocabulary).
PURPOSE_DISCIPLINE = "discipline"
PURPOSE_EDUCATIONAL_LEVEL = "educational level"
PURPOSE_EDUCATIONAL_OBJECTIVE = "educational objective"
PURPOSE_ACCESS_RIGHTS = "access rights"

# The LOMv1.0 value written for a contribution whose role is not one of LOM's (2.3.1).
UNKNOWN_ROLE = "unknown"




# --- reading -------------------------------------------------------------------------------

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
        # Each location with its position among the record's locations (a format pairs by position).
        self.locations: list[tuple[int, str]] = []
        self.location_count = 0
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
        return LomReading(record=self._record(read_tree(root)), facts=LomFacts(
            has_metadata_scheme=bool(self.metadata_schemes),
            has_rights_description=bool(self.rights_descriptions),
        ))

    def _record(self, lom: LomTree) -> Record:
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
            location=self._page(),
            locations=dedupe(location for _, location in self.locations),
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
            lom=lom,
        )

    def _page(self) -> str | None:
        """The location a teacher should open: the one whose format (by position) is a web page, else the first."""
        for position, location in self.locations:
            if position < len(self.formats) and self.formats[position] == "text/html":
                return location
        return self.locations[0][1] if self.locations else None

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
                position = self.location_count
                self.location_count += 1
                if location and not is_web_url(location):
                    self.issues.append(make_issue(
                        IssueCode.UNSAFE_LINK, "technical/location",
                        f"{location[:200]!r} is not an http(s) link; not kept"))
                elif location:
                    self.locations.append((position, location))

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
    """A DateTime's text as the record keeps it, undoing `ieee_datetime` for the IEEE spelling."""
    text = clean_line(_element_text(element)) or None
    if text is None or local_name(element.tag) != IEEE_BINDING.element_name("datetime"):
        return text
    return from_ieee_datetime(text)


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


# --- what is written: the source's tree, or one built from the record's fields ------------------


def record_to_lom(record: Record, binding: LomBinding = IMS_BINDING) -> Any:
    """The `<lom>` element for a record in `binding`, in its schema's element order.

    The IMS output is written as Edurep serves it (prefix `czp:`, the same
    schemaLocation and element order) and validates against imsmd_v1p2p4.xsd.
    What is written is `served_tree(record)`: the source's whole LOM where the
    record has it, else the record's fields.
    """
    return write_tree(served_tree(record), binding)


def lom_payload(record: Record, binding: LomBinding = IMS_BINDING) -> bytes | None:
    """`record_to_lom`'s element as the UTF-8 text an OAI-PMH `<metadata>` holds (`tree_payload`)."""
    global _LAST_SERVED
    # The feed writes each record in both LOM bindings one after the other: the second
    # reuses the first's served tree (records are immutable; the entry keeps the record
    # alive, so an identical id is the same record).
    last_record, tree = _LAST_SERVED
    if last_record is not record:
        tree = served_tree(record)
        _LAST_SERVED = (record, tree)
    return tree_payload(tree, binding)


_LAST_SERVED: tuple[Record | None, LomTree] = (None, {})


def served_tree(record: Record) -> LomTree:
    """The LOM tree the feed and exports write for a record.

    A record read from LOM is written as its source wrote it (`record.lom`), with
    only these changes, each a repair towards what the schemas and NL-LOM require:

    - a contribution's role outside LOM's vocabulary (Edurep passes on `hogeschool`,
      `university`) or empty is written as LOM's `unknown`, the role as the vCard's
      ROLE (RFC 2426 section 3.5.2), the one place the schemas allow it, from where
      reading takes it back (a contribution that names no one has no vCard to carry
      it); a contribution that names no one and has no role or date says nothing and
      is not written; a meta-metadata role outside LOM's two is written as given;
    - a vocabulary source that is Edustandaard's copy of a LOM vocabulary is written
      `LOMv1.0`, and a missing source as NL-LOM prescribes (`vocabulary_source`);
    - the licence is the record's normalised one (the NL-LOM copyright code);
    - metametadata names both schemes NL-LOM requires (`METADATA_SCHEMES`);
    - only http(s) locations leave the system, and no identifier that is a link of
      another scheme (`javascript:` as a relation's target), and empty elements (`<size/>`,
      Edurep's `<value/>` end user roles) are not written: they say nothing.

    A record without a source LOM (oai_dc, a school's own publication) is
    written from its fields (`tree_from_record`).
    """
    if record.lom is None:
        return tree_from_record(record)
    tree = _repaired(record.lom, LOM_MODEL)
    for category, roles in (("lifecycle", LOM_VALUES[VocabularyName.CONTRIBUTE_ROLE]),
                            ("metametadata", _METAMETADATA_ROLES)):
        if category in tree:
            tree[category] = [_with_lom_roles(section, roles) for section in tree[category]]
    _set_licence(tree, record.licence)
    _name_schemes(tree)
    return {name: values for name, values in tree.items() if values}


def with_tree_annotations(record: Record, annotations: tuple[Annotation, ...]) -> Record:
    """The record with annotations after those its source gave, in its fields and in its LOM."""
    if not annotations:
        return record
    changes: dict[str, Any] = {"annotations": record.annotations + annotations}
    if record.lom is not None:
        lom = dict(record.lom)
        lom["annotation"] = [*lom.get("annotation", ()), *(_annotation_node(a) for a in annotations)]
        changes["lom"] = lom
    return record.with_changes(**changes)


def _with_lom_roles(section: LomTree, lom_roles: frozenset[str]) -> dict[str, Any]:
    contributes = []
    for contribute in section.get("contribute", ()):
        roles = contribute.get("role", ())
        role = (roles[0].get("value") or "").strip() if roles else ""
        entities = contribute.get("centity", ())
        if not role and not entities and not contribute.get("date"):
            continue
        if role not in lom_roles and lom_roles is _METAMETADATA_ROLES:
            # LOM (3.2.1) has no `unknown` to write a meta-metadata role outside its two as.
            contributes.append(contribute)
            continue
        if role not in lom_roles:
            contribute = dict(contribute)
            contribute["role"] = [{"source": LOM_SOURCE, "value": UNKNOWN_ROLE}]
            if role:
                contribute["centity"] = [with_vcard_role(vcard, role) for vcard in entities]
        contributes.append(contribute)
    changed = dict(section)
    changed["contribute"] = contributes
    return {name: values for name, values in changed.items() if values}


# LOM's roles for meta-metadata contributions (3.2.1).
_METAMETADATA_ROLES = frozenset({"creator", "validator"})
# The values of LOM's vocabularies the record does not model, by element name (IEEE 1484.12.1).
_OTHER_LOM_VALUES: Mapping[str, frozenset[str]] = {
    "structure": frozenset({"atomic", "collection", "networked", "hierarchical", "linear"}),  # 1.7
    "status": frozenset({"draft", "final", "revised", "unavailable"}),  # 2.2
    "type": frozenset({"operating system", "browser"}),  # 4.4.1.1
    "name": frozenset({"pc-dos", "ms-windows", "macos", "unix", "multi-os", "none", "any",
                       "netscape communicator", "ms-internet explorer", "opera", "amaya"}),  # 4.4.1.2
    "interactivitytype": frozenset({"active", "expositive", "mixed"}),  # 5.1
    "interactivitylevel": frozenset({"very low", "low", "medium", "high", "very high"}),  # 5.3
    "semanticdensity": frozenset({"very low", "low", "medium", "high", "very high"}),  # 5.4
    "difficulty": frozenset({"very easy", "easy", "medium", "difficult", "very difficult"}),  # 5.8
}
# Elements whose vocabulary is one of LOM's (NL-LOM adopts it), by element name.
_LOM_VOCABULARY_ELEMENTS: Mapping[str, VocabularyName] = {
    "aggregationlevel": VocabularyName.AGGREGATION_LEVEL,
    "role": VocabularyName.CONTRIBUTE_ROLE,
    "intendedenduserrole": VocabularyName.END_USER_ROLE,
    "cost": VocabularyName.COST,
    "purpose": VocabularyName.CLASSIFICATION_PURPOSE,
    "learningresourcetype": VocabularyName.LEARNING_RESOURCE_TYPE,
    "context": VocabularyName.CONTEXT,
    "kind": VocabularyName.RELATION_KIND,
}


def _repaired(tree: LomTree, model: Element) -> dict[str, Any]:
    """The tree without empty elements, links other than http(s) and with `_vocabulary_entry`'s sources,
    in one pass (this runs whenever a record's payloads are written)."""
    repaired: dict[str, Any] = {}
    for name, values in tree.items():
        child = model.children.get(name)
        if child is None:
            kept = list(values)  # elements outside the model
        elif child.kind == CONTAINER:
            kept = [node for node in (_repaired(value, child) for value in values) if node]
            if name == "catalogentry":  # no identifier that is a `javascript:` link
                kept = [entry for entry in kept if all(is_safe_target(e) for e in entry.get("entry", ()))]
        elif child.kind == LANGSTRING:
            kept = [strings for strings in ([s for s in value if s[1]] for value in values) if strings]
        elif child.kind == VOCABULARY:
            kept = [_vocabulary_entry(name, value) for value in values if value.get("value")]
        else:
            kept = [value for value in values if value.strip()]
            if name == "location":
                kept = [location for location in kept if is_web_url(location)]
            elif name == "identifier":
                kept = [identifier for identifier in kept if is_safe_target(identifier)]
        if kept:
            repaired[name] = kept
    return repaired


def _vocabulary_entry(element: str, entry: Mapping[str, str | None]) -> dict[str, str | None]:
    """A vocabulary value with `LOMv1.0` for a LOM value given with Edustandaard's copy of LOM's
    vocabulary, and a missing source as NL-LOM prescribes; any other source as given."""
    source, value = entry.get("source"), entry.get("value") or ""
    name = _LOM_VOCABULARY_ELEMENTS.get(element)
    lom_values = LOM_VALUES.get(name, frozenset()) if name is not None else _OTHER_LOM_VALUES.get(element, frozenset())
    if source is None:
        source = vocabulary_source(name, value) if name is not None else LOM_SOURCE
    elif _is_lom_copy(source) and value in lom_values:
        source = LOM_SOURCE
    return {"source": source, "value": value}


def _set_licence(tree: dict[str, Any], licence: Licence | None) -> None:
    if licence is None:
        return
    rights = dict(tree["rights"][0]) if tree.get("rights") else {}
    given = rights.get("copyrightandotherrestrictions") or [{}]
    if (given[0].get("value") or "").strip() == licence.code:
        return
    rights["copyrightandotherrestrictions"] = [{"source": licence_table().source, "value": licence.code}]
    if licence.url and not rights.get("description"):
        rights["description"] = [[[NO_LANGUAGE, licence.url]]]
    tree["rights"] = [_in_model_order(rights, "rights"), *tree.get("rights", ())[1:]]


def _name_schemes(tree: dict[str, Any]) -> None:
    meta = dict(tree["metametadata"][0]) if tree.get("metametadata") else {}
    named = [scheme.strip() for scheme in meta.get("metadatascheme", ())]
    missing = [scheme for scheme in METADATA_SCHEMES if scheme not in named]
    if missing:
        meta["metadatascheme"] = [*meta.get("metadatascheme", ()), *missing]
        tree["metametadata"] = [_in_model_order(meta, "metametadata"), *tree.get("metametadata", ())[1:]]


def _in_model_order(section: Mapping[str, Any], category: str) -> dict[str, Any]:
    order = [*LOM_MODEL.children[category].children, OTHER]
    return {name: section[name] for name in order if section.get(name)}


# --- a tree from the record's fields ------------------------------------------------------------


def _langstring(text: str, language: str) -> list[list[str | None]]:
    return [[language, text]]


def _vocabulary_node(name: VocabularyName, value: str) -> dict[str, str | None]:
    return {"source": vocabulary_source(name, value), "value": value}


def _datetime_node(date: str) -> dict[str, Any]:
    return {"datetime": [date]}


def _identifier_node(identifier: Identifier) -> dict[str, Any]:
    return {"catalog": [identifier.catalog], "entry": [identifier.entry]}


def _annotation_node(annotation: Annotation) -> dict[str, Any]:
    node: dict[str, Any] = {}
    if annotation.name is not None:
        node["person"] = [name_to_vcard(annotation.name, annotation.role)]
    if annotation.date:
        node["date"] = [_datetime_node(annotation.date)]
    if annotation.description:
        node["description"] = [_langstring(annotation.description, "nl")]
    return node


def tree_from_record(record: Record) -> dict[str, Any]:
    """A LOM tree of what the record's fields say, for a record that did not come from LOM.

    Fields the record does not have are left out; vocabulary values carry the
    source NL-LOM prescribes (`vocabulary_source`).
    """
    language = record.languages[0] if record.languages else NO_LANGUAGE
    sections: dict[str, Any] = {
        "general": _general_node(record, language),
        "lifecycle": _lifecycle_node(record),
        "metametadata": {"metadatascheme": list(METADATA_SCHEMES)},
        "technical": _technical_node(record),
        "educational": _educational_node(record),
        "rights": _rights_node(record),
    }
    tree: dict[str, Any] = {name: [node] for name, node in sections.items() if node}
    relations = [_relation_node(relation) for relation in record.relations]
    annotations = [_annotation_node(annotation) for annotation in record.annotations]
    classifications = _classification_nodes(record)
    for name, nodes in (("relation", relations), ("annotation", annotations), ("classification", classifications)):
        if nodes:
            tree[name] = nodes
    return tree


def _general_node(record: Record, language: str) -> dict[str, Any]:
    node: dict[str, Any] = {}
    titles = dict(record.titles)
    if not titles and record.title:
        titles[language] = record.title
    # The main-language title first: a consumer that reads one title takes the first
    # (SURF edusources does), and a reader choosing by language still picks the same one.
    main = next((lang for lang, text in titles.items() if text == record.title), None)
    if main is not None:
        titles = {main: titles.pop(main), **titles}
    if titles:
        node["title"] = [[[lang, text] for lang, text in titles.items()]]
    if record.identifiers:
        node["catalogentry"] = [_identifier_node(identifier) for identifier in record.identifiers]
    if record.languages:
        node["language"] = list(record.languages)
    if record.description:
        node["description"] = [_langstring(record.description, language)]
    if record.keywords:
        node["keyword"] = [_langstring(keyword, language) for keyword in record.keywords]
    if record.aggregation_level is not None:
        node["aggregationlevel"] = [_vocabulary_node(VocabularyName.AGGREGATION_LEVEL,
                                                     str(record.aggregation_level))]
    return node


def _lifecycle_node(record: Record) -> dict[str, Any]:
    # A contribution that names no one and has no date says nothing (a source's empty
    # <contribute>, reported when it was read): it is not written.
    contributors = [c for c in record.contributors if c.name is not None or c.date]
    lom_roles = LOM_VALUES[VocabularyName.CONTRIBUTE_ROLE]
    # Contributors in a row with the same role and date share one <contribute> with an entity
    # each, as Edurep writes them (and reading gives them back one by one, in order).
    groups = groupby(contributors, key=lambda c: (c.role, c.date, c.name is not None))
    batches = [(role_given, date, names)
               for (role_given, date, named), group in groups
               for names in ([[c.name for c in group]] if named else [[] for _ in group])]
    contributes = []
    for role_given, date, names in batches:
        # Both bindings want a role from LOM's vocabulary (IMS requires the element): a role
        # outside it is written as `unknown` with the role as the vCard's ROLE (see `served_tree`).
        known = role_given in lom_roles
        role = role_given if known else UNKNOWN_ROLE
        contribute: dict[str, Any] = {"role": [_vocabulary_node(VocabularyName.CONTRIBUTE_ROLE, role)]}
        vcards = [name_to_vcard(name, None if known else role_given or None) for name in names if name is not None]
        if vcards:
            contribute["centity"] = vcards
        if date:
            contribute["date"] = [_datetime_node(date)]
        contributes.append(contribute)
    return {"contribute": contributes} if contributes else {}


def _technical_node(record: Record) -> dict[str, Any]:
    node: dict[str, Any] = {}
    if record.formats:
        node["format"] = list(record.formats)
    locations = list(record.locations) or ([record.location] if record.location else [])
    if locations:
        node["location"] = locations
    return node


def _educational_node(record: Record) -> dict[str, Any]:
    node: dict[str, Any] = {}
    for name, values, logical in (
        (VocabularyName.LEARNING_RESOURCE_TYPE, record.learning_resource_types, "learningresourcetype"),
        (VocabularyName.END_USER_ROLE, record.end_user_roles, "intendedenduserrole"),
        (VocabularyName.CONTEXT, record.contexts, "context"),
    ):
        if values:
            node[logical] = [_vocabulary_node(name, value) for value in values]
    if record.typical_age_range:
        node["typicalagerange"] = [_langstring(record.typical_age_range, NO_LANGUAGE)]
    if record.typical_learning_time is not None:
        node["typicallearningtime"] = [{"duration": [seconds_to_duration(record.typical_learning_time)]}]
    return _in_model_order(node, "educational")


def _rights_node(record: Record) -> dict[str, Any]:
    node: dict[str, Any] = {}
    if record.cost is not None:
        node["cost"] = [_vocabulary_node(VocabularyName.COST, "yes" if record.cost else "no")]
    licence = record.licence
    if licence is not None:
        node["copyrightandotherrestrictions"] = [{"source": licence_table().source, "value": licence.code}]
        if licence.url:
            node["description"] = [_langstring(licence.url, NO_LANGUAGE)]
    return node


def _relation_node(relation: Relation) -> dict[str, Any]:
    node: dict[str, Any] = {}
    if relation.kind:
        node["kind"] = [_vocabulary_node(VocabularyName.RELATION_KIND, relation.kind)]
    node["resource"] = [{"catalogentry": [_identifier_node(Identifier(catalog="URI", entry=relation.target))]}]
    return node


def _classification_nodes(record: Record) -> list[dict[str, Any]]:
    purposes = VocabularyName.CLASSIFICATION_PURPOSE
    nodes = []
    for purpose, terms in ((PURPOSE_DISCIPLINE, record.disciplines),
                           (PURPOSE_EDUCATIONAL_LEVEL, record.educational_levels),
                           (PURPOSE_EDUCATIONAL_OBJECTIVE, record.educational_objectives)):
        if not terms:
            continue
        # One taxonpath per term: the record keeps terms, not the paths they came in.
        paths = [{"source": [_langstring(OBK_SOURCE, NO_LANGUAGE)], "taxon": [_taxon_node(term.id, term.label)]}
                 for term in terms]
        nodes.append({"purpose": [_vocabulary_node(purposes, purpose)], "taxonpath": paths})
    if record.access_rights:
        access = vocabulary(VocabularyName.ACCESS_RIGHTS)
        path = {"source": [_langstring(access.default_source, NO_LANGUAGE)],
                "taxon": [_taxon_node(record.access_rights, access.labels.get(record.access_rights))]}
        nodes.append({"purpose": [_vocabulary_node(purposes, PURPOSE_ACCESS_RIGHTS)], "taxonpath": [path]})
    return nodes


def _taxon_node(taxon_id: str, label: str | None) -> dict[str, Any]:
    node: dict[str, Any] = {"id": [taxon_id]}
    if label:
        node["entry"] = [_langstring(label, "nl")]
    return node
