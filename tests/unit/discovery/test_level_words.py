"""Level, groep and subject words in what teachers type, recognised as filters."""

from __future__ import annotations

import pytest

from metadata.levels import level_term
from oer.discovery.level_words import LITERAL_ALL, TermKind, recognise

GROEP_7 = "a4813bb6-cf63-4594-af56-6afb321723d8"
HAVO = "a3ddbe60-8478-4204-b769-6f5e9f4cbca2"
HAVO_4 = "70af3752-c6ad-43d9-aa0c-9ff099931f8a"
BOVENBOUW_HAVO = "6dc8e1f2-a929-418f-b4e5-6be1204639da"
PRO = "d6f1bbf7-c1a6-4431-bcbd-f33126d851ef"


def _keys(text: str, **options: object) -> tuple[list[str], str]:
    recognition = recognise(text, **options)  # type: ignore[arg-type]
    return [term.key for term in recognition.terms], recognition.rest


@pytest.mark.parametrize(("text", "keys", "rest"), [
    ("breuken groep 7", ["groep-7"], "breuken"),
    ("groep 7 breuken", ["groep-7"], "breuken"),
    ("Groep7 breuken", ["groep-7"], "breuken"),
    ("groepen 7 en 8 spelling", ["groep-7-8"], "spelling"),
    ("spelling groep 5-6", ["groep-5-6"], "spelling"),
    ("kleuters tellen", ["kleuters"], "tellen"),
    ("breuken po", ["po"], "breuken"),
    ("breuken primair onderwijs", ["po"], "breuken"),
    ("klimaat VO", ["vo"], "klimaat"),
    ("biologie vmbo", ["vak-biologie", "vmbo"], ""),
    ("economie havo 4", ["vak-economie", "havo-4"], ""),
    ("4 havo economie", ["havo-4", "vak-economie"], ""),
    ("brugklas wiskunde", ["brugklas", "vak-wiskunde"], ""),
    ("onderbouw aardrijkskunde", ["onderbouw", "vak-aardrijkskunde"], ""),
    ("bovenbouw havo", ["bovenbouw-havo"], ""),
    ("verkeer vso", ["vak-verkeer", "vso"], ""),
    ("mbo rekenen", ["mbo", "vak-rekenen"], ""),
    ("fietsen", [], "fietsen"),
    ("", [], ""),
])
def test_level_and_subject_words_are_recognised(text: str, keys: list[str], rest: str) -> None:
    assert _keys(text) == (keys, rest)


def test_a_groep_is_a_groep_filter_named_for_a_chip() -> None:
    (term,) = recognise("breuken groep 7").terms
    assert term.kind is TermKind.GROEP and term.label == "Groep 7" and term.typed == "groep 7"
    assert dict(term.filters) == {"groep": ("7",)}


def test_a_school_type_is_every_level_term_of_it() -> None:
    (term,) = recognise("havo").terms
    levels = term.filters["educational_levels"]
    assert HAVO in levels and HAVO_4 in levels and BOVENBOUW_HAVO in levels
    assert all((found := level_term(value)) is not None and found.family == "havo" for value in levels)


def test_a_year_is_its_level_terms_and_the_phase_that_holds_it() -> None:
    (term,) = recognise("havo 4").terms
    assert set(term.filters["educational_levels"]) == {HAVO_4, BOVENBOUW_HAVO}


def test_onderbouw_alone_covers_po_and_vo() -> None:
    (term,) = recognise("onderbouw").terms
    families = {found.family for value in term.filters["educational_levels"]
                if (found := level_term(value)) is not None}
    assert families == {"po", "vo", "vmbo", "havo", "vwo"}
    assert GROEP_7 not in term.filters["educational_levels"]


@pytest.mark.parametrize(("text", "keys", "rest"), [
    # Alone, po and so are sectors ...
    ("klimaat po", ["po"], "klimaat"),
    ("so rekenen", ["so", "vak-rekenen"], ""),
    ("po groep 7 breuken", ["po", "groep-7"], "breuken"),
    ("rekenen pro", ["vak-rekenen", "pro"], ""),
    # ... beside a level of another sector they are a praktische opdracht, a schriftelijke overhoring.
    ("po havo klimaat", ["havo"], "po klimaat"),
    ("so vwo 3", ["vwo-3"], "so"),
    # "pro en contra" is no praktijkonderwijs.
    ("pro en contra betoog", [], "pro en contra betoog"),
])
def test_ambiguous_abbreviations(text: str, keys: list[str], rest: str) -> None:
    assert _keys(text) == (keys, rest)


def test_quoted_and_excluded_words_stay_text() -> None:
    assert _keys('"groep 7" breuken') == ([], '"groep 7" breuken')
    assert _keys("breuken -havo") == ([], "breuken -havo")
    assert _keys('havo "po"') == (["havo"], '"po"')


def test_words_inside_other_words_are_not_levels() -> None:
    assert _keys("povo havodag woord") == ([], "povo havodag woord")
    assert _keys("geschiedenisles") == ([], "geschiedenisles")


def test_literal_keys_stay_text() -> None:
    assert _keys("breuken groep 7", literal=["groep-7"]) == ([], "breuken groep 7")
    assert _keys("rekenen groep 7", literal=["vak-rekenen"]) == (["groep-7"], "rekenen")
    assert _keys("rekenen groep 7", literal=[LITERAL_ALL]) == ([], "rekenen groep 7")


def test_pro_is_praktijkonderwijs() -> None:
    (term,) = recognise("praktijkonderwijs").terms
    assert term.key == "pro" and PRO in term.filters["educational_levels"]
