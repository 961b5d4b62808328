"""Benchmark: the site's search page and the JSON API at 100k records, over loopback. I/O: files, network, processes.

Run as `.venv/bin/python -m benchmarks.web [--n 100000] [--duration 20]
[--connections 1,4] [--workers 2] [--home DIR] [--save FILE] [--before FILE]`. It

1. builds an embedded instance (SQLite + tantivy) in a temporary OER_HOME (or
   in `--home`, reused when this benchmark built it for the same `--n`): the records of
   `benchmarks.corpus` are stored through the harvest store service
   (`apply_harvested_page`, pages of 2,000, one source per corpus source; a
   record two sources serve becomes one resource with two provenances), then
   indexed with `rebuild_search_index`;
2. times the references in-process, without HTTP: the API's search call
   (`oer.discovery.search.search`) and the whole `/search` page through Flask's
   test client;
3. starts the server in a subprocess (`--serve`): `oer serve`'s own code
   (`oer.commands.serve.serve`: its checks, gunicorn and its settings, here
   `--workers` worker processes, the access log as OER_ACCESS_LOG says) on an
   app with one route added, `REFERENCE_PATH`, which answers a short text
   through the same Flask app, hooks and server: the floor any page stands on;
4. loads `/search?...` (the HTML results page), `/api/v1/resources?...` (JSON)
   and the reference route with wrk (Debian's `wrk`; a bounded Python client
   with `--tool python` or when wrk is missing), each for `--duration` seconds
   per concurrency level after a short warm-up. Requests cycle through
   `QUERY_COUNT` different query strings built from a fixed seed: a text from
   the corpus's topics and keywords (or none) with zero to two filters
   (sector, level, subject, licence family, resource type, source, language),
   some on page 2. A last row, apart from the target, times misspelt texts
   at one connection: they find nothing, so the site computes a "did you
   mean" correction. Every URL is checked to answer 200 before the load.

wrk is a closed-loop load (each connection waits for its answer), so the
latencies are those the server gives at that concurrency. Other work on the
machine slows every row alike, so the ratio of `/search` to the reference
route, measured in the same run, is the steadier figure. The figures go to the
"## web" section of docs/benchmarks.md; other sections are kept. `--save FILE`
keeps this run's figures as JSON; `--before FILE` (such a file, from a run on
the code before a change) adds its one-line summary, which later runs keep.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import click

from benchmarks.corpus import CONTEXT_LEVELS, LEVELS, SOURCES, SUBJECTS
from benchmarks.instance import (
    ServerProcess,
    free_port,
    settings_for,
    source_name,
    store_corpus,
)
from benchmarks.report import machine, publish, section_line
from metadata.facets import FACET_FIELDS
from oer.catalogue.queries import count_resources
from oer.commands.context import CommandContext
from oer.commands.serve import serve, serve_command
from oer.discovery import search as discovery
from oer.discovery.indexing import rebuild_search_index
from oer.runtime import build_runtime
from oer.search import open_backend
from oer.settings import Settings, ensure_home
from oer.store.database import migrate

SECTION = "## web"
MARKER = "benchmark-web.json"
PAGE = 2_000
QUERY_COUNT = 200
TYPO_COUNT = 40
SEED = 5
# The target: `/search` at this p95 or below with TARGET_CONNECTIONS connections.
TARGET_P95_MS = 50.0
TARGET_CONNECTIONS = 4
WARM_UP_SECONDS = 3
DEFAULT_WORKERS = 2
# The route the benchmark's server adds to the app: the same app, hooks and server, no page.
REFERENCE_PATH = "/benchmark/reference"
REFERENCE_TEXT = "ok"
# The summary line of a run before a change, kept when a run is given no `--before`.
BEFORE_PREFIX = "- Before:"
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
    # The composition root, as the product's entry points use it: its sessions run the
    # feed and index projections on every commit.
    runtime = build_runtime(settings)
    sessions = runtime.sessions
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
        runtime.close()



# -- the server -----------------------------------------------------------------------------------



def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def reference_app(settings: Settings) -> Any:
    """The app `oer serve` serves, with the benchmark's reference route added."""
    # Imported here: only the server subprocess builds the web app.
    from web.cli import served_app

    app = served_app(settings)
    app.add_url_rule(REFERENCE_PATH, "benchmark_reference", lambda: REFERENCE_TEXT)
    return app


