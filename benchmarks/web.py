"""Benchmark: the site's search page and the JSON API at 100k records, over loopback. I/O: files, network, processes.

Run as `.venv/bin/python -m benchmarks.web [--n 100000] [--duration 20]
[--connections 1,4] [--home DIR]`. It

1. builds an embedded instance (SQLite + tantivy) in a temporary OER_HOME (or
   in `--home`, reused when this benchmark built it for the same `--n`): the records of
   `benchmarks.corpus` are stored through the harvest store service
   (`apply_harvested_page`, pages of 2,000, one source per corpus source; a
   record two sources serve becomes one resource with two provenances), then
   indexed with `rebuild_search_index`;
2. starts `oer serve` on 127.0.0.1 in a subprocess: the production server the
   command uses, exactly as a user starts it;
3. loads `/search?...` (the HTML results page) and `/api/v1/resources?...`
   (JSON) with wrk (Debian's `wrk`; a bounded Python client with `--tool
   python` or when wrk is missing), each for `--duration` seconds per
   concurrency level after a short warm-up. Requests cycle through
   `QUERY_COUNT` different query strings built from a fixed seed: a text from
   the corpus's topics and keywords (or none) with zero to two filters
   (sector, level, subject, licence family, resource type, source, language),
   some on page 2. A last row, apart from the target, times misspelt texts
   at one connection: they find nothing, so the site computes a "did you
   mean" correction. Every URL is checked to answer 200 before the load.

wrk is a closed-loop load (each connection waits for its answer), so the
latencies are those the server gives at that concurrency. The figures go to
the "## web" section of docs/benchmarks.md; other sections are kept.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.corpus import CONTEXT_LEVELS, LEVELS, SOURCES, SUBJECTS
from benchmarks.instance import (
    ServerProcess,
    free_port,
    settings_for,
    source_name,
    store_corpus,
)
from benchmarks.report import machine, publish
from oer.catalogue.queries import count_resources
from oer.discovery import search as discovery
from oer.discovery.indexing import rebuild_search_index
from oer.search import FACET_FIELDS, open_backend
from oer.settings import ensure_home
from oer.store.database import create_engine_from_settings, migrate, session_factory

SECTION = "## web"
MARKER = "benchmark-web.json"
PAGE = 2_000
QUERY_COUNT = 200
TYPO_COUNT = 40
SEED = 5
TARGET_P95_MS = 100.0
WARM_UP_SECONDS = 3
ENDPOINTS = (("site", "/search"), ("api", "/api/v1/resources"))
WRK_SCRIPT = r"""
-- Cycle through the URL paths in WRK_PATHS (one per line); report percentiles as JSON.
local paths = {}
local counter = 0
init = function(args)
  for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
  counter = math.random(#paths)
end
request = function()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nRESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"mean_us": %.1f, "max_us": %d, "errors": %d, "status_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


# -- the instance ---------------------------------------------------------------------------------


@dataclass
class Instance:
    home: Path
    # Corpus records stored, and the resources they became (records sharing a key are one).
    records: int
    resources: int
    store_seconds: float = 0.0
    index_seconds: float = 0.0
    reused: bool = False



def populate(home: Path, n: int) -> Instance:
    """An instance in `home` holding the first `n` corpus items (kept if it already does)."""
    settings = ensure_home(settings_for(home))
    migrate(settings)
    engine = create_engine_from_settings(settings)
    sessions = session_factory(engine)
    try:
        marker = home / MARKER
        with sessions() as session:
            existing = count_resources(session)
        if existing:
            built = json.loads(marker.read_text()) if marker.exists() else {}
            if built.get("n") != n:
                raise SystemExit(f"{home} holds {existing:,} resources not built by this benchmark "
                                 f"for --n {n}: use another --home")
            print(f"reusing {home} ({existing:,} resources)", flush=True)
            return Instance(home, n, existing, built.get("store_seconds", 0.0),
                            built.get("index_seconds", 0.0), reused=True)
        started = time.perf_counter()
        store_corpus(sessions, n)
        store_seconds = time.perf_counter() - started
        started = time.perf_counter()
        backend = open_backend(settings)
        try:
            rebuild_search_index(sessions, backend)
        finally:
            backend.close()
        index_seconds = time.perf_counter() - started
        with sessions() as session:
            resources = count_resources(session)
        marker.write_text(json.dumps(
            {"n": n, "store_seconds": store_seconds, "index_seconds": index_seconds}))
        return Instance(home, n, resources, store_seconds, index_seconds)
    finally:
        engine.dispose()



# -- the server -----------------------------------------------------------------------------------



def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# -- the requests ---------------------------------------------------------------------------------


def query_strings(count: int = QUERY_COUNT, seed: int = SEED) -> list[list[tuple[str, str]]]:
    """`count` different parameter lists: a text and/or filters, as a teacher combines them.

    The text and the subject, sector and level filters belong to one subject of the corpus (a
    biology topic is not searched for with the filter Rekenen); licence family, resource type,
    language and source are combined freely. Some combinations still find nothing, as real
    searches sometimes do.
    """
    rng = random.Random(seed)
    subjects = [s for s in SUBJECTS if s.language == "nl"]
    free_filters: list[tuple[str, list[str]]] = [
        ("licence_family", ["open", "non-commercial", "no-derivatives"]),
        ("learning_resource_types", ["informatiebron", "open opdracht", "gesloten opdracht"]),
        ("source", [source_name(name) for name, _ in SOURCES[:4]]),
        ("languages", ["nl"]),
    ]
    queries: list[list[tuple[str, str]]] = []
    seen: set[str] = set()
    while len(queries) < count:
        subject = rng.choice(subjects)
        context = rng.choice(subject.contexts)
        text = rng.choice((
            "",
            rng.choice(subject.topics).lower(),
            rng.choice(subject.keywords),
            f"{rng.choice(subject.keywords)} {rng.choice(('werkblad', 'toets', 'les', 'oefenen'))}",
        ))
        subject_filters = [
            ("contexts", context),
            ("disciplines", subject.id),
            ("educational_levels", LEVELS[rng.choice(CONTEXT_LEVELS[context])[0]].id),
        ]
        candidates = subject_filters + [(name, rng.choice(values)) for name, values in free_filters]
        chosen = rng.sample(candidates, k=rng.choice((0, 1, 1, 2)))
        if not text and not chosen:
            continue
        parameters = [("q", text)] if text else []
        parameters += sorted(chosen)
        if rng.random() < 0.15:
            parameters.append(("page", "2"))
        key = urlencode(parameters)
        if key not in seen:
            seen.add(key)
            queries.append(parameters)
    return queries


def paths(endpoint: str, queries: Sequence[list[tuple[str, str]]]) -> list[str]:
    return [f"{endpoint}?{urlencode(parameters)}" for parameters in queries]


def check(port: int, api_paths: Sequence[str], site_paths: Sequence[str]) -> list[int]:
    """Every URL answers 200; returns the number of matches of each query (from the API)."""
    totals = []
    for path in [*api_paths, *site_paths]:
        status, body = get(port, path)
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}: {body[:300]!r}")
        if path.startswith("/api/"):
            totals.append(int(json.loads(body)["total"]))
    return totals


