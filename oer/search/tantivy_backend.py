"""The embedded search backend: a tantivy index in a directory of OER_HOME. I/O: files.

Layout of the index directory:

    CURRENT                 the name of the generation searches use (replaced atomically)
    generations/<name>/     one complete tantivy index per generation

`rebuild` writes a new generation beside the current one and then replaces
CURRENT, so a search sees either the old index or the new one, never a partial
one; every operation re-reads CURRENT (a few microseconds), so other processes
switch over on their next search. Text is analysed the Dutch way: lower-cased,
Dutch stop words removed, accents folded (`Azie` finds `Azië`) and stemmed with
the Snowball Dutch stemmer (`breuk` finds `breuken`).

Search-box suggestions and spelling corrections are answered from fields made
for them, so their cost does not grow with the number of matching titles or
terms: the first characters of every title and of every title word are
indexed as terms (edge n-grams), so a typed prefix is one term lookup instead
of an expansion over every term it starts; distinct titles come from a terms
aggregation over a columnar (fast) copy of the folded title, so only the few
titles shown are read from the document store; spelling candidates come from
a fuzzy (Levenshtein automaton) lookup in the words of titles and keywords,
with a terms aggregation naming the words it matched.

Facet counts come from one terms aggregation over value sets: besides one
term per value (what filters match), every document holds its values of each
facet field joined into one term (`value_set`), and the counts of the sets
found are added up per value. tantivy counts a single-valued column several
times faster than a multi-valued one, and most results hold few distinct
sets; a field whose result holds more than VALUE_SET_BUCKETS of them is
counted value by value instead. Fields whose values go together (FACET_GROUPS:
sector, level and groep; the licence and the other small code lists) share
one column (`group_set`): one column read per document instead of one per
field, and a field most documents leave empty (groep) no longer costs a
sparse column's lookups, since the group's other fields give every document
a term.

Writes (`index`, `delete`) go through one long-lived tantivy writer per
backend, committed at the end of every call, instead of a writer per call:
opening one starts its indexing and merging threads and, with glibc, lets
their freed memory pile up in new malloc arenas batch after batch; a kept
writer also merges segments in the background between calls instead of
making each call wait for its merges. tantivy allows one writer per index,
and several processes write (the harvest's indexer, the web workers after a
publish, a Celery worker), so the writer is given up when it is not in use:
after WRITER_IDLE_SECONDS without a write, and as soon as another writer
waiting for the lock asks for it (it touches WANTED_FILE in the index
directory while it waits; the holder looks at the end of every call and,
when idle, every WRITER_POLL_SECONDS). A waiter thus gets the lock within
one call of the holder, never after a whole harvest.

Documents written to the old generation while a rebuild runs in another
process are not in the new one: reindex from the store after such writes (the
store, not the index, is the source of truth).
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import tantivy

from metadata.facets import FACETS
from oer.search.analysis import compound_parts, split_compound_words, word_form_stems
from oer.search.backend import ALL_CAPABILITIES, Capability, Health, SearchBackend
from oer.search.document import (
    HIGHLIGHT_FIELDS,
    INDEX_SCHEMA_VERSION,
    TEXT_FIELD_BOOSTS,
    SearchDocument,
)
from oer.search.errors import SearchError, SearchQueryError, SearchUnavailableError
from oer.search.query import (
    MIN_SUGGEST_CHARS,
    Cursor,
    CursorValue,
    Hit,
    SearchQuery,
    SearchResult,
    Sort,
    Spelling,
    Suggestion,
    facet_counts,
)
from oer.search.spelling import edit_distance, max_edits
from oer.search.text import Match, TextPart, parse_text, required_words

log = logging.getLogger(__name__)

CURRENT_FILE = "CURRENT"
GENERATIONS_DIR = "generations"
VERSION_FILE = "oer-search.json"
# Touched by a writer waiting for the index's lock: the holder gives it up.
WANTED_FILE = ".writer-wanted"
# From this many documents a search counts its facets on a second thread beside its page.
# Handing the count over costs CPU (measured here, over the search benchmark's queries:
# +0.4 ms a query at 100,000 documents, +0.7 ms at 1,000,000), which a busy site pays
# out of its throughput; it buys little at 100,000 (0.4 ms of a 2.4 ms mean) and much at
# 1,000,000 (2.9 ms of 8.3, and the slowest query's 36 ms down to 23).
PARALLEL_FACETS_MIN_DOCUMENTS = 250_000

DUTCH_ANALYZER = "oer_dutch"
PHRASE_ANALYZER = "oer_dutch_phrase"
WORDS_ANALYZER = "oer_words"
TITLE_KEY_ANALYZER = "oer_title_key"
STARTS_ANALYZER = "oer_starts"

# The long-lived writer of `index`/`delete`: batches of up to a few thousand
# documents, one indexing thread (the Python side building documents is the
# slower half; merges run on tantivy's own merge threads).
INDEX_WRITER_HEAP = 50_000_000
INDEX_WRITER_THREADS = 1
# A rebuild's writer: a large heap gives few, large segments, so less merging
# while it runs and fewer segments for every search afterwards (a million
# documents: about a fifth less CPU than with 200 MB, which merged them all
# once more at the end).
REBUILD_WRITER_HEAP = 600_000_000
REBUILD_WRITER_THREADS = 0  # tantivy's default: one per core, at most 8
# The long-lived writer is given up after this long without a write ...
WRITER_IDLE_SECONDS = 10.0
# ... and, when idle, looks this often whether another writer is waiting for it.
WRITER_POLL_SECONDS = 0.1
# How long a write waits for another process's writer to finish.
WRITER_LOCK_TIMEOUT = 30.0
# How often a waiting writer retries (and renews its request); a request not
# renewed for WANTED_FRESH_SECONDS is one whose waiter gave up or died.
WRITER_RETRY_SECONDS = 0.05
WANTED_FRESH_SECONDS = 1.0
# Characters of description around the matched words in a highlight.
DESCRIPTION_SNIPPET_CHARS = 200
TITLE_SNIPPET_CHARS = 1_000
# The longest prefix of a title (and of a title word) indexed as its own term;
# longer typed text falls back to a prefix query, which then expands to few terms.
STARTS_MAX_CHARS = 20
# Words of the matching documents a spelling lookup considers, most frequent first.
SPELLING_WORDS = 50
# Joins a document's values of a facet field into its value set (`value_set`).
VALUE_SET_SEPARATOR = "\x1f"
# Joins the value sets of the fields of a facet group into one term (`group_set`).
GROUP_SEPARATOR = "\x1e"
# Facet fields counted from one shared column (`group_set`), each group's
# fields in table order; every other facet field has a column of its own.
# Grouped are fields with few values whose combinations stay few: values that
# go together (a sector, its levels and groepen) or small code lists (a
# licence and its family, size, access, cost: a few hundred combinations). A
# group whose result holds more than VALUE_SET_BUCKETS combinations is
# counted value by value.
FACET_GROUPS: tuple[tuple[str, ...], ...] = (
    ("contexts", "educational_levels", "groep"),
    ("licence", "licence_family", "aggregation_level", "access_rights", "cost"),
)
# Distinct value sets of one field a facet count reads; a result with more
# (rare: many documents, each with many values) is counted value by value.
VALUE_SET_BUCKETS = 1_000
# This backend's own index layout beyond the shared schema (INDEX_SCHEMA_VERSION):
# bump it when `build_schema` or `_to_tantivy` change what an index holds.
# 2: the facet value sets; title words without positions.
# 3: the phrase fields (`phrase_field`).
# 4: the value sets of grouped facet fields in one column each (`group_set`).
LAYOUT_VERSION = 4
# Id keys are 63 bits: tantivy's Python binding reads ints as signed on the way in.
_ID_KEY_MASK = (1 << 63) - 1
# The stored form of a document (`SearchDocument.to_dict`): compact, and ASCII
# (escaped), which the json module encodes fastest.
_STORED_JSON = json.JSONEncoder(separators=(",", ":"))
_STORED_JSON_DECODE = json.JSONDecoder().decode

_T = TypeVar("_T")


def id_key(document_id: str) -> int:
    """A stable 63-bit key of a document id, the tie-breaker of every sort order.

    A hash, because tantivy can range-query and sort numbers but not strings;
    two ids colliding in 63 bits is not a practical concern (about 1e-9 for
    a million documents).
    """
    digest = hashlib.blake2b(document_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") & _ID_KEY_MASK


def dutch_analyzer() -> tantivy.TextAnalyzer:
    """Full-text analysis: the same for indexing and for queries."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        # Stop words before folding: the Snowball list spells them with accents.
        .filter(tantivy.Filter.stopword("dutch"))
        .filter(tantivy.Filter.ascii_fold())
        # Compounds into their parts (oer.search.analysis), before they are stemmed.
        .filter(tantivy.Filter.split_compound(sorted(compound_parts())))
        .filter(tantivy.Filter.stemmer("dutch"))
        .build()
    )


