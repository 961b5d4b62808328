"""Benchmark: search backends over generated corpora of 100k to 1M records. I/O: files, network, stdout.

Run as `.venv/bin/python -m benchmarks.search [--backend tantivy|elasticsearch|all]
[--sizes 100000,1000000] [--es-url URL]`. For each backend and corpus size it
measures, over the records of `benchmarks.corpus` flattened with
`document_from_record` (generated once, for the largest size, before anything
is timed; a smaller corpus is the start of a larger one):

- index throughput: `SearchBackend.index` in batches of 1,000 (what the
  harvest pipeline does), into an empty index, and the process's resident
  memory while it runs (how much it grew from the first batches to the last);
- rebuild: `SearchBackend.rebuild` of the whole corpus (what `oer reindex` does);
- query latency p50/p95 of text + one filter + the counts of every facet
  field, through the service layer (`SearchBackend.search`, results turned
  into `SearchResult` objects) and, as the reference, the raw engine calls
  of the same query (tantivy: the calls the backend makes, on a query
  prepared once: top 20 with the count, and the facet aggregation, without
  reading a stored document; Elasticsearch: the same request body through
  the client, and the server's own `took`), and their ratio;
- search-box suggestions: `SearchBackend.suggest` p50/p95 over prefixes of
  1 to 6 letters of common title words, plus a few multi-word prefixes, as a
  search box asks on every keystroke;
- "did you mean": `oer.discovery.search.did_you_mean` p50/p95 (spelling
  lookups per unknown word plus the search that checks the correction finds
  something) over searches with typos, as the site runs it when a search
  finds nothing: with one long-lived `TermLabels`, as the site keeps one per
  worker (its disciplines by name, which the check reads, kept a few minutes).

`--keep DIR` keeps each tantivy index in DIR (`tantivy-<size>`) and, when
DIR already holds one of that size (built by an earlier run with the same
code's index layout), queries it as it is: indexing and rebuild are then not
measured (reported as n/a), and the corpus is not generated unless another
size or backend needs it. For profiling query changes at 1M without
rebuilding each time; an index layout change needs a fresh DIR.

Elasticsearch runs when `--es-url` or OER_SEARCH_URL is given, for the sizes
up to `--es-max-size` (100,000: the scaled deployment is measured where the
embedded one is compared with it), in indexes named `oerbench-<random>-...`
that are deleted afterwards. The figures go to the "## search" section of
docs/benchmarks.md (`benchmarks.report.publish`); other sections are kept.
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks.corpus import LEVELS, SUBJECTS, generate
from benchmarks.report import machine, publish
from metadata.facets import FACET_FIELDS
from oer.discovery.search import SearchRequest, TermLabels, did_you_mean
from oer.search import (
    SearchBackend,
    SearchDocument,
    SearchQuery,
    document_from_record,
)
from oer.search.tantivy_backend import PARALLEL_FACETS_MIN_DOCUMENTS

SECTION = "## search"
BATCH = 1_000
PAGE_SIZE = 20
DEFAULT_SIZES = (100_000,)
ES_MAX_SIZE = 100_000
# Targets by backend, for corpora up to the given size (the first that fits).
TARGET_P95_MS = {
    "tantivy": ((100_000, 15.0), (1_000_000, 30.0)),
    "elasticsearch": ((100_000, 50.0),),
}
TARGET_REBUILD_S = ((100_000, 60.0), (1_000_000, 120.0))
TARGET_SUGGEST_P95_MS = {"tantivy": 15.0, "elasticsearch": 30.0}
TARGET_DID_YOU_MEAN_P95_MS = {"tantivy": 30.0, "elasticsearch": 50.0}
SUGGESTIONS = 8  # what the site's search box asks for
# Resident memory is sampled every this many batches while indexing.
RSS_EVERY = 10
# The figures of the code before the long-lived writer and the value-set facet
# counts (one writer per call, a terms aggregation per facet field, term-set
# filters), measured with this script's own functions; kept for comparison.
BEFORE = (
    "before: at 100,000 documents (2026-11-22, `.venv/bin/python -m benchmarks.search "
    "--es-url URL`) tantivy index 5,711 docs/s, rebuild 10.0 s, service layer p50 / p95 "
    "2.8 / 8.2 ms against raw engine 1.5 / 5.7 ms; at 1,000,000 documents (2026-12-06 20:00 "
    "UTC, this script's `measure_backend` on that code, this machine, quiet) index 6,816 docs/s "
    "(memory +117 MB), rebuild 66.5 s, service layer 11.2 / 64.6 ms against raw engine "
    "7.5 / 50.4 ms (that raw engine reference: a count, top 20 and a terms aggregation per "
    "facet field); before the shared facet columns and the kept term labels (tantivy layout 3, "
    "commit 2ae4a4e, 2026-12-06 22:59 UTC, this machine): at 1,000,000 documents service layer "
    "4.7 / 39.2 ms against raw engine 3.7 / 38.3 ms, did you mean 5.4 / 34.9 ms; before the "
    "facets were counted beside the page (commit 22dda76, 2026-12-07 01:49 UTC, this machine, "
    "its raw engine reference running the two engine calls one after the other): at 1,000,000 "
    "documents service layer 5.3 / 35.3 ms against raw engine 4.0 / 33.7 ms"
)

# Words titles start with or contain; each is typed letter by letter, 1 to 6 letters.
SUGGEST_WORDS = (
    "breuken", "rivieren", "werkblad", "fotosynthese", "programmeren", "vulkanen",
    "oefenen", "lessenserie", "gedichten", "energie", "klimaatzones", "democratie",
)
SUGGEST_PREFIXES: tuple[str, ...] = (
    *(word[:length] for word in SUGGEST_WORDS for length in range(1, 7)),
    "de tw", "les 3: b", "oefenen met pr", "toets ",
)
# Searches with typos, as they reach "did you mean" (they find nothing), and one
# that has nothing close to offer.
TYPOS = (
    "breukn", "fotosyntese", "aardrijkskunde werkbald", "aarrijkskunde", "programmern",
    "procentn oefenen", "wereldorlog tweede", "gedichtn", "vraag en aanbood", "vulaknen",
    "elektricitiet",
)
GIBBERISH = ("xqzwvk",)

_DUTCH = next(s for s in SUBJECTS if s.label == "Nederlands")
# Text + one filter, as a teacher would search; each filter field used at least once.
QUERIES: tuple[tuple[str, str, str], ...] = (
    ("breuken", "contexts", "PO"),
    ("rivieren", "educational_levels", LEVELS["VO"].id),
    ("fotosynthese", "licence_family", "open"),
    ("tweede wereldoorlog", "languages", "nl"),
    ("werkblad spelling", "disciplines", _DUTCH.id),
    ("programmeren", "source", "wikiwijsmaken"),
    ("energie", "learning_resource_types", "informatiebron"),
    ("toets", "aggregation_level", "2"),
    ("vulkanen", "access_rights", "OpenAccess"),
    ("gedichten", "licence", "cc-by-sa-40"),
    ("vraag en aanbod", "cost", "no"),
    ("oefenen met procenten", "contexts", "BVE"),
)


@dataclass
class Figures:
    backend: str
    detail: str
    size: int = 0
    index_rate: float = 0.0
    index_seconds: float = 0.0
    # Background work still running after the last `index()` call returned (tantivy: merges).
    settle_seconds: float = 0.0
    rebuild_seconds: float = 0.0
    # CPU seconds of the whole process (every thread) during the rebuild.
    rebuild_cpu_seconds: float = 0.0
    service_ms: list[float] = field(default_factory=list)
    raw_ms: list[float] = field(default_factory=list)
    # The calling thread's CPU time of the same calls: what the work costs,
    # whatever else the machine is running (the engine works on that thread).
    service_cpu_ms: list[float] = field(default_factory=list)
    raw_cpu_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    average_total: float = 0.0
    suggest_ms: list[float] = field(default_factory=list)
    did_you_mean_ms: list[float] = field(default_factory=list)
    corrected: int = 0
    # (documents indexed, resident MB) while `index()` ran.
    rss_mb: list[tuple[int, float]] = field(default_factory=list)
    # Queried an index kept by an earlier run (`--keep`): indexing and rebuild not measured.
    reused: bool = False

    @property
    def rss_growth_mb(self) -> float:
        """Resident memory grown from the first samples (buffers warmed up) to the last."""
        if len(self.rss_mb) < 2:
            return float("nan")
        return self.rss_mb[-1][1] - self.rss_mb[0][1]


def resident_mb() -> float:
    """This process's anonymous resident memory now (Linux), in MB; NaN where it cannot be read.

    Anonymous: the heap and the threads' malloc arenas, not the pages of the
    index files mapped in, which grow with the index and are the kernel's to drop.
    """
    try:
        status = Path("/proc/self/status").read_text(encoding="utf-8")
    except OSError:
        return float("nan")
    for line in status.splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def corpus(n: int) -> list[SearchDocument]:
    return [
        document_from_record(
            item.resource_id, item.record, sources=item.sources, updated_at=item.updated_at
        )
        for item in generate(n)
    ]


def batches(documents: Sequence[SearchDocument], size: int) -> Iterator[Sequence[SearchDocument]]:
    for start in range(0, len(documents), size):
        yield documents[start : start + size]


def queries() -> list[SearchQuery]:
    return [
        SearchQuery(text=text, filters={name: (value,)}, facets=FACET_FIELDS, size=PAGE_SIZE)
        for text, name, value in QUERIES
    ]


def time_ms(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def time_both_ms(work: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of `work`, the CPU of every thread of the process.

    Every thread: the embedded index counts the facets on a thread beside the
    page's. Nothing else in this process works while a query is timed.
    """
    started, cpu = time.perf_counter(), time.process_time()
    work()
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000