def misspelt_queries(count: int = TYPO_COUNT, seed: int = SEED) -> list[list[tuple[str, str]]]:
    """Texts with one typo (two neighbouring letters swapped): what the "did you mean" is for."""
    rng = random.Random(seed + 1)
    words = sorted({word for s in SUBJECTS if s.language == "nl"
                    for topic in s.topics for word in topic.lower().split() if len(word) >= 6})
    queries: list[list[tuple[str, str]]] = []
    for word in rng.sample(words, k=min(count, len(words))):
        at = rng.randrange(1, len(word) - 2)
        typo = word[:at] + word[at + 1] + word[at] + word[at + 2:]
        if typo != word:
            queries.append([("q", typo)])
    return queries


def service_times(home: Path, queries: Sequence[list[tuple[str, str]]], rounds: int = 2) -> list[float]:
    """Milliseconds of the API's search call in-process (parse, search, facet labels): the reference."""
    backend = open_backend(settings_for(home))
    labels = discovery.TermLabels()
    times: list[float] = []
    try:
        for round_number in range(rounds + 1):
            for parameters in queries:
                arguments: dict[str, list[str]] = {}
                for name, value in parameters:
                    arguments.setdefault(name, []).append(value)
                started = time.perf_counter()
                request = discovery.parse_search_request(arguments, strict=True, allow_size=True)
                discovery.search(backend, request, facets=FACET_FIELDS, labels=labels)
                if round_number:  # the first round warms the index's caches
                    times.append((time.perf_counter() - started) * 1000)
    finally:
        backend.close()
    return sorted(times)


# -- the load ------------------------------------------------------------------------------------


@dataclass
class Load:
    endpoint: str
    connections: int
    tool: str
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(port: int, path_file: Path, script: Path, connections: int, duration: int) -> dict[str, float]:
    command = ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{duration}s",
               "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}"]
    completed = subprocess.run(command, capture_output=True, text=True, check=False,
                               env={**os.environ, "WRK_PATHS": str(path_file)})
    for line in completed.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[len("RESULT "):]))
    raise SystemExit(f"wrk gave no result ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")