def phrase_analyzer() -> tantivy.TextAnalyzer:
    """The full-text analysis with the stop words kept: for quoted phrases only.

    The text fields drop stop words, so there `"rechts voor"` is `rechts` and
    a gap, and any stop word (or none, at a text's end) fills it. The phrase
    fields keep every word, folded, split and stemmed as in `dutch_analyzer`.
    """
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.split_compound(sorted(compound_parts())))
        .filter(tantivy.Filter.stemmer("dutch"))
        .build()
    )


def phrase_field(name: str) -> str:
    """The phrase field of text field `name`: its text with the stop words (`phrase_analyzer`)."""
    return f"{name}_phrase"


def words_analyzer() -> tantivy.TextAnalyzer:
    """Suggestion analysis: whole words as typed (folded), so a prefix matches a word's start."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def title_key_analyzer() -> tantivy.TextAnalyzer:
    """The whole title as one folded term, so "titles starting with ..." is one prefix query."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def starts_analyzer() -> tantivy.TextAnalyzer:
    """Edge n-grams: a value's first 1..STARTS_MAX_CHARS characters, folded like a title key."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(1, STARTS_MAX_CHARS, prefix_only=True))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def value_set_field(name: str) -> str:
    """The field holding each document's set of values of facet field `name` as one term."""
    return f"{name}_set"


def value_set(values: Iterable[str]) -> str:
    """A document's values of a facet field as one term: sorted, so equal sets are one term.

    Facet counts are computed from these: a document has at most one set per
    field, so the set column is single-valued, which tantivy aggregates several
    times faster than a multi-valued column (it skips the per-document lookup
    of where each document's values start and end); the count of a value is
    the sum of the counts of the sets holding it, exact because a document
    holds a value at most once. A document without values has no set, so a
    field no document has costs nothing to count. Facet values are codes and
    ids: one with a separator (a control character) inside would be counted
    as its pieces.
    """
    return VALUE_SET_SEPARATOR.join(sorted(values))


def group_set_field(group: Sequence[str]) -> str:
    """The column the value sets of the facet fields `group` are counted from.

    A field of its own has its value-set field; a group (FACET_GROUPS) has
    one column named after its first field.
    """
    return value_set_field(group[0]) if len(group) == 1 else f"{group[0]}_group_set"


def group_set(sets: Iterable[str]) -> str:
    """A document's value sets (`value_set`) of the fields of a facet group as one term.

    In the group's order, empty sets included, so a field's set is found by
    its place: a value's count is the sum of the counts of the terms whose
    set of that field holds it. A document gets the term when any field of
    the group has a value.
    """
    return GROUP_SEPARATOR.join(sets)


def facet_groups() -> tuple[tuple[str, ...], ...]:
    """Every facet field's group, in table order: FACET_GROUPS, and a group of one for each other field.

    A name in FACET_GROUPS that is no longer a facet field is left out.
    """
    names = tuple(facet.name for facet in FACETS)
    grouped: dict[str, tuple[str, ...]] = {}
    for group in FACET_GROUPS:
        kept = tuple(name for name in names if name in group)
        grouped.update((name, kept) for name in kept)
    return tuple(dict.fromkeys(grouped.get(name, (name,)) for name in names))


# Each facet group and its column, in table order.
_GROUP_FIELDS: tuple[tuple[tuple[str, ...], str], ...] = tuple(
    (group, group_set_field(group)) for group in facet_groups()
)
# Each facet field's group column and its place in the group.
_FIELD_GROUPS: dict[str, tuple[str, int]] = {
    name: (column, place) for group, column in _GROUP_FIELDS for place, name in enumerate(group)
}


@functools.lru_cache(maxsize=8_192)
def set_values(key: str) -> tuple[tuple[str, ...], ...]:
    """The values of each field in a term of a value-set column (`value_set`, `group_set`).

    Parsed once per term: the same few hundred come back search after search.
    """
    return tuple(
        tuple(value for value in part.split(VALUE_SET_SEPARATOR) if value)
        for part in key.split(GROUP_SEPARATOR)
    )


def facet_column(name: str) -> str:
    """The column facet field `name` is counted from: its own, or its group's."""
    return _FIELD_GROUPS[name][0]


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("id_key", indexed=True, fast=True)
    # The material's own date (`SearchDocument.date`) as microseconds since the epoch: sortable
    # and range-queryable.
    builder.add_integer_field("date", indexed=True, fast=True)
    for name in TEXT_FIELD_BOOSTS:
        builder.add_text_field(name, tokenizer_name=DUTCH_ANALYZER)
        # Phrases are matched here, stop words and all; no document store, no fast column.
        builder.add_text_field(phrase_field(name), tokenizer_name=PHRASE_ANALYZER)
    # Suggestions: title words as typed; the whole folded title, also as a fast
    # (columnar) field for terms aggregations; the starts of the title and of
    # each of its words.
    # Matched, never scored or phrase-searched: no frequencies or positions.
    builder.add_text_field("title_words", tokenizer_name=WORDS_ANALYZER, index_option="basic")
    builder.add_text_field(
        "title_key", tokenizer_name=TITLE_KEY_ANALYZER, index_option="basic", fast=True
    )
    builder.add_text_field("title_start", tokenizer_name=STARTS_ANALYZER, index_option="basic")
    builder.add_text_field(
        "title_word_starts", tokenizer_name=STARTS_ANALYZER, index_option="basic"
    )
    # Spelling: the words of titles and keywords as written (folded, not
    # stemmed), searchable by fuzzy queries and aggregatable.
    builder.add_text_field(
        "spelling", tokenizer_name=WORDS_ANALYZER, index_option="basic", fast=True
    )
    for facet in FACETS:
        # One term per value: filters, and exact counts when the sets below are too many.
        builder.add_text_field(facet.name, tokenizer_name="raw", fast=True, index_option="basic")
    for _, column in _GROUP_FIELDS:
        # All of the document's values of the field, or the fields of its group, as
        # one term (`value_set`, `group_set`): what facets are counted from.
        builder.add_text_field(column, tokenizer_name="raw", fast=True, index_option="basic")
    # The document's JSON form; search results are built from it alone.
    builder.add_bytes_field("stored", stored=True)
    return builder.build()


