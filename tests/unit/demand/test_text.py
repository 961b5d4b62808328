"""What a search is counted as: normalised text, and nothing that looks like personal data."""

from __future__ import annotations

import pytest

from oer.demand.text import normalise_query, plain_text


@pytest.mark.parametrize(("typed", "counted"), [
    ("Breuken!", "breuken"),
    ("  BREUKEN   op de  getallenlijn ", "breuken op de getallenlijn"),
    ("één café", "een cafe"),
    ("vmbo-b, leerjaar 2", "vmbo-b leerjaar 2"),
])
def test_search_texts_are_folded_to_one_form(typed: str, counted: str) -> None:
    assert normalise_query(typed) == counted


@pytest.mark.parametrize("typed", ["", "   ", "?!", "mail tess@school.example.org", "bel 06-12345678",
                                   "bsn 123456789"])
def test_empty_or_personal_looking_texts_are_not_counted(typed: str) -> None:
    assert normalise_query(typed) is None


def test_a_wish_keeps_plain_text_without_control_or_direction_characters() -> None:
    assert plain_text("  een les\u202e over\x00 breuken\n\n") == "een les over breuken"
    assert plain_text("   ") is None
