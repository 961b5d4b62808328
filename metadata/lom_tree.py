"""The whole LOM record, element by element: NL-LOM's information model, read and written without loss. Pure; no I/O.

A `Record`'s fields are what the product searches, shows and checks; they are
chosen, cleaned and normalised from the source's LOM. This module keeps the
LOM itself: every element of the information model (IEEE 1484.12.1, as NL-LOM
profiles it) in all nine categories, as the source wrote it, so that nothing a
source said is lost: lifecycle version and status, meta-metadata, every
technical location and format, requirements, relation descriptions and every
catalog entry, classifications of every purpose with all their taxon paths,
annotations, vCards whole, and each vocabulary value with the source the
record gave. Elements outside the model (another namespace's extensions) are
kept as XML and written back in their container.

The model is `LOM_MODEL`, a tree of `Element`s, each with a kind:

| kind | JSON value | IMS binding | IEEE binding |
|---|---|---|---|
| `container` | object: child name -> list of values | element with children | the same |
| `text` | string | text | text |
| `wrapped` | string | a `langstring` holding the text | text |
| `langstring` | list of `[language or null, text]` | `langstring xml:lang` each | `string language` each |
| `vocabulary` | `{"source": ..., "value": ...}` | `source`, `value` as `wrapped` | `source`, `value` as text |
| `vcard` | string (the vCard, whole) | `centity`/`person` holding `vcard` | `entity` |

A container's JSON object lists each child that occurs, in the model's order,
with all its occurrences in document order (a list even where LOM allows one:
a source that repeats an element keeps both), and `#other` for elements outside
the model. Texts are kept as written but for the whitespace around them, which
is the XML's indentation (a vCard is kept whole, its line breaks and all);
cleaning is the `Record`'s business. A date-time is written in the IEEE
binding in the form its pattern accepts (`ieee_datetime`) and read back as it was. `read_tree(write_tree(tree, b)) == tree` for both
bindings (the property tests check it), and for a source in binding `b`,
`write_tree(read_tree(source), b)` has every leaf of the source.

Where a source repeats an element LOM allows once (IMS also allows one
educational category, one educational and one relation resource description),
the writer merges the occurrences: containers into one with all their
children, language strings into one with all their strings, so no leaf is
lost; only a repeated single value (a second aggregation level) cannot be
written, and the first is. IMS has no `orComposite`: each of a requirement's
alternatives becomes an IMS `requirement` of its own.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from metadata.lom_bindings import (
    IEEE_BINDING,
    IEEE_NAMESPACE,
    XML_LANG,
    LomBinding,
    from_ieee_datetime,
    ieee_datetime,
    known_name,
    logical_name,
)
from metadata.text import NO_LANGUAGE, xml_safe_text
from metadata.xml_input import local_name

# A LOM tree in its JSON form (see the module docstring).
LomTree = Mapping[str, Any]

CONTAINER = "container"
TEXT = "text"
WRAPPED = "wrapped"
LANGSTRING = "langstring"
VOCABULARY = "vocabulary"
VCARD = "vcard"

# The key of a container's elements outside the model, each kept as XML text.
OTHER = "#other"


@dataclass(eq=False, slots=True)
class Element:
    """One element of the information model: its logical (IMS) name, kind and children."""

    name: str
    kind: str
    children: dict[str, Element] = field(default_factory=dict)
    # Other logical names this element is read under (IMS `identifier` strings are read as
    # such; a duration's value is `datetime` in IMS, `duration` in IEEE).
    aliases: tuple[str, ...] = ()
    # Children by every name they are read under (filled by `_index` once the model is built).
    lookup: dict[str, Element] = field(default_factory=dict)
    # A container's children's places (`OTHER` last), and whether reading it needs the special
    # cases of IMS identifiers and requirements (both filled by `_index`).
    rank: dict[str, int] = field(default_factory=dict)
    special: bool = False
    # LOM allows the element once in its container (`ims_single`: once in the IMS binding only).
    single: bool = False
    ims_single: bool = False

    def child(self, logical: str) -> Element | None:
        return self.lookup.get(logical)


def _container(name: str, *children: Element) -> Element:
    return Element(name, CONTAINER, {child.name: child for child in children})


def _text(name: str, *aliases: str) -> Element:
    return Element(name, TEXT, aliases=aliases)


def _wrapped(name: str) -> Element:
    return Element(name, WRAPPED)


def _langstring(name: str) -> Element:
    return Element(name, LANGSTRING)


def _vocabulary(name: str) -> Element:
    return Element(name, VOCABULARY)


def _vcard(name: str, *aliases: str) -> Element:
    return Element(name, VCARD, aliases=aliases)


def _once(element: Element, *, ims_only: bool = False) -> Element:
    """`element`, which LOM allows once in its container (IMS only, with `ims_only`)."""
    if ims_only:
        element.ims_single = True
    else:
        element.single = True
    return element


def _catalog_entry() -> Element:  # 1.1, 3.1, 7.2.1: catalog and entry
    return _container("catalogentry", _text("catalog"), _wrapped("entry"))


_DATETIME = _once(_text("datetime"))


def _date() -> Element:  # a DateTime: the value and a description of it
    return _once(_container("date", _DATETIME, _once(_langstring("description"))))


def _duration(name: str) -> Element:  # a Duration: the value and a description of it
    return _once(_container(name, _once(_text("duration", "datetime")), _once(_langstring("description"))))


def _contribute() -> Element:  # 2.3, 3.2
    return _container("contribute", _once(_vocabulary("role")), _vcard("centity"), _date())


_TAXON = _container("taxon", _once(_text("id")), _once(_langstring("entry")))
# IMS Meta-data 1.2.1 nests a taxon path's taxa, each in the one before (1.2.4 lists them).
_TAXON.children["taxon"] = _TAXON

LOM_MODEL = _container(
    "lom",
    _once(_container(  # 1
        "general", _once(_text("identifier")), _once(_langstring("title")), _catalog_entry(), _text("language"),
        _langstring("description"), _langstring("keyword"), _langstring("coverage"),
        _once(_vocabulary("structure")), _once(_vocabulary("aggregationlevel")))),
    _once(_container(  # 2
        "lifecycle", _once(_langstring("version")), _once(_vocabulary("status")), _contribute())),
    _once(_container(  # 3
        "metametadata", _once(_text("identifier")), _catalog_entry(), _contribute(), _text("metadatascheme"),
        _once(_text("language")))),
    _once(_container(  # 4
        "technical", _text("format"), _once(_text("size")), _text("location"),
        _container("requirement", _container(
            "orcomposite", _once(_vocabulary("type")), _once(_vocabulary("name")),
            _once(_text("minimumversion")), _once(_text("maximumversion")))),
        _once(_langstring("installationremarks")), _once(_langstring("otherplatformrequirements")),
        _duration("duration"))),
    _once(_container(  # 5
        "educational", _once(_vocabulary("interactivitytype")), _vocabulary("learningresourcetype"),
        _once(_vocabulary("interactivitylevel")), _once(_vocabulary("semanticdensity")),
        _vocabulary("intendedenduserrole"), _vocabulary("context"), _langstring("typicalagerange"),
        _once(_vocabulary("difficulty")), _duration("typicallearningtime"),
        _once(_langstring("description"), ims_only=True), _text("language")), ims_only=True),
    _once(_container(  # 6
        "rights", _once(_vocabulary("cost")), _once(_vocabulary("copyrightandotherrestrictions")),
        _once(_langstring("description")))),
    _container(  # 7
        "relation", _once(_vocabulary("kind")),
        _once(_container("resource", _once(_text("identifier")), _once(_langstring("description"), ims_only=True),
                         _catalog_entry()))),
    _container(  # 8
        "annotation", _once(_vcard("person", "centity")), _date(), _once(_langstring("description"))),
    _container(  # 9
        "classification", _once(_vocabulary("purpose")),
        _container("taxonpath", _once(_langstring("source")), _TAXON),
        _once(_langstring("description")), _langstring("keyword")),
)


def _index(model: Element, seen: set[int]) -> None:
    if id(model) in seen:
        return
    seen.add(id(model))
    model.lookup = {alias: child for child in model.children.values() for alias in child.aliases}
    model.lookup.update(model.children)
    model.rank = {name: place for place, name in enumerate([*model.children, OTHER])}
    model.special = "identifier" in model.children or model.name == "requirement"
    for child in model.children.values():
        _index(child, seen)


_index(LOM_MODEL, set())
_IEEE_DATETIME = IEEE_BINDING.tag("datetime")
# What IMS calls `requirement` directly is one alternative (`orComposite`) in IEEE.
_REQUIREMENT = LOM_MODEL.children["technical"].children["requirement"]
_OR_COMPOSITE = _REQUIREMENT.children["orcomposite"]


# --- reading -------------------------------------------------------------------------------


def read_tree(root: Any) -> dict[str, Any]:
    """The whole `<lom>` element `root` (either binding, any namespace or case) as a LOM tree."""
    return _read_container(root, LOM_MODEL)


def _name(element: Any) -> str:
    return known_name(element.tag) or logical_name(element.tag)


def _read_container(element: Any, model: Element) -> dict[str, Any]:
    # The reading loop of every harvested record: lookups bound to locals, leaves read inline.
    found: dict[str, list[Any]] = {}
    lookup = model.lookup
    known, logical_of = known_name, logical_name
    for child in element.getchildren():
        tag = child.tag
        logical = known(tag) or logical_of(tag)
        if not logical:
            continue  # comments and processing instructions
        child_model = lookup.get(logical)
        if model.special:
            if logical == "catalogentry" and "identifier" in model.children and _is_ims_identifier(child):
                child_model = model.children["identifier"]
            elif model is _REQUIREMENT and child_model is None and _OR_COMPOSITE.child(logical) is not None:
                # IMS: the alternative's elements directly in the requirement.
                found.setdefault("orcomposite", []).append(_read_container(element, _OR_COMPOSITE))
                break
        if child_model is None:
            found.setdefault(OTHER, []).append(_other_xml(child))
            continue
        kind = child_model.kind
        if kind == TEXT and child_model is not _DATETIME:
            value: Any = ("".join(child.itertext()) if len(child) else (child.text or "")).strip()
        elif kind == LANGSTRING:
            value = _read_langstrings(child)
        else:
            value = _read_value(child, child_model)
        try:
            found[child_model.name].append(value)
        except KeyError:
            found[child_model.name] = [value]
    if len(found) < 2:
        return found
    # The model's order, so that equal trees have equal JSON.
    rank = model.rank
    return {name: found[name] for name in sorted(found, key=rank.__getitem__)}


def _is_ims_identifier(element: Any) -> bool:
    """IMS's plain-string `identifier` (read, like IEEE's `identifier`, as logical `catalogentry`)."""
    tag = element.tag
    return (local_name(tag).lower() == "identifier" and not tag.startswith(f"{{{IEEE_NAMESPACE}}}")
            and not any(isinstance(child.tag, str) for child in element))


def _read_value(element: Any, model: Element) -> Any:
    kind = model.kind
    if kind == CONTAINER:
        return _read_container(element, model)
    if kind == LANGSTRING:
        return _read_langstrings(element)
    if kind == VOCABULARY:
        values: dict[str, str | None] = {"source": None, "value": None}
        for child in element.getchildren():
            if isinstance(child.tag, str) and (name := _name(child)) in values and values[name] is None:
                values[name] = _unwrapped(child)
        return values
    if kind == WRAPPED:
        return _unwrapped(element)
    if kind == VCARD:
        for child in element.getchildren():
            if isinstance(child.tag, str) and _name(child) == "vcard":
                return _all_text(child)
        return _all_text(element)
    text = _all_text(element).strip()
    if model is _DATETIME and element.tag == _IEEE_DATETIME:
        return from_ieee_datetime(text)
    return text


def _all_text(element: Any) -> str:
    return "".join(element.itertext()) if len(element) else (element.text or "")


def _unwrapped(element: Any) -> str:
    """The text of an element that is plain text (IEEE) or wraps one language string (IMS)."""
    for child in element.getchildren():
        if isinstance(child.tag, str) and _name(child) == "langstring":
            return _all_text(child).strip()
    return _all_text(element).strip()


def _language(string: Any) -> str | None:
    language: str | None = string.get(XML_LANG) or string.get("language")
    return language


def _read_langstrings(element: Any) -> list[list[str | None]]:
    strings: list[list[str | None]] = [
        [_language(child), ("".join(child.itertext()) if len(child) else (child.text or "")).strip()]
        for child in element.getchildren()
        if (known_name(child.tag) or logical_name(child.tag)) == "langstring"]
    if not strings and element.text and element.text.strip():
        strings.append([None, element.text.strip()])  # a bare text where a language string belongs
    return strings


def _other_xml(element: Any) -> str:
    # A copy declares only the namespaces it uses (not the whole document's, which would pile
    # up at every round trip); `with_tail=False`: the whitespace after it is the container's.
    alone = copy.deepcopy(element)
    etree.cleanup_namespaces(alone)
    text: str = etree.tostring(alone, encoding="unicode", with_tail=False)
    return text


# --- writing -------------------------------------------------------------------------------


def write_tree(tree: LomTree, binding: LomBinding) -> Any:
    """The `<lom>` element for a LOM tree in `binding`, in its schema's element order."""
    return etree.fromstring(tree_xml(tree, binding))


