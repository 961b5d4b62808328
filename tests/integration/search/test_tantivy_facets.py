"""tantivy's facet counts from value sets: the same counts as value by value, and the layout they need."""

from __future__ import annotations

import json
import os
import select
import signal
import threading
from pathlib import Path
from typing import Any

import pytest

from metadata.facets import FACET_FIELDS
from oer.search import SearchQuery, SearchUnavailableError
from oer.search import tantivy_backend as module
from oer.search.tantivy_backend import CURRENT_FILE, GENERATIONS_DIR, VERSION_FILE, TantivyBackend
from tests.fixtures.search import make_document

DOCUMENTS = [
    make_document("a", "Breuken", contexts="PO", educational_levels=["po", "groep-7"],
                  learning_resource_types=["oefening", "toets"], source="een"),
    make_document("b", "Breuken", contexts="PO", educational_levels=["groep-7", "po"],
                  learning_resource_types="oefening", source=["een", "twee"]),
    make_document("c", "Breuken", contexts="VO", educational_levels="vo",
                  learning_resource_types=["toets", "oefening"], source="twee"),
    make_document("d", "Breuken", contexts=["PO", "VO"], educational_levels=["po", "vo"]),
    make_document("e", "Vulkanen", contexts="VO", educational_levels="vo", source="een"),
]


@pytest.fixture
def backend(tmp_path: Path) -> TantivyBackend:
    opened = TantivyBackend.open(tmp_path / "index")
    opened.index(DOCUMENTS)
    return opened


def counts(backend: TantivyBackend, **options: object) -> dict[str, dict[str, int]]:
    query = SearchQuery(text="breuken", facets=FACET_FIELDS, **options)  # type: ignore[arg-type]
    return {name: dict(values) for name, values in backend.search(query).facets.items()}