def measure_backend(
    figures: Figures,
    backend: SearchBackend,
    documents: Sequence[SearchDocument],
    rounds: int,
    raw_call: Callable[[SearchQuery], Callable[[], object]],
    settle: Callable[[], object] | None = None,
) -> None:
    """Index, rebuild, then time the queries; `settle` finishes what indexing left running."""
    figures.size = len(documents)
    build(figures, backend, documents, settle)
    measure_queries(figures, backend, rounds, raw_call)


def build(
    figures: Figures,
    backend: SearchBackend,
    documents: Sequence[SearchDocument],
    settle: Callable[[], object] | None = None,
) -> None:
    """Index the documents in batches, then rebuild the index from them, timing both."""
    started = time.perf_counter()
    for number, batch in enumerate(batches(documents, BATCH), start=1):
        backend.index(batch)
        if number % RSS_EVERY == 0:
            figures.rss_mb.append((number * BATCH, resident_mb()))
    figures.index_seconds = time.perf_counter() - started
    figures.index_rate = len(documents) / figures.index_seconds
    assert backend.count() == len(documents), "index lost documents"
    if settle is not None:
        # Merges the last calls started run on after them; timed apart, not in the rebuild.
        started = time.perf_counter()
        settle()
        figures.settle_seconds = time.perf_counter() - started

    started, cpu = time.perf_counter(), time.process_time()
    backend.rebuild(iter(documents))
    figures.rebuild_seconds = time.perf_counter() - started
    figures.rebuild_cpu_seconds = time.process_time() - cpu
    assert backend.count() == len(documents), "rebuild lost documents"