def serve_with_reference(port: int, workers: int) -> None:
    """Serve the instance in OER_HOME as `oer serve --port PORT --workers N` does, on `reference_app`."""
    context = CommandContext(app_factory=reference_app)
    with click.Context(serve_command, obj=context):
        serve(context.settings(), host="127.0.0.1", port=port, workers=workers)


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


def page_times(home: Path, request_paths: Sequence[str], rounds: int = 2) -> tuple[list[float], float]:
    """Milliseconds of whole `/search` pages in-process (Flask's test client), and their mean CPU time.

    The page without HTTP; CPU time (of every thread of this process) is steadier than the wall
    clock when other work shares the machine.
    """
    # Imported here: only this reference and the server build the web app.
    from web.app import create_app

    # One client asking as fast as it can: the product's rate limits would answer it with 429.
    unlimited = "100000000/minute"
    settings = dataclasses.replace(settings_for(home), rate_limit_search=unlimited, rate_limit_api=unlimited,
                                   rate_limit_feed=unlimited)
    app = create_app({"OER_SETTINGS": settings})
    client = app.test_client()
    times: list[float] = []
    cpu = 0.0
    try:
        for round_number in range(rounds + 1):
            for path in request_paths:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"GET {path} in-process answered {response.status_code}")
                if round_number:  # the first round warms the caches
                    times.append(elapsed)
                    cpu += (time.process_time() - cpu_started) * 1000
    finally:
        app.extensions["oer_runtime"].close()
    return sorted(times), cpu / max(len(times), 1)


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
    # CPU time the server's processes spent per request (all their threads): steadier than the
    # latencies when other work shares the machine.
    cpu_ms: float = 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def server_cpu_seconds(pid: int) -> float:
    """CPU time used so far by process `pid` and its children (a server and its workers); Linux."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The fields after the command name: state, ppid, ..., utime (12th), stime (13th).
            fields = stat.read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # a process that ended meanwhile
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def run_wrk(port: int, path_file: Path, script: Path, connections: int, duration: int,
            headers: Mapping[str, str] | None = None) -> dict[str, float]:
    command = ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{duration}s",
               "--timeout", "10s", "-s", str(script),
               *(f"-H{name}: {value}" for name, value in (headers or {}).items()), f"http://127.0.0.1:{port}"]
    completed = subprocess.run(command, capture_output=True, text=True, check=False,
                               env={**os.environ, "WRK_PATHS": str(path_file)})
    for line in completed.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[len("RESULT "):]))
    raise SystemExit(f"wrk gave no result ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")


def wrk_load(port: int, name: str, request_paths: Sequence[str], connections: int, duration: int,
             workdir: Path, server_cpu: Callable[[], float], headers: Mapping[str, str] | None = None) -> Load:
    """`request_paths` in turn (with `headers`, e.g. a token) for `duration` s after a warm-up."""
    path_file = workdir / f"{name}.paths"
    path_file.write_text("\n".join(request_paths) + "\n", encoding="utf-8")
    script = workdir / "cycle.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    run_wrk(port, path_file, script, connections, WARM_UP_SECONDS, headers)
    cpu_before = server_cpu()
    result = run_wrk(port, path_file, script, connections, duration, headers)
    cpu = server_cpu() - cpu_before
    requests = int(result["requests"])
    return Load(
        endpoint=name, connections=connections, tool="wrk",
        requests=requests, seconds=result["duration_us"] / 1e6,
        p50_ms=result["p50_us"] / 1000, p95_ms=result["p95_us"] / 1000, p99_ms=result["p99_us"] / 1000,
        errors=int(result["errors"] + result["status_errors"]), cpu_ms=cpu * 1000 / max(requests, 1),
    )


def python_load(port: int, name: str, request_paths: Sequence[str], connections: int,
                duration: int, server_cpu: Callable[[], float], headers: Mapping[str, str] | None = None) -> Load:
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
                connection.request("GET", request_paths[number], headers=dict(headers or {}))
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
        cpu_before = server_cpu()
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        cpu = server_cpu() - cpu_before
    latencies.sort()
    return Load(
        endpoint=name, connections=connections, tool="python",
        requests=len(latencies), seconds=elapsed,
        p50_ms=_percentile(latencies, 0.50) * 1000, p95_ms=_percentile(latencies, 0.95) * 1000,
        p99_ms=_percentile(latencies, 0.99) * 1000, errors=errors,
        cpu_ms=cpu * 1000 / max(len(latencies), 1),
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
    load_average_end: str = ""
    service_p50_ms: float = 0.0
    service_p95_ms: float = 0.0
    page_p50_ms: float = 0.0
    page_p95_ms: float = 0.0
    page_cpu_ms: float = 0.0
    server: str = ""
    workers: int = DEFAULT_WORKERS
    access_log: str | None = "-"
    command: str = ""
    duration: int = 0
    measured: str = ""
    # The summary line of a run before a change (`--before`, or kept from the section).
    before: str = ""

    def load(self, endpoint: str, connections: int) -> Load | None:
        return next((load for load in self.loads
                     if load.endpoint == endpoint and load.connections == connections), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "measured": self.measured, "command": self.command, "workers": self.workers,
            "load_average": f"{self.load_average}-{self.load_average_end}",
            "service_p50_ms": self.service_p50_ms, "service_p95_ms": self.service_p95_ms,
            "page_p50_ms": self.page_p50_ms, "page_p95_ms": self.page_p95_ms, "page_cpu_ms": self.page_cpu_ms,
            "loads": [dataclasses.asdict(load) for load in self.loads],
        }


def ratio(run: Run, connections: int) -> str:
    """`/search` against the reference route at one concurrency: "p50 a/b ms = x, p95 c/d ms = y"."""
    page, floor = run.load("site", connections), run.load("reference", connections)
    if page is None or floor is None:
        return "not measured"
    return (f"p50 {page.p50_ms:.1f}/{floor.p50_ms:.1f} ms = {page.p50_ms / max(floor.p50_ms, 1e-9):.1f}x, "
            f"p95 {page.p95_ms:.1f}/{floor.p95_ms:.1f} ms = {page.p95_ms / max(floor.p95_ms, 1e-9):.1f}x, "
            f"server CPU {page.cpu_ms:.2f}/{floor.cpu_ms:.2f} ms = {page.cpu_ms / max(floor.cpu_ms, 1e-9):.1f}x, "
            f"requests/s {page.rate:,.0f}/{floor.rate:,.0f}")


def before_line(saved: dict[str, Any], label: str) -> str:
    """The one-line summary of a saved run (`--save`), for the section of a later run."""
    loads = [Load(**row) for row in saved["loads"]]
    run = Run(instance=Instance(Path(), 0, 0), loads=loads)
    levels = sorted({load.connections for load in loads if load.endpoint == "site"})
    parts = []
    for connections in levels:
        page = run.load("site", connections)
        assert page is not None
        floor = run.load("reference", connections)
        against = f" ({page.p95_ms / floor.p95_ms:.1f}x the reference route's)" if floor and floor.p95_ms else ""
        parts.append(f"{connections} connection{'s' if connections > 1 else ''}: p50 {page.p50_ms:.1f} ms, "
                     f"p95 {page.p95_ms:.1f} ms{against}, {page.rate:,.1f} requests/s, "
                     f"server CPU {page.cpu_ms:.2f} ms/request")
    return (f"{BEFORE_PREFIX} {label}, measured {saved['measured']} (load average {saved['load_average']}) "
            f"with `{saved['command']}`: `/search` at "
            + "; ".join(parts) + f"; in-process page p50 {saved['page_p50_ms']:.1f} ms "
            f"(CPU {saved['page_cpu_ms']:.1f} ms), search p50 {saved['service_p50_ms']:.1f} ms.")


def report(run: Run) -> str:
    instance = run.instance
    rate = instance.records / max(instance.store_seconds, 1e-9)
    built = (("built earlier by this benchmark: " if instance.reused else "")
             + f"stored in {instance.store_seconds:.0f} s ({rate:,.0f} records/s, corpus generation "
             f"included), indexed in {instance.index_seconds:.0f} s")
    names = {"site": "`/search`", "api": "`/api/v1/resources`", "reference": f"`{REFERENCE_PATH}`",
             "typo": "`/search`, misspelt text (\"did you mean\")"}
    rows = [
        f"| {names[load.endpoint]} | {load.connections} | "
        f"{load.requests:,} | {load.rate:,.1f} | {load.p50_ms:.1f} | {load.p95_ms:.1f} | "
        f"{load.p99_ms:.1f} | {load.cpu_ms:.2f} | {load.errors} |"
        for load in run.loads
    ]
    target = run.load("site", TARGET_CONNECTIONS)
    if target is None:
        verdict = f"not measured (no row at {TARGET_CONNECTIONS} connections)"
    else:
        met = "**met**" if target.p95_ms <= TARGET_P95_MS else "**not met**"
        verdict = f"{met} (p95 {target.p95_ms:.1f} ms)"
    levels = sorted({load.connections for load in run.loads if load.endpoint == "site"})
    ratios = "\n".join(f"  - {connections} connection{'s' if connections > 1 else ''}: {ratio(run, connections)}"
                       for connections in levels)
    tools = sorted({load.tool for load in run.loads})
    tool = ("wrk " + _wrk_version() + " (closed loop: each connection waits for its answer)"
            if tools == ["wrk"] else "the bounded Python client of `benchmarks.web` (`--tool python`)")
    access_log = {None: "off", "-": "on, to standard output"}.get(run.access_log, f"on, to {run.access_log}")
    before = f"\n{run.before}\n" if run.before else ""
    return f"""{SECTION}