# Lock files tantivy makes in an index directory; a read-only mirror makes its own.
_LOCK_FILES = frozenset({".tantivy-meta.lock", ".tantivy-writer.lock"})


def _mirror(source: Path, mirror: Path) -> None:
    """Make `mirror` hold a symbolic link to every file of `source` (and nothing else).

    tantivy opens an index for reading by taking a lock file in its directory,
    so an index on a read-only file system (or one this user may only read)
    cannot be read where it lies. A mirror in a writable temporary directory
    holds that lock; the index files themselves are read through the links,
    never copied. Called again after a commit by the index's owner, so new
    segments appear and removed ones go.
    """
    wanted = {entry.name for entry in source.iterdir() if entry.is_file() and entry.name not in _LOCK_FILES}
    for entry in mirror.iterdir():
        if entry.is_symlink() and entry.name not in wanted:
            entry.unlink()
    for name in wanted:
        link = mirror / name
        if not link.is_symlink():
            link.symlink_to(source / name)


def _writable(path: Path) -> bool:
    # access() also says no on a read-only mount, where the permission bits would say yes.
    return os.access(path, os.W_OK)


@dataclass(slots=True)
class _Generation:
    name: str
    path: Path
    index: tantivy.Index
    # meta.json's (inode, mtime, size) when the reader last reloaded: a commit
    # (also by another process) replaces that file, and the next search reloads.
    seen_meta: tuple[int, int, int] = (0, 0, 0)
    # A read-only index is read through a mirror of links (see `_mirror`); None when writable.
    mirror: Path | None = None
    # Checked before every operation: kept as a string, not joined anew each time.
    meta_path: str = field(init=False)

    def __post_init__(self) -> None:
        self.meta_path = str(self.path / "meta.json")

    def close(self) -> None:
        if self.mirror is not None:
            shutil.rmtree(self.mirror, ignore_errors=True)
            self.mirror = None

    def refresh(self) -> None:
        try:
            stat = os.stat(self.meta_path)
        except OSError as error:
            raise SearchUnavailableError(
                f"search index {self.path} is missing or unreadable ({error.strerror}); "
                "run `oer reindex`"
            ) from error
        meta = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if meta != self.seen_meta:
            if self.mirror is not None:
                _mirror(self.path, self.mirror)
            self.index.reload()
            self.seen_meta = meta


@dataclass(slots=True)
class _Writer:
    """The backend's long-lived writer, on the generation it was opened for."""

    generation: str
    writer: tantivy.IndexWriter
    # The process that opened it: a child made by fork inherits the object but
    # not its threads, and must not use it (see `_release_writer`).
    pid: int
    last_used: float


# Writers inherited through fork: their threads live in the parent, so they
# are never called or dropped (dropping one joins threads this process lacks).
_INHERITED_WRITERS: list[tantivy.IndexWriter] = []


