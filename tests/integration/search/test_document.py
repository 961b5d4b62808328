"""Flattening a Record into a SearchDocument, licence families, queries and cursors (no backend)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from metadata.facets import FACET_FIELDS
from metadata.licence import LicenceFamily, licence_family
from metadata.record import Contributor, Licence, Record, Term
from oer.search import (
    SearchDocument,
    SearchQuery,
    SearchQueryError,
    Sort,
    document_from_record,
)
from oer.search.document import DateKind, MaterialDate
from oer.search.query import Cursor
from oer.search.text import Match, TextPart, parse_text, required_words, split_text

UPDATED = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_document_from_record_flattens_every_indexed_field() -> None:
    record = Record(
        title="Breuken vergelijken",
        titles={"nl": "Breuken vergelijken"},
        description="Rekenen met breuken",
        keywords=("breuken", "rekenen", "breuken", " "),
        languages=("nl",),
        location="https://maken.wikiwijs.nl/1/breuken",
        aggregation_level=2,
        learning_resource_types=("open opdracht",),
        contexts=("PO", "SBaO"),
        educational_levels=(
            Term("512e4729-03a4-43a2-95ba-758071d1b725", "PO"),
            Term("e05b5eb1-6a65-4f45-9556-79b25cd91da8", None),
        ),
        disciplines=(Term("b48fa351-4561-44c7-a071-ebfd6103eec3", "Rekenen"),),
        cost=False,
        licence=Licence("cc-by-nc-sa-40", "https://creativecommons.org/licenses/by-nc-sa/4.0/"),
        access_rights="OpenAccess",
        contributors=(
            Contributor("author", "Anna de Vries", "2024-01-01"),
            Contributor("publisher", "Wikiwijs"),
            Contributor("author", None),
        ),
    )
    document = document_from_record(
        "res-1", record, sources=["wikiwijsmaken", "edurep_delen"], updated_at=UPDATED
    )
    assert document == SearchDocument(
        id="res-1",
        title="Breuken vergelijken",
        updated_at=UPDATED,
        # The author's lifecycle date: the material's own date, not when it was stored here.
        date=MaterialDate(datetime(2024, 1, 1, tzinfo=UTC), DateKind.PUBLISHED),
        description="Rekenen met breuken",
        keywords=("breuken", "rekenen"),
        authors=("Anna de Vries",),
        url="https://maken.wikiwijs.nl/1/breuken",
        contexts=("PO", "SBaO"),
        educational_levels=(
            "512e4729-03a4-43a2-95ba-758071d1b725",
            "e05b5eb1-6a65-4f45-9556-79b25cd91da8",
        ),
        disciplines=("b48fa351-4561-44c7-a071-ebfd6103eec3",),
        learning_resource_types=("open opdracht",),
        licence=("cc-by-nc-sa-40",),
        licence_family=("non-commercial",),
        languages=("nl",),
        source=("wikiwijsmaken", "edurep_delen"),
        aggregation_level=("2",),
        access_rights=("OpenAccess",),
        cost=("no",),
        labels={
            "512e4729-03a4-43a2-95ba-758071d1b725": "PO",
            "b48fa351-4561-44c7-a071-ebfd6103eec3": "Rekenen",
        },
    )


def test_missing_values_give_empty_fields_and_the_title_falls_back() -> None:
    record = Record(titles={"en": "Fractions"})
    naive = datetime(2025, 1, 2, 3, 4, 5)
    document = document_from_record("r", record, sources=(), updated_at=naive)
    assert document.title == "Fractions"
    assert document.updated_at == UPDATED
    assert all(document.facet_values(name) == () for name in FACET_FIELDS)
    assert document_from_record("r", Record(), sources=(), updated_at=UPDATED).title == ""
    assert document_from_record("r", Record(cost=True), sources=(), updated_at=UPDATED).cost == (
        "yes",
    )


@pytest.mark.parametrize(
    ("code", "families"),
    [
        ("cc0-10", ("open",)),
        ("pdm-10", ("open",)),
        ("cc-by-40", ("open",)),
        ("cc-by-sa-30", ("open",)),
        ("cc-by-nc-40", ("non-commercial",)),
        ("cc-by-nc-sa-40", ("non-commercial",)),
        ("cc-by-nd-40", ("no-derivatives",)),
        ("cc-by-nc-nd-30", ("non-commercial", "no-derivatives")),
        ("no", ("open",)),
        ("yes", ("all-rights-reserved",)),
        ("something-else", ()),
        (None, ()),
    ],
)
def test_licence_families(code: str | None, families: tuple[str, ...]) -> None:
    assert tuple(family.value for family in licence_family(code)) == families
    assert all(isinstance(family, LicenceFamily) for family in licence_family(code))


def test_documents_round_trip_through_their_json_form() -> None:
    document = SearchDocument(
        id="x",
        title="Les",
        updated_at=datetime(2025, 1, 1, 12, tzinfo=timezone(timedelta(hours=2))),
        keywords=("a",),
        licence=("cc0-10",),
        labels={"id": "label"},
    )
    again = SearchDocument.from_dict(document.to_dict())
    assert again == document
    assert again.updated_at.utcoffset() == timedelta(0)
    with pytest.raises(ValueError):
        SearchDocument(id="x", title="", updated_at=datetime(2025, 1, 1))


def test_query_validation() -> None:
    query = SearchQuery(filters={"contexts": ("PO",)})
    with pytest.raises(TypeError):
        query.filters["contexts"] = ("VO",)  # type: ignore[index]
    for bad in (
        {"filters": {"contexts": ()}},
        {"filters": {"contexts": ("",)}},
        {"size": -1},
        {"size": 1001},
        {"page": 0},
        {"page": 2, "search_after": "x"},
        {"facet_limit": 0},
    ):
        with pytest.raises(SearchQueryError):
            SearchQuery(**bad)  # type: ignore[arg-type]


def test_cursors_round_trip_and_reject_tampering() -> None:
    cursor = Cursor("tantivy", Sort.DATE_DESC, 20, (1_700_000_000_000_000, 42))
    token = cursor.encode()
    assert Cursor.decode(token, backend="tantivy", sort=Sort.DATE_DESC) == cursor
    with pytest.raises(SearchQueryError):
        Cursor.decode(token, backend="elasticsearch", sort=Sort.DATE_DESC)
    with pytest.raises(SearchQueryError):
        Cursor.decode(token[:-3], backend="tantivy", sort=Sort.DATE_DESC)
    with pytest.raises(SearchQueryError):
        Cursor.decode("bm90IGpzb24", backend="tantivy", sort=Sort.DATE_DESC)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("breuken groep 6", [("breuken", False), ("groep", False), ("6", False)]),
        ('"tweede wereldoorlog" nederland', [("tweede wereldoorlog", True), ("nederland", False)]),
        ('open "quote', [("open", False), ("quote", False)]),
        ('"" leeg', [("leeg", False)]),
        ("   ", []),
    ],
)
def test_search_text_is_words_and_quoted_phrases(
    text: str, parts: list[tuple[str, bool]]
) -> None:
    assert split_text(text) == tuple(TextPart(t, p) for t, p in parts)


@pytest.mark.parametrize(
    ("text", "words", "phrases", "excluded"),
    [
        ("breuken -toets", ["breuken"], [], [("toets", False)]),
        ('vulkanen -"tweede wereldoorlog"', ["vulkanen"], [], [("tweede wereldoorlog", True)]),
        ('"fiets  voor kinderen" -', [], ["fiets voor kinderen"], []),
        # A dash on its own is nothing; inside a word it is part of the word.
        ("breuken - e-learning --", ["breuken", "e-learning"], [], []),
        ("--toets", [], [], [("toets", False)]),
        # An unpaired quote is a space, wherever it is.
        ('-"open quote', ["open", "quote"], [], []),
        ('breuken -"', ["breuken"], [], []),
        ("-toets -oefenen", [], [], [("toets", False), ("oefenen", False)]),
    ],
)
def test_search_text_reads_exclusions(
    text: str, words: list[str], phrases: list[str], excluded: list[tuple[str, bool]]
) -> None:
    parsed = parse_text(text)
    assert list(parsed.words) == words
    assert list(parsed.phrases) == phrases
    assert [(p.text, p.phrase) for p in parsed.excluded] == excluded
    assert parsed.has_terms is bool(words or phrases)


@pytest.mark.parametrize(
    ("count", "all_words", "most_words"),
    [(0, 0, 0), (1, 1, 1), (2, 2, 1), (3, 3, 2), (4, 4, 3), (7, 7, 6)],
)
def test_most_words_is_all_but_one_from_three_and_one_of_two(
    count: int, all_words: int, most_words: int
) -> None:
    assert required_words(count, Match.ALL) == all_words
    assert required_words(count, Match.MOST) == most_words
