"""Whitespace and control characters in text read from XML."""

from __future__ import annotations

import pytest

from metadata.text import clean_block, clean_line


@pytest.mark.parametrize("raw, line", [
    ("  Breuken\n   en   decimalen ", "Breuken en decimalen"),
    # DEL and C1 controls are legal XML but no text means them.
    ("Pippi\x92s \x7favontuur", "Pippis avontuur"),
    ("a \x7f b", "a b"),
    ("\x9f", ""),
    # Not control characters: kept.
    ("zacht\u00adafbreekstreepje", "zacht\u00adafbreekstreepje"),
])
def test_clean_line(raw: str, line: str) -> None:
    assert clean_line(raw) == line
    assert clean_line(line) == line


@pytest.mark.parametrize("raw, block", [
    ("  Eerste regel\n    tweede\tregel  \n", "Eerste regel\ntweede\tregel"),
    ("Regel\x7f een \x80\n  twee\x9f ", "Regel een\ntwee"),
])
def test_clean_block(raw: str, block: str) -> None:
    assert clean_block(raw) == block
    assert clean_block(block) == block