def test_value_sets_count_what_counting_value_by_value_counts(
    backend: TantivyBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_sets = counts(backend)
    assert from_sets["educational_levels"] == {"po": 3, "groep-7": 2, "vo": 2}
    assert from_sets["learning_resource_types"] == {"oefening": 3, "toets": 2}
    assert from_sets["contexts"] == {"PO": 3, "VO": 2}
    assert from_sets["source"] == {"een": 2, "twee": 2}
    assert from_sets["quality"] == {}

    # Too many distinct sets: every field with more than one is counted value by value.
    monkeypatch.setattr(module, "VALUE_SET_BUCKETS", 1)
    assert counts(backend) == from_sets


def test_value_set_counts_keep_the_most_frequent_values_up_to_the_limit(
    backend: TantivyBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    limited = counts(backend, facet_limit=2)
    assert limited["educational_levels"] == {"po": 3, "groep-7": 2}
    monkeypatch.setattr(module, "VALUE_SET_BUCKETS", 1)
    assert counts(backend, facet_limit=2)["educational_levels"] == {"po": 3, "groep-7": 2}


def test_filters_match_single_values_of_documents_with_several(backend: TantivyBackend) -> None:
    result = backend.search(
        SearchQuery(filters={"educational_levels": ("groep-7",)}, facets=("contexts",), size=10)
    )
    assert sorted(hit.id for hit in result.hits) == ["a", "b"]
    assert result.facets == {"contexts": {"PO": 2}}
    either = backend.search(SearchQuery(filters={"source": ("twee", "een")}, size=10))
    assert sorted(hit.id for hit in either.hits) == ["a", "b", "c", "e"]


def test_an_index_without_value_sets_asks_for_a_reindex(tmp_path: Path) -> None:
    directory = tmp_path / "index"
    TantivyBackend.open(directory).close()
    name = (directory / CURRENT_FILE).read_text().strip()
    # What the version before the value sets wrote.
    (directory / GENERATIONS_DIR / name / VERSION_FILE).write_text(
        json.dumps({"schema_version": module.INDEX_SCHEMA_VERSION})
    )
    backend = TantivyBackend(directory)
    with pytest.raises(SearchUnavailableError, match="oer reindex"):
        backend.search(SearchQuery())
    backend.rebuild([make_document("a", "Les")])
    assert backend.search(SearchQuery(facets=("contexts",))).total == 1


GROUPED = [
    # A group's fields in every mix: groep alone, a sector without levels, several values, none.
    make_document("g1", "Breuken", groep=["7", "8"], licence="cc-by-40", licence_family="cc-by"),
    make_document("g2", "Breuken", contexts="PO", groep="7", cost="no"),
    make_document("g3", "Breuken", contexts=["PO", "SO"], educational_levels="po", aggregation_level="2"),
    make_document("g4", "Breuken", access_rights="OpenAccess", licence="cc0-10"),
    make_document("g5", "Breuken", source="een"),
]


def test_grouped_columns_count_every_field_of_the_group_as_value_by_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ("contexts", "educational_levels", "groep") in module.FACET_GROUPS
    backend = TantivyBackend.open(tmp_path / "index")
    backend.index(GROUPED)
    from_groups = counts(backend)
    assert from_groups["groep"] == {"7": 2, "8": 1}
    assert from_groups["contexts"] == {"PO": 2, "SO": 1}
    assert from_groups["educational_levels"] == {"po": 1}
    assert from_groups["licence"] == {"cc-by-40": 1, "cc0-10": 1}
    assert from_groups["cost"] == {"no": 1}
    assert from_groups["access_rights"] == {"OpenAccess": 1}
    assert from_groups["aggregation_level"] == {"2": 1}
    # A filter on one field of a group counts the others of the documents it keeps.
    filtered = backend.search(SearchQuery(text="breuken", filters={"groep": ("7",)}, facets=FACET_FIELDS))
    assert filtered.facets["contexts"] == {"PO": 1} and filtered.facets["licence"] == {"cc-by-40": 1}
    # More combinations than are read: the group's fields are counted value by value, the same.
    monkeypatch.setattr(module, "VALUE_SET_BUCKETS", 1)
    assert counts(backend) == from_groups


@pytest.fixture
def beside(monkeypatch: pytest.MonkeyPatch) -> None:
    """Facets counted on a second thread however small the index (as from a quarter million)."""
    monkeypatch.setattr(module, "PARALLEL_FACETS_MIN_DOCUMENTS", 0)


@pytest.mark.usefixtures("beside")
def test_facets_counted_beside_the_page_are_the_facets_counted_alone(backend: TantivyBackend) -> None:
    for text in ("breuken", "vulkanen", "toets", "niets-dat-past"):
        beside = backend.search(SearchQuery(text=text, facets=FACET_FIELDS, size=10))
        alone = backend.search(SearchQuery(text=text, facets=FACET_FIELDS, size=0))
        assert beside.facets == alone.facets
        assert beside.total == alone.total
    assert backend.search(SearchQuery(text="niets-dat-past", facets=("contexts",))).facets == {
        "contexts": {}
    }


def test_a_small_index_counts_the_facets_on_the_calling_thread(
    backend: TantivyBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    original = TantivyBackend._facets

    def counted(self: TantivyBackend, *arguments: Any) -> dict[str, dict[str, int]]:
        threads.append(threading.current_thread().name)
        return original(self, *arguments)

    monkeypatch.setattr(TantivyBackend, "_facets", counted)
    query = SearchQuery(text="breuken", facets=("contexts",), size=10)
    assert backend.search(query).facets == {"contexts": {"PO": 3, "VO": 2}}
    assert threads == [threading.current_thread().name]
    monkeypatch.setattr(module, "PARALLEL_FACETS_MIN_DOCUMENTS", len(DOCUMENTS))
    assert backend.search(query).facets == {"contexts": {"PO": 3, "VO": 2}}
    assert threads[1].startswith("tantivy-facets")


@pytest.mark.usefixtures("beside")
def test_an_error_counting_the_facets_reaches_the_caller(
    backend: TantivyBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreadable(*_: object) -> dict[str, dict[str, int]]:
        raise SearchUnavailableError("search index cannot be read: gone")

    monkeypatch.setattr(TantivyBackend, "_facets", unreadable)
    with pytest.raises(SearchUnavailableError, match="gone"):
        backend.search(SearchQuery(text="breuken", facets=("contexts",), size=10))


@pytest.mark.usefixtures("beside")
@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")
def test_a_forked_process_counts_facets_on_threads_of_its_own(backend: TantivyBackend) -> None:
    # As a preloading server does: the parent searched (and made its threads) before forking.
    query = SearchQuery(text="breuken", facets=("contexts",), size=10)
    expected = backend.search(query).facets
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's result goes through the pipe
        try:
            os.write(writer, json.dumps(backend.search(query).facets).encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        # Threads inherited through fork would never take the count: the child would hang.
        if not select.select([pipe], [], [], 30)[0]:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            pytest.fail("the forked process did not answer in 30 s")
        answer = pipe.read()
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert json.loads(answer) == expected