def tree_xml(tree: LomTree, binding: LomBinding, *, xsi_in_scope: bool = False) -> str:
    """`write_tree`'s element as XML text, as lxml serialises it.

    Written as text, not built with lxml (three times the cost per record, and
    the feed writes every record in two bindings). With `xsi_in_scope`, the
    `xsi` prefix is left undeclared, as lxml writes the element inside one that
    declares it (an OAI-PMH response's `<metadata>`).
    """
    return _written(tree, binding, xsi_in_scope)[0]


def tree_payload(tree: LomTree, binding: LomBinding) -> bytes | None:
    """`tree_xml` inside an element that declares `xsi`, as UTF-8, or None for a tree with
    elements outside the model (their namespaces are lxml's to write: see `write_tree`)."""
    text, other = _written(tree, binding, True)
    return None if other else text.encode()


def _written(tree: LomTree, binding: LomBinding, xsi_in_scope: bool) -> tuple[str, bool]:
    writer = _Writer(binding)
    declarations = "" if xsi_in_scope else f' xmlns:xsi="{_XSI}"'
    namespace = f' xmlns:{binding.prefix}="{binding.namespace}"' if binding.prefix else f' xmlns="{binding.namespace}"'
    attributes = f'{declarations}{namespace} xsi:schemaLocation="{_attribute(binding.schema_location)}"'
    writer.container("lom", tree, LOM_MODEL, attributes)
    return "".join(writer.out), writer.other