class TantivyBackend(SearchBackend):
    """A tantivy index in `directory`; safe to share between threads of one process."""

    name = "tantivy"

    def __init__(self, directory: Path) -> None:
        self._directory = Path(directory)
        self._current_path = str(self._directory / CURRENT_FILE)
        self._wanted_path = self._directory / WANTED_FILE
        self._schema = build_schema()
        self._dutch = dutch_analyzer()
        self._phrase = phrase_analyzer()
        # A term of a word form the stemmer leaves apart -> the terms of all its forms.
        self._word_forms = word_form_stems(self._dutch.analyze)
        self._words = words_analyzer()
        self._title_key = title_key_analyzer()
        self._starts = starts_analyzer()
        self._lock = threading.RLock()
        self._generation: _Generation | None = None
        self._writer: _Writer | None = None
        # Wakes the watcher (`_watch_writer`) when the writer is given up.
        self._writer_changed = threading.Condition(self._lock)
        self._watcher: threading.Thread | None = None
        # Counts the facets beside the page's own search (`_aside`); made in the
        # process that uses it, since a pool inherited through fork has no threads.
        self._pool: ThreadPoolExecutor | None = None
        self._pool_pid = 0

    @classmethod
    def open(cls, directory: Path) -> TantivyBackend:
        """Open the index in `directory`, creating an empty one if there is none."""
        backend = cls(directory)
        backend.start()
        return backend

    @property
    def directory(self) -> Path:
        return self._directory

    @property
    def capabilities(self) -> frozenset[Capability]:
        return ALL_CAPABILITIES

    def start(self) -> None:
        """Create the directory and a first, empty generation unless an index exists.

        An existing index is not validated here: one that needs a reindex is
        reported by `health` and by the operations, and `rebuild` repairs it.
        """
        with self._lock, _unavailable_on_os_error(self._directory):
            if not (self._directory / CURRENT_FILE).exists():
                self._directory.mkdir(parents=True, exist_ok=True)
                self._install(self._create_generation([]))

    # -- writing ---------------------------------------------------------------

    def index(self, documents: Iterable[SearchDocument]) -> int:
        with self._lock:
            generation = self._current()
            with self._writing(generation) as writer:
                count = 0
                for document in documents:
                    writer.delete_documents_by_term("id", document.id)
                    writer.add_document(self._to_tantivy(document))
                    count += 1
                if count:
                    writer.commit()
            if count:
                generation.refresh()
            return count

    def delete(self, ids: Iterable[str]) -> None:
        with self._lock:
            generation = self._current()
            with self._writing(generation) as writer:
                count = 0
                for document_id in ids:
                    writer.delete_documents_by_term("id", document_id)
                    count += 1
                if count:
                    writer.commit()
            if count:
                generation.refresh()

    def rebuild(self, documents: Iterable[SearchDocument]) -> int:
        with self._lock:
            # The kept writer belongs to the generation this replaces.
            self._release_writer()
            with _unavailable_on_os_error(self._directory):
                self._directory.mkdir(parents=True, exist_ok=True)
            count = [0]

            def counted() -> Iterator[SearchDocument]:
                for document in documents:
                    count[0] += 1
                    yield document

            generation = self._create_generation(counted())
            self._install(generation)
            return count[0]

    # -- reading ---------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        generation = self._current()
        searcher = self._call(generation.index.searcher)
        text_query = self._text_query(query.text, query.match) if query.has_text else None
        if query.has_text and text_query is None:
            # Only stop words or punctuation: nothing can match.
            return SearchResult(total=0, hits=(), facets={name: {} for name in query.facets})
        base = self._filtered(text_query or tantivy.Query.all_query(), query)
        # Only exclusions (`-toets`): every score is equal, so the order is the id's.
        scored = query.parsed_text.has_terms

        # The facet counts and the page are two engine calls over every match
        # (tantivy has no collector for both); the engine releases the GIL, so
        # in a large index they run side by side, as a search server runs a
        # query's shards (benchmarks/search.py: half the time of the largest
        # result at a million documents). See PARALLEL_FACETS_MIN_DOCUMENTS.
        counting = (
            self._aside(lambda: self._facets(searcher, base, query))
            if query.facets and query.size and searcher.num_docs >= PARALLEL_FACETS_MIN_DOCUMENTS
            else None
        )
        # The page's own engine call counts the matches too where it runs on
        # the whole result (it has to visit every match anyway); a count of
        # its own only for a page resumed after a cursor or of size 0.
        page: list[tuple[float | None, tantivy.DocAddress]] = []
        next_values: tuple[CursorValue, ...] = ()
        total: int | None = None
        if query.size:
            if query.sort is Sort.RELEVANCE and scored:
                page, next_values, total = self._relevance_page(searcher, base, query)
            else:
                page, next_values, total = self._keyset_page(searcher, base, query)
        if total is None:
            total = self._call(lambda: _count(searcher, base))

        seen = self._seen(query) + len(page)
        next_cursor = None
        if page and seen < total:
            next_cursor = Cursor(self.name, query.sort, seen, next_values).encode()

        # Marks come from what must match; excluded words are in no hit anyway.
        marked_query = (
            self._text_query(query.text, query.match, exclusions=False, marking=True)
            if scored
            else None
        )
        highlighter = (
            _Highlighter(searcher, marked_query, self._schema)
            if query.highlight and marked_query is not None
            else None
        )
        hits = tuple(self._hit(searcher, score, address, highlighter) for score, address in page)
        if not query.facets:
            facets: dict[str, dict[str, int]] = {}
        elif counting is not None:
            facets = counting.result()
        elif total:
            facets = self._facets(searcher, base, query)
        else:
            facets = {name: {} for name in query.facets}
        return SearchResult(total=total, hits=hits, facets=facets, next_search_after=next_cursor)

    def suggest(self, prefix: str, limit: int = 10) -> tuple[Suggestion, ...]:
        typed = " ".join(prefix.split())
        key = next(iter(self._title_key.analyze(typed)), "") if typed else ""
        if limit < 1 or len(key) < MIN_SUGGEST_CHARS:
            return ()
        words = self._words.analyze(prefix)
        finished = prefix[-1:].isspace()
        schema = self._schema
        generation = self._current()
        searcher = self._call(generation.index.searcher)

        # Titles that start with the typed text first ...
        starts = self._title_starts_with(key)
        if finished and words:
            # The last word is finished: it must be a whole word of the title.
            starts = self._and(starts, tantivy.Query.term_query(schema, "title_words", words[-1]))
        keys = self._top_titles(searcher, starts, limit)
        # ... then titles with the typed words inside them.
        if len(keys) < limit and words:
            inside = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, self._title_has_words(words, finished)),
                    (tantivy.Occur.MustNot, starts),
                ]
            )
            keys += self._top_titles(searcher, inside, limit - len(keys))
        suggestions = (self._suggestion(searcher, title_key) for title_key in keys)
        return tuple(suggestion for suggestion in suggestions if suggestion is not None)

    def spelling(self, word: str, limit: int = 5) -> Spelling:
        if not word.strip():
            return Spelling(word=word, known=False)
        generation = self._current()
        searcher = self._call(generation.index.searcher)
        text_query = self._text_query(word)
        # Known: it finds something on its own, or the analysis drops it (a
        # stop word), which is no typo either.
        if text_query is None or self._call(lambda: _count(searcher, text_query)):
            return Spelling(word=word, known=True)
        folded = self._words.analyze(word)
        edits = max_edits(folded[0]) if len(folded) == 1 else 0
        if not edits or limit < 1:
            return Spelling(word=word, known=False)
        target = folded[0]
        # The automaton finds the documents with a word within `edits` of the
        # target; the aggregation names their words, with document counts.
        fuzzy = tantivy.Query.fuzzy_term_query(
            self._schema, "spelling", target, distance=edits, transposition_cost_one=True
        )
        aggregation = {"words": {"terms": {"field": "spelling", "size": SPELLING_WORDS}}}
        result: dict[str, Any] = self._call(lambda: searcher.aggregate(fuzzy, aggregation))
        ranked: list[tuple[int, int, str]] = []
        for bucket in (result.get("words") or {}).get("buckets") or []:
            candidate = str(bucket["key"])
            # Most words of those documents are not the ones the automaton matched.
            if abs(len(candidate) - len(target)) > edits:
                continue
            distance = edit_distance(target, candidate)
            if 0 < distance <= edits:
                ranked.append((distance, -int(bucket["doc_count"]), candidate))
        candidates = tuple(candidate for _, _, candidate in sorted(ranked)[:limit])
        return Spelling(word=word, known=False, candidates=candidates)

    def count(self) -> int:
        generation = self._current()
        return int(self._call(lambda: generation.index.searcher().num_docs))

    def health(self) -> Health:
        try:
            documents = self.count()
        except SearchError as error:
            return Health(ok=False, backend=self.name, detail=str(error))
        return Health(
            ok=True,
            backend=self.name,
            detail=f"tantivy index in {self._directory}",
            documents=documents,
        )

    def close(self) -> None:
        """Give up the writer (waiting for its merges) and the reader; the backend may be used again."""
        with self._lock:
            self._release_writer()
            if self._generation is not None:
                self._generation.close()
            self._generation = None
            if self._pool is not None and self._pool_pid == os.getpid():
                self._pool.shutdown()
            self._pool = None

    def _aside(self, work: Callable[[], _T]) -> Future[_T]:
        """`work` started on another thread of this process; its result or error from the future."""
        pool = self._pool
        if pool is None or self._pool_pid != os.getpid():
            with self._lock:
                if self._pool is None or self._pool_pid != os.getpid():
                    # One thread per core: each of several concurrent searches
                    # gets one without waiting behind the others' counts.
                    self._pool = ThreadPoolExecutor(
                        max_workers=os.cpu_count() or 2, thread_name_prefix="tantivy-facets"
                    )
                    self._pool_pid = os.getpid()
                pool = self._pool
        return pool.submit(work)

    # -- generations -----------------------------------------------------------

    def _current(self) -> _Generation:
        """The generation CURRENT names, (re)opened if another process swapped it."""
        try:
            name = _read_small_file(self._current_path).strip()
        except OSError as error:
            raise SearchUnavailableError(
                f"search index {self._directory} is missing or unreadable ({error.strerror}); "
                "run `oer reindex`"
            ) from error
        generation = self._generation
        if generation is not None and generation.name == name:
            generation.refresh()
            return generation
        with self._lock:
            if self._generation is not None and self._generation.name == name:
                self._generation.refresh()
                return self._generation
            path = self._directory / GENERATIONS_DIR / name
            self._check_version(path)
            mirror = None
            try:
                if not _writable(path):
                    mirror = Path(tempfile.mkdtemp(prefix="oer-index-read-"))
                    _mirror(path, mirror)
                index = tantivy.Index.open(str(mirror or path))
            except (OSError, ValueError) as error:
                if mirror is not None:
                    shutil.rmtree(mirror, ignore_errors=True)
                raise SearchUnavailableError(
                    f"search index {path} cannot be opened ({error}); run `oer reindex`"
                ) from error
            self._register_analyzers(index)
            if self._generation is not None:
                self._generation.close()
            self._generation = _Generation(name=name, path=path, index=index, mirror=mirror)
            self._generation.refresh()
            return self._generation

    def _check_version(self, path: Path) -> None:
        try:
            version = json.loads((path / VERSION_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SearchUnavailableError(
                f"search index {path} is incomplete; run `oer reindex`"
            ) from error
        found = (version.get("schema_version"), version.get("layout"))
        if found != (INDEX_SCHEMA_VERSION, LAYOUT_VERSION):
            raise SearchUnavailableError(
                f"search index {path} was built by another version of oer "
                f"(schema {found[0]}, layout {found[1]}; need {INDEX_SCHEMA_VERSION}, "
                f"layout {LAYOUT_VERSION}); run `oer reindex`"
            )

    def _create_generation(self, documents: Iterable[SearchDocument]) -> _Generation:
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}"
        path = self._directory / GENERATIONS_DIR / name
        try:
            with _unavailable_on_os_error(path):
                path.mkdir(parents=True)
                index = tantivy.Index(self._schema, path=str(path), reuse=False)
            self._register_analyzers(index)
            writer = self._open_writer(index, REBUILD_WRITER_HEAP, REBUILD_WRITER_THREADS)
            try:
                add, to_tantivy = writer.add_document, self._to_tantivy
                for document in documents:
                    add(to_tantivy(document))
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                # Waits for the merges, and releases the new generation's lock at once.
                writer.wait_merging_threads()
            with _unavailable_on_os_error(path):
                (path / VERSION_FILE).write_text(
                    json.dumps({"schema_version": INDEX_SCHEMA_VERSION, "layout": LAYOUT_VERSION}),
                    encoding="utf-8",
                )
            index.reload()
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        return _Generation(name=name, path=path, index=index)

    def _install(self, generation: _Generation) -> None:
        """Point CURRENT at `generation` atomically, then drop the other generations."""
        current_file = self._directory / CURRENT_FILE
        temporary = self._directory / f".{CURRENT_FILE}.{secrets.token_hex(4)}"
        with _unavailable_on_os_error(self._directory):
            temporary.write_text(generation.name + "\n", encoding="utf-8")
            with open(temporary, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(temporary, current_file)
            directory_fd = os.open(self._directory, os.O_RDONLY)
            try:
                os.fsync(directory_fd)
            finally:
                os.close(directory_fd)
        self._generation = generation
        for old in (self._directory / GENERATIONS_DIR).iterdir():
            if old.name != generation.name:
                # Readers in other processes keep their memory-mapped files until
                # they re-read CURRENT; removing the directory does not pull them.
                shutil.rmtree(old, ignore_errors=True)

    def _register_analyzers(self, index: tantivy.Index) -> None:
        index.register_tokenizer(DUTCH_ANALYZER, self._dutch)
        index.register_tokenizer(PHRASE_ANALYZER, self._phrase)
        index.register_tokenizer(WORDS_ANALYZER, self._words)
        index.register_tokenizer(TITLE_KEY_ANALYZER, self._title_key)
        index.register_tokenizer(STARTS_ANALYZER, self._starts)
        index.register_fast_field_tokenizer(WORDS_ANALYZER, self._words)
        index.register_fast_field_tokenizer(TITLE_KEY_ANALYZER, self._title_key)

    # -- the writer ------------------------------------------------------------

    @contextmanager
    def _writing(self, generation: _Generation) -> Iterator[tantivy.IndexWriter]:
        """The kept writer of `generation`, opened on first use, for one call's changes.

        The caller holds `_lock` and commits. A failed call is rolled back and
        its writer given up, so the next call starts from a fresh one.
        """
        held = self._writer
        if held is not None and (held.generation != generation.name or held.pid != os.getpid()):
            # CURRENT names another generation now (a rebuild elsewhere), or we were forked.
            self._release_writer()
            held = None
        if held is None:
            writer = self._open_writer(generation.index, INDEX_WRITER_HEAP, INDEX_WRITER_THREADS)
            held = _Writer(generation.name, writer, os.getpid(), time.monotonic())
            self._writer = held
            self._start_watcher()
        try:
            yield held.writer
        except BaseException:
            with suppress(ValueError, OSError):
                held.writer.rollback()
            self._release_writer()
            raise
        held.last_used = time.monotonic()
        if self._writer_wanted():
            self._release_writer()

    def _open_writer(self, index: tantivy.Index, heap: int, threads: int) -> tantivy.IndexWriter:
        """A new index writer, waiting (and asking) for one held elsewhere to be given up."""
        deadline = time.monotonic() + WRITER_LOCK_TIMEOUT
        asked = False
        try:
            while True:
                try:
                    return index.writer(heap_size=heap, num_threads=threads)
                except ValueError as error:
                    if "LockBusy" not in str(error):
                        raise SearchUnavailableError(
                            f"search index cannot be written: {error}"
                        ) from error
                    if time.monotonic() > deadline:
                        raise SearchUnavailableError(
                            "search index is locked by another writer "
                            f"for more than {WRITER_LOCK_TIMEOUT:.0f} s"
                        ) from error
                    asked = self._ask_for_writer() or asked
                    time.sleep(WRITER_RETRY_SECONDS)
                except OSError as error:
                    raise SearchUnavailableError(
                        f"search index cannot be written: {error}"
                    ) from error
        finally:
            if asked:
                with suppress(OSError):
                    self._wanted_path.unlink()

    def _ask_for_writer(self) -> bool:
        """Ask whoever holds the writer to give it up; False where we cannot (read-only)."""
        try:
            self._wanted_path.touch()
        except OSError:
            return False
        return True

    def _writer_wanted(self) -> bool:
        """Whether another writer is waiting for this index's lock now."""
        try:
            asked = os.stat(self._wanted_path).st_mtime
        except OSError:
            return False
        return time.time() - asked < WANTED_FRESH_SECONDS

    def _release_writer(self) -> None:
        """Give up the kept writer, if any: wait for its merges, which frees the lock."""
        with self._lock:
            held, self._writer = self._writer, None
            if held is None:
                return
            self._writer_changed.notify_all()
            if held.pid != os.getpid():
                _INHERITED_WRITERS.append(held.writer)
                return
            try:
                held.writer.wait_merging_threads()
            except (ValueError, OSError) as error:
                # A merge failed (its generation was replaced and removed meanwhile):
                # the committed segments are intact, the merge is simply not done.
                log.warning("search index writer closed with an error: %s", error)

    def _start_watcher(self) -> None:
        """Start the thread that gives the kept writer up when idle or wanted (caller holds `_lock`)."""
        if self._watcher is not None and self._watcher.is_alive():
            return
        self._watcher = threading.Thread(
            target=self._watch_writer, name=f"oer-index-writer-{self._directory.name}", daemon=True
        )
        self._watcher.start()

    def _watch_writer(self) -> None:
        with self._lock:
            try:
                while (held := self._writer) is not None:
                    idle = time.monotonic() - held.last_used
                    if idle >= WRITER_IDLE_SECONDS or self._writer_wanted():
                        self._release_writer()
                        break
                    self._writer_changed.wait(
                        min(WRITER_POLL_SECONDS, WRITER_IDLE_SECONDS - idle)
                    )
            finally:
                self._watcher = None

    # -- documents -------------------------------------------------------------

    def _to_tantivy(self, document: SearchDocument) -> tantivy.Document:
        # The Python half of indexing, on one core for every document: kept to
        # plain calls (one per value is faster than Document.from_dict).
        doc = tantivy.Document()
        add = doc.add_text
        add("id", document.id)
        doc.add_unsigned("id_key", id_key(document.id))
        doc.add_integer("date", _micros(document.date.moment))
        title = document.title
        add("title", title)
        add("title_phrase", title)
        add("title_words", title)
        # Runs of spaces collapsed, as typed text is before it is looked up.
        key = " ".join(title.split())
        add("title_key", key)
        add("title_start", key)
        for word in dict.fromkeys(self._words.analyze(key)):
            add("title_word_starts", word)
        add("spelling", key)
        if document.description:
            add("description", document.description)
            add("description_phrase", document.description)
        for keyword in document.keywords:
            add("keywords", keyword)
            add("keywords_phrase", keyword)
            add("spelling", keyword)
        for author in document.authors:
            add("authors", author)
            add("authors_phrase", author)
        facets = document.facets
        for group, column in _GROUP_FIELDS:
            sets = []
            for name in group:
                values = facets[name]
                for value in values:
                    add(name, value)
                # No values: an empty set, "" (its place in the group's term).
                sets.append(values[0] if len(values) == 1 else value_set(values))
            if any(sets):
                add(column, sets[0] if len(sets) == 1 else group_set(sets))
        doc.add_bytes("stored", _STORED_JSON.encode(document.to_dict()).encode())
        return doc

    def _stored(self, searcher: tantivy.Searcher, address: tantivy.DocAddress) -> SearchDocument:
        stored = self._call(lambda: searcher.doc(address).get_first("stored"))
        if not isinstance(stored, bytes):
            raise SearchUnavailableError("search index holds a document without its stored form")
        # Decoded first: json.loads would otherwise sniff the bytes' encoding.
        return SearchDocument.from_dict(_STORED_JSON_DECODE(stored.decode("utf-8")))

    def _hit(
        self,
        searcher: tantivy.Searcher,
        score: float | None,
        address: tantivy.DocAddress,
        highlighter: _Highlighter | None,
    ) -> Hit:
        document = self._stored(searcher, address)
        highlights = highlighter.highlight(document) if highlighter else {}
        return Hit(id=document.id, score=score, document=document, highlights=highlights)

    # -- queries ---------------------------------------------------------------

    def _text_query(
        self, text: str, match: Match = Match.ALL, *, exclusions: bool = True, marking: bool = False
    ) -> tantivy.Query | None:
        """The query for search text (`oer.search.text`); None when nothing can match.

        Words and phrases match in any text field, boosted per field: every
        word (or, relaxed, `required_words` of them) and every phrase must
        match, no excluded word or phrase may. As on the search clusters, the
        words that the analysis leaves empty (only stop words) match nothing;
        an excluded one that does excludes nothing. Phrases keep their stop
        words (`_phrase_query`). `marking`:
        the query that marks the matched words in title and description, where
        a phrase's words are looked for in those fields themselves.
        """
        # Compounds as their parts, as on the search clusters (oer.search.analysis).
        parsed = split_compound_words(parse_text(text))
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if parsed.words:
            words = [q for q in (self._word_query(w, match) for w in parsed.words) if q is not None]
            if not words:
                return None
            if match is Match.ALL:
                clauses += [(tantivy.Occur.Must, q) for q in words]
            else:
                either = [(tantivy.Occur.Should, q) for q in words]
                needed = required_words(len(words), match)
                clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(either, needed)))
        for phrase in parsed.phrases:
            phrase_query = self._marked_phrase(phrase) if marking else self._phrase_query(phrase)
            if phrase_query is None:
                return None
            clauses.append((tantivy.Occur.Must, phrase_query))
        if exclusions:
            for part in parsed.excluded:
                excluded = self._part_query(part)
                if excluded is not None:
                    clauses.append((tantivy.Occur.MustNot, excluded))
        if not clauses:
            return None
        if all(occur == tantivy.Occur.MustNot for occur, _ in clauses):
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)

    def _part_query(self, part: TextPart) -> tantivy.Query | None:
        return self._phrase_query(part.text) if part.phrase else self._word_query(part.text)

    def _word_query(self, word: str, match: Match = Match.ALL) -> tantivy.Query | None:
        """One typed word in any text field; None when the analysis drops it.

        A word the analysis splits (`e-learning`) needs all its pieces when
        strict and one when relaxed; tokens at the same position are
        alternatives. This is how the clusters' `simple_query_string` reads a
        word with its default operator.
        """
        by_position: dict[int, list[str]] = {}
        for token in self._dutch.pre_tokenize(word).tokens:
            by_position.setdefault(token.position, []).append(token.text)
        if not by_position:
            return None
        groups = [
            self._any_field(tokens[0])
            if len(tokens) == 1
            # Only a compound's parts share a position here (an excluded
            # compound, the one word left unsplit): all of them must match.
            else tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, self._any_field(t)) for t in dict.fromkeys(tokens)]
            )
            for tokens in by_position.values()
        ]
        if len(groups) == 1:
            return groups[0]
        occur = tantivy.Occur.Must if match is Match.ALL else tantivy.Occur.Should
        return tantivy.Query.boolean_query([(occur, q) for q in groups])

    def _phrase_query(self, phrase: str) -> tantivy.Query | None:
        """The words in this order in one text field, stop words included (the phrase fields).

        "rechts voor" finds "Gelijkwaardige kruispunten: rechts voor" and not
        "Links en rechts: spelletjes voor kleuters"; None for no words at all.
        """
        tokens = [(t.position, t.text) for t in self._phrase.pre_tokenize(phrase).tokens]
        if not tokens:
            return None
        if len(tokens) == 1:
            # One word: in any of its forms, as a word is (`_any_field`).
            return tantivy.Query.boolean_query([
                (tantivy.Occur.Should, tantivy.Query.boost_query(
                    tantivy.Query.term_query(self._schema, phrase_field(name), term), boost))
                for term in self._word_forms.get(tokens[0][1], (tokens[0][1],))
                for name, boost in TEXT_FIELD_BOOSTS.items()
            ])
        first = tokens[0][0]
        words: list[str | tuple[int, str]] = [(pos - first, tok) for pos, tok in tokens]
        return tantivy.Query.boolean_query([
            (tantivy.Occur.Should, tantivy.Query.boost_query(
                tantivy.Query.phrase_query(self._schema, phrase_field(name), words), boost))
            for name, boost in TEXT_FIELD_BOOSTS.items()
        ])

    def _marked_phrase(self, phrase: str) -> tantivy.Query | None:
        """A phrase's words in the text fields themselves, to mark them (`_text_query`).

        Positions count the stop words the analysis drops, so only the other
        words are marked; None when only stop words are left.
        """
        tokens = [(t.position, t.text) for t in self._dutch.pre_tokenize(phrase).tokens]
        if not tokens:
            return None
        if len(tokens) == 1:
            return self._any_field(tokens[0][1])
        first = tokens[0][0]
        words: list[str | tuple[int, str]] = [(pos - first, tok) for pos, tok in tokens]
        return tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Should,
                    tantivy.Query.boost_query(
                        tantivy.Query.phrase_query(self._schema, name, words), boost
                    ),
                )
                for name, boost in TEXT_FIELD_BOOSTS.items()
            ]
        )

    def _any_field(self, token: str) -> tantivy.Query:
        """`token` (or a term of another form of its word) in any text field."""
        return tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Should,
                    tantivy.Query.boost_query(
                        tantivy.Query.term_query(self._schema, name, term), boost
                    ),
                )
                for term in self._word_forms.get(token, (token,))
                for name, boost in TEXT_FIELD_BOOSTS.items()
            ]
        )

    def _title_starts_with(self, key: str) -> tantivy.Query:
        """Documents whose folded title starts with `key` (already folded)."""
        if len(key) <= STARTS_MAX_CHARS:
            return tantivy.Query.term_query(self._schema, "title_start", key)
        return tantivy.Query.fuzzy_term_query(
            self._schema, "title_key", key, distance=0, prefix=True
        )

    def _title_has_words(self, words: Sequence[str], finished: bool) -> tantivy.Query:
        """Documents with all of `words` in the title, the last one as a prefix unless finished."""
        schema = self._schema
        *whole, last = words
        clauses = [
            (tantivy.Occur.Must, tantivy.Query.term_query(schema, "title_words", word))
            for word in whole
        ]
        if finished:
            last_query = tantivy.Query.term_query(schema, "title_words", last)
        elif len(last) <= STARTS_MAX_CHARS:
            last_query = tantivy.Query.term_query(schema, "title_word_starts", last)
        else:
            last_query = tantivy.Query.fuzzy_term_query(
                schema, "title_words", last, distance=0, prefix=True
            )
        clauses.append((tantivy.Occur.Must, last_query))
        return tantivy.Query.boolean_query(clauses)

    def _top_titles(self, searcher: tantivy.Searcher, query: tantivy.Query, size: int) -> list[str]:
        """Up to `size` distinct folded titles of the matching documents.

        Most frequent first, then alphabetical: read from the title column
        without scoring or loading a single document.
        """
        aggregation = {"titles": {"terms": {"field": "title_key", "size": size}}}
        result: dict[str, Any] = self._call(lambda: searcher.aggregate(query, aggregation))
        buckets = (result.get("titles") or {}).get("buckets") or []
        return [str(bucket["key"]) for bucket in buckets if bucket["key"]]

    def _suggestion(self, searcher: tantivy.Searcher, title_key: str) -> Suggestion | None:
        """The title as written, and the id, of one document with this folded title."""
        query = tantivy.Query.term_query(self._schema, "title_key", title_key)
        # Ordered by id_key: the same document every time for a repeated title.
        found = self._call(
            lambda: searcher.search(
                query, 1, count=False, order_by_field="id_key", order=tantivy.Order.Asc
            ).hits
        )
        if not found:
            return None
        stored = self._call(lambda: searcher.doc(found[0][1]).get_first("stored"))
        if not isinstance(stored, bytes):
            raise SearchUnavailableError("search index holds a document without its stored form")
        data = json.loads(stored)
        return Suggestion(text=str(data["title"]), id=str(data["id"]))

    def _filtered(self, base: tantivy.Query, query: SearchQuery) -> tantivy.Query:
        if not query.filters:
            return base
        schema = self._schema
        clauses = [(tantivy.Occur.Must, base)]
        for name, values in query.filters.items():
            # Term queries, not a term set query: a term set first collects every
            # document holding one of the values (a third of the index for
            # contexts=PO), a term query is stepped through only where the
            # text matches.
            terms = [tantivy.Query.term_query(schema, name, value) for value in values]
            either = (
                terms[0]
                if len(terms) == 1
                else tantivy.Query.boolean_query([(tantivy.Occur.Should, t) for t in terms])
            )
            # A constant score of 0: filters narrow the result, they do not rank it.
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(either, 0.0)))
        return tantivy.Query.boolean_query(clauses)

    def _and(self, *queries: tantivy.Query) -> tantivy.Query:
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])

    def _date_range(
        self, lower: int | None, upper: int | None, *, inclusive: bool = True
    ) -> tantivy.Query:
        return tantivy.Query.range_query(
            self._schema,
            "date",
            tantivy.FieldType.Integer,
            lower,
            upper,
            include_lower=inclusive or lower is None,
            include_upper=inclusive or upper is None,
        )

    def _after_key(self, key: int) -> tantivy.Query:
        return tantivy.Query.range_query(
            self._schema, "id_key", tantivy.FieldType.Unsigned, key, None, include_lower=False
        )

    def _seen(self, query: SearchQuery) -> int:
        if query.search_after is None:
            return query.offset
        return Cursor.decode(query.search_after, backend=self.name, sort=query.sort).seen

    def _relevance_page(
        self, searcher: tantivy.Searcher, base: tantivy.Query, query: SearchQuery
    ) -> tuple[list[tuple[float | None, tantivy.DocAddress]], tuple[CursorValue, ...], int]:
        """A page by score, and the number of matches."""
        # Scores cannot be range-queried, so a relevance cursor resumes at an
        # offset: exact as long as the index does not change between pages.
        offset = self._seen(query)
        result: Any = self._call(lambda: searcher.search(base, query.size, offset=offset))
        page: list[tuple[float | None, tantivy.DocAddress]] = [
            (float(score), address) for score, address in result.hits
        ]
        return page, (), int(result.count or 0)

    def _keyset_page(
        self, searcher: tantivy.Searcher, base: tantivy.Query, query: SearchQuery
    ) -> tuple[list[tuple[float | None, tantivy.DocAddress]], tuple[CursorValue, ...], int | None]:
        """A page in (date, id_key) or (id_key) order, resuming after the cursor's keys.

        Used for date orders and for relevance without text (every score equal).
        Also the number of matches, unless the page resumes after a cursor
        (its engine calls then see only part of the result).
        """
        by_date = query.sort is not Sort.RELEVANCE
        descending = query.sort is Sort.DATE_DESC
        cursor = (
            Cursor.decode(query.search_after, backend=self.name, sort=query.sort)
            if query.search_after
            else None
        )
        rows: list[tuple[int, int, tantivy.DocAddress]] = []  # (date, id_key, address)
        if not by_date:
            if cursor:
                (key,) = _cursor_ints(cursor, 1)
                scope, start = self._and(base, self._after_key(key)), 0
            else:
                scope, start = base, query.offset
            result: Any = self._call(
                lambda: searcher.search(
                    scope,
                    query.size,
                    count=cursor is None,
                    order_by_field="id_key",
                    order=tantivy.Order.Asc,
                    offset=start,
                )
            )
            rows = [(0, int(key), address) for key, address in result.hits]
            next_values: tuple[CursorValue, ...] = (rows[-1][1],) if rows else ()
            total = None if cursor else int(result.count or 0)
            return [(None, address) for _, _, address in rows], next_values, total

        if cursor:
            date, key = _cursor_ints(cursor, 2)
            tie = self._and(base, self._date_range(date, date), self._after_key(key))
            found = self._call(
                lambda: searcher.search(
                    tie, query.size, count=False, order_by_field="id_key", order=tantivy.Order.Asc
                ).hits
            )
            rows = [(date, int(k), address) for k, address in found]
            rest = self._and(
                base,
                self._date_range(None, date, inclusive=False)
                if descending
                else self._date_range(date, None, inclusive=False),
            )
            needed = query.size - len(rows)
            if needed:
                rows += self._top_by_date(searcher, rest, 0, needed, descending)[0]
            total = None
        else:
            rows, total = self._top_by_date(
                searcher, base, query.offset, query.size, descending
            )
        next_values = (rows[-1][0], rows[-1][1]) if rows else ()
        return [(None, address) for _, _, address in rows], next_values, total

    def _top_by_date(
        self,
        searcher: tantivy.Searcher,
        scope: tantivy.Query,
        start: int,
        count: int,
        descending: bool,
    ) -> tuple[list[tuple[int, int, tantivy.DocAddress]], int]:
        """Rows start..start+count of `scope` in (date, id_key) order, and how many match.

        tantivy sorts by one field; ties on the date are put in id_key order
        here. Every document dated after the last date in the top list is in
        it, so only that last date's group needs a second, id_key-ordered look.
        """
        limit = start + count
        order = tantivy.Order.Desc if descending else tantivy.Order.Asc
        result: Any = self._call(
            lambda: searcher.search(scope, limit, order_by_field="date", order=order)
        )
        found = result.hits
        matches = int(result.count or 0)
        if not found:
            return [], matches
        last_date = int(found[-1][0])
        complete = [(int(date), address) for date, address in found if int(date) != last_date]
        keys = self._call(
            lambda: searcher.fast_field_values("id_key", [address for _, address in complete])
        )
        rows = [
            (date, int(key or 0), address)
            for (date, address), key in zip(complete, keys, strict=True)
        ]
        rows.sort(key=lambda row: (-row[0] if descending else row[0], row[1]))
        group = self._and(scope, self._date_range(last_date, last_date))
        tail = self._call(
            lambda: searcher.search(
                group,
                limit - len(rows),
                count=False,
                order_by_field="id_key",
                order=tantivy.Order.Asc,
            ).hits
        )
        rows += [(last_date, int(key), address) for key, address in tail]
        return rows[start:limit], matches

    def _facets(
        self, searcher: tantivy.Searcher, base: tantivy.Query, query: SearchQuery
    ) -> dict[str, dict[str, int]]:
        """Counts of the values of each requested field, from one aggregation over the value sets.

        One terms aggregation per column (`group_set_field`) a requested field is in.
        """
        wanted: dict[str, list[tuple[str, int]]] = {}
        for name in query.facets:
            column, place = _FIELD_GROUPS[name]
            wanted.setdefault(column, []).append((name, place))
        sets = {
            column: {"terms": {"field": column, "size": VALUE_SET_BUCKETS}} for column in wanted
        }
        result: dict[str, Any] = self._call(lambda: searcher.aggregate(base, sets))
        counted: dict[str, dict[str, int]] = {}
        for column, fields in wanted.items():
            found = result.get(column) or {}
            if found.get("sum_other_doc_count"):
                continue  # more sets than were read: counted value by value below
            counts: list[dict[str, int]] = [{} for _ in fields]
            for bucket in found.get("buckets") or ():
                documents = int(bucket["doc_count"])
                parts = set_values(str(bucket["key"]))
                for (_, place), field_counts in zip(fields, counts, strict=True):
                    for value in parts[place]:
                        field_counts[value] = field_counts.get(value, 0) + documents
            for (name, _), field_counts in zip(fields, counts, strict=True):
                counted[name] = field_counts
        rest = [name for name in query.facets if name not in counted]
        if rest:
            values = {
                name: {"terms": {"field": name, "size": query.facet_limit}} for name in rest
            }
            result = self._call(lambda: searcher.aggregate(base, values))
            for name in rest:
                buckets = (result.get(name) or {}).get("buckets") or ()
                counted[name] = {str(bucket["key"]): int(bucket["doc_count"]) for bucket in buckets}
        return {
            name: dict(list(facet_counts(counted[name]).items())[: query.facet_limit])
            for name in query.facets
        }

    def _call(self, operation: Callable[[], _T]) -> _T:
        """Run a tantivy read, turning I/O failures into SearchUnavailableError."""
        try:
            return operation()
        except OSError as error:
            raise SearchUnavailableError(f"search index cannot be read: {error}") from error


