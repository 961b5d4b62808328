"""Rebuilding the whole search index from a stream of documents. I/O: through the backend.

The store supplies the documents (every current resource, flattened with
`document_from_record`); `reindex` hands them to the backend's atomic
`rebuild`, reporting progress as it goes, so searches keep being answered by
the old index until the new one is complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from oer.search.backend import SearchBackend
from oer.search.document import SearchDocument

# Called with the number of documents handed to the backend so far.
ProgressCallback = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class ReindexReport:
    backend: str
    documents: int
    seconds: float


def reindex(
    backend: SearchBackend,
    documents: Iterable[SearchDocument],
    *,
    on_progress: ProgressCallback | None = None,
    progress_every: int = 500,
) -> ReindexReport:
    """Replace the index with `documents`; `on_progress` sees the running count."""
    started = time.perf_counter()

    def counted() -> Iterator[SearchDocument]:
        count = 0
        for document in documents:
            yield document
            count += 1
            if on_progress is not None and count % progress_every == 0:
                on_progress(count)
        if on_progress is not None:
            on_progress(count)

    written = backend.rebuild(counted())
    return ReindexReport(
        backend=backend.name, documents=written, seconds=time.perf_counter() - started
    )
