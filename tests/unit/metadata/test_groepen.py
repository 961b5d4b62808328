"""Groepen 1-8 from a record's level terms, else from its age range; and the level table behind them."""

from __future__ import annotations

import pytest

from metadata.facets import FACETS_BY_NAME
from metadata.groepen import groepen_of_age_range, groepen_of_terms, record_groepen
from metadata.levels import groep_term_ids, level_name, level_term
from metadata.record import Record, Term

PO = Term("512e4729-03a4-43a2-95ba-758071d1b725", "Primair onderwijs")
GROEP_4 = Term("5c072b3f-7f58-40ee-9799-27981f0a6b2b", "Groep 4")  # obk.json
GROEP_7 = Term("a4813bb6-cf63-4594-af56-6afb321723d8", "groep 7")  # SLO's niveaus
GROEP_7_8 = Term("457f3ac7-522b-41f4-b2c7-6f4c2d891faf", "groep 7-8")
FASE_2 = Term("5edad2fa-2cf0-4701-93d9-97edbe06ac02", "fase 2")
HAVO = Term("a3ddbe60-8478-4204-b769-6f5e9f4cbca2", "HAVO")


def test_every_groep_has_its_obk_terms() -> None:
    ids = groep_term_ids()
    assert sorted(ids) == list(range(1, 9))
    assert GROEP_7.id in ids[7] and GROEP_7_8.id in ids[7] and GROEP_7_8.id in ids[8]
    assert GROEP_4.id in ids[4] and FASE_2.id in ids[4] and FASE_2.id in ids[6]


@pytest.mark.parametrize(("terms", "groepen"), [
    ((PO, GROEP_4), {4}),
    ((GROEP_7,), {7}),
    ((GROEP_7_8,), {7, 8}),
    ((FASE_2,), {4, 5, 6}),
    ((PO,), set()),
    ((HAVO,), set()),
    # A term the tables do not know says its groep in its label.
    ((Term("00000000-0000-0000-0000-000000000000", "Groep 5 en 6"),), {5, 6}),
    ((Term("00000000-0000-0000-0000-000000000000", "Brugklas"),), set()),
])
def test_groepen_of_terms(terms: tuple[Term, ...], groepen: set[int]) -> None:
    assert groepen_of_terms(terms) == groepen


@pytest.mark.parametrize(("age_range", "groepen"), [
    ("10-11", {7}),  # one school year: pupils of 10 turning 11
    ("11-12", {8}),
    ("6-7", {3}),
    ("9-12", {6, 7, 8}),
    ("4-12", set(range(1, 9))),
    ("10", {7}),
    ("12", set()),  # a twelve-year-old at the start of the year is past groep 8
    ("8-", {5, 6, 7, 8}),
    ("8+", {5, 6, 7, 8}),
    ("2-4", set()),
    ("12-16", set()),
    ("16+", set()),
    ("12-10", set()),
    ("", set()),
    ("tien", set()),
    (None, set()),
])
def test_groepen_of_age_range(age_range: str | None, groepen: set[int]) -> None:
    assert groepen_of_age_range(age_range) == groepen


def test_the_record_says_it_first_the_age_range_never_overrides() -> None:
    assert record_groepen(Record(contexts=("PO",), educational_levels=(PO, GROEP_4),
                                 typical_age_range="10-12")) == ("4",)


def test_a_po_record_without_a_groep_term_gets_its_age_range() -> None:
    assert record_groepen(Record(contexts=("PO",), typical_age_range="10-11")) == ("7",)
    assert record_groepen(Record(educational_levels=(PO,), typical_age_range="9-12")) == ("6", "7", "8")
    assert record_groepen(Record(contexts=("SBaO",), typical_age_range="6-7")) == ("3",)


def test_an_age_range_outside_po_gives_no_groep() -> None:
    # A vo record for 12-year-olds is not groep 8; nor is a record that names no sector.
    assert record_groepen(Record(contexts=("VO",), typical_age_range="11-12")) == ()
    assert record_groepen(Record(typical_age_range="10-11")) == ()


def test_the_groep_facet_reads_the_derivation() -> None:
    record = Record(contexts=("PO",), educational_levels=(PO, GROEP_7_8))
    assert FACETS_BY_NAME["groep"].read(record, ()) == ("7", "8")


def test_levels_are_written_the_usual_dutch_way() -> None:
    assert level_name(HAVO.id) == "havo"
    assert level_name(GROEP_7.id.upper()) == "Groep 7"
    assert level_name(PO.id) == "Primair onderwijs"  # the label table's Dutch name, as the site shows it
    assert level_name("00000000-0000-0000-0000-000000000000") is None
    term = level_term("70af3752-c6ad-43d9-aa0c-9ff099931f8a")  # havo 4
    assert term is not None and term.family == "havo" and term.years == {4} and term.sector == "VO"
    bovenbouw = level_term("6dc8e1f2-a929-418f-b4e5-6be1204639da")
    assert bovenbouw is not None and bovenbouw.phase == "bovenbouw" and bovenbouw.years == {4, 5}
