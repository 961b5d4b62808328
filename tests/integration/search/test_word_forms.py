"""Dutch word forms on every backend: the stemmer's misfits, compounds, accents (oer.search.analysis).

Part of the search contract (run against tantivy, Elasticsearch and
OpenSearch). A backend without Dutch analysis (an Elasticsearch without
analysis-common) declares no `DUTCH_STEMMING` and must then really lack it;
with it, any form of a word finds every form and a compound finds its parts.
"""

from __future__ import annotations

import pytest

from oer.search import Capability, SearchBackend, SearchQuery
from tests.fixtures.search import make_document


def ids(backend: SearchBackend, text: str) -> list[str]:
    return sorted(hit.id for hit in backend.search(SearchQuery(text=text, size=100)).hits)


@pytest.fixture
def traffic(search_backend: SearchBackend) -> SearchBackend:
    search_backend.index(
        [
            make_document("fietsen", "Fietsen: voorrangsregels op kruispunten"),
            make_document("fietsles", "Fietsles op het schoolplein"),
            make_document("fietsers", "Regels voor fietsers"),
            make_document("verkeer", "Regels in het verkeer: wie mag er eerst?"),
            make_document("gedichten", "Gedichten schrijven", description="Elfjes en acrostichons"),
            make_document("sinterklaas", "Sinterklaasgedichten maken"),
            make_document("azie", "Azië: het grootste continent"),
            make_document("dynamo", "Van beweging naar elektriciteit", keywords=["natuurkunde"]),
        ]
    )
    return search_backend


def test_every_form_of_a_word_finds_every_form(traffic: SearchBackend) -> None:
    if Capability.DUTCH_STEMMING in traffic.capabilities:
        for form in ("fiets", "fietsen"):
            found = set(ids(traffic, form))
            # The clusters' decompounder also finds fiets inside fietsers (a cyclist):
            # it looks for parts anywhere in a word, tantivy only in compounds of parts.
            assert {"fietsen", "fietsles"} <= found <= {"fietsen", "fietsles", "fietsers"}
        assert ids(traffic, "gedicht") == ["gedichten", "sinterklaas"]
        assert ids(traffic, "fietser") == ["fietsers"]
    else:
        assert ids(traffic, "fiets") == []
        assert ids(traffic, "gedicht") == []
        assert ids(traffic, "fietsen") == ["fietsen"]


def test_a_compound_finds_its_parts_and_its_parts_find_it(traffic: SearchBackend) -> None:
    if Capability.DUTCH_STEMMING in traffic.capabilities:
        assert ids(traffic, "fietsles") == ["fietsles"]
        assert ids(traffic, "fiets les") == ["fietsles"]
        assert ids(traffic, "verkeersregels") == ["verkeer"]
        assert ids(traffic, "schoolplein") == ["fietsles"]
        assert ids(traffic, "plein") == ["fietsles"]
        assert ids(traffic, "fietsers") == ["fietsers"]
    else:
        assert ids(traffic, "fietsles") == ["fietsles"]
        assert ids(traffic, "verkeersregels") == []
        assert ids(traffic, "plein") == []


def test_a_phrase_and_an_exclusion_read_a_compound_as_one_word(traffic: SearchBackend) -> None:
    assert ids(traffic, '"fietsles op het schoolplein"') == ["fietsles"]
    found = ids(traffic, "regels -fietsles")
    assert "fietsles" not in found
    # Excluding the compound excludes neither of its parts on its own.
    assert {"fietsers", "verkeer"} <= set(found)
    if Capability.DUTCH_STEMMING in traffic.capabilities:
        # voorrangsregels holds regels
        assert "fietsen" in found


def test_accents_fold_either_way(traffic: SearchBackend) -> None:
    assert ids(traffic, "azië") == ["azie"]
    assert ids(traffic, "azie") == (
        ["azie"] if Capability.ACCENT_FOLDING in traffic.capabilities else []
    )
