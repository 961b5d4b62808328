"""The Dutch word-form table and compound splitting (oer.search.analysis)."""

from __future__ import annotations

import pytest

from oer.search.analysis import (
    MIN_PART_CHARS,
    compound_parts,
    fold,
    split_compound,
    split_compound_words,
    stemmer_override_rules,
    word_form_stems,
    word_forms,
)
from oer.search.tantivy_backend import dutch_analyzer
from oer.search.text import TextPart, parse_text


def test_the_table_is_folded_lower_case_and_its_groups_are_disjoint() -> None:
    forms = [form for group in word_forms() for form in group]
    assert len(forms) == len(set(forms))
    assert all(len(group) > 1 for group in word_forms())
    assert all(part == fold(part) and len(part) >= MIN_PART_CHARS for part in compound_parts())
    assert {"fiets", "fietsen", "gedicht", "gedichten", "les", "verkeers", "regels"} <= compound_parts()


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("fietsles", ("fiets", "les")),
        ("Fietsles:", ("fiets", "les")),
        ("verkeersregels", ("verkeers", "regels")),
        ("rekenspel", ("reken", "spel")),
        ("sinterklaasgedichten", ("sinterklaas", "gedichten")),
        ("zeespiegelstijging", ("zee", "spiegel", "stijging")),
    ],
)
def test_a_compound_of_listed_parts_is_split(word: str, parts: tuple[str, ...]) -> None:
    assert split_compound(word) == parts


@pytest.mark.parametrize("word", ["fiets", "Fietsen", "fietsers", "breuken", "aardbeving", "les", "Azië"])
def test_a_word_not_made_entirely_of_parts_stays_whole(word: str) -> None:
    assert split_compound(word) == (word,)


def test_python_splits_compounds_as_the_tantivy_filter_does() -> None:
    # The same parts after stemming: both take the longest part at each point.
    analyzer = dutch_analyzer()
    stem_only = [analyzer.analyze(part) for part in ("fiets", "les", "verkeers", "regels", "spel")]
    assert all(len(terms) == 1 for terms in stem_only)
    for word in ("fietsles", "verkeersregels", "rekenspel", "spellingregels", "fietsers", "rekensspel"):
        expected = [term for part in split_compound(word) for term in analyzer.analyze(part)]
        assert analyzer.analyze(word) == expected, word


def test_search_text_splits_its_words_but_not_phrases_or_exclusions() -> None:
    parsed = split_compound_words(parse_text('fietsles "fietsles op" -verkeersregels breuken'))
    assert parsed.parts == (
        TextPart("fiets", phrase=False),
        TextPart("les", phrase=False),
        TextPart("fietsles op", phrase=True),
        TextPart("verkeersregels", phrase=False, excluded=True),
        TextPart("breuken", phrase=False),
    )


def test_stemmer_override_rules_turn_every_form_into_the_first() -> None:
    rules = stemmer_override_rules()
    assert "fiets, fietsen => fiets" in rules
    assert "gedicht, gedichten => gedicht" in rules
    assert len(rules) == len(word_forms())


def test_word_form_stems_join_what_the_stemmer_leaves_apart() -> None:
    analyzer = dutch_analyzer()
    widened = word_form_stems(analyzer.analyze)
    (fiets,) = analyzer.analyze("fiets")
    (fietsen,) = analyzer.analyze("fietsen")
    assert fiets != fietsen  # the misfit the table is for
    assert set(widened[fiets]) == set(widened[fietsen]) == {fiets, fietsen}
    # A group the stemmer already joins is left out.
    (rivier,) = analyzer.analyze("rivier")
    assert rivier not in widened