def fitted(tree: LomTree, binding: LomBinding) -> dict[str, Any]:
    """The tree with each element `binding` allows once merged into one (see the module docstring);
    what reading `write_tree(tree, binding)` gives back (the writer merges as it writes)."""
    return _fitted(tree, LOM_MODEL, binding.namespace == IEEE_NAMESPACE)


def _fitted(tree: LomTree, model: Element, ieee: bool) -> dict[str, Any]:
    fitted: dict[str, Any] = {}
    for name, values in tree.items():
        child = model.children.get(name)
        if child is None:
            fitted[name] = values
            continue
        kept = _once_merged(child, values, ieee)
        fitted[name] = [_fitted(value, child, ieee) for value in kept] if child.kind == CONTAINER else kept
    return fitted


def _once_merged(model: Element, values: Sequence[Any], ieee: bool) -> Sequence[Any]:
    """`values` of an element, as one where the binding (IEEE or IMS) allows it once."""
    if len(values) > 1 and (model.single or (model.ims_single and not ieee)):
        return [_merged(model, values)]
    return values


_XSI = "http://www.w3.org/2001/XMLSchema-instance"
# What lxml escapes in text and in attribute values; a text with none of these (or of the
# characters XML forbids, `xml_safe_text`) is written as it is.
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE_ESCAPES = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
_NEEDS_WORK = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _attribute(text: str) -> str:
    return text.translate(_ATTRIBUTE_ESCAPES)