def measure_queries(
    figures: Figures,
    backend: SearchBackend,
    rounds: int,
    raw_call: Callable[[SearchQuery], Callable[[], object]],
) -> None:
    """Time the queries through the service layer and the raw engine, then the suggestions."""
    planned = queries()
    raws = [raw_call(query) for query in planned]
    totals: list[int] = []
    for query, raw in zip(planned, raws, strict=True):  # warm-up: caches, JIT, page cache
        totals.append(backend.search(query).total)
        raw()
    figures.average_total = statistics.mean(totals)
    for _ in range(rounds):
        for query, raw in zip(planned, raws, strict=True):
            wall, cpu = time_both_ms(partial(backend.search, query))
            figures.service_ms.append(wall)
            figures.service_cpu_ms.append(cpu)
            wall, cpu = time_both_ms(raw)
            figures.raw_ms.append(wall)
            figures.raw_cpu_ms.append(cpu)
    measure_suggestions(figures, backend, rounds)


def measure_suggestions(figures: Figures, backend: SearchBackend, rounds: int) -> None:
    """Suggest on every keystroke, and "did you mean" for searches with typos."""
    requests = [SearchRequest(text=text) for text in TYPOS + GIBBERISH]
    for prefix in SUGGEST_PREFIXES:  # warm-up
        backend.suggest(prefix, SUGGESTIONS)
    # The site's worker keeps one (web.runtime); the warm-up fills it, as a first search would.
    labels = TermLabels()
    corrections = {
        request.text: did_you_mean(backend, request, labels=labels) for request in requests
    }
    figures.corrected = sum(1 for text in TYPOS if corrections[text] is not None)
    assert all(corrections[text] is None for text in GIBBERISH), "corrected gibberish"
    for _ in range(rounds):
        for prefix in SUGGEST_PREFIXES:
            figures.suggest_ms.append(time_ms(partial(backend.suggest, prefix, SUGGESTIONS)))
        for request in requests:
            figures.did_you_mean_ms.append(
                time_ms(partial(did_you_mean, backend, request, labels=labels))
            )


