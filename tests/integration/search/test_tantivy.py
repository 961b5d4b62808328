"""tantivy specifics: generations swapped through CURRENT, version checks, the writer lock."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import tantivy

from oer.search import SearchQuery, SearchUnavailableError
from oer.search import tantivy_backend as module
from oer.search.tantivy_backend import (
    CURRENT_FILE,
    GENERATIONS_DIR,
    VERSION_FILE,
    TantivyBackend,
)
from tests.fixtures.search import make_document


def generations(directory: Path) -> list[str]:
    return sorted(path.name for path in (directory / GENERATIONS_DIR).iterdir())


def current(directory: Path) -> str:
    return (directory / CURRENT_FILE).read_text().strip()


def test_opening_an_empty_directory_creates_an_empty_index(tmp_path: Path) -> None:
    directory = tmp_path / "home" / "index"
    backend = TantivyBackend.open(directory)
    assert backend.count() == 0
    assert generations(directory) == [current(directory)]
    # Opening again reuses it.
    backend.index([make_document("a", "Les")])
    assert TantivyBackend.open(directory).count() == 1
    assert len(generations(directory)) == 1


def test_rebuild_writes_a_new_generation_and_removes_the_old(tmp_path: Path) -> None:
    backend = TantivyBackend.open(tmp_path)
    before = current(tmp_path)
    backend.rebuild([make_document("a", "Les")])
    after = current(tmp_path)
    assert after != before
    assert generations(tmp_path) == [after]


def test_a_failed_rebuild_leaves_no_partial_generation(tmp_path: Path) -> None:
    backend = TantivyBackend.open(tmp_path)
    before = generations(tmp_path)

    def broken():  # type: ignore[no-untyped-def]
        yield make_document("a", "Les")
        raise RuntimeError("store failed")

    with pytest.raises(RuntimeError):
        backend.rebuild(broken())
    assert generations(tmp_path) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_index_of_another_version_asks_for_a_reindex(tmp_path: Path) -> None:
    backend = TantivyBackend.open(tmp_path)
    version_file = tmp_path / GENERATIONS_DIR / current(tmp_path) / VERSION_FILE
    version_file.write_text(json.dumps({"schema_version": 0}))
    other = TantivyBackend(tmp_path)
    with pytest.raises(SearchUnavailableError, match="oer reindex"):
        other.search(SearchQuery())
    health = other.health()
    assert not health.ok
    assert "another version" in health.detail
    other.rebuild([make_document("a", "Les")])
    assert other.health().ok
    assert backend.count() == 1


def test_writes_wait_for_another_processes_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = TantivyBackend.open(tmp_path)
    # Another process's writer: the same directory opened separately.
    other_index = tantivy.Index.open(str(tmp_path / GENERATIONS_DIR / current(tmp_path)))
    holder = other_index.writer(heap_size=15_000_000, num_threads=1)

    monkeypatch.setattr(module, "WRITER_LOCK_TIMEOUT", 0.3)
    with pytest.raises(SearchUnavailableError, match="locked by another writer"):
        backend.index([make_document("a", "Les")])

    monkeypatch.setattr(module, "WRITER_LOCK_TIMEOUT", 10.0)
    release = threading.Timer(0.3, holder.wait_merging_threads)
    release.start()
    assert backend.index([make_document("a", "Les")]) == 1
    release.join()
    assert backend.count() == 1


def test_a_removed_index_directory_is_an_outage_until_reindexed(tmp_path: Path) -> None:
    import shutil

    directory = tmp_path / "index"
    backend = TantivyBackend.open(directory)
    backend.index([make_document("a", "Les")])
    shutil.rmtree(directory)
    with pytest.raises(SearchUnavailableError, match="missing"):
        backend.search(SearchQuery())
    assert backend.rebuild([make_document("b", "Les")]) == 1
    assert backend.count() == 1