- Instance: {instance.records:,} records of the generated corpus (`benchmarks.corpus`, fixed seed;
  some served by two sources) on the embedded defaults (SQLite + tantivy), stored through the
  harvest store service in pages of {PAGE:,} (de-duplicated into {instance.resources:,} resources)
  and indexed with `rebuild_search_index`; {built}.
- Server: `oer serve`'s own code and gunicorn settings ({run.server}, `--workers {run.workers}`,
  access log {access_log}) on 127.0.0.1, serving the site's app with one route added,
  `{REFERENCE_PATH}`, which answers "{REFERENCE_TEXT}" through the same app, request hooks and
  server: the reference route.
- Load: {tool}; {run.duration} s per row after a {WARM_UP_SECONDS} s warm-up. "server CPU" is the CPU
  time the server's processes (every thread: Python's and the index's) spent during the row,
  divided by the requests answered.
- Requests cycle through {QUERY_COUNT} query strings (fixed seed): a text from the corpus's topics
  and keywords, or none, with 0-2 filters (sector, level, subject, licence family, resource type,
  source, language; text and subject filters of one subject), some asking for page 2.
  {run.average_total:,.0f} matches per query on average; {run.nothing_found} of {QUERY_COUNT} find nothing.
  `/search` renders the HTML results page (20 hits, facets, snippets); `/api/v1/resources`
  returns JSON (20 items and the counts of every facet field).
