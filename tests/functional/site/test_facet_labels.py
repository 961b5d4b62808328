"""The facet labels declared in `metadata.facets.FACETS` are in the site's English catalogue."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

import metadata.facets
from metadata.facets import FACETS

CATALOGUE = Path(__file__).resolve().parents[3] / "web" / "translations" / "en" / "LC_MESSAGES"


def test_every_facet_label_has_an_english_translation() -> None:
    with (CATALOGUE / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id for m in catalogue if isinstance(m.id, str) and m.string and not m.fuzzy}
    missing = [facet.label for facet in FACETS if facet.label not in translated]
    assert not missing, f"add these to {CATALOGUE / 'messages.po'} (see web/translations/README.md)"


def test_message_extraction_finds_every_facet_label() -> None:
    # `pybabel extract` reads the labels where they are declared, marked with N_ (README there).
    found = {message for _, message, _, _ in extract_from_file("python", metadata.facets.__file__)}
    assert {facet.label for facet in FACETS} <= found
