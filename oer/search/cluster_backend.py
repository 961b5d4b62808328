"""What the Elasticsearch and OpenSearch backends share. I/O: network, through a subclass's client.

Elasticsearch and OpenSearch (a fork of Elasticsearch 7.10) speak the same
REST API and query DSL for everything this product asks of them, so
`ClusterBackend` holds the index layout, the analysis, every request body and
every reading of a response. A subclass adds only its client: the primitive
calls (`_api_*`, plain JSON in and out) and the translation of that client's
exceptions into `ClusterRequestError` (`_client_errors`).

Searches go to the alias `{prefix}-resources`; the documents live in a
versioned index `{prefix}-resources-v{timestamp}` behind it. `rebuild` fills a
new versioned index and then moves the alias in one atomic `_aliases` call, so
searches never see a partial index, and deletes the old one.

Dutch analysis needs the `analysis-common` module (Dutch stop words come with
the core): with it, text fields use the Snowball Dutch stemmer and a
`.folded` subfield adds ASCII folding (`Azie` finds `Azië`), as SURF
edusources does. Minimal distributions (Maven Central's integ-test-zips) lack
that module; the backend detects this at start-up (it asks the node to
analyse a word with the Dutch stemmer), logs a warning and builds its indexes
with the standard tokenizer, lower-casing and Dutch stop words only, and says
so in `capabilities`. The analysis an index was built with is recorded in its
mapping's `_meta`, so capabilities follow the index actually searched.

Search-box suggestions use a completion field (an in-memory FST per segment);
spelling corrections use the term suggester over a `spelling` field that
holds the words of titles and keywords as written (lower-cased, accent-folded
where the analysis allows, never stemmed, so corrections are real words).
"""

from __future__ import annotations

import abc
import enum
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar, Self
from urllib.parse import urlsplit, urlunsplit

from metadata.facets import FACETS
from oer.errors import ConfigurationError
from oer.search.analysis import (
    MIN_COMPOUND_CHARS,
    MIN_PART_CHARS,
    compound_parts,
    split_compound_words,
    stemmer_override_rules,
)
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
from oer.search.spelling import MIN_SPELLING_CHARS, max_edits
from oer.search.text import Match, QueryText, parse_text

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 10.0
BULK_CHUNK = 1_000
DESCRIPTION_SNIPPET_CHARS = 200
# Completion inputs per title: the whole title and the title from its 2nd, 3rd ... word.
SUGGEST_SUFFIXES = 6
SUGGEST_CANDIDATES = 3
SPELLING_SOURCES = ("title", "keywords")
_WORD = re.compile(r"\w+")


class Analysis(enum.Enum):
    """Which text analysis an index uses."""

    DUTCH = "dutch"  # analysis-common present: stemmer + ASCII folding + stop words
    STANDARD = "standard"  # core only: standard tokenizer, lower-case, Dutch stop words


STANDARD_CAPABILITIES = ALL_CAPABILITIES - {Capability.DUTCH_STEMMING, Capability.ACCENT_FOLDING}