def kept_index(keep: Path | None, size: int) -> Path | None:
    """Where `--keep` keeps the tantivy index of `size` documents; None without `--keep`."""
    return None if keep is None else keep / f"tantivy-{size}"


def reusable(directory: Path | None, size: int) -> bool:
    """Whether `directory` holds a usable tantivy index of exactly `size` documents."""
    from oer.search.errors import SearchError
    from oer.search.tantivy_backend import TantivyBackend

    if directory is None or not directory.is_dir():
        return False
    backend = TantivyBackend(directory)
    try:
        return backend.count() == size
    except SearchError:
        return False
    finally:
        backend.close()


def run_tantivy(
    documents: Sequence[SearchDocument], size: int, rounds: int, keep: Path | None = None
) -> Figures:
    """Measure tantivy on the first `size` documents; `keep`: see `--keep`."""
    from oer.search.tantivy_backend import VALUE_SET_BUCKETS, TantivyBackend, facet_column

    kept = kept_index(keep, size)
    reuse = reusable(kept, size)
    temporary = None if kept is not None else Path(tempfile.mkdtemp(prefix="oerbench-tantivy-"))
    if kept is not None and not reuse:
        shutil.rmtree(kept, ignore_errors=True)
    directory = kept if kept is not None else (temporary or Path()) / "index"
    try:
        backend = TantivyBackend.open(directory)
        where = "a kept index, not rebuilt" if reuse else (
            "index kept" if kept is not None else "index in a temporary directory"
        )
        figures = Figures("tantivy", f"tantivy-py {version('tantivy')}, {where}")

        aside = ThreadPoolExecutor(max_workers=1)

        def raw_call(query: SearchQuery) -> Callable[[], object]:
            # The engine calls the backend makes for the same query, prepared
            # once: top 20 with the count, and one aggregation over the columns
            # of the facet fields' value sets, beside it on another thread where
            # the backend runs it so (PARALLEL_FACETS_MIN_DOCUMENTS); no stored
            # document read, no result built.
            text_query = backend._text_query(query.text)
            assert text_query is not None
            prepared = backend._filtered(text_query, query)
            aggregations = {
                column: {"terms": {"field": column, "size": VALUE_SET_BUCKETS}}
                for column in dict.fromkeys(facet_column(name) for name in query.facets)
            }

            def call() -> object:
                searcher = backend._current().index.searcher()
                if searcher.num_docs < PARALLEL_FACETS_MIN_DOCUMENTS:
                    searcher.search(prepared, PAGE_SIZE, count=True)
                    return searcher.aggregate(prepared, aggregations)
                counting = aside.submit(searcher.aggregate, prepared, aggregations)
                searcher.search(prepared, PAGE_SIZE, count=True)
                return counting.result()

            return call

        figures.size = size
        if reuse:
            figures.reused = True
        else:
            build(figures, backend, documents[:size], backend._release_writer)
        measure_queries(figures, backend, rounds, raw_call)
        aside.shutdown()
        backend.close()
        return figures
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


