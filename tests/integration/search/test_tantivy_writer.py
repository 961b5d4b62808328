"""The embedded index's long-lived writer: kept across calls, given up when idle or wanted elsewhere.

tantivy allows one writer per index; the web workers, the harvest's indexer and
`oer reindex` each open the index, so a kept writer must not lock the others out.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import tantivy

from oer.search import SearchDocument, SearchQuery
from oer.search import tantivy_backend as module
from oer.search.tantivy_backend import CURRENT_FILE, GENERATIONS_DIR, WANTED_FILE, TantivyBackend
from tests.fixtures.search import make_document

ROOT = Path(__file__).resolve().parents[3]


def titles(backend: TantivyBackend, text: str = "") -> list[str]:
    return sorted(hit.document.title for hit in backend.search(SearchQuery(text=text, size=100)).hits)


def kept_writer(backend: TantivyBackend) -> object | None:
    held = backend._writer
    return None if held is None else held.writer


def lock_is_free(directory: Path) -> bool:
    """Whether a writer could be opened on the current generation right now."""
    name = (directory / CURRENT_FILE).read_text().strip()
    index = tantivy.Index.open(str(directory / GENERATIONS_DIR / name))
    try:
        writer = index.writer(heap_size=15_000_000, num_threads=1)
    except ValueError as error:
        assert "LockBusy" in str(error)
        return False
    writer.wait_merging_threads()
    return True


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[TantivyBackend]:
    opened = TantivyBackend.open(tmp_path / "index")
    yield opened
    opened.close()


def test_one_writer_serves_index_and_delete_calls_and_each_call_is_visible_at_once(
    backend: TantivyBackend,
) -> None:
    backend.index([make_document("a", "Breuken vergelijken")])
    writer = kept_writer(backend)
    assert writer is not None
    assert titles(backend, "breuken") == ["Breuken vergelijken"]

    backend.index([make_document("b", "Breuken optellen"), make_document("a", "Vulkanen")])
    assert titles(backend, "breuken") == ["Breuken optellen"]
    assert titles(backend, "vulkanen") == ["Vulkanen"]
    backend.delete(["b", "unknown"])
    assert titles(backend) == ["Vulkanen"]
    assert kept_writer(backend) is writer, "the same writer took every call"
    # Another process reading the index sees every commit.
    reader = TantivyBackend(backend.directory)
    try:
        assert titles(reader) == ["Vulkanen"]
    finally:
        reader.close()


def test_closing_gives_the_writer_up_and_the_backend_opens_a_new_one_when_written_again(
    backend: TantivyBackend,
) -> None:
    backend.index([make_document("a", "Breuken")])
    assert not lock_is_free(backend.directory)
    backend.close()
    assert kept_writer(backend) is None
    assert lock_is_free(backend.directory)

    backend.index([make_document("b", "Vulkanen")])
    assert kept_writer(backend) is not None
    assert titles(backend) == ["Breuken", "Vulkanen"]
    reopened = TantivyBackend.open(backend.directory)
    try:
        assert reopened.count() == 2
    finally:
        reopened.close()


def test_an_idle_writer_is_given_up(
    backend: TantivyBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "WRITER_IDLE_SECONDS", 0.2)
    backend.index([make_document("a", "Breuken")])
    assert kept_writer(backend) is not None
    deadline = time.monotonic() + 5
    while kept_writer(backend) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert kept_writer(backend) is None
    with backend._lock:  # held while the writer finishes its merges and lets go of the lock
        assert lock_is_free(backend.directory)
    # And taken again by the next write.
    backend.index([make_document("b", "Vulkanen")])
    assert backend.count() == 2


def test_a_second_backend_on_the_same_directory_gets_the_writer_without_waiting_out_the_first(
    backend: TantivyBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Neither would give the writer up by being idle within the test.
    monkeypatch.setattr(module, "WRITER_IDLE_SECONDS", 60.0)
    other = TantivyBackend.open(backend.directory)
    try:
        backend.index([make_document("a", "Breuken")])
        started = time.monotonic()
        other.index([make_document("b", "Vulkanen")])
        assert time.monotonic() - started < 5, "asked, the holder gives the writer up"
        assert kept_writer(backend) is None
        # And back again.
        backend.index([make_document("c", "Rivieren")])
        assert kept_writer(other) is None
        assert titles(backend) == titles(other) == ["Breuken", "Rivieren", "Vulkanen"]
    finally:
        other.close()
    assert not (backend.directory / WANTED_FILE).exists(), "the request is withdrawn once served"


_OTHER_PROCESS = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    from oer.search import SearchDocument
    from oer.search.tantivy_backend import TantivyBackend

    backend = TantivyBackend.open(Path(sys.argv[1]))
    started = time.monotonic()
    backend.index([SearchDocument(id="other", title="Uit een ander proces",
                                  updated_at=datetime.now(UTC))])
    print(f"{time.monotonic() - started:.3f}")
    backend.close()
    """
)