def analysis_settings(analysis: Analysis) -> dict[str, Any]:
    """The index `analysis` settings for `analysis`; the analyzer names are the same in both."""
    stop = {"type": "stop", "stopwords": "_dutch_"}
    if analysis is Analysis.DUTCH:
        # The word forms and compounds of oer.search.analysis: compounds are
        # split at index time only (a query's words are split before they are
        # sent, see `ClusterBackend.search`), word forms made one on both sides.
        forms = ["oer_dutch_forms", "oer_dutch_stemmer", "oer_dutch_once"]
        return {
            "filter": {
                "oer_dutch_stop": stop,
                "oer_dutch_stemmer": {"type": "stemmer", "language": "dutch"},
                "oer_dutch_forms": {"type": "stemmer_override", "rules": stemmer_override_rules()},
                "oer_dutch_compounds": {
                    "type": "dictionary_decompounder",
                    "word_list": sorted(compound_parts()),
                    "min_word_size": MIN_COMPOUND_CHARS,
                    "min_subword_size": MIN_PART_CHARS,
                    "only_longest_match": True,
                },
                # The decompounder repeats a word that is itself a part; once is enough.
                "oer_dutch_once": {"type": "unique", "only_on_same_position": True},
            },
            "analyzer": {
                "oer_dutch": {
                    "tokenizer": "standard",
                    "filter": ["lowercase", "oer_dutch_stop", "oer_dutch_compounds", *forms],
                },
                "oer_dutch_folded": {
                    "tokenizer": "standard",
                    "filter": [
                        "lowercase", "oer_dutch_stop", "asciifolding", "oer_dutch_compounds", *forms
                    ],
                },
                "oer_dutch_search": {
                    "tokenizer": "standard",
                    "filter": ["lowercase", "oer_dutch_stop", *forms],
                },
                "oer_dutch_folded_search": {
                    "tokenizer": "standard",
                    "filter": ["lowercase", "oer_dutch_stop", "asciifolding", *forms],
                },
                # The `.phrase` subfields: the folded analysis with the stop words kept.
                "oer_dutch_phrase": {
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding", "oer_dutch_compounds", *forms],
                },
                "oer_dutch_phrase_search": {
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding", *forms],
                },
                "oer_suggest": {"tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
            },
        }
    return {
        "filter": {"oer_dutch_stop": stop},
        "analyzer": {
            "oer_dutch": {"tokenizer": "standard", "filter": ["lowercase", "oer_dutch_stop"]},
            "oer_dutch_folded": {
                "tokenizer": "standard",
                "filter": ["lowercase", "oer_dutch_stop"],
            },
            "oer_suggest": {"tokenizer": "standard", "filter": ["lowercase"]},
            # The same for queries: nothing is split at index time either.
            "oer_dutch_search": {"tokenizer": "standard", "filter": ["lowercase", "oer_dutch_stop"]},
            "oer_dutch_folded_search": {
                "tokenizer": "standard",
                "filter": ["lowercase", "oer_dutch_stop"],
            },
            "oer_dutch_phrase": {"tokenizer": "standard", "filter": ["lowercase"]},
            "oer_dutch_phrase_search": {"tokenizer": "standard", "filter": ["lowercase"]},
        },
    }


def index_mappings(analysis: Analysis) -> dict[str, Any]:
    # Queries without the decompounder (see `analysis_settings`).
    text = {
        "type": "text",
        "analyzer": "oer_dutch",
        "search_analyzer": "oer_dutch_search",
        "fields": {
            "folded": {
                "type": "text",
                "analyzer": "oer_dutch_folded",
                "search_analyzer": "oer_dutch_folded_search",
            },
            # Quoted phrases only (`phrase_query`): the stop words kept, so "rechts voor"
            # does not match "rechts: spelletjes voor".
            "phrase": {
                "type": "text",
                "analyzer": "oer_dutch_phrase",
                "search_analyzer": "oer_dutch_phrase_search",
            },
        },
    }
    properties: dict[str, Any] = {
        "id": {"type": "keyword"},
        **{name: dict(text) for name in TEXT_FIELD_BOOSTS},
        # Spelling corrections come from the words of titles and keywords.
        "spelling": {
            "type": "text",
            "analyzer": "oer_suggest",
            "index_options": "docs",
            "norms": False,
        },
        "updated_at": {"type": "date"},
        # The material's own date (`SearchDocument.date`): what "newest first" sorts by.
        "date": {"type": "date"},
        "date_kind": {"type": "keyword", "index": False, "doc_values": False},
        "date_precision": {"type": "keyword", "index": False, "doc_values": False},
        "learning_time": {"type": "integer", "index": False, "doc_values": False},
        "url": {"type": "keyword", "index": False, "doc_values": False},
        "labels": {"type": "object", "enabled": False},
        "suggest": {
            "type": "completion",
            "analyzer": "oer_suggest",
            "search_analyzer": "oer_suggest",
            "max_input_length": 100,
        },
        **{facet.name: {"type": "keyword"} for facet in FACETS},
    }
    for name in SPELLING_SOURCES:
        properties[name]["copy_to"] = "spelling"
    return {
        "dynamic": "strict",
        "_meta": {"schema_version": INDEX_SCHEMA_VERSION, "analysis": analysis.value},
        "properties": properties,
    }


class ClusterRequestError(SearchError):
    """A request to the cluster failed, in a client-neutral form.

    `status` is the HTTP status of the answer, None when none came (refused
    connection, timeout); `reason` a short text fit for a message. Only a
    subclass's `_client_errors` raises it, and `ClusterBackend` turns it into
    SearchUnavailableError or SearchError before it leaves the backend.
    """

    def __init__(self, status: int | None, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class ClusterBackend(SearchBackend):
    """A search cluster at `url` speaking the Elasticsearch query DSL, indexes named after `index_prefix`.

    The constructor does no I/O; `start` (called by `open_backend` and by
    `connect`) checks the cluster, detects the analysis and creates the first
    index when there is none. Pass `analysis` to skip the detection.
    """

    # The product's name in messages ("Elasticsearch", "OpenSearch").
    product: ClassVar[str]

    def __init__(
        self, url: str, *, index_prefix: str = "oer", analysis: Analysis | None = None
    ) -> None:
        self._url = url
        self._alias = f"{index_prefix}-resources"
        self._forced_analysis = analysis
        self._analysis: Analysis | None = analysis
        self._index_analysis: Analysis | None = None
        self._index_version: int | None = None

    @classmethod
    def connect(
        cls, url: str, *, index_prefix: str = "oer", analysis: Analysis | None = None
    ) -> Self:
        backend = cls(url, index_prefix=index_prefix, analysis=analysis)
        backend.start()
        return backend

    @property
    def alias(self) -> str:
        return self._alias

    @property
    def analysis(self) -> Analysis:
        """The analysis new indexes get (detected at start-up unless forced)."""
        return self._analysis or Analysis.STANDARD

    @property
    def index_analysis(self) -> Analysis | None:
        """The analysis recorded in the index the alias points at (None before one is read)."""
        return self._index_analysis

    @property
    def capabilities(self) -> frozenset[Capability]:
        analysis = self._index_analysis or self.analysis
        return ALL_CAPABILITIES if analysis is Analysis.DUTCH else STANDARD_CAPABILITIES

    def start(self) -> None:
        """Check the cluster answers, detect the analysis, create the first index if needed.

        Raises ConfigurationError when the cluster cannot be reached: that is
        a start-up problem the operator has to fix, not a run-time outage.
        """
        try:
            with self._client_errors():
                self._api_cluster_health()
        except ClusterRequestError as error:
            raise ConfigurationError(
                f"OER_SEARCH_URL: {self.product} at {display_url(self._url)} cannot be "
                f"reached ({error.reason}); start it, or unset OER_SEARCH_URL to use the "
                "embedded index"
            ) from error
        with self._unavailable():
            if self._forced_analysis is None:
                self._analysis = self.detect_analysis()
            if not self._api_alias_exists(self._alias):
                self._install(self._create_index())
            else:
                self._read_meta()

    def detect_analysis(self) -> Analysis:
        """DUTCH when the node can run the Dutch stemmer and ASCII folding, else STANDARD."""
        with self._unavailable():
            try:
                with self._client_errors():
                    result = self._api_analyze(
                        {
                            "tokenizer": "standard",
                            "filter": [
                                "lowercase",
                                "asciifolding",
                                {"type": "stemmer", "language": "dutch"},
                            ],
                            "text": "Rivieren",
                        }
                    )
            except ClusterRequestError as error:
                if error.status != 400:
                    raise
                log.warning(
                    "%s at %s lacks the analysis-common module (%s): indexing with the "
                    "standard analyzer and Dutch stop words only, without Dutch stemming and "
                    "accent folding. Use a distribution that includes analysis-common for Dutch "
                    "search quality.",
                    self.product,
                    display_url(self._url),
                    error.reason,
                )
                return Analysis.STANDARD
        tokens = [token["token"] for token in result.get("tokens", [])]
        return Analysis.DUTCH if tokens == ["rivier"] else Analysis.STANDARD

    # -- writing ---------------------------------------------------------------

    def index(self, documents: Iterable[SearchDocument]) -> int:
        actions = (
            {"_op_type": "index", "_index": self._alias, "_id": d.id, "_source": document_source(d)}
            for d in documents
        )
        with self._unavailable():
            # require_alias: never let a write auto-create a concrete index
            # with a guessed mapping where the alias should be.
            count = self._bulk(actions, require_alias=True)
            if count:
                self._api_refresh(self._alias)
        return count

    def delete(self, ids: Iterable[str]) -> None:
        actions = ({"_op_type": "delete", "_index": self._alias, "_id": i} for i in ids)
        with self._unavailable():
            if self._bulk(actions, require_alias=True, missing_ok=True):
                self._api_refresh(self._alias)

    def rebuild(self, documents: Iterable[SearchDocument]) -> int:
        with self._unavailable():
            new_index = self._create_index(bulk_load=True)
            try:
                actions = (
                    {
                        "_op_type": "index",
                        "_index": new_index,
                        "_id": d.id,
                        "_source": document_source(d),
                    }
                    for d in documents
                )
                count = self._bulk(actions)
                self._api_put_settings(new_index, {"index": {"refresh_interval": None}})
                self._api_refresh(new_index)
            except BaseException:
                self._api_delete_index(new_index)
                raise
            self._install(new_index)
        return count

    # -- reading ---------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        parsed = query.parsed_text
        if (self._index_analysis or self.analysis) is Analysis.DUTCH:
            # Compounds are split in the index; a query's are split here (oer.search.analysis).
            parsed = split_compound_words(parsed)
        must, must_not = text_clauses(parsed, query.match)
        filters = [{"terms": {name: list(values)}} for name, values in query.filters.items()]
        # Only exclusions (`-toets`): every score is equal, so the order is the id's.
        by_score = query.sort is Sort.RELEVANCE and parsed.has_terms
        sort: list[Any]
        if query.sort is Sort.RELEVANCE:
            sort = ["_score", {"id": "asc"}] if by_score else [{"id": "asc"}]
        else:
            order = "desc" if query.sort is Sort.DATE_DESC else "asc"
            sort = [{"date": order}, {"id": "asc"}]

        request: dict[str, Any] = {
            "query": {
                "bool": {"must": must or [{"match_all": {}}], "must_not": must_not,
                         "filter": filters}
            },
            "sort": sort,
            "size": query.size,
            "track_total_hits": True,
            "_source": {"excludes": ["suggest"]},
        }
        seen = query.offset
        if query.search_after is not None:
            cursor = Cursor.decode(query.search_after, backend=self.name, sort=query.sort)
            if len(cursor.values) != len(sort):
                raise SearchQueryError("search_after cursor belongs to another search")
            request["search_after"] = list(cursor.values)
            seen = cursor.seen
        elif query.offset:
            request["from"] = query.offset
        if query.facets:
            request["aggs"] = {
                name: {"terms": {"field": name, "size": query.facet_limit}}
                for name in query.facets
            }
        if query.highlight and parsed.has_terms:
            request["highlight"] = highlight_request()

        with self._unavailable():
            body = self._api_search(self._alias, request)
        total = int(body["hits"]["total"]["value"])
        raw_hits = body["hits"]["hits"]
        hits = tuple(
            Hit(
                id=str(raw["_id"]),
                score=float(raw["_score"]) if by_score and raw.get("_score") is not None else None,
                document=SearchDocument.from_dict(raw["_source"]),
                highlights=highlights(raw.get("highlight") or {}),
            )
            for raw in raw_hits
        )
        seen += len(hits)
        next_cursor = None
        if hits and seen < total:
            values: tuple[CursorValue, ...] = tuple(raw_hits[-1]["sort"])
            next_cursor = Cursor(self.name, query.sort, seen, values).encode()
        facets: dict[str, dict[str, int]] = {}
        for name in query.facets:
            buckets = body.get("aggregations", {}).get(name, {}).get("buckets", [])
            facets[name] = facet_counts(
                {str(bucket["key"]): int(bucket["doc_count"]) for bucket in buckets}
            )
        return SearchResult(total=total, hits=hits, facets=facets, next_search_after=next_cursor)

    def suggest(self, prefix: str, limit: int = 10) -> tuple[Suggestion, ...]:
        if len(" ".join(prefix.split())) < MIN_SUGGEST_CHARS or limit < 1:
            return ()
        with self._unavailable():
            body = self._api_search(
                self._alias,
                {
                    "size": 0,
                    "_source": {"includes": ["id", "title"]},
                    "suggest": {
                        "titles": {
                            "prefix": prefix.lstrip(),
                            "completion": {
                                "field": "suggest",
                                "size": limit * SUGGEST_CANDIDATES,
                                "skip_duplicates": True,
                            },
                        }
                    },
                },
            )
        folds = Capability.ACCENT_FOLDING in self.capabilities
        # The completion analyzer drops a trailing space, so "the last word is
        # finished" is checked here: it must be a whole word of the title.
        finished = words(prefix, folds)[-1:] if prefix[-1:].isspace() else []
        suggestions: list[Suggestion] = []
        seen: set[str] = set()
        for entry in body.get("suggest", {}).get("titles", []):
            for option in entry.get("options", []):
                source = option.get("_source") or {}
                title = str(source.get("title") or "")
                key = " ".join(words(title, folds, keep_punctuation=True))
                if not title or key in seen:
                    continue
                if finished and finished[0] not in words(title, folds):
                    continue
                seen.add(key)
                document_id = str(source.get("id") or option["_id"])
                suggestions.append(Suggestion(text=title, id=document_id))
                if len(suggestions) == limit:
                    return tuple(suggestions)
        return tuple(suggestions)

    def spelling(self, word: str, limit: int = 5) -> Spelling:
        if not word.strip():
            return Spelling(word=word, known=False)
        edits = max_edits(word)
        # One request. Known: the word finds something on its own, or is
        # written in a title or keyword (a stop word, which search drops);
        # counting stops at the first hit. Candidates: the term suggester.
        request: dict[str, Any] = {
            "size": 0,
            "track_total_hits": 1,
            "query": {
                "bool": {
                    "should": [
                        *text_clauses(parse_text(word))[0],
                        {"match": {"spelling": word}},
                    ]
                }
            },
        }
        if edits and limit >= 1:
            request["suggest"] = {
                "spelling": {
                    "text": word,
                    "term": {
                        "field": "spelling",
                        "suggest_mode": "missing",
                        "size": limit,
                        "max_edits": edits,
                        "min_word_length": MIN_SPELLING_CHARS,
                        # A typo in the first letter is corrected too, as on
                        # the embedded index; the vocabulary is small enough.
                        "prefix_length": 0,
                        "string_distance": "damerau_levenshtein",
                        "sort": "score",
                    },
                }
            }
        with self._unavailable():
            body = self._api_search(self._alias, request)
        if body["hits"]["total"]["value"]:
            return Spelling(word=word, known=True)
        entries = body.get("suggest", {}).get("spelling", [])
        # One entry per token of the word; a word of several tokens is not one word to correct.
        options = entries[0].get("options", []) if len(entries) == 1 else []
        candidates = tuple(str(option["text"]) for option in options)[:limit]
        return Spelling(word=word, known=False, candidates=candidates)

    def count(self) -> int:
        with self._unavailable():
            return self._api_count(self._alias)

    def health(self) -> Health:
        try:
            with self._unavailable():
                cluster = self._api_cluster_health()
                documents = self._api_count(self._alias)
                self._read_meta()
        except SearchError as error:
            return Health(ok=False, backend=self.name, detail=str(error))
        if self._index_version != INDEX_SCHEMA_VERSION:
            return Health(
                ok=False,
                backend=self.name,
                detail=(
                    f"index {self._alias} was built by another version of oer "
                    f"(schema {self._index_version}, need {INDEX_SCHEMA_VERSION}); run `oer reindex`"
                ),
                documents=documents,
            )
        analysis = (self._index_analysis or self.analysis).value
        return Health(
            ok=cluster.get("status") in ("green", "yellow"),
            backend=self.name,
            detail=(
                f"{self.product} at {display_url(self._url)}, cluster {cluster.get('status')}, "
                f"alias {self._alias}, {analysis} analysis"
            ),
            documents=documents,
        )

    # -- indexes and aliases -----------------------------------------------------

    def indexes(self) -> tuple[str, ...]:
        """The concrete indexes the alias points at now."""
        with self._unavailable():
            return tuple(sorted(self._api_alias_indexes(self._alias)))

    def drop(self) -> None:
        """Delete the alias and every index this backend created (tests, teardown)."""
        with self._unavailable():
            # Deleting by wildcard is refused by default (action.destructive_requires_name).
            for name in self._api_index_names(f"{self._alias}-v*"):
                self._api_delete_index(name)

    def _create_index(self, *, bulk_load: bool = False) -> str:
        analysis = self.analysis
        name = f"{self._alias}-v{datetime.now(UTC):%Y%m%d%H%M%S%f}"
        settings: dict[str, Any] = {
            "number_of_shards": 1,
            # One replica where there is a second node, none on a single node.
            "auto_expand_replicas": "0-1",
            "analysis": analysis_settings(analysis),
        }
        if bulk_load:
            settings["refresh_interval"] = "-1"
        self._api_create_index(name, {"settings": settings, "mappings": index_mappings(analysis)})
        return name

    def _install(self, new_index: str) -> None:
        """Point the alias at `new_index` in one atomic step, then drop the old indexes."""
        old = [name for name in self.indexes() if name != new_index]
        actions: list[dict[str, Any]] = [
            {"remove": {"index": name, "alias": self._alias}} for name in old
        ]
        actions.append({"add": {"index": new_index, "alias": self._alias}})
        self._api_update_aliases(actions)
        for name in old:
            self._api_delete_index(name)
        self._read_meta()

    def _read_meta(self) -> None:
        for index_mapping in self._api_mappings(self._alias).values():
            meta = index_mapping.get("mappings", {}).get("_meta", {})
            version = meta.get("schema_version")
            self._index_version = int(version) if isinstance(version, int) else None
            try:
                self._index_analysis = Analysis(meta.get("analysis"))
            except ValueError:
                self._index_analysis = None
            return

    def _bulk(
        self,
        actions: Iterable[dict[str, Any]],
        *,
        require_alias: bool = False,
        missing_ok: bool = False,
    ) -> int:
        count = 0
        results = self._api_bulk(
            actions, require_alias=require_alias, ignore_status=(404,) if missing_ok else ()
        )
        for ok, item in results:
            result = next(iter(item.values()))
            error = result.get("error") or {}
            if error.get("type") == "index_not_found_exception":
                raise SearchUnavailableError(
                    f"search index {self._alias} does not exist; run `oer reindex`"
                )
            if not ok and not (missing_ok and result.get("status") == 404):
                status = result.get("status")
                reason = error.get("reason") or result
                if isinstance(status, int) and (status >= 500 or status == 429):
                    raise SearchUnavailableError(f"search index refused a write: {reason}")
                raise SearchError(f"search index refused document {result.get('_id')}: {reason}")
            count += 1
        return count

    @contextmanager
    def _unavailable(self) -> Iterator[None]:
        """Turn failed requests into SearchUnavailableError (no answer, server error, missing
        index) or SearchError (the request was refused)."""
        try:
            with self._client_errors():
                yield
        except ClusterRequestError as error:
            if error.status is None:
                raise SearchUnavailableError(
                    f"{self.product} cannot be reached ({error.reason})"
                ) from error
            if error.status == 404:
                raise SearchUnavailableError(
                    f"search index {self._alias} does not exist; run `oer reindex`"
                ) from error
            if error.status >= 500 or error.status == 429:
                raise SearchUnavailableError(
                    f"{self.product} failed ({error.reason})"
                ) from error
            raise SearchError(f"{self.product} refused the request: {error.reason}") from error

    # -- the client calls a subclass provides -------------------------------------
    # Each takes and returns plain JSON values; failures surface as the client's own
    # exceptions, which `_client_errors` (always around these calls) translates.

    @abc.abstractmethod
    def _client_errors(self) -> AbstractContextManager[None]:
        """Turn the client's exceptions into ClusterRequestError, with a short reason."""

    @abc.abstractmethod
    def _api_cluster_health(self) -> Mapping[str, Any]:
        """GET _cluster/health."""

    @abc.abstractmethod
    def _api_analyze(self, body: dict[str, Any]) -> Mapping[str, Any]:
        """POST _analyze."""

    @abc.abstractmethod
    def _api_search(self, index: str, body: dict[str, Any]) -> Mapping[str, Any]:
        """POST INDEX/_search."""

    @abc.abstractmethod
    def _api_count(self, index: str) -> int:
        """GET INDEX/_count: the document count."""

    @abc.abstractmethod
    def _api_create_index(self, name: str, body: dict[str, Any]) -> None:
        """PUT NAME with settings and mappings."""

    @abc.abstractmethod
    def _api_delete_index(self, name: str) -> None:
        """DELETE NAME; a missing index is no error."""

    @abc.abstractmethod
    def _api_index_names(self, pattern: str) -> Iterable[str]:
        """The indexes matching a wildcard `pattern` (none is no error)."""

    @abc.abstractmethod
    def _api_alias_exists(self, alias: str) -> bool:
        """HEAD _alias/ALIAS."""

    @abc.abstractmethod
    def _api_alias_indexes(self, alias: str) -> Iterable[str]:
        """The indexes behind `alias`; none when it does not exist."""

    @abc.abstractmethod
    def _api_update_aliases(self, actions: list[dict[str, Any]]) -> None:
        """POST _aliases: the actions in one atomic step."""

    @abc.abstractmethod
    def _api_put_settings(self, index: str, settings: dict[str, Any]) -> None:
        """PUT INDEX/_settings."""

    @abc.abstractmethod
    def _api_refresh(self, index: str) -> None:
        """POST INDEX/_refresh."""

    @abc.abstractmethod
    def _api_mappings(self, index: str) -> Mapping[str, Any]:
        """GET INDEX/_mapping: {concrete index name: {"mappings": ...}}."""

    @abc.abstractmethod
    def _api_bulk(
        self,
        actions: Iterable[dict[str, Any]],
        *,
        require_alias: bool,
        ignore_status: tuple[int, ...],
    ) -> Iterable[tuple[bool, Mapping[str, Any]]]:
        """The client's streaming bulk helper: one (ok, {op: result}) per action, errors not raised."""


def document_source(document: SearchDocument) -> dict[str, Any]:
    """The stored `_source` of a document: its fields and the completion inputs of its title."""
    source = document.to_dict()
    title_words = document.title.split()
    suffixes = [
        " ".join(title_words[i:]) for i in range(1, min(len(title_words), SUGGEST_SUFFIXES + 1))
    ]
    suggest: list[dict[str, Any]] = []
    if document.title:
        # The whole title outranks a match further into a title.
        suggest.append({"input": [document.title], "weight": 10})
    if suffixes:
        suggest.append({"input": suffixes, "weight": 5})
    source["suggest"] = suggest
    return source


def words(text: str, fold_accents: bool, *, keep_punctuation: bool = False) -> list[str]:
    """Lower-cased words of `text` (or its space-separated parts), accents folded if asked."""
    if fold_accents:
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in decomposed if not unicodedata.combining(char))
    text = text.casefold()
    return text.split() if keep_punctuation else _WORD.findall(text)


def text_clauses(
    parsed: QueryText, match: Match = Match.ALL
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The `must` and `must_not` clauses for search text read by `oer.search.text`.

    The words are one `simple_query_string` (only whitespace splits them): all
    must match, or, relaxed, all but one from three words on and one of two
    (`minimum_should_match: -1`, counted after analysis drops stop words, as
    `oer.search.text.required_words` does on the embedded index). Each phrase
    must match as a phrase in one field, stop words included (`phrase_query`).
    Words left empty by the analysis match nothing; excluded ones left empty
    exclude nothing.
    """
    must: list[dict[str, Any]] = []
    if parsed.words:
        words = word_query(" ".join(parsed.words), "and" if match is Match.ALL else "or")
        if match is not Match.ALL:
            words["simple_query_string"]["minimum_should_match"] = "-1"
        must.append(words)
    must += [phrase_query(phrase) for phrase in parsed.phrases]
    must_not = [
        phrase_query(part.text) if part.phrase else word_query(part.text, "and")
        for part in parsed.excluded
    ]
    return must, must_not


def word_query(words: str, operator: str) -> dict[str, Any]:
    return {
        "simple_query_string": {
            "query": words,
            "fields": text_fields(),
            "default_operator": operator,
            # No syntax at all: words are split at whitespace only, and
            # - + | * ( ) ~ " are ordinary characters.
            "flags": "WHITESPACE",
        }
    }


def phrase_query(phrase: str) -> dict[str, Any]:
    """The words of `phrase`, stop words included, in this order in one text field.

    Matched in the `.phrase` subfields, which keep the stop words the text
    fields drop (there, any stop word would fill the gap one leaves).
    """
    fields = [f"{name}.phrase^{boost:g}" for name, boost in TEXT_FIELD_BOOSTS.items()]
    return {"multi_match": {"query": phrase, "type": "phrase", "fields": fields}}


def text_fields() -> list[str]:
    """The text fields a query searches, each with its `.folded` subfield, with their boosts."""
    fields = []
    for name, boost in TEXT_FIELD_BOOSTS.items():
        fields += [f"{name}^{boost:g}", f"{name}.folded^{boost:g}"]
    return fields


def highlight_request() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in HIGHLIGHT_FIELDS:
        options = (
            {"number_of_fragments": 0}
            if name == "title"
            else {"fragment_size": DESCRIPTION_SNIPPET_CHARS, "number_of_fragments": 1,
                  "no_match_size": 0}
        )
        fields[name] = options
        fields[f"{name}.folded"] = options
        fields[f"{name}.phrase"] = options
    return {"pre_tags": ["<mark>"], "post_tags": ["</mark>"], "encoder": "html", "fields": fields}


def highlights(raw: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """The fragments of a hit's `highlight`, per highlighted field."""
    found: dict[str, tuple[str, ...]] = {}
    for name in HIGHLIGHT_FIELDS:
        # The stemmed field marks exact-accent matches; the folded one the rest.
        fragments = raw.get(name) or raw.get(f"{name}.folded") or raw.get(f"{name}.phrase")
        if fragments:
            found[name] = tuple(str(fragment) for fragment in fragments)
    return found


def display_url(url: str) -> str:
    """The URL without credentials, fit for messages and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