def run_elasticsearch(url: str, documents: Sequence[SearchDocument], rounds: int) -> Figures:
    from oer.search.elasticsearch_backend import ElasticsearchBackend, _text_fields

    prefix = f"oerbench-{secrets.token_hex(4)}"
    backend = ElasticsearchBackend.connect(url, index_prefix=prefix)
    client = backend._client
    try:
        # GET / is not served by the minimal distribution; the nodes API is.
        nodes = client.nodes.info(filter_path="nodes.*.version").body["nodes"]
        server_version = next(iter(nodes.values()))["version"]
        figures = Figures(
            "elasticsearch",
            f"Elasticsearch {server_version} ({len(nodes)} node, "
            f"{backend.analysis.value} analysis), client {version('elasticsearch')}",
        )

        def raw_call(query: SearchQuery) -> Callable[[], object]:
            (name, values), = query.filters.items()
            body: dict[str, Any] = {
                "query": {
                    "bool": {
                        "must": [
                            {
                                "simple_query_string": {
                                    "query": query.text,
                                    "fields": _text_fields(),
                                    "default_operator": "and",
                                    "flags": "PHRASE|WHITESPACE",
                                }
                            }
                        ],
                        "filter": [{"terms": {name: list(values)}}],
                    }
                },
                "sort": ["_score", {"id": "asc"}],
                "size": PAGE_SIZE,
                "track_total_hits": True,
                "aggs": {f: {"terms": {"field": f, "size": 100}} for f in query.facets},
            }

            def call() -> object:
                response = client.search(index=backend.alias, **body)
                figures.server_ms.append(float(response.body["took"]))
                return response

            return call

        measure_backend(figures, backend, documents, rounds, raw_call)
        # The warm-up calls also recorded `took`; keep the measured rounds only.
        figures.server_ms = figures.server_ms[len(QUERIES) :]
        return figures
    finally:
        backend.drop()
        backend.close()


def target(table: tuple[tuple[int, float], ...], size: int) -> float | None:
    """The target for a corpus of `size` documents: the first row whose size fits; None past them."""
    return next((value for limit, value in table if size <= limit), None)


def verdict(value: float, goal: float | None, unit: str) -> str:
    if goal is None:
        return "no target at this size"
    return f"target <= {goal:g} {unit}: **{'met' if value <= goal else 'NOT met'}**"


