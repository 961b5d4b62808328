"""Safe XML parsing: BOMs, illegal characters, entity attacks, garbage."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from metadata.errors import XMLInputError
from metadata.xml_input import parse_xml, remove_illegal_characters


def test_utf8_bom_and_leading_whitespace_are_accepted(edge_bytes: Callable[[str], bytes]) -> None:
    data = edge_bytes("bom.xml")
    assert data.startswith(b"\xef\xbb\xbf\n<?xml")
    parsed = parse_xml(data)
    assert parsed.root.tag == "{http://www.imsglobal.org/xsd/imsmd_v1p2}lom"
    assert parsed.removed_characters == ()


def test_illegal_characters_are_removed_and_located(edge_bytes: Callable[[str], bytes]) -> None:
    parsed = parse_xml(edge_bytes("illegal-characters.xml"))
    # line 25: \x0b and \x1f in the title; line 26: &#x1; and \x00 in the description
    assert parsed.removed_characters == ((25, 2), (26, 2))
    assert parsed.removed_count == 4


@pytest.mark.parametrize("dirty, clean", [
    (b"<a>x\x01y</a>", b"<a>xy</a>"),
    (b"<a>x&#1;y&#x1F;z</a>", b"<a>xyz</a>"),
    (b"<a>\xef\xbf\xbe</a>", b"<a></a>"),
    (b"<a>&#xFFFE;&#65535;&#xD800;</a>", b"<a></a>"),
])
def test_illegal_characters_and_references_are_removed(dirty: bytes, clean: bytes) -> None:
    assert remove_illegal_characters(dirty)[0] == clean
    assert parse_xml(dirty).root.text == parse_xml(clean).root.text


@pytest.mark.parametrize("legal", [b"<a>tab\there&#9;&#10;&#13;&#233;&#x20AC;</a>", b"<a>&amp;#1;</a>"])
def test_legal_characters_and_references_are_kept(legal: bytes) -> None:
    assert remove_illegal_characters(legal) == (legal, ())
    assert parse_xml(legal).removed_characters == ()


def test_billion_laughs_is_refused_quickly(edge_bytes: Callable[[str], bytes]) -> None:
    started = time.perf_counter()
    with pytest.raises(XMLInputError):
        parse_xml(edge_bytes("billion-laughs.xml"))
    # Expansion would take minutes and gigabytes; refusal is a parse error.
    # The bound is generous so a loaded machine cannot make it flaky.
    assert time.perf_counter() - started < 2.0


def test_external_entity_is_refused_and_never_read(edge_bytes: Callable[[str], bytes]) -> None:
    with pytest.raises(XMLInputError, match="entities") as caught:
        parse_xml(edge_bytes("external-entity.xml"))
    assert "root:" not in str(caught.value)


def test_internal_entities_are_refused_too() -> None:
    data = b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
    with pytest.raises(XMLInputError, match="entities"):
        parse_xml(data)


@pytest.mark.parametrize("data", [b"", b"   ", b"not xml", b"<a><b></a>", b"\xff\xfe\x00garbage"])
def test_garbage_is_an_xml_input_error_with_one_line(data: bytes) -> None:
    with pytest.raises(XMLInputError) as caught:
        parse_xml(data)
    assert "\n" not in str(caught.value)
    assert "<string>" not in str(caught.value)


def test_text_input_is_refused() -> None:
    with pytest.raises(XMLInputError):
        parse_xml("<a/>")  # type: ignore[arg-type]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_documents_are_read_and_cleaned(encoding: str) -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?>\n<a>één\x01</a>'
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    parsed = parse_xml(data)
    assert parsed.root.text == "één"
    assert parsed.removed_characters == ((2, 1),)