def _escaped(text: str) -> str:
    return xml_safe_text(text).translate(_TEXT_ESCAPES) if _NEEDS_WORK.search(text) else text


class _Tags(dict[str, tuple[str, str, str]]):
    """Logical name -> (start tag, end tag, empty element) as one binding writes them."""

    def __init__(self, binding: LomBinding) -> None:
        super().__init__()
        self.prefix = f"{binding.prefix}:" if binding.prefix else ""
        self.binding = binding

    def __missing__(self, logical: str) -> tuple[str, str, str]:
        name = f"{self.prefix}{self.binding.element_name(logical)}"
        tags = self[logical] = (f"<{name}>", f"</{name}>", f"<{name}/>")
        return tags


_TAG_TABLES: dict[str, _Tags] = {}


class _Writer:
    """Writes a tree as XML text, element by element, into `out`."""

    def __init__(self, binding: LomBinding) -> None:
        self.binding = binding
        self.ieee = binding.namespace == IEEE_NAMESPACE
        self.tags = _TAG_TABLES.get(binding.name) or _TAG_TABLES.setdefault(binding.name, _Tags(binding))
        self.language = binding.language_attribute if self.ieee else "xml:lang"
        self.no_language = f' xml:lang="{NO_LANGUAGE}"'
        self.out: list[str] = []
        # Whether an element outside the model was written (as the XML text it was read as).
        self.other = False

    def leaf(self, logical: str, text: str, attributes: str = "") -> None:
        start, end, empty = self.tags[logical]
        escaped = _escaped(text)
        if attributes:
            start, empty = f"{start[:-1]}{attributes}>", f"{empty[:-2]}{attributes}/>"
        # No text is an empty element, as lxml writes a parsed `<a></a>`.
        self.out.append(f"{start}{escaped}{end}" if escaped else empty)

    def container(self, logical: str, tree: LomTree, model: Element, attributes: str = "") -> None:
        out = self.out
        start, end, empty = self.tags[logical]
        if attributes:
            start, empty = f"{start[:-1]}{attributes}>", f"{empty[:-2]}{attributes}/>"
        position = len(out)
        out.append(start)
        self.container_body(tree, model)
        if len(out) == position + 1:  # no children: lxml writes an empty element
            out[position] = empty
        else:
            out.append(end)

    def container_body(self, tree: LomTree, model: Element) -> None:
        # Elements the binding allows once are merged here, as `fitted` merges them: the same
        # tree written, without a walk of its own.
        value = self.value
        ieee = self.ieee
        for name, child_model in model.children.items():
            values = tree.get(name)
            if values:
                for item in _once_merged(child_model, values, ieee):
                    value(child_model, item)
        others = tree.get(OTHER)
        if others:
            self.other = True
            self.out.extend(others)

    def value(self, model: Element, value: Any) -> None:
        kind = model.kind
        out = self.out
        if kind == LANGSTRING:
            start, end, _ = self.tags[model.name]
            out.append(start)
            for language, text in value:
                attributes = "" if language is None else f' {self.language}="{_attribute(language)}"'
                self.leaf("langstring", text, attributes)
            out.append(end)
        elif kind == VOCABULARY:
            start, end, empty = self.tags[model.name]
            source, text = value.get("source"), value.get("value")
            if source is None and text is None:
                out.append(empty)
                return
            out.append(start)
            if source is not None:
                self.wrapped("source", source)
            if text is not None:
                self.wrapped("value", text)
            out.append(end)
        elif kind == CONTAINER:
            if model is _REQUIREMENT and not self.ieee:
                # IMS has no orComposite: each alternative is a requirement of its own.
                alternatives: Sequence[LomTree] = value.get("orcomposite", ()) or ({},)
                for alternative in alternatives:
                    self.container("requirement", alternative, _OR_COMPOSITE)
                if value.get(OTHER):
                    self.other = True
                    out.extend(value[OTHER])
            else:
                self.container(model.name, value, model)
        elif kind == WRAPPED:
            self.wrapped(model.name, value)
        elif kind == VCARD:
            if self.ieee:
                self.leaf("centity", value)
            else:
                start, end, _ = self.tags[model.name]
                out.append(start)
                self.leaf("vcard", value)
                out.append(end)
        elif model.name == "identifier" and self.ieee:
            # IEEE has no plain-string identifier (IMS 1.2's): an identifier with an entry only,
            # read back as a catalog entry.
            start, end, _ = self.tags["catalogentry"]
            out.append(start)
            self.leaf("entry", value)
            out.append(end)
        else:
            name = self.binding.duration_child if model.name == "duration" else model.name
            self.leaf(name, ieee_datetime(value) if self.ieee and model is _DATETIME else value)

    def wrapped(self, logical: str, text: str) -> None:
        if self.binding.wrapped_vocabulary:
            start, end, _ = self.tags[logical]
            self.out.append(start)
            self.leaf("langstring", text, self.no_language)
            self.out.append(end)
        else:
            self.leaf(logical, text)


