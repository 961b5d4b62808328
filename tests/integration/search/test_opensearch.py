"""OpenSearch specifics: its Dutch analysis really runs, and its indexes and aliases behave.

The OpenSearch of OER_TEST_OPENSEARCH_URL has the analysis-common module
(.ci/opensearch.sh installs it and checks it before announcing the node), so
unlike the Elasticsearch tests, which accept either analysis, these assert
the Dutch analysis outright: an OpenSearch that falls back fails here.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator

import pytest
from opensearchpy import OpenSearch

from oer.search import SearchQuery, SearchUnavailableError
from oer.search.backend import ALL_CAPABILITIES, Capability
from oer.search.cluster_backend import Analysis
from oer.search.document import INDEX_SCHEMA_VERSION as SCHEMA_VERSION
from oer.search.opensearch_backend import OpenSearchBackend
from tests.fixtures.search import make_document

pytestmark = pytest.mark.opensearch


@pytest.fixture
def os_url(opensearch_url: str, opensearch_cleanup: list[str]) -> str:
    opensearch_cleanup.append(opensearch_url)
    return opensearch_url


@pytest.fixture
def client(os_url: str) -> Iterator[OpenSearch]:
    client = OpenSearch(os_url)
    yield client
    client.close()


@pytest.fixture
def prefix(search_session_prefix: str) -> str:
    return f"{search_session_prefix}-{secrets.token_hex(4)}"


@pytest.fixture
def backends(os_url: str, prefix: str) -> Iterator[list[OpenSearchBackend]]:
    made: list[OpenSearchBackend] = []
    yield made
    cleaner = OpenSearchBackend(os_url, index_prefix=prefix)
    cleaner.drop()
    cleaner.close()
    for backend in made:
        backend.close()


def connect(
    os_url: str, prefix: str, made: list[OpenSearchBackend], analysis: Analysis | None = None
) -> OpenSearchBackend:
    backend = OpenSearchBackend.connect(os_url, index_prefix=prefix, analysis=analysis)
    made.append(backend)
    return backend


@pytest.fixture
def backend(os_url: str, prefix: str, backends: list[OpenSearchBackend]) -> OpenSearchBackend:
    """A backend with the analysis it detected (nothing forced)."""
    return connect(os_url, prefix, backends)


def ids(backend: OpenSearchBackend, text: str) -> list[str]:
    return sorted(hit.id for hit in backend.search(SearchQuery(text=text, size=100)).hits)


def test_the_node_is_detected_as_dutch_and_the_index_records_it(
    os_url: str,
    prefix: str,
    backends: list[OpenSearchBackend],
    client: OpenSearch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        backend = connect(os_url, prefix, backends)
    assert "analysis-common" not in caplog.text
    assert backend.analysis is Analysis.DUTCH
    assert backend.index_analysis is Analysis.DUTCH
    assert backend.capabilities == ALL_CAPABILITIES

    (name,) = backend.indexes()
    assert name.startswith(f"{prefix}-resources-v")
    mapping = client.indices.get_mapping(index=name)[name]["mappings"]
    assert mapping["_meta"] == {"schema_version": SCHEMA_VERSION, "analysis": "dutch"}
    analysis = client.indices.get_settings(index=name)[name]["settings"]["index"]["analysis"]
    assert analysis["filter"]["oer_dutch_stemmer"] == {"type": "stemmer", "language": "dutch"}
    assert analysis["analyzer"]["oer_dutch_folded"]["filter"] == [
        "lowercase",
        "oer_dutch_stop",
        "asciifolding",
        "oer_dutch_compounds",
        "oer_dutch_forms",
        "oer_dutch_stemmer",
        "oer_dutch_once",
    ]
    # Queries: the same without the decompounder (a query's compounds are split before).
    assert "oer_dutch_compounds" not in analysis["analyzer"]["oer_dutch_folded_search"]["filter"]

    health = backend.health()
    assert health.ok
    assert health.backend == "opensearch"
    assert health.detail.startswith(f"OpenSearch at {os_url}")
    assert health.detail.endswith("dutch analysis")


def test_the_index_analyzers_stem_fold_and_drop_dutch_stop_words(
    backend: OpenSearchBackend, client: OpenSearch
) -> None:
    def tokens(analyzer: str, text: str) -> list[str]:
        result = client.indices.analyze(
            index=backend.alias, body={"analyzer": analyzer, "text": text}
        )
        return [token["token"] for token in result["tokens"]]

    text = "De categorieën van de breuken en het café in Azië"
    assert tokens("oer_dutch", text) == ["categorieen", "breuk", "caf", "azie"]
    assert tokens("oer_dutch_folded", text) == ["categorieen", "breuk", "caf", "azie"]
    assert tokens("oer_dutch", "Rivieren en vulkanen") == ["rivier", "vulkan"]
    # oer.search.analysis: word forms made one, compounds indexed with their parts.
    assert tokens("oer_dutch", "fiets fietsen") == ["fiets", "fiets"]
    assert tokens("oer_dutch", "fietsles") == ["fietsles", "fiets", "les"]
    assert tokens("oer_dutch_search", "fietsles") == ["fietsles"]
    # Suggestions and spelling: folded, never stemmed, stop words kept.
    assert tokens("oer_suggest", "De Categorieën") == ["de", "categorieen"]


def test_stemming_finds_singular_and_plural(backend: OpenSearchBackend) -> None:
    backend.index(
        [
            make_document("breuk", "Rekenen met een breuk"),
            make_document("rivieren", "De grote rivieren van Nederland"),
            make_document("vulkaan", "Hoe werkt een vulkaan?"),
            make_document("other", "Aardrijkskunde"),
        ]
    )
    assert ids(backend, "breuken") == ["breuk"]
    assert ids(backend, "breuk") == ["breuk"]
    assert ids(backend, "rivier") == ["rivieren"]
    assert ids(backend, "vulkanen") == ["vulkaan"]


def test_accent_folding_finds_either_spelling(backend: OpenSearchBackend) -> None:
    backend.index(
        [
            make_document("categorieen", "Categorieën van dieren"),
            make_document("azie", "Landen van Azië"),
            make_document("cafe", "Het cafe om de hoek"),
            make_document("other", "Afrika"),
        ]
    )
    assert ids(backend, "categorieen") == ["categorieen"]
    assert ids(backend, "categorieën") == ["categorieen"]
    assert ids(backend, "Azie") == ["azie"]
    assert ids(backend, "café") == ["cafe"]
    result = backend.search(SearchQuery(text="categorieen", highlight=True))
    assert result.hits[0].highlights["title"] == ("<mark>Categorieën</mark> van dieren",)
    assert [suggestion.id for suggestion in backend.suggest("azie")] == ["azie"]


def test_dutch_stop_words_are_not_searched(backend: OpenSearchBackend) -> None:
    backend.index([make_document("a", "Rivieren van Nederland")])
    # "het" and "de" are not in the title: as stop words they need not match.
    assert ids(backend, "het rivieren") == ["a"]
    assert ids(backend, "de rivieren") == ["a"]
    # Only stop words: nothing to search for, so nothing is found.
    assert ids(backend, "de het een") == []
    # Not a stop word, not in the title: every word must match.
    assert ids(backend, "grote rivieren") == []


def test_forced_fallback_builds_a_standard_index_that_says_so(
    os_url: str, prefix: str, backends: list[OpenSearchBackend], client: OpenSearch
) -> None:
    backend = connect(os_url, prefix, backends, analysis=Analysis.STANDARD)
    (name,) = backend.indexes()
    assert client.indices.get_mapping(index=name)[name]["mappings"]["_meta"]["analysis"] == "standard"
    backend.index([make_document("breuken", "Breuken vergelijken")])
    assert Capability.DUTCH_STEMMING not in backend.capabilities
    assert ids(backend, "de breuken") == ["breuken"]
    assert ids(backend, "breuk") == []


def test_rebuild_swaps_the_alias_to_a_new_versioned_index_and_drops_the_old(
    backend: OpenSearchBackend, client: OpenSearch
) -> None:
    (first,) = backend.indexes()
    backend.index([make_document("a", "Oude les")])

    backend.rebuild([make_document("b", "Nieuwe les")])

    (second,) = backend.indexes()
    assert second != first
    assert not client.indices.exists(index=first)
    assert list(client.indices.get_alias(name=backend.alias)) == [second]
    assert [hit.id for hit in backend.search(SearchQuery()).hits] == ["b"]
    assert backend.index_analysis is Analysis.DUTCH


def test_writes_never_create_an_index_where_the_alias_should_be(
    backend: OpenSearchBackend, client: OpenSearch
) -> None:
    for name in backend.indexes():
        client.indices.delete(index=name)
    with pytest.raises(SearchUnavailableError, match="oer reindex"):
        backend.index([make_document("a", "Les")])
    # require_alias: OpenSearch refused the write instead of creating an index named like the alias.
    assert not client.indices.exists(index=backend.alias)
    with pytest.raises(SearchUnavailableError, match="oer reindex"):
        backend.search(SearchQuery())
    assert not backend.health().ok
    backend.rebuild([make_document("a", "Les")])
    assert backend.count() == 1
