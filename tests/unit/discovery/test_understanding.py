"""The search service reads level, groep and subject words as filters, the same for site, API and CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from oer.discovery.search import (
    LITERAL_PARAMETER,
    SearchRequest,
    TermLabels,
    catalogue_overview,
    parse_search_request,
    search,
    sidebar_page,
)
from oer.search.tantivy_backend import TantivyBackend
from tests.fixtures.search import make_document

PO = "512e4729-03a4-43a2-95ba-758071d1b725"
VO = "2a1401e9-c223-493b-9b86-78f6993b1a8d"
HAVO = "a3ddbe60-8478-4204-b769-6f5e9f4cbca2"
GROEP_7 = "a4813bb6-cf63-4594-af56-6afb321723d8"
REKENEN = "b48fa351-4561-44c7-a071-ebfd6103eec3"
# A discipline id the OBK table does not know: named only by the records that carry it.
AARDRIJKSKUNDE = "9d758456-0000-4000-8000-000000000001"


@pytest.fixture
def backend(tmp_path: Path) -> TantivyBackend:
    index = TantivyBackend.open(tmp_path / "index")
    index.index([
        make_document("g7", "Breuken vergelijken", contexts="PO", educational_levels=[PO, GROEP_7],
                      groep="7", disciplines=REKENEN),
        make_document("g7-age", "Breuken op de getallenlijn", contexts="PO", educational_levels=PO,
                      groep="7"),
        make_document("g5", "Breuken met pizza's", contexts="PO", educational_levels=PO, groep="5"),
        make_document("havo", "Breuken in formules", contexts="VO", educational_levels=[VO, HAVO]),
        make_document("titel", "Breuken groep 7 herhalen", contexts="VO"),
        make_document("ak", "Rivieren van bron tot monding", contexts="VO", educational_levels=[VO, HAVO],
                      disciplines=AARDRIJKSKUNDE, labels={AARDRIJKSKUNDE: "Aardrijkskunde"}),
    ])
    return index


def _ids(backend: TantivyBackend, text: str, **request: object) -> set[str]:
    page = search(backend, SearchRequest(text=text, **request))  # type: ignore[arg-type]
    return {item.id for item in page.items}


def test_a_groep_in_the_text_is_a_filter_and_the_rest_searches(backend: TantivyBackend) -> None:
    page = search(backend, SearchRequest(text="breuken groep 7"))
    assert {item.id for item in page.items} == {"g7", "g7-age"}
    assert [(term.key, term.label) for term in page.recognised] == [("groep-7", "Groep 7")]
    # The page keeps the request as asked: its links carry what the teacher typed.
    assert page.request.text == "breuken groep 7" and not page.request.filters
    assert _ids(backend, "groep 7 breuken") == {"g7", "g7-age"}


def test_a_sector_abbreviation_filters(backend: TantivyBackend) -> None:
    assert _ids(backend, "breuken po") == {"g7", "g7-age", "g5"}
    assert _ids(backend, "breuken primair onderwijs") == {"g7", "g7-age", "g5"}
    assert _ids(backend, "breuken havo") == {"havo"}


def test_a_removed_chip_searches_its_words_as_text(backend: TantivyBackend) -> None:
    request = SearchRequest(text="breuken groep 7")
    parameters = request.parameters(with_literal="groep-7")
    assert parameters == [("q", "breuken groep 7"), (LITERAL_PARAMETER, "groep-7")]
    literal = parse_search_request(
        {name: [value for key, value in parameters if key == name] for name, _ in parameters},
        strict=True)
    assert literal.literal == ("groep-7",)
    page = search(backend, literal)
    assert page.recognised == ()
    assert {item.id for item in page.items} == {"titel"}
    # Every link of that page keeps it literal.
    assert (LITERAL_PARAMETER, "groep-7") in page.request.parameters(page=2)


def test_literal_all_recognises_nothing(backend: TantivyBackend) -> None:
    page = search(backend, SearchRequest(text="breuken groep 7", literal=("*",)))
    assert page.recognised == () and {item.id for item in page.items} == {"titel"}


def test_a_subject_is_every_discipline_of_that_name_the_catalogue_uses(backend: TantivyBackend) -> None:
    page = search(backend, SearchRequest(text="aardrijkskunde havo"))
    assert {item.id for item in page.items} == {"ak"}
    subject = next(term for term in page.recognised if term.key == "vak-aardrijkskunde")
    assert AARDRIJKSKUNDE in subject.filters["disciplines"]
    assert _ids(backend, "rekenen breuken") == {"g7"}


def test_a_subject_no_material_has_stays_text(backend: TantivyBackend) -> None:
    page = search(backend, SearchRequest(text="biologie breuken"))
    assert page.recognised == ()
    # Searched as a word of the text, where nothing has it.
    assert search(backend, SearchRequest(text="biologie")).total == 0


def test_recognised_filters_join_the_chosen_ones(backend: TantivyBackend) -> None:
    # OR within a field, as two values of one filter are.
    assert _ids(backend, "breuken groep 7", filters={"groep": ("5",)}) == {"g7", "g7-age", "g5"}
    assert _ids(backend, "breuken groep 7", filters={"contexts": ("VO",)}) == set()


def test_the_sidebar_shows_one_level_of_the_hierarchy_at_a_time(backend: TantivyBackend) -> None:
    labels = TermLabels()
    top = sidebar_page(search(backend, SearchRequest(), labels=labels))
    assert top.facet("contexts") is not None and top.facet("contexts").values  # type: ignore[union-attr]
    assert top.facet("educational_levels").values == ()  # type: ignore[union-attr]
    assert top.facet("groep").values == ()  # type: ignore[union-attr]

    vo = sidebar_page(search(backend, SearchRequest(filters={"contexts": ("VO",)}), labels=labels))
    levels = vo.facet("educational_levels")
    assert levels is not None and [(v.value, v.label) for v in levels.values] == [(HAVO, "havo")]

    po = sidebar_page(search(backend, SearchRequest(filters={"contexts": ("PO",)}), labels=labels))
    groep = po.facet("groep")
    assert groep is not None and [value.value for value in groep.values] == ["5", "7"]
    # Groep terms are the groep facet's; the PO root is the sector facet's.
    assert po.facet("educational_levels").values == ()  # type: ignore[union-attr]


def test_a_selected_groep_stays_in_the_sidebar(backend: TantivyBackend) -> None:
    page = sidebar_page(search(backend, SearchRequest(filters={"groep": ("7",)})))
    groep = page.facet("groep")
    assert groep is not None and [(v.value, v.selected) for v in groep.values] == [("7", True)]


def test_a_misspelt_subject_is_corrected_and_then_understood(backend: TantivyBackend) -> None:
    # "Aardrijkskunde" is only the materials' classification, in no text: corrected as text
    # it finds nothing; understood again, it is the subject filter and finds the material.
    page = search(backend, SearchRequest(text="aardrijskunde havo"))
    assert [item.id for item in page.items] == ["ak"]
    assert page.corrected == "aardrijkskunde havo"
    assert {term.key for term in page.recognised} >= {"havo"}
    assert page.request.text == "aardrijskunde havo"
    # Asked as typed, the correction is only offered.
    literal = search(backend, SearchRequest(text="aardrijskunde havo", no_correction=True))
    assert literal.total == 0 and literal.corrected is None
    assert literal.did_you_mean == "aardrijkskunde havo"


def test_the_overview_counts_school_types_not_sectors_years_or_groepen(backend: TantivyBackend) -> None:
    overview = catalogue_overview(backend)
    levels = next(facet for facet in overview.facets if facet.field == "educational_levels")
    assert [(value.value, value.count) for value in levels.values] == [(HAVO, 2)]