def report(
    all_figures: list[Figures], rounds: int, generate_seconds: float, generated: int, command: str
) -> str:
    rows = []
    cpu_rows = []
    verdicts = []
    suggest_rows = []
    suggest_verdicts = []
    for f in all_figures:
        s50, s95 = percentile(f.suggest_ms, 0.50), percentile(f.suggest_ms, 0.95)
        d50, d95 = percentile(f.did_you_mean_ms, 0.50), percentile(f.did_you_mean_ms, 0.95)
        suggest_rows.append(
            f"| {f.backend} | {f.size:,} | {s50:.1f} / {s95:.1f} ms | {d50:.1f} / {d95:.1f} ms "
            f"| {f.corrected} of {len(TYPOS)} |"
        )
        suggest_target = TARGET_SUGGEST_P95_MS[f.backend]
        correction_target = TARGET_DID_YOU_MEAN_P95_MS[f.backend]
        suggest_verdicts.append(
            f"- {f.backend}, {f.size:,}: suggest p95 {s95:.1f} ms "
            f"({verdict(s95, suggest_target, 'ms')}); did-you-mean p95 {d95:.1f} ms "
            f"({verdict(d95, correction_target, 'ms')})"
        )
        p50, p95 = percentile(f.service_ms, 0.50), percentile(f.service_ms, 0.95)
        raw50, raw95 = percentile(f.raw_ms, 0.50), percentile(f.raw_ms, 0.95)
        server = (
            f"; server `took` {percentile(f.server_ms, 0.5):.1f} / "
            f"{percentile(f.server_ms, 0.95):.1f} ms"
            if f.server_ms
            else ""
        )
        growth = f.rss_growth_mb
        memory = "n/a" if f.backend != "tantivy" or math.isnan(growth) else f"{growth:+,.0f} MB"
        indexed = (
            "n/a (kept index)"
            if f.reused
            else f"{f.index_rate:,.0f} docs/s ({f.index_seconds:.1f} s"
            f"{f'; merges ran {f.settle_seconds:.1f} s after' if f.settle_seconds >= 0.05 else ''})"
        )
        rebuilt = "n/a" if f.reused else f"{f.rebuild_seconds:.1f} s"
        rows.append(
            f"| {f.backend} | {f.size:,} | {indexed} "
            f"| {memory} | {rebuilt} "
            f"| {p50:.1f} / {p95:.1f} ms | {raw50:.1f} / {raw95:.1f} ms{server} "
            f"| {p50 / raw50:.2f} / {p95 / raw95:.2f} |"
        )
        if f.service_cpu_ms and f.backend == "tantivy":
            cpu_rows.append(
                f"| {f.backend} | {f.size:,} "
                f"| {'n/a' if f.reused else f'{f.rebuild_cpu_seconds:.1f} s'} "
                f"| {percentile(f.service_cpu_ms, 0.5):.1f} / "
                f"{percentile(f.service_cpu_ms, 0.95):.1f} ms "
                f"| {percentile(f.raw_cpu_ms, 0.5):.1f} / {percentile(f.raw_cpu_ms, 0.95):.1f} ms |"
            )
        rebuild_verdict = (
            "rebuild not measured"
            if f.reused
            else f"rebuild {f.rebuild_seconds:.1f} s "
            f"({verdict(f.rebuild_seconds, target(TARGET_REBUILD_S, f.size), 's')})"
        )
        verdicts.append(
            f"- {f.backend}, {f.size:,}: query p95 {p95:.1f} ms "
            f"({verdict(p95, target(TARGET_P95_MS[f.backend], f.size), 'ms')}); "
            f"{rebuild_verdict} ({f.detail})"
        )
    samples = len(QUERIES) * rounds
    generation = (
        f"generating {generated:,} took {generate_seconds:.1f} s and is not counted"
        if generated
        else "every index was kept from an earlier run (`--keep`), none generated"
    )
    gibberish = ", ".join(f"`{text}`" for text in GIBBERISH)
    multi_word = len(SUGGEST_PREFIXES) - 6 * len(SUGGEST_WORDS)
    matches = ", ".join(
        f"{f.size:,}: {f.average_total:,.0f}"
        for f in all_figures
        if f.backend == all_figures[0].backend
    )
    return f"""{SECTION}

Corpus: generated NL-LOM records (`benchmarks.corpus`, fixed seed; the smaller corpus is the
start of the larger), flattened with `document_from_record`; {generation}.
Query: text + one filter + the counts of all {len(FACET_FIELDS)} facet fields, top {PAGE_SIZE} by
relevance; {len(QUERIES)} different queries (matches each on average by corpus size: {matches}),
{rounds} timed rounds after a warm-up round, {samples} timed calls per figure.
"Service layer" is `SearchBackend.search` returning a `SearchResult`; "raw engine" is the same
query through the engine's own API, the reference measured in the same run (tantivy: the engine
calls the backend makes, on a query prepared once: top {PAGE_SIZE} with the count and the facet
aggregation, the two side by side on two threads from {PARALLEL_FACETS_MIN_DOCUMENTS:,} documents as
the backend runs them, without reading a stored document; Elasticsearch: the same request body through the
client, and the server's `took`); "ratio" is service layer / raw engine at p50 / p95.
"Memory" (embedded index only: it runs in this process) is how much the anonymous resident
memory (heap and malloc arenas, not the mapped index files) grew while `index()` took the corpus
in batches of {BATCH:,}, from the {RSS_EVERY * BATCH:,}th document to the last (the corpus itself
was in memory before), without a cap on malloc arenas.

| backend | documents | index (`index()`, batches of {BATCH:,}) | memory | rebuild | service layer p50 / p95 | raw engine p50 / p95 | ratio |
|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

{chr(10).join(verdicts)}

{BEFORE}.

The embedded index's work in CPU time, which other work on the machine does not stretch as it
does the times above: the rebuild's and each query's over all threads of the process (from
{PARALLEL_FACETS_MIN_DOCUMENTS:,} documents a query's facets are counted on a thread beside the one
that reads its page).

| backend | documents | rebuild, CPU | service layer CPU p50 / p95 | raw engine CPU p50 / p95 |
|---|---|---|---|---|
{chr(10).join(cpu_rows)}

Search box and "did you mean", same indexes. Suggest: `SearchBackend.suggest(prefix, {SUGGESTIONS})`
over {len(SUGGEST_PREFIXES)} prefixes, the first 1 to 6 letters of {len(SUGGEST_WORDS)} title words
and {multi_word} multi-word ones (one letter is below the minimum and answers at once),
{rounds * len(SUGGEST_PREFIXES):,} timed calls. Did you mean: `did_you_mean` of the discovery
service (a spelling lookup per unknown word, then a search checking that the correction finds
something; one long-lived `TermLabels`, as a site worker keeps) over {len(TYPOS)} searches with typos and {len(GIBBERISH)} with nothing close
({gibberish}), {rounds * (len(TYPOS) + len(GIBBERISH)):,} timed calls.

| backend | documents | suggest p50 / p95 | did you mean p50 / p95 | typo'd searches corrected |
|---|---|---|---|---|
{chr(10).join(suggest_rows)}

{chr(10).join(suggest_verdicts)}

- command: `{command}`
- machine: {machine()}; shared with other work, so figures are indicative
- measured: {datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}

"""