def wrk_load(port: int, name: str, request_paths: Sequence[str], connections: int, duration: int,
             workdir: Path) -> Load:
    path_file = workdir / f"{name}.paths"
    path_file.write_text("\n".join(request_paths) + "\n", encoding="utf-8")
    script = workdir / "cycle.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    run_wrk(port, path_file, script, connections, WARM_UP_SECONDS)
    result = run_wrk(port, path_file, script, connections, duration)
    return Load(
        endpoint=name, connections=connections, tool="wrk",
        requests=int(result["requests"]), seconds=result["duration_us"] / 1e6,
        p50_ms=result["p50_us"] / 1000, p95_ms=result["p95_us"] / 1000, p99_ms=result["p99_us"] / 1000,
        errors=int(result["errors"] + result["status_errors"]),
    )


def python_load(port: int, name: str, request_paths: Sequence[str], connections: int,
                duration: int) -> Load:
    """The fallback: `connections` threads, each with one keep-alive connection, for `duration` s."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def worker(offset: int, until: float, record: bool) -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        failed = 0
        for number in _cycle(len(request_paths), offset):
            if time.monotonic() >= until:
                break
            started = time.perf_counter()
            try:
                connection.request("GET", request_paths[number])
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            mine.append(time.perf_counter() - started)
        connection.close()
        if record:
            with lock:
                latencies.extend(mine)
                errors += failed

    for seconds, record in ((WARM_UP_SECONDS, False), (duration, True)):
        until = time.monotonic() + seconds
        threads = [threading.Thread(target=worker, args=(i * 37, until, record)) for i in range(connections)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    latencies.sort()
    return Load(
        endpoint=name, connections=connections, tool="python",
        requests=len(latencies), seconds=elapsed,
        p50_ms=_percentile(latencies, 0.50) * 1000, p95_ms=_percentile(latencies, 0.95) * 1000,
        p99_ms=_percentile(latencies, 0.99) * 1000, errors=errors,
    )


def _cycle(size: int, offset: int) -> Iterator[int]:
    number = offset
    while True:
        yield number % size
        number += 1


def _percentile(ordered: Sequence[float], fraction: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# -- the report -----------------------------------------------------------------------------------


@dataclass
class Run:
    instance: Instance
    loads: list[Load] = field(default_factory=list)
    average_total: float = 0.0
    nothing_found: int = 0
    typos: int = 0
    typos_found_nothing: int = 0
    load_average: str = ""
    service_p50_ms: float = 0.0
    service_p95_ms: float = 0.0
    server: str = ""
    command: str = ""
    duration: int = 0


def report(run: Run) -> str:
    instance = run.instance
    rate = instance.records / max(instance.store_seconds, 1e-9)
    built = (("built earlier by this benchmark: " if instance.reused else "")
             + f"stored in {instance.store_seconds:.0f} s ({rate:,.0f} records/s, corpus generation "
             f"included), indexed in {instance.index_seconds:.0f} s")
    names = {"site": "`/search`", "api": "`/api/v1/resources`",
             "typo": "`/search`, misspelt text (\"did you mean\")"}
    rows = [
        f"| {names[load.endpoint]} | {load.connections} | "
        f"{load.requests:,} | {load.rate:,.1f} | {load.p50_ms:.1f} | {load.p95_ms:.1f} | "
        f"{load.p99_ms:.1f} | {load.errors} |"
        for load in run.loads
    ]
    main_loads = [load for load in run.loads if load.endpoint != "typo"]
    worst = max(load.p95_ms for load in main_loads)
    verdict = "**met**" if worst < TARGET_P95_MS else "**not met**"
    tools = sorted({load.tool for load in run.loads})
    tool = ("wrk " + _wrk_version() + " (closed loop: each connection waits for its answer)"
            if tools == ["wrk"] else "the bounded Python client of `benchmarks.web` (`--tool python`)")
    return f"""{SECTION}

- Instance: {instance.records:,} records of the generated corpus (`benchmarks.corpus`, fixed seed;
  some served by two sources) on the embedded defaults (SQLite + tantivy), stored through the
  harvest store service in pages of {PAGE:,} (de-duplicated into {instance.resources:,} resources)
  and indexed with `rebuild_search_index`; {built}.
- Server: `oer serve` ({run.server}) on 127.0.0.1.
- Load: {tool}; {run.duration} s per row after a {WARM_UP_SECONDS} s warm-up.
- Requests cycle through {QUERY_COUNT} query strings (fixed seed): a text from the corpus's topics
  and keywords, or none, with 0-2 filters (sector, level, subject, licence family, resource type,
  source, language; text and subject filters of one subject), some asking for page 2.
  {run.average_total:,.0f} matches per query on average; {run.nothing_found} of {QUERY_COUNT} find nothing.
  `/search` renders the HTML results page (20 hits, facets, snippets); `/api/v1/resources`
  returns JSON (20 items and the counts of every facet field).
- Reference: the same API searches in-process, without HTTP (`oer.discovery.search.search`,
  parse + search + facet labels, one at a time): p50 {run.service_p50_ms:.1f} ms, p95 {run.service_p95_ms:.1f} ms.