class _Highlighter:
    """Snippets of title and description with the matched words marked."""

    def __init__(
        self, searcher: tantivy.Searcher, text_query: tantivy.Query, schema: tantivy.Schema
    ) -> None:
        self._generators: dict[str, tantivy.SnippetGenerator] = {}
        for name in HIGHLIGHT_FIELDS:
            generator = tantivy.SnippetGenerator.create(searcher, text_query, schema, name)
            generator.set_max_num_chars(
                TITLE_SNIPPET_CHARS if name == "title" else DESCRIPTION_SNIPPET_CHARS
            )
            self._generators[name] = generator

    def highlight(self, document: SearchDocument) -> dict[str, tuple[str, ...]]:
        texts = {"title": document.title, "description": document.description or ""}
        highlights: dict[str, tuple[str, ...]] = {}
        for name, generator in self._generators.items():
            if not texts[name]:
                continue
            doc = tantivy.Document()
            doc.add_text(name, texts[name])
            snippet = generator.snippet_from_doc(doc)
            ranges = [(r.start, r.end) for r in snippet.highlighted()]
            if not ranges:
                continue
            if name == "title":
                # The whole title, not a fragment: tantivy cuts fragments at word
                # boundaries and would drop trailing punctuation.
                start = snippet.fragment_range().start
                shifted = [(begin + start, end + start) for begin, end in ranges]
                highlights[name] = (_mark(texts[name], shifted),)
            else:
                highlights[name] = (_mark(snippet.fragment(), ranges),)
        return highlights


