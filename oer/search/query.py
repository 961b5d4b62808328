"""Backend-neutral search queries, results and paging cursors. Pure; no I/O.

A `SearchQuery` says what to find; every backend answers it with the same
`SearchResult`. Filters are OR within a field and AND across fields. Facet
counts are computed over the documents that match the text and all filters.
Paging is either by page number (shallow, up to MAX_RESULT_WINDOW hits) or by
an opaque `search_after` cursor taken from the previous result (deep paging:
every document exactly once, as long as the index does not change meanwhile).
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from oer.search.document import SearchDocument, check_field
from oer.search.errors import SearchQueryError
from oer.search.text import Match, QueryText, parse_text

# Page-number paging stops here (Elasticsearch's default index.max_result_window);
# beyond it, page with `search_after`. The same limit applies to every backend.
MAX_RESULT_WINDOW = 10_000
MAX_PAGE_SIZE = 1_000
DEFAULT_FACET_LIMIT = 100
# Suggestions start at this many typed characters (spaces around them not counted):
# one letter says too little to complete usefully, and matches a large share of
# every title, which is what makes such a lookup slow.
MIN_SUGGEST_CHARS = 2

CursorValue = str | int | float


class Sort(enum.Enum):
    """Result order. Ties are always broken by document id, so paging is stable."""

    RELEVANCE = "relevance"
    DATE_DESC = "date_desc"
    DATE_ASC = "date_asc"


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What to search for. An empty `text` matches every document.

    `text` is read by `oer.search.text`: words, "quoted phrases" and
    -exclusions; `match` says whether all its words must match or most of them.
    """

    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    facets: tuple[str, ...] = ()
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    size: int = 20
    search_after: str | None = None
    highlight: bool = False
    facet_limit: int = DEFAULT_FACET_LIMIT
    match: Match = Match.ALL

    def __post_init__(self) -> None:
        filters = {check_field(name): tuple(values) for name, values in self.filters.items()}
        for name, values in filters.items():
            if not values or any(not isinstance(v, str) or not v for v in values):
                raise SearchQueryError(f"filter {name!r} needs one or more non-empty values")
        object.__setattr__(self, "filters", MappingProxyType(filters))
        object.__setattr__(self, "facets", tuple(check_field(name) for name in self.facets))
        if not 0 <= self.size <= MAX_PAGE_SIZE:
            raise SearchQueryError(f"page size must be between 0 and {MAX_PAGE_SIZE}")
        if self.page < 1:
            raise SearchQueryError("page numbers start at 1")
        if self.search_after is not None and self.page != 1:
            raise SearchQueryError("use either a page number or search_after, not both")
        if self.search_after is None and self.page * self.size > MAX_RESULT_WINDOW:
            raise SearchQueryError(
                f"page {self.page} is beyond the first {MAX_RESULT_WINDOW} results; "
                "page with search_after instead"
            )
        if self.facet_limit < 1:
            raise SearchQueryError("facet_limit must be at least 1")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def has_text(self) -> bool:
        return bool(self.text.strip())

    @property
    def parsed_text(self) -> QueryText:
        return parse_text(self.text)


@dataclass(frozen=True, slots=True)
class Hit:
    """One result: the stored document, its score (None when sorted by date), highlights.

    `highlights` maps a field (`title`, `description`) to fragments of its
    text that are HTML-escaped, with the matched words wrapped in
    `<mark>...</mark>`; fields without a match are absent.
    """

    id: str
    score: float | None
    document: SearchDocument
    highlights: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """`total` matching documents, one page of `hits`, and the requested facet counts.

    `facets` maps each requested facet field to value -> count, highest count
    first. `next_search_after` is the cursor for the page after this one, or
    None when this page is the last.
    """

    total: int
    hits: tuple[Hit, ...]
    facets: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    next_search_after: str | None = None


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A search-box completion: a title that matches the typed prefix, and its resource."""

    text: str
    id: str


@dataclass(frozen=True, slots=True)
class Spelling:
    """What the index knows about how one word is spelt.

    `known` is True when searching the word on its own finds documents (with
    the backend's analysis, so a stemmed or accent-folded form counts); then
    there is nothing to correct and `candidates` is empty. Otherwise
    `candidates` are words from the indexed titles and keywords within
    `max_edits(word)` edits of it (see `oer.search.spelling`), closest and then
    most frequent first, lower-cased (and accent-folded where the backend folds
    accents).
    """

    word: str
    known: bool
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Cursor:
    """The decoded form of a `search_after` token.

    `backend` and `sort` guard against a token being replayed against another
    backend or order; `seen` counts the hits already returned so the last page
    can be recognised; `values` are the backend's own sort values.
    """

    backend: str
    sort: Sort
    seen: int
    values: tuple[CursorValue, ...]

    def encode(self) -> str:
        payload = json.dumps(
            [self.backend, self.sort.value, self.seen, list(self.values)],
            separators=(",", ":"),
        ).encode()
        return base64.urlsafe_b64encode(payload).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, *, backend: str, sort: Sort) -> Cursor:
        try:
            padded = token + "=" * (-len(token) % 4)
            data: Any = json.loads(base64.urlsafe_b64decode(padded.encode()))
            name, sort_value, seen, values = data
            cursor = cls(
                backend=str(name),
                sort=Sort(sort_value),
                seen=int(seen),
                values=tuple(_cursor_value(v) for v in values),
            )
        except (ValueError, TypeError, binascii.Error) as error:
            raise SearchQueryError("invalid search_after cursor") from error
        if cursor.backend != backend or cursor.sort is not sort:
            raise SearchQueryError("search_after cursor belongs to another search or order")
        return cursor


def facet_counts(buckets: Mapping[str, int]) -> dict[str, int]:
    """Buckets ordered by count (highest first), then value, as every backend returns them."""
    return dict(sorted(buckets.items(), key=lambda item: (-item[1], item[0])))


def _cursor_value(value: Any) -> CursorValue:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"bad cursor value {value!r}")
    return value
