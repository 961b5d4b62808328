"""Benchmark: search backends over a generated 100k-record corpus. I/O: files, network, stdout.

Run as `.venv/bin/python -m benchmarks.search [--backend tantivy|elasticsearch|all]
[--n 100000] [--es-url URL]`. For each backend it measures, over the records of
`benchmarks.corpus` flattened with `document_from_record`:

- index throughput: `SearchBackend.index` in batches of 1,000 (what the
  harvest pipeline does), into an empty index;
- rebuild: `SearchBackend.rebuild` of the whole corpus (what `oer reindex` does);
- query latency p50/p95 of text + one filter + the counts of all 11 facet
  fields, through the service layer (`SearchBackend.search`, results turned
  into `SearchResult` objects) and, as the reference, the raw engine call
  with the same query (tantivy: count + top 20 + aggregation on a prepared
  query; Elasticsearch: the same request body through the client, and the
  server's own `took`);
- search-box suggestions: `SearchBackend.suggest` p50/p95 over prefixes of
  1 to 6 letters of common title words, plus a few multi-word prefixes, as a
  search box asks on every keystroke;
- "did you mean": `oer.discovery.search.did_you_mean` p50/p95 (spelling
  lookups per unknown word plus the search that checks the correction finds
  something) over searches with typos, as the site runs it when a search
  finds nothing.

Elasticsearch runs when `--es-url` or OER_SEARCH_URL is given, in indexes
named `oerbench-<random>-...` that are deleted afterwards. The figures go to
the "## search" section of docs/benchmarks.md; other sections are kept.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks.corpus import LEVELS, SUBJECTS, generate
from benchmarks.report import machine, write_section
from metadata.facets import FACET_FIELDS
from oer.discovery.search import SearchRequest, did_you_mean
from oer.search import (
    SearchBackend,
    SearchDocument,
    SearchQuery,
    document_from_record,
)

SECTION = "## search"
BATCH = 1_000
PAGE_SIZE = 20
TARGET_P95_MS = {"tantivy": 20.0, "elasticsearch": 50.0}
TARGET_SUGGEST_P95_MS = {"tantivy": 15.0, "elasticsearch": 30.0}
TARGET_DID_YOU_MEAN_P95_MS = {"tantivy": 30.0, "elasticsearch": 50.0}
TARGET_REBUILD_S = 60.0
SUGGESTIONS = 8  # what the site's search box asks for

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
    index_rate: float = 0.0
    index_seconds: float = 0.0
    rebuild_seconds: float = 0.0
    service_ms: list[float] = field(default_factory=list)
    raw_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    average_total: float = 0.0
    suggest_ms: list[float] = field(default_factory=list)
    did_you_mean_ms: list[float] = field(default_factory=list)
    corrected: int = 0


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


def measure_backend(
    figures: Figures,
    backend: SearchBackend,
    documents: Sequence[SearchDocument],
    rounds: int,
    raw_call: Callable[[SearchQuery], Callable[[], object]],
) -> None:
    started = time.perf_counter()
    for batch in batches(documents, BATCH):
        backend.index(batch)
    figures.index_seconds = time.perf_counter() - started
    figures.index_rate = len(documents) / figures.index_seconds
    assert backend.count() == len(documents), "index lost documents"

    started = time.perf_counter()
    backend.rebuild(iter(documents))
    figures.rebuild_seconds = time.perf_counter() - started
    assert backend.count() == len(documents), "rebuild lost documents"

    planned = queries()
    raws = [raw_call(query) for query in planned]
    totals: list[int] = []
    for query, raw in zip(planned, raws, strict=True):  # warm-up: caches, JIT, page cache
        totals.append(backend.search(query).total)
        raw()
    figures.average_total = statistics.mean(totals)
    for _ in range(rounds):
        for query, raw in zip(planned, raws, strict=True):
            figures.service_ms.append(time_ms(partial(backend.search, query)))
            figures.raw_ms.append(time_ms(raw))
    measure_suggestions(figures, backend, rounds)


def measure_suggestions(figures: Figures, backend: SearchBackend, rounds: int) -> None:
    """Suggest on every keystroke, and "did you mean" for searches with typos."""
    requests = [SearchRequest(text=text) for text in TYPOS + GIBBERISH]
    for prefix in SUGGEST_PREFIXES:  # warm-up
        backend.suggest(prefix, SUGGESTIONS)
    corrections = {request.text: did_you_mean(backend, request) for request in requests}
    figures.corrected = sum(1 for text in TYPOS if corrections[text] is not None)
    assert all(corrections[text] is None for text in GIBBERISH), "corrected gibberish"
    for _ in range(rounds):
        for prefix in SUGGEST_PREFIXES:
            figures.suggest_ms.append(time_ms(partial(backend.suggest, prefix, SUGGESTIONS)))
        for request in requests:
            figures.did_you_mean_ms.append(time_ms(partial(did_you_mean, backend, request)))


def run_tantivy(documents: Sequence[SearchDocument], rounds: int) -> Figures:
    from oer.search.tantivy_backend import TantivyBackend

    directory = Path(tempfile.mkdtemp(prefix="oerbench-tantivy-"))
    try:
        backend = TantivyBackend.open(directory / "index")
        figures = Figures("tantivy", f"tantivy-py {version('tantivy')}, index in a temporary directory")

        def raw_call(query: SearchQuery) -> Callable[[], object]:
            # The engine work of the same query, prepared once: count, top 20, aggregations.
            text_query = backend._text_query(query.text)
            assert text_query is not None
            prepared = backend._filtered(text_query, query)
            aggregations = {name: {"terms": {"field": name, "size": 100}} for name in query.facets}

            def call() -> object:
                searcher = backend._current().index.searcher()
                searcher.search(prepared, PAGE_SIZE, count=True)
                return searcher.aggregate(prepared, aggregations)

            return call

        measure_backend(figures, backend, documents, rounds, raw_call)
        backend.close()
        return figures
    finally:
        shutil.rmtree(directory, ignore_errors=True)


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




def report(
    all_figures: list[Figures], n: int, rounds: int, generate_seconds: float, command: str
) -> str:
    rows = []
    verdicts = []
    suggest_rows = []
    suggest_verdicts = []
    for f in all_figures:
        s50, s95 = percentile(f.suggest_ms, 0.50), percentile(f.suggest_ms, 0.95)
        d50, d95 = percentile(f.did_you_mean_ms, 0.50), percentile(f.did_you_mean_ms, 0.95)
        suggest_rows.append(
            f"| {f.backend} | {s50:.1f} / {s95:.1f} ms | {d50:.1f} / {d95:.1f} ms "
            f"| {f.corrected} of {len(TYPOS)} |"
        )
        suggest_target = TARGET_SUGGEST_P95_MS[f.backend]
        correction_target = TARGET_DID_YOU_MEAN_P95_MS[f.backend]
        suggest_verdicts.append(
            f"- {f.backend}: suggest p95 {s95:.1f} ms (target < {suggest_target:.0f} ms): "
            f"**{'met' if s95 < suggest_target else 'NOT met'}**; did-you-mean p95 {d95:.1f} ms "
            f"(target < {correction_target:.0f} ms): "
            f"**{'met' if d95 < correction_target else 'NOT met'}**"
        )
        p50, p95 = percentile(f.service_ms, 0.50), percentile(f.service_ms, 0.95)
        raw50, raw95 = percentile(f.raw_ms, 0.50), percentile(f.raw_ms, 0.95)
        server = (
            f"; server `took` p50 {percentile(f.server_ms, 0.5):.1f} / "
            f"p95 {percentile(f.server_ms, 0.95):.1f} ms"
            if f.server_ms
            else ""
        )
        rows.append(
            f"| {f.backend} | {f.index_rate:,.0f} docs/s ({f.index_seconds:.1f} s) "
            f"| {f.rebuild_seconds:.1f} s | {p50:.1f} / {p95:.1f} ms "
            f"| {raw50:.1f} / {raw95:.1f} ms{server} |"
        )
        target = TARGET_P95_MS[f.backend]
        verdicts.append(
            f"- {f.backend}: query p95 {p95:.1f} ms (target < {target:.0f} ms): "
            f"**{'met' if p95 < target else 'NOT met'}**; rebuild {f.rebuild_seconds:.1f} s "
            f"(target < {TARGET_REBUILD_S:.0f} s): "
            f"**{'met' if f.rebuild_seconds < TARGET_REBUILD_S else 'NOT met'}** ({f.detail})"
        )
    samples = len(QUERIES) * rounds
    gibberish = ", ".join(f"`{text}`" for text in GIBBERISH)
    multi_word = len(SUGGEST_PREFIXES) - 6 * len(SUGGEST_WORDS)
    average_total = statistics.mean(f.average_total for f in all_figures)
    return f"""{SECTION}

