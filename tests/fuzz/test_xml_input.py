"""Fuzzing the safe XML parser: anything in, a document or `XMLInputError` out; no entity ever expands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from metadata.errors import XMLInputError
from metadata.xml_input import ParsedXml, parse_xml, remove_illegal_characters
from tests.fuzz.mutations import ALL_SEEDS, LAUGH, SECRET, hostile_prologs, mutated, xml_like
from tests.fuzz.profiles import FUZZ_SETTINGS


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local file an external entity points at: its contents must never reach a document."""
    path = tmp_path_factory.mktemp("fuzz") / "secret.txt"
    path.write_text(SECRET)
    return path


def parsed_or_refused(data: bytes) -> ParsedXml | None:
    """`parse_xml(data)`, or None when it refuses the input as documented."""
    try:
        parsed = parse_xml(data)
    except XMLInputError:
        return None
    assert parsed.root is not None
    docinfo = parsed.root.getroottree().docinfo
    assert docinfo.internalDTD is None or not list(docinfo.internalDTD.iterentities())
    text = etree.tostring(parsed.root, encoding="unicode")
    assert LAUGH not in text and SECRET not in text
    # What was removed is counted on lines of the document.
    assert all(line >= 1 and count >= 1 for line, count in parsed.removed_characters)
    return parsed


@FUZZ_SETTINGS
@given(data=st.binary(max_size=4000))
def test_arbitrary_bytes(data: bytes) -> None:
    parsed_or_refused(data)


@FUZZ_SETTINGS
@given(data=xml_like)
def test_xml_like_text(data: bytes) -> None:
    parsed_or_refused(data)


@FUZZ_SETTINGS
@given(data=mutated(ALL_SEEDS))
def test_mutated_fixtures(data: bytes) -> None:
    parsed_or_refused(data)


@FUZZ_SETTINGS
@given(data=st.data())
def test_entities_never_expand(secret_file: Path, data: st.DataObject) -> None:
    document = data.draw(mutated(ALL_SEEDS, hostile_prologs(secret_file)))
    parsed_or_refused(document)


@pytest.mark.parametrize("index", range(5))
def test_every_hostile_prolog_is_refused(secret_file: Path, index: int) -> None:
    """Unmutated: a record behind any of the hostile DTDs is refused outright."""
    prolog = hostile_prologs(secret_file)[index]
    body = b'<lom xmlns="http://www.imsglobal.org/xsd/imsmd_v1p2"><general><title><langstring>&laugh;&secret;' \
           b"</langstring></title></general></lom>"
    with pytest.raises(XMLInputError):
        parse_xml(prolog + body)


@FUZZ_SETTINGS
@given(data=st.binary(max_size=2000))
def test_removing_illegal_characters_keeps_lines(data: bytes) -> None:
    cleaned, removed = remove_illegal_characters(data)
    assert cleaned.count(b"\n") == data.count(b"\n")
    assert len(data) - len(cleaned) >= sum(count for _, count in removed)
    assert re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", cleaned) is None