- In-process, without HTTP, one at a time: the API's search (`oer.discovery.search.search`,
  parse + search + facet labels) p50 {run.service_p50_ms:.1f} ms, p95 {run.service_p95_ms:.1f} ms; the whole
  `/search` page (Flask's test client) p50 {run.page_p50_ms:.1f} ms, p95 {run.page_p95_ms:.1f} ms, CPU
  {run.page_cpu_ms:.1f} ms a page on average.
- The last row, apart from the target: {run.typos} one-word texts with a typo (two letters swapped;
  a text as typed that finds nothing makes the site look for a correction, "did you mean", and
  search for it; {run.typos_found_nothing} of them find nothing even then).

| endpoint | connections | requests | requests/s | p50 ms | p95 ms | p99 ms | server CPU ms/request | errors |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
{chr(10).join(rows)}

Target: `/search` p95 <= {TARGET_P95_MS:.0f} ms with {TARGET_CONNECTIONS} connections: {verdict}.

`/search` against the reference route in the same run (other work on the machine slows both):
{ratios}
{before}
- command: `{run.command}`
- machine: {machine()}; shared with other work (load average {run.load_average} when the
  load started, {run.load_average_end} when it ended), so figures are indicative
- measured: {run.measured}

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


def server_description(home: Path, log_name: str = "serve.log") -> str:
    """What served the requests, from `oer serve`'s own log line (in `home`/`log_name`)."""
    log = (home / log_name).read_text(encoding="utf-8", errors="replace")
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
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="gunicorn worker processes")
    parser.add_argument("--tool", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--home", type=Path, help="build (or reuse) the instance here and keep it")
    parser.add_argument("--no-write", action="store_true", help="print the section, do not write it")
    parser.add_argument("--save", type=Path, help="also write this run's figures to this JSON file")
    parser.add_argument("--before", type=Path, help="a run's --save file from before a change, summarised")
    parser.add_argument("--before-label", default="before the change", help="what the --before run measured")
    # Internal: the server subprocess (serve the instance in OER_HOME on this port).
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve_with_reference(args.serve, args.workers)
        return 0
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
        run = Run(instance=instance, duration=args.duration, workers=args.workers,
                  access_log=settings_for(home).access_log,
                  command=shlex.join([".venv/bin/python", "-m", "benchmarks.web",
                                      *(argv if argv is not None else sys.argv[1:])]))
        if args.before:
            run.before = before_line(json.loads(args.before.read_text(encoding="utf-8")), args.before_label)
        else:
            run.before = section_line(SECTION, BEFORE_PREFIX) or ""
        reference = service_times(home, queries)
        run.service_p50_ms = _percentile(reference, 0.50)
        run.service_p95_ms = _percentile(reference, 0.95)
        print(f"in-process search: p50 {run.service_p50_ms:.1f} ms, p95 {run.service_p95_ms:.1f} ms", flush=True)
        pages, run.page_cpu_ms = page_times(home, site_paths)
        run.page_p50_ms, run.page_p95_ms = _percentile(pages, 0.50), _percentile(pages, 0.95)
        print(f"in-process /search page: p50 {run.page_p50_ms:.1f} ms, p95 {run.page_p95_ms:.1f} ms, "
              f"CPU {run.page_cpu_ms:.1f} ms", flush=True)
        typos = misspelt_queries()
        typo_paths = paths("/search", typos)
        port = free_port()
        command = [sys.executable, "-m", "benchmarks.web", "--serve", str(port), "--workers", str(args.workers)]
        with ServerProcess(home, port, command, ready_path="/healthz", log_name="serve.log") as server, \
                tempfile.TemporaryDirectory() as workdir:
            totals = check(server.port, api_paths, site_paths)
            run.average_total = statistics.fmean(totals)
            run.nothing_found = sum(1 for total in totals if total == 0)
            typo_totals = check(server.port, paths("/api/v1/resources", typos), typo_paths)
            run.typos, run.typos_found_nothing = len(typos), sum(1 for t in typo_totals if t == 0)
            status, body = get(server.port, REFERENCE_PATH)
            if status != 200 or body.decode() != REFERENCE_TEXT:
                raise SystemExit(f"GET {REFERENCE_PATH} answered {status}: {body[:300]!r}")
            def server_cpu() -> float:
                assert server.process is not None
                return server_cpu_seconds(server.process.pid)

            run.load_average = load_average()
            run.measured = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
            # The page and the reference route one after the other at each concurrency, so that
            # other work on the machine weighs on both alike.
            plan = [(name, request_paths, connections) for connections in levels
                    for name, request_paths in (("site", site_paths), ("reference", [REFERENCE_PATH]))]
            plan += [("api", api_paths, connections) for connections in levels]
            plan.append(("typo", typo_paths, 1))
            for name, request_paths, connections in plan:
                if args.tool == "wrk":
                    load = wrk_load(server.port, name, request_paths, connections, args.duration, Path(workdir),
                                    server_cpu)
                else:
                    load = python_load(server.port, name, request_paths, connections, args.duration, server_cpu)
                print(f"{name} c={connections}: {load.requests:,} requests, p50 {load.p50_ms:.1f} ms, "
                      f"p95 {load.p95_ms:.1f} ms, p99 {load.p99_ms:.1f} ms, errors {load.errors}, "
                      f"server CPU {load.cpu_ms:.2f} ms/request", flush=True)
                run.loads.append(load)
            run.load_average_end = load_average()
            run.server = server_description(home)
        if args.save:
            args.save.write_text(json.dumps(run.to_dict(), indent=1) + "\n", encoding="utf-8")
        publish(SECTION, report(run), write=not args.no_write)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