Corpus: {n:,} generated NL-LOM records (`benchmarks.corpus`, fixed seed), flattened with
`document_from_record`; generating them took {generate_seconds:.1f} s and is not counted.
Query: text + one filter + the counts of all {len(FACET_FIELDS)} facet fields, top {PAGE_SIZE} by
relevance; {len(QUERIES)} different queries ({average_total:,.0f} matches each on average),
{rounds} timed rounds after a warm-up round, {samples} timed calls per figure.
"Service layer" is `SearchBackend.search` returning a `SearchResult`; "raw engine" is the same
query through the engine's own API (tantivy: count + top {PAGE_SIZE} + aggregation on a prepared
query; Elasticsearch: the same request body through the client, and the server's `took`).

| backend | index (`index()`, batches of {BATCH:,}) | rebuild of {n:,} | service layer p50 / p95 | raw engine p50 / p95 |
|---|---|---|---|---|
{chr(10).join(rows)}

{chr(10).join(verdicts)}

Search box and "did you mean", same index. Suggest: `SearchBackend.suggest(prefix, {SUGGESTIONS})`
over {len(SUGGEST_PREFIXES)} prefixes, the first 1 to 6 letters of {len(SUGGEST_WORDS)} title words
and {multi_word} multi-word ones (one letter is below the minimum and answers at once),
{rounds * len(SUGGEST_PREFIXES):,} timed calls. Did you mean: `did_you_mean` of the discovery
service (a spelling lookup per unknown word, then a search checking that the correction finds
something) over {len(TYPOS)} searches with typos and {len(GIBBERISH)} with nothing close
({gibberish}), {rounds * (len(TYPOS) + len(GIBBERISH)):,} timed calls.