def _mark(fragment: str, ranges: Sequence[tuple[int, int]]) -> str:
    """HTML-escape `fragment` and wrap the byte ranges tantivy matched in <mark>."""
    data = fragment.encode("utf-8")
    out: list[str] = []
    position = 0
    for start, end in sorted(ranges):
        if start < position:
            continue
        out.append(html.escape(data[position:start].decode("utf-8", "replace")))
        out.append("<mark>" + html.escape(data[start:end].decode("utf-8", "replace")) + "</mark>")
        position = end
    out.append(html.escape(data[position:].decode("utf-8", "replace")))
    return "".join(out)


def _read_small_file(path: str) -> str:
    # Without pathlib or a buffered file object: read before every operation.
    descriptor = os.open(path, os.O_RDONLY)
    try:
        return os.read(descriptor, 4096).decode("utf-8")
    finally:
        os.close(descriptor)


def _count(searcher: tantivy.Searcher, query: tantivy.Query) -> int:
    # tantivy panics on a limit of 0; its type stub omits SearchResult.count.
    result: Any = searcher.search(query, 1, count=True)
    return int(result.count or 0)


def _micros(moment: datetime) -> int:
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _cursor_ints(cursor: Cursor, count: int) -> tuple[int, ...]:
    values = cursor.values
    if len(values) != count or not all(isinstance(v, int) for v in values):
        raise SearchQueryError("invalid search_after cursor")
    return tuple(int(v) for v in values)


@contextmanager
def _unavailable_on_os_error(path: Path) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        raise SearchUnavailableError(
            f"search index {path} cannot be used: {error.strerror or error}"
        ) from error
