"""The interface every search backend implements, and the capabilities it declares. Pure; no I/O.

Implementations: `TantivyBackend` (embedded default, an index directory in
OER_HOME), and `ElasticsearchBackend` and `OpenSearchBackend` (the scaled
deployment; both built on `cluster_backend.ClusterBackend`). All pass the
same contract test suite. Operations raise SearchUnavailableError when the
index cannot be reached or read, never an empty result.
"""

from __future__ import annotations

import abc
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from oer.search.document import SearchDocument
from oer.search.query import SearchQuery, SearchResult, Spelling, Suggestion


class Capability(enum.Enum):
    """Features a backend may lack; callers and tests ask instead of assuming."""

    DUTCH_STEMMING = "dutch_stemming"
    ACCENT_FOLDING = "accent_folding"
    DUTCH_STOP_WORDS = "dutch_stop_words"
    HIGHLIGHT = "highlight"
    SUGGEST = "suggest"
    SPELLING = "spelling"
    FACETS = "facets"
    SEARCH_AFTER = "search_after"
    ATOMIC_REBUILD = "atomic_rebuild"


ALL_CAPABILITIES: frozenset[Capability] = frozenset(Capability)


@dataclass(frozen=True, slots=True)
class Health:
    """Whether the backend can serve searches now, and a line saying why (not)."""

    ok: bool
    backend: str
    detail: str
    documents: int | None = None


class SearchBackend(abc.ABC):
    """A search index over `SearchDocument`s.

    `index` and `delete` are visible to `search` when they return. `rebuild`
    replaces the whole index with the given documents without a moment where
    searches see a partial or empty index.
    """

    name: str

    @property
    @abc.abstractmethod
    def capabilities(self) -> frozenset[Capability]:
        """What this backend (as configured and detected at start-up) supports."""

    @abc.abstractmethod
    def index(self, documents: Iterable[SearchDocument]) -> int:
        """Add or replace documents (by id); return how many were written."""

    @abc.abstractmethod
    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""

    @abc.abstractmethod
    def search(self, query: SearchQuery) -> SearchResult:
        """Answer a query (see `SearchQuery` for its semantics)."""

    @abc.abstractmethod
    def suggest(self, prefix: str, limit: int = 10) -> tuple[Suggestion, ...]:
        """Up to `limit` distinct titles completing what was typed, for a search box.

        Titles that start with the typed text come first, then titles with the
        typed words inside them (the last word as a prefix, unless the text
        ends in a space). Titles are distinct ignoring case (and accents, where
        the backend folds them). Text of fewer than MIN_SUGGEST_CHARS
        characters gives no suggestions. Meant to be called on every
        keystroke: its cost does not grow with the number of matching titles.
        """

    @abc.abstractmethod
    def spelling(self, word: str, limit: int = 5) -> Spelling:
        """Whether searching `word` finds anything, and if not, up to `limit` close indexed words.

        The building block of "did you mean": see `Spelling` and
        `oer.search.spelling` for what counts as close. Words shorter than
        MIN_SPELLING_CHARS get no candidates.
        """

    @abc.abstractmethod
    def count(self) -> int:
        """How many documents the index holds."""

    @abc.abstractmethod
    def rebuild(self, documents: Iterable[SearchDocument]) -> int:
        """Replace the index atomically with exactly `documents`; return how many."""

    @abc.abstractmethod
    def health(self) -> Health:
        """Check the backend can serve searches; never raises for an outage."""

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing
        """Release connections or file handles."""