def parse_sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(sorted({int(part.replace("_", "")) for part in text.split(",") if part}))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a list of corpus sizes: {text!r}") from error
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("corpus sizes are positive numbers, e.g. 100000,1000000")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--backend", choices=("tantivy", "elasticsearch", "all"), default="all")
    parser.add_argument("--sizes", type=parse_sizes, default=DEFAULT_SIZES,
                        help="corpus sizes, comma-separated (default: 100000)")
    parser.add_argument("--rounds", type=int, default=20, help="timed rounds over the queries")
    parser.add_argument("--es-url", default=os.environ.get("OER_SEARCH_URL"),
                        help="Elasticsearch URL (default: OER_SEARCH_URL)")
    parser.add_argument("--es-max-size", type=int, default=ES_MAX_SIZE,
                        help="largest corpus measured on Elasticsearch (default: 100000)")
    parser.add_argument("--no-write", action="store_true",
                        help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep each tantivy index in DIR/tantivy-<size>, and query one "
                        "kept there by an earlier run instead of indexing again")
    args = parser.parse_args(argv)

    wanted = ("tantivy", "elasticsearch") if args.backend == "all" else (args.backend,)
    if args.backend == "elasticsearch" and not args.es_url:
        parser.error("--backend elasticsearch needs --es-url or OER_SEARCH_URL")

    # The corpus is needed for every size an index is built for.
    needed = [
        size
        for size in args.sizes
        if ("tantivy" in wanted and not reusable(kept_index(args.keep, size), size))
        or ("elasticsearch" in wanted and args.es_url and size <= args.es_max_size)
    ]
    started = time.perf_counter()
    everything = corpus(max(needed)) if needed else []
    generate_seconds = time.perf_counter() - started
    print(f"corpus: {len(everything):,} documents in {generate_seconds:.1f} s", flush=True)

    results: list[Figures] = []
    for size in args.sizes:
        documents = everything[:size]
        if "tantivy" in wanted:
            results.append(run_tantivy(everything, size, args.rounds, args.keep))
            print(f"tantivy, {size:,}: done", flush=True)
        if "elasticsearch" in wanted and args.es_url and size <= args.es_max_size:
            results.append(run_elasticsearch(args.es_url, documents, args.rounds))
            print(f"elasticsearch, {size:,}: done", flush=True)

    command = ".venv/bin/python -m benchmarks.search"
    if args.backend != "all":
        command += f" --backend {args.backend}"
    if args.sizes != DEFAULT_SIZES:
        command += f" --sizes {','.join(str(size) for size in args.sizes)}"
    if args.rounds != 20:
        command += f" --rounds {args.rounds}"
    if args.keep is not None:
        command += " --keep DIR"
    if "elasticsearch" in wanted and args.es_url:
        command += " --es-url URL"
        if args.es_max_size != ES_MAX_SIZE:
            command += f" --es-max-size {args.es_max_size}"
    text = report(results, args.rounds, generate_seconds, len(everything), command)
    publish(SECTION, text, write=not args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