- The last row, apart from the target: {run.typos} one-word texts with a typo (two letters swapped;
  {run.typos_found_nothing} of them find nothing, so the site looks for a correction, "did you mean").

| endpoint | connections | requests | requests/s | p50 ms | p95 ms | p99 ms | errors |
|---|---:|---:|---:|---:|---:|---:|---:|
{chr(10).join(rows)}

Target p95 < {TARGET_P95_MS:.0f} ms for `/search` and `/api/v1/resources` at every concurrency:
{verdict} (worst p95 {worst:.1f} ms).

- command: `{run.command}`
- machine: {machine()}; shared with other work (load average {run.load_average} when the
  load started), so figures are indicative
- measured: {datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
"""


def load_average() -> str:
    """The machine's 1-minute load average (other work on it shows here)."""
    try:
        return Path("/proc/loadavg").read_text(encoding="utf-8").split()[0]
    except OSError:
        return "unknown"


def _wrk_version() -> str:
    completed = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    first = (completed.stdout or completed.stderr).split()
    return first[1] if len(first) > 1 else ""


def server_description(home: Path) -> str:
    """What served the requests, from `oer serve`'s own log line."""
    log = (home / "serve.log").read_text(encoding="utf-8", errors="replace")
    try:
        gunicorn = f"gunicorn {version('gunicorn')}"
    except Exception:  # noqa: BLE001 - only a label
        gunicorn = "gunicorn"
    workers = log.count("Booting worker")
    if "gunicorn" in log.lower() or workers:
        return f"{gunicorn}, {workers} worker processes" if workers else gunicorn
    first = log.strip().splitlines()[0] if log.strip() else "its default server"
    return first[:120]


# -- main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.web", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="resources in the instance")
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per row")
    parser.add_argument("--connections", default="1,4", help="concurrency levels, comma-separated")
    parser.add_argument("--tool", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--home", type=Path, help="build (or reuse) the instance here and keep it")
    parser.add_argument("--no-write", action="store_true", help="print the section, do not write it")
    args = parser.parse_args(argv)
    levels = [int(level) for level in args.connections.split(",") if level.strip()]

    temporary = None if args.home else tempfile.mkdtemp(prefix="oer-bench-web-")
    home = args.home.resolve() if args.home else Path(temporary or "")
    try:
        print(f"instance in {home}: {args.n:,} resources", flush=True)
        instance = populate(home, args.n)
        if not instance.reused:
            print(f"stored in {instance.store_seconds:.1f} s, indexed in {instance.index_seconds:.1f} s",
                  flush=True)
        queries = query_strings()
        site_paths, api_paths = paths("/search", queries), paths("/api/v1/resources", queries)
        run = Run(instance=instance, duration=args.duration,
                  command=" ".join([".venv/bin/python -m benchmarks.web", *(argv if argv is not None else sys.argv[1:])]))
        reference = service_times(home, queries)
        run.service_p50_ms = _percentile(reference, 0.50)
        run.service_p95_ms = _percentile(reference, 0.95)
        print(f"in-process search: p50 {run.service_p50_ms:.1f} ms, p95 {run.service_p95_ms:.1f} ms", flush=True)
        typos = misspelt_queries()
        typo_paths = paths("/search", typos)
        port = free_port()
        oer = Path(sys.executable).with_name("oer")
        command = [str(oer), "serve", "--host", "127.0.0.1", "--port", str(port)]
        with ServerProcess(home, port, command, ready_path="/healthz", log_name="serve.log") as server, \
                tempfile.TemporaryDirectory() as workdir:
            totals = check(server.port, api_paths, site_paths)
            run.average_total = statistics.fmean(totals)
            run.nothing_found = sum(1 for total in totals if total == 0)
            typo_totals = check(server.port, paths("/api/v1/resources", typos), typo_paths)
            run.typos, run.typos_found_nothing = len(typos), sum(1 for t in typo_totals if t == 0)
            run.load_average = load_average()
            plan = [("site", site_paths, levels), ("api", api_paths, levels), ("typo", typo_paths, [1])]
            for name, request_paths, concurrency in plan:
                for connections in concurrency:
                    if args.tool == "wrk":
                        load = wrk_load(server.port, name, request_paths, connections, args.duration,
                                        Path(workdir))
                    else:
                        load = python_load(server.port, name, request_paths, connections, args.duration)
                    print(f"{name} c={connections}: {load.requests:,} requests, p50 {load.p50_ms:.1f} ms, "
                          f"p95 {load.p95_ms:.1f} ms, p99 {load.p99_ms:.1f} ms, errors {load.errors}",
                          flush=True)
                    run.loads.append(load)
            run.server = server_description(home)
        text = report(run)
        publish(SECTION, text, write=not args.no_write)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