| backend | suggest p50 / p95 | did you mean p50 / p95 | typo'd searches corrected |
|---|---|---|---|
{chr(10).join(suggest_rows)}

{chr(10).join(suggest_verdicts)}

- command: `{command}`
- machine: {machine()}; shared with other work, so figures are indicative
- measured: {datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}

"""




def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--backend", choices=("tantivy", "elasticsearch", "all"), default="all")
    parser.add_argument("--n", type=int, default=100_000, help="corpus size")
    parser.add_argument("--rounds", type=int, default=20, help="timed rounds over the queries")
    parser.add_argument("--es-url", default=os.environ.get("OER_SEARCH_URL"),
                        help="Elasticsearch URL (default: OER_SEARCH_URL)")
    parser.add_argument("--no-write", action="store_true",
                        help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)

    wanted = ("tantivy", "elasticsearch") if args.backend == "all" else (args.backend,)
    if args.backend == "elasticsearch" and not args.es_url:
        parser.error("--backend elasticsearch needs --es-url or OER_SEARCH_URL")

    started = time.perf_counter()
    documents = corpus(args.n)
    generate_seconds = time.perf_counter() - started
    print(f"corpus: {len(documents):,} documents in {generate_seconds:.1f} s", flush=True)

    results: list[Figures] = []
    if "tantivy" in wanted:
        results.append(run_tantivy(documents, args.rounds))
    if "elasticsearch" in wanted and args.es_url:
        results.append(run_elasticsearch(args.es_url, documents, args.rounds))

    command = ".venv/bin/python -m benchmarks.search"
    if args.backend != "all":
        command += f" --backend {args.backend}"
    if args.n != 100_000:
        command += f" --n {args.n}"
    if args.rounds != 20:
        command += f" --rounds {args.rounds}"
    if "elasticsearch" in wanted and args.es_url:
        command += " --es-url URL"
    text = report(results, args.n, args.rounds, generate_seconds, command)
    print(text)
    if not args.no_write:
        write_section(SECTION, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