def test_another_process_gets_the_writer_while_this_one_keeps_writing(
    backend: TantivyBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "WRITER_IDLE_SECONDS", 60.0)
    backend.index([make_document("a", "Breuken")])
    stop = threading.Event()
    written = [0]

    def keep_writing() -> None:
        # A harvest's indexer: batch after batch, never idle for long.
        while not stop.is_set():
            written[0] += 1
            backend.index([make_document(f"batch-{written[0]}", "Les")])
            time.sleep(0.02)

    writer_thread = threading.Thread(target=keep_writing)
    writer_thread.start()
    try:
        done = subprocess.run(
            [sys.executable, "-c", _OTHER_PROCESS, str(backend.directory)],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )
    finally:
        stop.set()
        writer_thread.join()
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) < module.WRITER_LOCK_TIMEOUT / 2
    assert titles(backend, "ander proces") == ["Uit een ander proces"]
    assert backend.count() == 2 + written[0]


def test_a_failed_call_is_rolled_back_and_the_next_one_starts_from_a_fresh_writer(
    backend: TantivyBackend,
) -> None:
    backend.index([make_document("a", "Breuken")])
    first = kept_writer(backend)

    def broken() -> Iterator[SearchDocument]:
        yield make_document("b", "Vulkanen")
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError):
        backend.index(broken())
    assert kept_writer(backend) is None
    assert titles(backend) == ["Breuken"]
    backend.index([make_document("c", "Rivieren")])
    assert kept_writer(backend) is not first
    assert titles(backend) == ["Breuken", "Rivieren"]


def test_a_rebuild_elsewhere_moves_the_next_write_to_the_new_generation(
    backend: TantivyBackend,
) -> None:
    backend.index([make_document("a", "Oude les")])
    old = kept_writer(backend)
    other = TantivyBackend.open(backend.directory)
    try:
        assert other.rebuild([make_document("n", "Nieuwe les")]) == 1
        backend.index([make_document("b", "Nieuwe les erbij")])
        assert kept_writer(backend) is not old
        assert titles(other) == ["Nieuwe les", "Nieuwe les erbij"]
    finally:
        other.close()


def test_a_rebuild_gives_up_the_writer_of_the_generation_it_replaces(
    backend: TantivyBackend,
) -> None:
    backend.index([make_document("a", "Oude les")])
    assert backend.rebuild([make_document("n", "Nieuwe les")]) == 1
    assert kept_writer(backend) is None
    assert lock_is_free(backend.directory)
    backend.index([make_document("b", "Nieuwe les erbij")])
    assert titles(backend) == ["Nieuwe les", "Nieuwe les erbij"]


def test_reading_never_takes_the_writer(backend: TantivyBackend) -> None:
    other = TantivyBackend.open(backend.directory)
    try:
        other.index([make_document("a", "Breuken")])
        other.close()
        backend.search(SearchQuery(text="breuken", facets=("contexts",)))
        backend.suggest("bre")
        backend.spelling("breukn")
        assert backend.count() == 1
        assert kept_writer(backend) is None
        assert lock_is_free(backend.directory)
    finally:
        other.close()
