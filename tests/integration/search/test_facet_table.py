"""The facet table (`metadata.facets.FACETS`) is the one declaration every part reads.

Each declared facet must come out of a record into the index document, be a
field of the tantivy schema and of the Elasticsearch mapping, be filterable and
counted by every backend, and appear in the facets of a search result, with
no other code naming it (docs/architecture.md, "Walk: add a facet").
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from metadata.facets import (
    FACET_FIELDS,
    FACETS,
    OVERVIEW_FACETS,
    SIDEBAR_FACETS,
    FacetField,
    FacetValues,
)
from metadata.record import Licence, Record, Term
from metadata.vocabulary import vocabulary
from oer.discovery.search import OBK_FIELDS, SearchRequest, catalogue_overview, search
from oer.search import SearchBackend, SearchDocument, SearchQuery, document_from_record
from oer.search.cluster_backend import Analysis, document_source, index_mappings

UPDATED = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)

# A record with a value for every facet, so every row of the table reads something.
RECORD = Record(
    title="Breuken vergelijken",
    languages=("nl",),
    aggregation_level=2,
    learning_resource_types=("open opdracht",),
    contexts=("PO",),
    educational_levels=(Term("512e4729-03a4-43a2-95ba-758071d1b725", "PO"),),
    disciplines=(Term("b48fa351-4561-44c7-a071-ebfd6103eec3", "Rekenen"),),
    educational_objectives=(Term("b21b715d-d58c-4b48-833d-77e059b37d0d"),),
    cost=False,
    licence=Licence("cc-by-sa-40", "https://creativecommons.org/licenses/by-sa/4.0/"),
    access_rights="OpenAccess",
    # A PO record known by its age range only: groep 7 (`metadata.groepen`).
    typical_age_range="10-11",
)


# What the indexer supplies beside the record (quality annotations live in their own domain).
SUPPLIED = {
    "quality": ("didactiek.doelen",),
    "quality_detail": ("didactiek.doelen", "didactiek.doelen/leraar>=voldoende"),
}


def _document(resource_id: str = "res-1") -> SearchDocument:
    return document_from_record(resource_id, RECORD, sources=["wikiwijs"], updated_at=UPDATED, supplied=SUPPLIED)


def test_the_table_is_well_formed() -> None:
    assert len(set(FACET_FIELDS)) == len(FACETS)
    positions = [facet.sidebar for facet in FACETS if facet.sidebar is not None]
    assert sorted(positions) == list(range(1, len(positions) + 1))
    assert set(OVERVIEW_FACETS) <= set(SIDEBAR_FACETS)
    assert all(facet.label and facet.label[0].isupper() for facet in FACETS)
    for facet in FACETS:
        # A vocabulary is what names coded values; other kinds are named otherwise.
        assert facet.vocabulary is None or facet.values is FacetValues.CODE


def test_every_declared_facet_is_read_from_a_record() -> None:
    document = _document()
    assert tuple(document.facets) == FACET_FIELDS
    for facet in FACETS:
        values = document.facet_values(facet.name)
        assert values, f"{facet.name} read nothing from a record that has it"
        if facet.supplied:
            assert values == SUPPLIED[facet.name]
            assert facet.read(RECORD, ["wikiwijs"]) == (), "a supplied field is never read from the record"
        assert getattr(document, facet.name) == values
        if facet.vocabulary is not None:
            assert all(vocabulary(facet.vocabulary).lookup(v)[1] for v in values), facet.name


def test_every_declared_facet_is_a_keyword_field_of_the_elasticsearch_mapping() -> None:
    for analysis in Analysis:
        mappings = index_mappings(analysis)
        properties = mappings["properties"]
        for name in FACET_FIELDS:
            assert properties[name] == {"type": "keyword"}
        # The mapping is strict: every key of a stored document must be mapped.
        assert mappings["dynamic"] == "strict"
        assert set(document_source(_document())) <= set(properties)


def test_a_new_facet_row_reaches_the_elasticsearch_mapping(monkeypatch: pytest.MonkeyPatch) -> None:
    from oer.search import cluster_backend

    extra = FacetField("example", "Voorbeeld", lambda record, sources: (), FacetValues.NAME)
    monkeypatch.setattr(cluster_backend, "FACETS", (*FACETS, extra))
    assert index_mappings(Analysis.STANDARD)["properties"]["example"] == {"type": "keyword"}


def test_every_declared_facet_is_indexed_filtered_and_counted(search_backend: SearchBackend) -> None:
    document = _document()
    search_backend.index([document, SearchDocument(id="other", title="Anders", updated_at=UPDATED)])
    result = search_backend.search(SearchQuery(facets=FACET_FIELDS))
    assert set(result.facets) == set(FACET_FIELDS)
    for name in FACET_FIELDS:
        values = document.facet_values(name)
        assert result.facets[name] == {value: 1 for value in values}, name
        filtered = search_backend.search(SearchQuery(filters={name: values[:1]}))
        assert [hit.id for hit in filtered.hits] == ["res-1"], name
        assert filtered.hits[0].document == document


def test_search_results_carry_the_declared_facets(search_backend: SearchBackend) -> None:
    search_backend.index([_document()])
    everything = search(search_backend, SearchRequest(), facets=FACET_FIELDS)
    assert tuple(facet.field for facet in everything.facets) == FACET_FIELDS
    assert all(facet.values for facet in everything.facets)
    sidebar = search(search_backend, SearchRequest())
    assert tuple(facet.field for facet in sidebar.facets) == SIDEBAR_FACETS
    overview = catalogue_overview(search_backend)
    assert tuple(facet.field for facet in overview.facets) == OVERVIEW_FACETS
    for facet in everything.facets:
        labelled = [value.label for value in facet.values]
        if facet.field in OBK_FIELDS or facet.field == "licence":
            assert all(labelled), facet.field
        else:
            assert labelled == [None] * len(labelled), facet.field
