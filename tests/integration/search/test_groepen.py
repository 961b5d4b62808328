"""The groep facet and filter on every backend, and level words understood the same on each."""

from __future__ import annotations

from datetime import UTC, datetime

from metadata.record import Record, Term
from oer.discovery.search import SearchRequest, search, sidebar_page
from oer.search import SearchBackend, SearchQuery, document_from_record

UPDATED = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
PO = Term("512e4729-03a4-43a2-95ba-758071d1b725", "Primair onderwijs")
GROEP_7 = Term("a4813bb6-cf63-4594-af56-6afb321723d8", "Groep 7")
GROEP_7_8 = Term("457f3ac7-522b-41f4-b2c7-6f4c2d891faf", "groep 7-8")
HAVO = Term("a3ddbe60-8478-4204-b769-6f5e9f4cbca2", "HAVO")

RECORDS = {
    # Says groep 7 in its level terms; its age range (which would say 6-8) is not asked.
    "term": Record(title="Breuken vergelijken", contexts=("PO",), educational_levels=(PO, GROEP_7),
                   typical_age_range="9-12"),
    # Known by its age range only.
    "age": Record(title="Breuken op de getallenlijn", contexts=("PO",), educational_levels=(PO,),
                  typical_age_range="10-11"),
    "range": Record(title="Breuken optellen", contexts=("PO",), educational_levels=(PO, GROEP_7_8)),
    "g5": Record(title="Breuken met pizza", contexts=("PO",), typical_age_range="8-9"),
    # A vo record for 12-year-olds has no groep.
    "havo": Record(title="Breuken in formules", contexts=("VO",), educational_levels=(HAVO,),
                   typical_age_range="11-12"),
}


def _index(backend: SearchBackend) -> None:
    backend.index([
        document_from_record(resource_id, record, sources=["wikiwijs"], updated_at=UPDATED)
        for resource_id, record in RECORDS.items()
    ])


def test_groep_is_counted_and_filtered(search_backend: SearchBackend) -> None:
    _index(search_backend)
    result = search_backend.search(SearchQuery(facets=("groep",)))
    assert dict(result.facets["groep"]) == {"7": 3, "8": 1, "5": 1}
    seven = search_backend.search(SearchQuery(filters={"groep": ("7",)}, size=10))
    assert {hit.id for hit in seven.hits} == {"term", "age", "range"}
    either = search_backend.search(SearchQuery(filters={"groep": ("5", "8")}, size=10))
    assert {hit.id for hit in either.hits} == {"range", "g5"}


def test_breuken_groep_7_finds_groep_7_on_every_backend(search_backend: SearchBackend) -> None:
    _index(search_backend)
    page = search(search_backend, SearchRequest(text="breuken groep 7"))
    assert {item.id for item in page.items} == {"term", "age", "range"}
    assert [term.key for term in page.recognised] == ["groep-7"]
    assert {item.id for item in search(search_backend, SearchRequest(text="breuken po")).items} == {
        "term", "age", "range", "g5"}
    assert {item.id for item in search(search_backend, SearchRequest(text="havo breuken")).items} == {"havo"}


def test_the_groep_facet_shows_for_po(search_backend: SearchBackend) -> None:
    _index(search_backend)
    po = sidebar_page(search(search_backend, SearchRequest(filters={"contexts": ("PO",)})))
    groep = po.facet("groep")
    assert groep is not None and [value.value for value in groep.values] == ["5", "7", "8"]
    vo = sidebar_page(search(search_backend, SearchRequest(filters={"contexts": ("VO",)})))
    assert vo.facet("groep") is not None and vo.facet("groep").values == ()  # type: ignore[union-attr]