def _merged(model: Element, values: Sequence[Any]) -> Any:
    """Occurrences of an element allowed once, as one (see the module docstring)."""
    if model.kind == LANGSTRING:
        return [string for value in values for string in value]
    if model.kind != CONTAINER:
        return values[0]
    merged: dict[str, list[Any]] = {}
    for value in values:
        for name, children in value.items():
            merged.setdefault(name, []).extend(children)
    return merged


# --- the JSON Schema of a tree ---------------------------------------------------------------


def tree_json_schema() -> dict[str, Any]:
    """JSON Schema definitions (`$defs`) of a LOM tree, from the model: `lom` is the tree itself.

    `schemas/record.schema.json` carries them; a unit test keeps the two equal.
    """
    defs: dict[str, Any] = {
        "lom_langstring": {
            "type": "array",
            "items": {"type": "array", "prefixItems": [{"type": ["string", "null"]}, {"type": "string"}],
                      "minItems": 2, "maxItems": 2},
        },
        "lom_vocabulary": {
            "type": "object", "additionalProperties": False,
            "properties": {"source": {"type": ["string", "null"]}, "value": {"type": ["string", "null"]}},
        },
    }
    _container_schema(LOM_MODEL, "lom", defs)
    return defs


_LEAF_SCHEMAS = {
    TEXT: {"type": "string"},
    WRAPPED: {"type": "string"},
    VCARD: {"type": "string"},
    LANGSTRING: {"$ref": "#/$defs/lom_langstring"},
    VOCABULARY: {"$ref": "#/$defs/lom_vocabulary"},
}


def _container_schema(model: Element, key: str, defs: dict[str, Any]) -> dict[str, Any]:
    reference = {"$ref": f"#/$defs/{key}"}
    if key in defs:
        return reference
    defs[key] = {}  # taken before the children are described: a taxon holds taxa
    properties: dict[str, Any] = {}
    for name, child in model.children.items():
        item = (_container_schema(child, f"lom_{child.name}" if child is _TAXON else f"{key}_{name}", defs)
                if child.kind == CONTAINER else _LEAF_SCHEMAS[child.kind])
        properties[name] = {"type": "array", "items": item}
    properties[OTHER] = {"type": "array", "items": {"type": "string"}}
    defs[key] = {"type": "object", "additionalProperties": False, "properties": properties}
    return reference
