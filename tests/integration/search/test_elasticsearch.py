"""Elasticsearch specifics: versioned indexes behind an alias, analysis detection, fallback."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator

import pytest
from elasticsearch import BadRequestError, Elasticsearch

from oer.search import SearchQuery, SearchUnavailableError
from oer.search.backend import Capability
from oer.search.document import INDEX_SCHEMA_VERSION as SCHEMA_VERSION
from oer.search.elasticsearch_backend import (
    Analysis,
    ElasticsearchBackend,
    analysis_settings,
    index_mappings,
)
from oer.search.errors import SearchError
from tests.fixtures.search import make_document

pytestmark = pytest.mark.elasticsearch


@pytest.fixture
def es_url(elasticsearch_url: str, elasticsearch_cleanup: list[str]) -> str:
    elasticsearch_cleanup.append(elasticsearch_url)
    return elasticsearch_url


@pytest.fixture
def client(es_url: str) -> Iterator[Elasticsearch]:
    client = Elasticsearch(es_url)
    yield client
    client.close()


@pytest.fixture
def prefix(search_session_prefix: str) -> str:
    return f"{search_session_prefix}-{secrets.token_hex(4)}"


@pytest.fixture
def backends(es_url: str, prefix: str) -> Iterator[list[ElasticsearchBackend]]:
    made: list[ElasticsearchBackend] = []
    yield made
    cleaner = ElasticsearchBackend(es_url, index_prefix=prefix)
    cleaner.drop()
    cleaner.close()
    for backend in made:
        backend.close()


def connect(
    es_url: str, prefix: str, made: list[ElasticsearchBackend], **options: object
) -> ElasticsearchBackend:
    backend = ElasticsearchBackend.connect(
        es_url, index_prefix=prefix, **options  # type: ignore[arg-type]
    )
    made.append(backend)
    return backend


def cluster_has_dutch_analysis(client: Elasticsearch) -> bool:
    """Ground truth, asked directly: can this node run the Dutch stemmer and ASCII folding?"""
    try:
        client.indices.analyze(
            tokenizer="standard",
            filter=["asciifolding", {"type": "stemmer", "language": "dutch"}],
            text="rivieren",
        )
    except BadRequestError:
        return False
    return True


def test_rebuild_swaps_the_alias_to_a_new_versioned_index_and_drops_the_old(
    es_url: str, prefix: str, backends: list[ElasticsearchBackend], client: Elasticsearch
) -> None:
    backend = connect(es_url, prefix, backends)
    (first,) = backend.indexes()
    assert first.startswith(f"{prefix}-resources-v")
    backend.index([make_document("a", "Oude les")])

    backend.rebuild([make_document("b", "Nieuwe les")])

    (second,) = backend.indexes()
    assert second != first
    assert second.startswith(f"{prefix}-resources-v")
    assert not client.indices.exists(index=first)
    aliases = client.indices.get_alias(name=f"{prefix}-resources").body
    assert list(aliases) == [second]
    assert [hit.id for hit in backend.search(SearchQuery()).hits] == ["b"]


def test_detection_matches_what_the_cluster_can_do_and_logs_the_fallback(
    es_url: str,
    prefix: str,
    backends: list[ElasticsearchBackend],
    client: Elasticsearch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="oer.search.elasticsearch_backend"):
        backend = connect(es_url, prefix, backends)
    if cluster_has_dutch_analysis(client):
        assert backend.analysis is Analysis.DUTCH
        assert Capability.DUTCH_STEMMING in backend.capabilities
        assert "analysis-common" not in caplog.text
    else:
        assert backend.analysis is Analysis.STANDARD
        assert Capability.DUTCH_STEMMING not in backend.capabilities
        assert Capability.ACCENT_FOLDING not in backend.capabilities
        assert "lacks the analysis-common module" in caplog.text
        assert "without Dutch stemming" in caplog.text


def test_forced_fallback_builds_a_working_standard_index(
    es_url: str, prefix: str, backends: list[ElasticsearchBackend], client: Elasticsearch
) -> None:
    backend = connect(es_url, prefix, backends, analysis=Analysis.STANDARD)
    (name,) = backend.indexes()
    mapping = client.indices.get_mapping(index=name).body[name]["mappings"]
    assert mapping["_meta"] == {"schema_version": SCHEMA_VERSION, "analysis": "standard"}
    settings = client.indices.get_settings(index=name).body[name]["settings"]["index"]
    filters = settings["analysis"]["analyzer"]["oer_dutch"]["filter"]
    assert filters == ["lowercase", "oer_dutch_stop"]

    backend.index(
        [
            make_document("breuken", "Breuken vergelijken", description="De rivieren"),
            make_document("azie", "Landen van Azië"),
        ]
    )
    assert Capability.DUTCH_STEMMING not in backend.capabilities
    assert Capability.ACCENT_FOLDING not in backend.capabilities
    # What it does offer works: exact words, Dutch stop words, highlighting, suggestions.
    result = backend.search(SearchQuery(text="de breuken", highlight=True))
    assert [hit.id for hit in result.hits] == ["breuken"]
    assert result.hits[0].highlights["title"] == ("<mark>Breuken</mark> vergelijken",)
    assert [s.id for s in backend.suggest("land")] == ["azie"]
    # What it declares it lacks is really missing: no stemming, no folding.
    assert backend.search(SearchQuery(text="breuk")).total == 0
    assert backend.search(SearchQuery(text="azie")).total == 0


def test_forced_dutch_analysis_stems_where_the_cluster_can(
    es_url: str, prefix: str, backends: list[ElasticsearchBackend], client: Elasticsearch
) -> None:
    if not cluster_has_dutch_analysis(client):
        # The index cannot be created here; the error says why instead of a traceback.
        with pytest.raises(SearchError, match=r"asciifolding|stemmer|analysis"):
            connect(es_url, prefix, backends, analysis=Analysis.DUTCH)
        return
    backend = connect(es_url, prefix, backends, analysis=Analysis.DUTCH)
    backend.index([make_document("breuken", "Breuken"), make_document("azie", "Azië")])
    assert [hit.id for hit in backend.search(SearchQuery(text="breuk")).hits] == ["breuken"]
    assert [hit.id for hit in backend.search(SearchQuery(text="azie")).hits] == ["azie"]


@pytest.mark.parametrize("detected", list(Analysis))
def test_start_uses_the_detected_analysis(
    es_url: str,
    prefix: str,
    backends: list[ElasticsearchBackend],
    client: Elasticsearch,
    monkeypatch: pytest.MonkeyPatch,
    detected: Analysis,
) -> None:
    monkeypatch.setattr(ElasticsearchBackend, "detect_analysis", lambda self: detected)
    if detected is Analysis.DUTCH and not cluster_has_dutch_analysis(client):
        with pytest.raises(SearchError):
            connect(es_url, prefix, backends)
        return
    backend = connect(es_url, prefix, backends)
    (name,) = backend.indexes()
    meta = client.indices.get_mapping(index=name).body[name]["mappings"]["_meta"]
    assert meta["analysis"] == detected.value
    assert (Capability.DUTCH_STEMMING in backend.capabilities) is (detected is Analysis.DUTCH)


def test_capabilities_follow_the_index_being_searched(
    es_url: str, prefix: str, backends: list[ElasticsearchBackend]
) -> None:
    connect(es_url, prefix, backends, analysis=Analysis.STANDARD)
    # A later process that would build Dutch indexes still searches the standard one.
    later = connect(es_url, prefix, backends, analysis=Analysis.DUTCH)
    assert Capability.DUTCH_STEMMING not in later.capabilities
    assert later.health().detail.endswith("standard analysis")


def test_analysis_settings_of_both_kinds_define_the_same_analyzers() -> None:
    dutch = analysis_settings(Analysis.DUTCH)
    standard = analysis_settings(Analysis.STANDARD)
    assert set(dutch["analyzer"]) == set(standard["analyzer"]) == {
        "oer_dutch",
        "oer_dutch_folded",
        "oer_dutch_search",
        "oer_dutch_folded_search",
        "oer_dutch_phrase",
        "oer_dutch_phrase_search",
        "oer_suggest",
    }
    assert "oer_dutch_stemmer" in dutch["analyzer"]["oer_dutch"]["filter"]
    assert "asciifolding" in dutch["analyzer"]["oer_dutch_folded"]["filter"]
    assert index_mappings(Analysis.DUTCH)["properties"] == index_mappings(Analysis.STANDARD)[
        "properties"
    ]


def test_writes_never_create_an_index_where_the_alias_should_be(
    es_url: str, prefix: str, backends: list[ElasticsearchBackend], client: Elasticsearch
) -> None:
    backend = connect(es_url, prefix, backends)
    for name in backend.indexes():
        client.indices.delete(index=name)
    with pytest.raises(SearchUnavailableError, match=r"oer reindex|alias|index"):
        backend.index([make_document("a", "Les")])
    assert not client.indices.exists(index=f"{prefix}-resources")
    with pytest.raises(SearchUnavailableError, match="oer reindex"):
        backend.delete(["a"])
    with pytest.raises(SearchUnavailableError, match="oer reindex"):
        backend.search(SearchQuery())
    assert not backend.health().ok
    # reindex repairs it.
    backend.rebuild([make_document("a", "Les")])
    assert backend.count() == 1


def test_an_index_of_another_schema_version_asks_for_a_reindex(
    es_url: str, prefix: str, backends: list[ElasticsearchBackend], client: Elasticsearch
) -> None:
    name = f"{prefix}-resources-v1"
    mappings = index_mappings(Analysis.STANDARD)
    mappings["_meta"] = {"schema_version": SCHEMA_VERSION - 1, "analysis": "standard"}
    client.indices.create(
        index=name,
        settings={"analysis": analysis_settings(Analysis.STANDARD)},
        mappings=mappings,
        aliases={f"{prefix}-resources": {}},
    )
    backend = connect(es_url, prefix, backends)
    health = backend.health()
    assert not health.ok
    assert "oer reindex" in health.detail
    backend.rebuild([])
    assert backend.health().ok
    assert not client.indices.exists(index=name)
