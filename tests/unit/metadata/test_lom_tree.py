"""The whole LOM, without loss: every real fixture leaf by leaf, and parse-serialise-parse on generated trees.

A leaf is an element without element children: its path of logical element
names, its language and its text. Two things are the XML's and not the
record's, and are left out of a leaf: the whitespace around a text (the
document's indentation; a vCard is compared whole) and the spelling of a
binding (`langstring`/`string`, IMS's `vcard` and the language-string wrapper
around vocabulary sources, values and catalog entries, whose language is
always `x-none`, IMS's annotation `person` for IEEE's `entity`, IEEE's
`orComposite` inside a requirement). A date-time in the IEEE binding is compared as
`metadata.lom_bindings.from_ieee_datetime` reads it. Everything else must be
there: a leaf lost, changed or added fails. Where a source repeats an element
LOM allows once (Edurep's SRU records have two educational categories, each
with the same interactivity type and learning time), the writer merges the
occurrences and an identical value is written once; a different one would be
lost, and fail here.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from metadata.lom_bindings import (
    IEEE_BINDING,
    IEEE_NAMESPACE,
    IMS_BINDING,
    XML_LANG,
    LomBinding,
    from_ieee_datetime,
    logical_name,
)
from metadata.lom_tree import (
    CONTAINER,
    LANGSTRING,
    LOM_MODEL,
    OTHER,
    TEXT,
    VCARD,
    VOCABULARY,
    WRAPPED,
    Element,
    fitted,
    read_tree,
    tree_json_schema,
    tree_xml,
    write_tree,
)
from metadata.xml_input import local_name, parse_xml
from tests.support.paths import FIXTURES_DIR

RECORD_SCHEMA = Path(__file__).resolve().parents[3] / "schemas" / "record.schema.json"
# Elements whose one language string is the IMS binding's wrapper, not a language string of the model.
WRAPPERS = {"source", "value", "entry"}
Leaf = tuple[tuple[str, ...], str | None, str]


def lom_elements() -> Iterator[tuple[str, Any]]:
    """Every `<lom>` of the real fixtures (OAI-PMH pages, SRU responses, standalone documents)."""
    for path in sorted(FIXTURES_DIR.rglob("*.xml")):
        try:
            root = parse_xml(path.read_bytes()).root
        except Exception:  # noqa: BLE001  (the broken pages are other tests' business)
            continue
        for number, element in enumerate(e for e in root.iter() if isinstance(e.tag, str)
                                         and local_name(e.tag).lower() == "lom"):
            yield f"{path.relative_to(FIXTURES_DIR)}#{number}", element


LOMS = list(lom_elements())


def binding_of(element: Any) -> LomBinding:
    return IEEE_BINDING if element.tag.startswith(f"{{{IEEE_NAMESPACE}}}") else IMS_BINDING


def leaves(element: Any, path: tuple[str, ...] = ()) -> list[Leaf]:
    name = logical_name(element.tag)
    children = [child for child in element if isinstance(child.tag, str)]
    here = (*path, name)
    if children:
        return [leaf for child in children for leaf in leaves(child, here)]
    language = element.get(XML_LANG) or element.get("language")
    if name == "langstring" and path and path[-1] in WRAPPERS:
        language = None
    text = element.text or ""
    if name == "vcard" or (name == "centity" and element.tag.startswith(f"{{{IEEE_NAMESPACE}}}")):
        text = text.strip("\n ")
    else:
        text = text.strip()
    if name == "datetime" and local_name(element.tag) == "dateTime":
        text = from_ieee_datetime(text)
    if name == "datetime" and path and path[-1] in ("typicallearningtime", "duration"):
        name = "duration"  # IMS spells a duration's value `datetime`
    # IMS's `person` is IEEE's annotation `entity`; IEEE's `orComposite` is an IMS requirement itself.
    spelled = ("centity" if n == "person" else n for n in (*path, name) if n not in ("langstring", "vcard", "orcomposite"))
    return [(tuple(spelled), language, text)]


def test_there_are_many_lom_records_among_the_fixtures() -> None:
    assert len(LOMS) >= 30
    assert {binding_of(element).name for _, element in LOMS} == {"ims", "ieee"}


@pytest.mark.parametrize("name, element", LOMS, ids=[name for name, _ in LOMS])
def test_every_leaf_of_every_fixture_survives_in_its_own_binding(name: str, element: Any) -> None:
    binding = binding_of(element)
    written = write_tree(read_tree(element), binding)
    source, served = set(leaves(element)), set(leaves(written))
    assert source - served == set(), "lost or changed"
    assert served - source == set(), "added"
    categories = Counter(logical_name(child.tag) for child in element if isinstance(child.tag, str))
    if binding is IEEE_BINDING or categories["educational"] <= 1:
        assert Counter(leaves(written)) == Counter(leaves(element)), "as often as the source"


@pytest.mark.parametrize("name, element", LOMS, ids=[name for name, _ in LOMS])
@pytest.mark.parametrize("binding", [IMS_BINDING, IEEE_BINDING], ids=["ims", "ieee"])
def test_reading_what_was_written_gives_the_tree_back(name: str, element: Any, binding: LomBinding) -> None:
    tree = read_tree(element)
    written = etree.tostring(write_tree(tree, binding))
    # Elements the binding allows once come back merged (`fitted`): nothing of them is lost.
    assert read_tree(parse_xml(written).root) == fitted(tree, binding)


def test_every_element_of_the_information_model_is_read() -> None:
    """A fixture-independent check that the model reaches every LOM category and leaf kind."""
    seen: Counter[str] = Counter()
    for _, element in LOMS:
        count_kinds(read_tree(element), LOM_MODEL, seen)
    assert set(seen) == {CONTAINER, TEXT, WRAPPED, LANGSTRING, VOCABULARY, VCARD}
    categories = {category for _, element in LOMS for category in read_tree(element)}
    assert categories == {"general", "lifecycle", "metametadata", "technical", "educational", "rights",
                          "relation", "annotation", "classification"}


def count_kinds(tree: dict[str, Any], model: Element, seen: Counter[str]) -> None:
    for name, values in tree.items():
        child = model.children[name]
        seen[child.kind] += len(values)
        if child.kind == CONTAINER:
            for value in values:
                count_kinds(value, child, seen)


def test_the_record_schema_describes_the_tree_and_every_fixture_tree_fits_it() -> None:
    schema = json.loads(RECORD_SCHEMA.read_text(encoding="utf-8"))
    generated = tree_json_schema()
    assert {name: schema["$defs"][name] for name in generated} == generated
    lom_schema = {"$defs": schema["$defs"], "$ref": "#/$defs/lom"}
    for _, element in LOMS:
        jsonschema.validate(read_tree(element), lom_schema)


def test_elements_outside_the_model_are_kept_and_written_back() -> None:
    lom = (f'<lom xmlns="{IEEE_NAMESPACE}" xmlns:x="https://example.org/x"><general>'
           '<title><string language="nl">Titel</string></title><x:extra a="1">meer <x:b>tekst</x:b></x:extra>'
           '</general><x:top/></lom>')
    tree = read_tree(parse_xml(lom.encode()).root)
    [extra] = [etree.fromstring(xml) for xml in tree["general"][0][OTHER]]
    assert (extra.tag, extra.get("a"), "".join(extra.itertext())) == ("{https://example.org/x}extra", "1", "meer tekst")
    [top] = [etree.fromstring(xml) for xml in tree[OTHER]]
    assert top.tag == "{https://example.org/x}top"
    for binding in (IMS_BINDING, IEEE_BINDING):
        assert read_tree(parse_xml(etree.tostring(write_tree(tree, binding))).root) == tree


# --- generated trees -----------------------------------------------------------------------

# Texts that survive XML (no characters XML forbids) and carry no whitespace at their ends.
_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12).map(str.strip).filter(bool)
_LANGUAGE = st.one_of(st.none(), st.sampled_from(["nl", "en", "x-none", "fy"]))
_DATETIME = st.sampled_from(["2024-05-01", "2015-12-08T10:33:43Z", "2016-06-05T23:30:00+02:00",
                             "2020-01-01T00:00:00.0Z", "2019"])


def _value(model: Element, depth: int, ieee: bool, repeated: bool) -> st.SearchStrategy[Any]:
    if model.kind == CONTAINER:
        # An empty container says nothing, and an empty IMS requirement no alternative.
        return _tree(model, ieee, depth + 1, repeated=repeated).filter(bool)
    if model.kind == LANGSTRING:
        return st.lists(st.tuples(_LANGUAGE, _TEXT).map(list), min_size=1, max_size=3)
    if model.kind == VOCABULARY:
        return st.fixed_dictionaries({"source": _TEXT, "value": _TEXT})
    if model.kind == VCARD:
        return _TEXT.map(lambda name: f"BEGIN:VCARD\nVERSION:3.0\nFN:{name}\nEND:VCARD")
    if model.name == "datetime":
        return _DATETIME
    return _TEXT


def _tree(
    model: Element, ieee: bool, depth: int = 0, *, repeated: bool = False
) -> st.SearchStrategy[dict[str, Any]]:
    """Trees over `model`; with `repeated`, elements the binding allows once may occur twice
    (as Edurep's SRU records have two educational categories)."""
    children: dict[str, st.SearchStrategy[Any]] = {}
    for name, child in model.children.items():
        if child.kind == CONTAINER and depth > 3:
            continue  # taxa nest in IMS 1.2.1; a few levels say as much as many
        if ieee and name == "identifier" and child.kind == TEXT:
            continue  # IMS 1.2's plain identifier: IEEE writes it as a catalog entry
        # IMS has no orComposite: one alternative per requirement reads back as it was.
        once = child.single or child.ims_single or (name == "orcomposite" and not ieee)
        twice = not once or (repeated and name != "orcomposite")
        children[name] = st.lists(_value(child, depth, ieee, repeated), min_size=1, max_size=2 if twice else 1)
    # Some children, in the model's order (as reading gives them).
    return st.fixed_dictionaries({}, optional=children).map(
        lambda found: {name: found[name] for name in model.children if name in found})


PROPERTY_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(tree=_tree(LOM_MODEL, ieee=False))
def test_parse_serialise_parse_is_the_identity_on_the_whole_model_in_ims(tree: dict[str, Any]) -> None:
    written = etree.tostring(write_tree(tree, IMS_BINDING))
    assert read_tree(parse_xml(written).root) == tree


@PROPERTY_SETTINGS
@given(tree=_tree(LOM_MODEL, ieee=True))
def test_parse_serialise_parse_is_the_identity_on_the_whole_model_in_ieee(tree: dict[str, Any]) -> None:
    written = etree.tostring(write_tree(tree, IEEE_BINDING))
    assert read_tree(parse_xml(written).root) == tree


@PROPERTY_SETTINGS
@given(case=st.booleans().flatmap(lambda ieee: st.tuples(st.just(ieee), _tree(LOM_MODEL, ieee, repeated=True))))
def test_elements_allowed_once_are_written_merged_as_fitted_merges_them(case: tuple[bool, dict[str, Any]]) -> None:
    ieee, tree = case
    binding = IEEE_BINDING if ieee else IMS_BINDING
    written = etree.tostring(write_tree(tree, binding))
    assert read_tree(parse_xml(written).root) == fitted(tree, binding)


# --- written as text, as lxml writes it ----------------------------------------------------


def as_lxml_writes(text: str) -> str:
    return etree.tostring(etree.fromstring(text), encoding="unicode")


@pytest.mark.parametrize("name, element", LOMS, ids=[name for name, _ in LOMS])
@pytest.mark.parametrize("binding", [IMS_BINDING, IEEE_BINDING], ids=["ims", "ieee"])
def test_the_text_writer_writes_what_lxml_writes_of_every_fixture(name: str, element: Any, binding: LomBinding) -> None:
    text = tree_xml(read_tree(element), binding)
    assert as_lxml_writes(text) == text


@PROPERTY_SETTINGS
@given(tree=_tree(LOM_MODEL, ieee=False), text=_TEXT)
def test_the_text_writer_writes_what_lxml_writes_of_any_tree(tree: dict[str, Any], text: str) -> None:
    # Text that needs escaping, in a language string and an attribute.
    tree = {**tree, "general": [{"title": [[["a\"&<\t\n\r>", f"{text} & <b> \r\n"]]]}]}
    for binding in (IMS_BINDING, IEEE_BINDING):
        written = tree_xml(tree, binding)
        assert as_lxml_writes(written) == written
