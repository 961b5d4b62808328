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

Documents written to the old generation while a rebuild runs in another
process are not in the new one: reindex from the store after such writes (the
store, not the index, is the source of truth).
"""

from __future__ import annotations

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
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import tantivy

from metadata.facets import FACETS
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
from oer.search.text import split_text

log = logging.getLogger(__name__)

CURRENT_FILE = "CURRENT"
GENERATIONS_DIR = "generations"
VERSION_FILE = "oer-search.json"

DUTCH_ANALYZER = "oer_dutch"
WORDS_ANALYZER = "oer_words"
TITLE_KEY_ANALYZER = "oer_title_key"
STARTS_ANALYZER = "oer_starts"

# Writer memory: small for the frequent small batches, larger for a rebuild.
INDEX_WRITER_HEAP = 50_000_000
REBUILD_WRITER_HEAP = 200_000_000
# How long a write waits for another process's writer to finish.
WRITER_LOCK_TIMEOUT = 30.0
# Characters of description around the matched words in a highlight.
DESCRIPTION_SNIPPET_CHARS = 200
TITLE_SNIPPET_CHARS = 1_000
# The longest prefix of a title (and of a title word) indexed as its own term;
# longer typed text falls back to a prefix query, which then expands to few terms.
STARTS_MAX_CHARS = 20
# Words of the matching documents a spelling lookup considers, most frequent first.
SPELLING_WORDS = 50
# Id keys are 63 bits: tantivy's Python binding reads ints as signed on the way in.
_ID_KEY_MASK = (1 << 63) - 1

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
        .filter(tantivy.Filter.stemmer("dutch"))
        .build()
    )


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


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("id_key", indexed=True, fast=True)
    # updated_at as microseconds since the epoch: sortable and range-queryable.
    builder.add_integer_field("date", indexed=True, fast=True)
    for name in TEXT_FIELD_BOOSTS:
        builder.add_text_field(name, tokenizer_name=DUTCH_ANALYZER)
    # Suggestions: title words as typed; the whole folded title, also as a fast
    # (columnar) field for terms aggregations; the starts of the title and of
    # each of its words.
    builder.add_text_field("title_words", tokenizer_name=WORDS_ANALYZER)
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
        builder.add_text_field(facet.name, tokenizer_name="raw", fast=True, index_option="basic")
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

    def close(self) -> None:
        if self.mirror is not None:
            shutil.rmtree(self.mirror, ignore_errors=True)
            self.mirror = None

    def refresh(self) -> None:
        try:
            stat = (self.path / "meta.json").stat()
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


class TantivyBackend(SearchBackend):
    """A tantivy index in `directory`; safe to share between threads of one process."""

    name = "tantivy"

    def __init__(self, directory: Path) -> None:
        self._directory = Path(directory)
        self._schema = build_schema()
        self._dutch = dutch_analyzer()
        self._words = words_analyzer()
        self._title_key = title_key_analyzer()
        self._starts = starts_analyzer()
        self._lock = threading.RLock()
        self._generation: _Generation | None = None

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
            with self._writer(generation.index, INDEX_WRITER_HEAP, 1) as writer:
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
            with self._writer(generation.index, INDEX_WRITER_HEAP, 1) as writer:
                for document_id in ids:
                    writer.delete_documents_by_term("id", document_id)
                writer.commit()
            generation.refresh()

    def rebuild(self, documents: Iterable[SearchDocument]) -> int:
        with self._lock:
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
        text_query = self._text_query(query.text) if query.has_text else None
        if query.has_text and text_query is None:
            # Only stop words or punctuation: nothing can match.
            return SearchResult(total=0, hits=(), facets={name: {} for name in query.facets})
        base = self._filtered(text_query or tantivy.Query.all_query(), query)

        total = self._call(lambda: _count(searcher, base))
        if total and query.size:
            if query.sort is Sort.RELEVANCE and text_query is not None:
                page, next_values = self._relevance_page(searcher, base, query)
            else:
                page, next_values = self._keyset_page(searcher, base, query)
        else:
            page, next_values = [], ()

        seen = self._seen(query) + len(page)
        next_cursor = None
        if page and seen < total:
            next_cursor = Cursor(self.name, query.sort, seen, next_values).encode()

        highlighter = (
            _Highlighter(searcher, text_query, self._schema)
            if query.highlight and text_query is not None
            else None
        )
        hits = tuple(self._hit(searcher, score, address, highlighter) for score, address in page)
        facets = self._facets(searcher, base, query) if query.facets else {}
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
        with self._lock:
            if self._generation is not None:
                self._generation.close()
            self._generation = None

    # -- generations -----------------------------------------------------------

    def _current(self) -> _Generation:
        """The generation CURRENT names, (re)opened if another process swapped it."""
        current_file = self._directory / CURRENT_FILE
        try:
            name = current_file.read_text(encoding="utf-8").strip()
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
        if version.get("schema_version") != INDEX_SCHEMA_VERSION:
            raise SearchUnavailableError(
                f"search index {path} was built by another version of oer "
                f"(schema {version.get('schema_version')}, need {INDEX_SCHEMA_VERSION}); "
                "run `oer reindex`"
            )

    def _create_generation(self, documents: Iterable[SearchDocument]) -> _Generation:
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}"
        path = self._directory / GENERATIONS_DIR / name
        try:
            with _unavailable_on_os_error(path):
                path.mkdir(parents=True)
                index = tantivy.Index(self._schema, path=str(path), reuse=False)
            self._register_analyzers(index)
            with self._writer(index, REBUILD_WRITER_HEAP, 0) as writer:
                for document in documents:
                    writer.add_document(self._to_tantivy(document))
                writer.commit()
            with _unavailable_on_os_error(path):
                (path / VERSION_FILE).write_text(
                    json.dumps({"schema_version": INDEX_SCHEMA_VERSION}), encoding="utf-8"
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
        index.register_tokenizer(WORDS_ANALYZER, self._words)
        index.register_tokenizer(TITLE_KEY_ANALYZER, self._title_key)
        index.register_tokenizer(STARTS_ANALYZER, self._starts)
        index.register_fast_field_tokenizer(WORDS_ANALYZER, self._words)
        index.register_fast_field_tokenizer(TITLE_KEY_ANALYZER, self._title_key)

    @contextmanager
    def _writer(
        self, index: tantivy.Index, heap: int, threads: int
    ) -> Iterator[tantivy.IndexWriter]:
        """An index writer, waiting for one held by another process to finish."""
        deadline = time.monotonic() + WRITER_LOCK_TIMEOUT
        while True:
            try:
                writer = index.writer(heap_size=heap, num_threads=threads)
                break
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
                time.sleep(0.05)
            except OSError as error:
                raise SearchUnavailableError(f"search index cannot be written: {error}") from error
        try:
            yield writer
        except BaseException:
            writer.rollback()
            raise
        finally:
            # Waiting for merges also releases the directory lock right away.
            writer.wait_merging_threads()

    # -- documents -------------------------------------------------------------

    def _to_tantivy(self, document: SearchDocument) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_text("id", document.id)
        doc.add_unsigned("id_key", id_key(document.id))
        doc.add_integer("date", _micros(document.updated_at))
        doc.add_text("title", document.title)
        doc.add_text("title_words", document.title)
        # Runs of spaces collapsed, as typed text is before it is looked up.
        title = " ".join(document.title.split())
        doc.add_text("title_key", title)
        doc.add_text("title_start", title)
        for word in dict.fromkeys(self._words.analyze(title)):
            doc.add_text("title_word_starts", word)
        doc.add_text("spelling", title)
        if document.description:
            doc.add_text("description", document.description)
        for keyword in document.keywords:
            doc.add_text("keywords", keyword)
            doc.add_text("spelling", keyword)
        for author in document.authors:
            doc.add_text("authors", author)
        for name, values in document.facets.items():
            for value in values:
                doc.add_text(name, value)
        doc.add_bytes("stored", json.dumps(document.to_dict(), ensure_ascii=False).encode())
        return doc

    def _stored(self, searcher: tantivy.Searcher, address: tantivy.DocAddress) -> SearchDocument:
        stored = self._call(lambda: searcher.doc(address).get_first("stored"))
        if not isinstance(stored, bytes):
            raise SearchUnavailableError("search index holds a document without its stored form")
        return SearchDocument.from_dict(json.loads(stored))

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

    def _text_query(self, text: str) -> tantivy.Query | None:
        """Every word (or phrase) must match in at least one text field, boosted per field."""
        schema = self._schema
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for part in split_text(text):
            if part.phrase:
                tokens = [(t.position, t.text) for t in self._dutch.pre_tokenize(part.text).tokens]
                if not tokens:
                    continue
                if len(tokens) == 1:
                    clauses.append((tantivy.Occur.Must, self._any_field(tokens[0][1])))
                    continue
                first = tokens[0][0]
                words: list[str | tuple[int, str]] = [(pos - first, tok) for pos, tok in tokens]
                phrases = [
                    (
                        tantivy.Occur.Should,
                        tantivy.Query.boost_query(
                            tantivy.Query.phrase_query(schema, name, words), boost
                        ),
                    )
                    for name, boost in TEXT_FIELD_BOOSTS.items()
                ]
                clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(phrases)))
            else:
                for token in self._dutch.analyze(part.text):
                    clauses.append((tantivy.Occur.Must, self._any_field(token)))
        if not clauses:
            return None
        return tantivy.Query.boolean_query(clauses)

    def _any_field(self, token: str) -> tantivy.Query:
        return tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Should,
                    tantivy.Query.boost_query(
                        tantivy.Query.term_query(self._schema, name, token), boost
                    ),
                )
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
        clauses = [(tantivy.Occur.Must, base)]
        for name, values in query.filters.items():
            # A constant score of 0: filters narrow the result, they do not rank it.
            term_set = tantivy.Query.term_set_query(self._schema, name, list(values))
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(term_set, 0.0)))
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
    ) -> tuple[list[tuple[float | None, tantivy.DocAddress]], tuple[CursorValue, ...]]:
        # Scores cannot be range-queried, so a relevance cursor resumes at an
        # offset: exact as long as the index does not change between pages.
        offset = self._seen(query)
        found = self._call(lambda: searcher.search(base, query.size, offset=offset).hits)
        return [(float(score), address) for score, address in found], ()

    def _keyset_page(
        self, searcher: tantivy.Searcher, base: tantivy.Query, query: SearchQuery
    ) -> tuple[list[tuple[float | None, tantivy.DocAddress]], tuple[CursorValue, ...]]:
        """A page in (date, id_key) or (id_key) order, resuming after the cursor's keys.

        Used for date orders and for relevance without text (every score equal).
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
            found = self._call(
                lambda: searcher.search(
                    scope,
                    query.size,
                    order_by_field="id_key",
                    order=tantivy.Order.Asc,
                    offset=start,
                ).hits
            )
            rows = [(0, int(key), address) for key, address in found]
            next_values: tuple[CursorValue, ...] = (rows[-1][1],) if rows else ()
            return [(None, address) for _, _, address in rows], next_values

        if cursor:
            date, key = _cursor_ints(cursor, 2)
            tie = self._and(base, self._date_range(date, date), self._after_key(key))
            found = self._call(
                lambda: searcher.search(
                    tie, query.size, order_by_field="id_key", order=tantivy.Order.Asc
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
                rows += self._top_by_date(searcher, rest, 0, needed, descending)
        else:
            rows = self._top_by_date(searcher, base, query.offset, query.size, descending)
        next_values = (rows[-1][0], rows[-1][1]) if rows else ()
        return [(None, address) for _, _, address in rows], next_values

    def _top_by_date(
        self,
        searcher: tantivy.Searcher,
        scope: tantivy.Query,
        start: int,
        count: int,
        descending: bool,
    ) -> list[tuple[int, int, tantivy.DocAddress]]:
        """Rows start..start+count of `scope` in (date, id_key) order.

        tantivy sorts by one field; ties on the date are put in id_key order
        here. Every document dated after the last date in the top list is in
        it, so only that last date's group needs a second, id_key-ordered look.
        """
        limit = start + count
        order = tantivy.Order.Desc if descending else tantivy.Order.Asc
        found = self._call(
            lambda: searcher.search(scope, limit, order_by_field="date", order=order).hits
        )
        if not found:
            return []
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
                group, limit - len(rows), order_by_field="id_key", order=tantivy.Order.Asc
            ).hits
        )
        rows += [(last_date, int(key), address) for key, address in tail]
        return rows[start:limit]

    def _facets(
        self, searcher: tantivy.Searcher, base: tantivy.Query, query: SearchQuery
    ) -> dict[str, dict[str, int]]:
        aggregations = {
            name: {"terms": {"field": name, "size": query.facet_limit}} for name in query.facets
        }
        result: dict[str, Any] = self._call(lambda: searcher.aggregate(base, aggregations))
        facets: dict[str, dict[str, int]] = {}
        for name in query.facets:
            buckets = (result.get(name) or {}).get("buckets") or []
            facets[name] = facet_counts(
                {str(bucket["key"]): int(bucket["doc_count"]) for bucket in buckets}
            )
        return facets

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
