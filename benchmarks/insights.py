"""Benchmark: the `/inzicht` page and the insight API at 100k materials, over loopback. I/O: files, network, processes.

Run as `.venv/bin/python -m benchmarks.insights [--n 100000] [--duration 10]
[--connections 1,4] [--workers 2] [--home DIR] [--prepared TEXT]`. It

1. builds an embedded instance (SQLite + tantivy) as `benchmarks.web` does, or
   reuses the one in `--home` that `benchmarks.web` built for the same `--n`
   (bring an older one to the current schema first with `oer init` and, after
   an index schema change, `oer reindex`; `--prepared` says so in the section);
2. times every figure's query in-process, one at a time: what the first
   request of a server process pays, since the site caches the public figures
   per process for five minutes and computes the operators' on every request;
3. times the cold request: a fresh server (`benchmarks.web`'s: `oer serve`'s
   code, gunicorn, the reference route added), whose first request is
   `/inzicht` or one figure of the API, `COLD_STARTS` times each;
4. loads, with wrk (or `benchmarks.web`'s Python client) at each concurrency
   level after a warm-up: `/inzicht` (anonymous), the reference route,
   `/api/v1/insights` (the list), the public figures as JSON in turn, one
   figure as CSV, `/api/v1/insights/demand`, and the operators' figures with
   an API token of a user with a platform role (made for the run with the
   accounts service, revoked after it).

The figures go to the "## insights" section of docs/benchmarks.md; other
sections are kept. The target: p95 at most `TARGET_P95_MS` for every insight
row (the warm page and API) at every concurrency level, and for the cold
request.
"""

from __future__ import annotations

import argparse
import http.client
import re
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.instance import ServerProcess, free_port, settings_for
from benchmarks.report import machine, publish
from benchmarks.web import (
    DEFAULT_WORKERS,
    REFERENCE_PATH,
    WARM_UP_SECONDS,
    Instance,
    Load,
    get,
    load_average,
    populate,
    python_load,
    server_cpu_seconds,
    server_description,
    wrk_load,
)
from oer.accounts.actor import SYSTEM
from oer.accounts.models import PlatformRole
from oer.accounts.queries import find_user_by_email
from oer.accounts.service import add_user, create_token, grant_role, revoke_token
from oer.insights import queries as insight_queries
from oer.insights.figures import OPERATOR_FIGURES, PUBLIC_FIGURES, FigureName
from oer.runtime import build_runtime
from oer.search import open_backend

SECTION = "## insights"
TARGET_P95_MS = 300.0
COLD_STARTS = 3
PAGE_PATH = "/inzicht"
API_PATH = "/api/v1/insights"
CSV_FIGURE = FigureName.KERNDOELEN
COLD_FIGURE = FigureName.KERNDOELEN
DEMAND_PATH = f"{API_PATH}/demand"
# The user whose token asks for the operators' figures: a platform beheerder.
OPERATOR_EMAIL = "benchmark-insights@example.org"


@dataclass(frozen=True)
class Endpoint:
    """One row of the load: what it asks for, as whom."""

    name: str
    label: str
    paths: tuple[str, ...]
    operator: bool = False
    # The reference route is the floor, not an insight: it is outside the target.
    targeted: bool = True


def endpoints() -> tuple[Endpoint, ...]:
    """Every row of the load, the page and the reference route first."""
    public = tuple(f"{API_PATH}/{name.value}" for name in PUBLIC_FIGURES)
    operator = tuple(f"{API_PATH}/{name.value}" for name in OPERATOR_FIGURES)
    return (
        Endpoint("page", f"`{PAGE_PATH}`", (PAGE_PATH,)),
        Endpoint("reference", f"`{REFERENCE_PATH}`", (REFERENCE_PATH,), targeted=False),
        Endpoint("index", f"`{API_PATH}`", (API_PATH,)),
        Endpoint("figures", f"`{API_PATH}/<figure>` (the {len(public)} public, in turn)", public),
        Endpoint("csv", f"`{API_PATH}/{CSV_FIGURE.value}.csv`", (f"{API_PATH}/{CSV_FIGURE.value}.csv",)),
        Endpoint("demand", f"`{DEMAND_PATH}`", (DEMAND_PATH,)),
        Endpoint("operator", f"`{API_PATH}/<figure>` (the {len(operator)} operators', token of a beheerder)",
                 operator, operator=True),
    )


@dataclass
class Run:
    instance: Instance
    loads: list[Load] = field(default_factory=list)
    # Milliseconds of each figure's query in-process.
    figure_ms: dict[str, float] = field(default_factory=dict)
    # Milliseconds of the first request of a fresh server, per path.
    cold_ms: dict[str, list[float]] = field(default_factory=dict)
    prepared: str = ""
    server: str = ""
    workers: int = DEFAULT_WORKERS
    tool: str = "wrk"
    duration: int = 0
    command: str = ""
    measured: str = ""
    load_average: str = ""
    load_average_end: str = ""
    # Answers of the loaded server that SQLite's "database is locked" turned into 503s (warm-ups included).
    locked: int = 0


# -- pure: the verdict ---------------------------------------------------------------------------


def target_verdict(p95s: Mapping[str, float], target_ms: float = TARGET_P95_MS) -> str:
    """"**met**" when every p95 is at most the target, else "**NOT met**" and the rows over it."""
    if not p95s:
        return "not measured"
    over = [f"{name} ({p95:.1f} ms)" for name, p95 in p95s.items() if p95 > target_ms]
    worst = max(p95s.values())
    if not over:
        return f"**met** (highest p95 {worst:.1f} ms)"
    return "**NOT met**: over it " + ", ".join(over)


def cold_summary(times: Sequence[float]) -> str:
    """The first-request times of fresh servers: "median m ms (a, b, c)"."""
    if not times:
        return "not measured"
    ordered = sorted(times)
    median = ordered[len(ordered) // 2] if len(ordered) % 2 else (
        ordered[len(ordered) // 2 - 1] + ordered[len(ordered) // 2]) / 2
    return f"median {median:.0f} ms ({', '.join(f'{t:.0f}' for t in times)} ms)"


def code_span(text: str) -> str:
    """`text` as Markdown inline code, fenced with more backticks than any run of them it holds."""
    runs = [len(run) for run in re.findall(r"`+", text)]
    if not runs:
        return f"`{text}`"
    fence = "`" * (max(runs) + 1)
    return f"{fence} {text} {fence}"


# -- in-process ----------------------------------------------------------------------------------


def figure_times(home: Path, rounds: int = 3) -> dict[str, float]:
    """Median milliseconds of each figure's query, in-process (one session, the index open)."""
    settings = settings_for(home)
    runtime = build_runtime(settings)
    backend = open_backend(settings)
    queries: dict[FigureName, Callable[..., object]] = {
        FigureName.SECTOR_SUBJECT: lambda _s: insight_queries.sector_subject(backend),
        FigureName.KERNDOELEN: lambda _s: insight_queries.kerndoel_coverage(backend),
        FigureName.LICENCES: lambda _s: insight_queries.licence_openness(backend),
        FigureName.QUALITY: lambda _s: insight_queries.quality_coverage(backend),
        FigureName.COMPLETENESS: insight_queries.completeness_by_source,
        FigureName.TRENDS: insight_queries.trends,
        FigureName.HARVEST_HEALTH: insight_queries.harvest_health,
        FigureName.ORGANISATIONS: insight_queries.organisation_figures,
    }
    times: dict[str, float] = {}
    try:
        with runtime.sessions() as session:
            for name, query in queries.items():
                samples = []
                for _ in range(rounds):
                    started = time.perf_counter()
                    query(session)
                    samples.append((time.perf_counter() - started) * 1000)
                times[name.value] = sorted(samples)[len(samples) // 2]
    finally:
        backend.close()
        runtime.close()
    return times


def operator_token(home: Path) -> tuple[int, str]:
    """A new API token (id, secret) of `OPERATOR_EMAIL`, a platform beheerder (added if missing)."""
    runtime = build_runtime(settings_for(home))
    try:
        with runtime.sessions.begin() as session:
            found = find_user_by_email(session, OPERATOR_EMAIL)
            if found is None:
                user_id = add_user(session, SYSTEM, OPERATOR_EMAIL, "Benchmark operator").id
                grant_role(session, SYSTEM, user_id, PlatformRole.BEHEERDER)
            else:
                user_id = found.id
            created = create_token(session, SYSTEM, user_id, "benchmarks.insights", ["curate"])
        return created.id, created.secret
    finally:
        runtime.close()


def revoke_operator_token(home: Path, token_id: int) -> None:
    runtime = build_runtime(settings_for(home))
    try:
        with runtime.sessions.begin() as session:
            revoke_token(session, SYSTEM, token_id)
    finally:
        runtime.close()


# -- over HTTP -----------------------------------------------------------------------------------


def server_command(port: int, workers: int) -> list[str]:
    """`benchmarks.web`'s server: `oer serve`'s code on the app with the reference route."""
    return [sys.executable, "-m", "benchmarks.web", "--serve", str(port), "--workers", str(workers)]


def cold_times(home: Path, path: str, workers: int, starts: int = COLD_STARTS) -> list[float]:
    """Milliseconds of `path` as the first request of each of `starts` fresh servers."""
    times = []
    for _ in range(starts):
        port = free_port()
        # Ready on /healthz, which computes no figure.
        with ServerProcess(home, port, server_command(port, workers), ready_path="/healthz",
                           log_name="serve-insights.log"):
            started = time.perf_counter()
            status, body = get(port, path, timeout=120)
            times.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise SystemExit(f"GET {path} answered {status}: {body[:300]!r}")
    return times


def check(port: int, endpoint: Endpoint, headers: Mapping[str, str]) -> None:
    """Every path of the row answers 200 (with the token for the operators' figures)."""
    for path in endpoint.paths:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            connection.request("GET", path, headers=dict(headers))
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise SystemExit(f"GET {path} answered {response.status}: {body[:300]!r}")


# -- the report ----------------------------------------------------------------------------------


def report(run: Run) -> str:
    labels = {endpoint.name: endpoint.label for endpoint in endpoints()}
    rows = "\n".join(
        f"| {labels[load.endpoint]} | {load.connections} | {load.requests:,} | {load.rate:,.1f} | "
        f"{load.p50_ms:.1f} | {load.p95_ms:.1f} | {load.p99_ms:.1f} | {load.cpu_ms:.2f} | {load.errors} |"
        for load in run.loads)
    targeted = {endpoint.name for endpoint in endpoints() if endpoint.targeted}
    p95s = {f"{labels[load.endpoint]} at {load.connections}": load.p95_ms
            for load in run.loads if load.endpoint in targeted}
    cold_worst = {f"cold {path}": max(times) for path, times in run.cold_ms.items() if times}
    cold = "\n".join(f"  - `{path}`: {cold_summary(times)}" for path, times in run.cold_ms.items())
    figures = ", ".join(f"{name} {ms:.0f} ms" for name, ms in run.figure_ms.items())
    public_total = sum(run.figure_ms.get(name.value, 0.0) for name in PUBLIC_FIGURES)
    floors = "\n".join(
        f"  - {level} connection{'s' if level > 1 else ''}: `{PAGE_PATH}` p50 {page.p50_ms:.1f} ms against "
        f"{floor.p50_ms:.1f} ms, server CPU {page.cpu_ms:.2f} against {floor.cpu_ms:.2f} ms/request"
        for level in sorted({load.connections for load in run.loads})
        if (page := _load(run, "page", level)) and (floor := _load(run, "reference", level)))
    tool = ("wrk (closed loop: each connection waits for its answer)" if run.tool == "wrk"
            else "the bounded Python client of `benchmarks.web`")
    locked = (f"\n- The loaded server's log holds {run.locked} \"database is locked\" failures, answered 503\n"
              "  (warm-ups included): using an API token records its last use (at most once a minute), a\n"
              "  write SQLite refuses at once when another connection wrote since the request's transaction began."
              if run.locked else "")
    prepared = f"\n  Prepared for this code: {run.prepared}." if run.prepared else ""
    instance = run.instance
    built = ("built earlier by `benchmarks.web`" if instance.reused else
             f"built for this run by `benchmarks.web`'s code ({instance.store_seconds:.0f} s to store, "
             f"{instance.index_seconds:.0f} s to index)")
    return f"""{SECTION}

- Instance: {instance.resources:,} resources from {instance.records:,} records of the generated
  corpus (`benchmarks.corpus`) on the embedded defaults (SQLite + tantivy),
  {built}.{prepared}
- Server: `oer serve`'s own code and gunicorn settings ({run.server},
  `--workers {run.workers}`) on 127.0.0.1, the app with `benchmarks.web`'s reference route `{REFERENCE_PATH}` added (same app,
  hooks and server; answers "ok"): the floor every page stands on.
- Caching as the product does it: each server worker computes the public figures (and draws
  their Dutch charts) in a thread as it starts, keeps them for five minutes and then serves them
  while a thread computes them again; the operators' figures are kept for five minutes too. The
  warm-up before each row ({WARM_UP_SECONDS} s) fills every worker's cache, so the rows are warm requests.
- Each figure's query in-process (median of 3): {figures};
  the six public figures together {public_total:.0f} ms, which each worker pays once as it starts.
- Cold: the first request of a fresh server, sent the moment it answers `/healthz`, so while its
  workers are still preparing ({COLD_STARTS} starts each; the operating system's file cache already
  holds the database, read by the in-process timing just before). One request per worker per
  start, not a percentile of anything: reported beside the target, not counted in it.
{cold}
- Load: {tool}; {run.duration} s per row.
  "server CPU" is the CPU time of the server's processes during the row divided by the requests answered. The operators' row sends
  `Authorization: Bearer` with an API token of a user with the platform role beheerder, made
  for the run with the accounts service and revoked after it. This instance has no harvest
  runs and no organisations (it was stored directly), so those figures are small here.{locked}

| endpoint | connections | requests | requests/s | p50 ms | p95 ms | p99 ms | server CPU ms/request | errors |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
{rows}

Target: p95 <= {TARGET_P95_MS:.0f} ms for every insight row: {target_verdict(p95s)}.
The cold first requests against it: {target_verdict(cold_worst).replace("p95", "time")}.

`{PAGE_PATH}` against the reference route in the same run (other work on the machine slows both):
{floors}

- command: {code_span(run.command)}
- machine: {machine()}; shared with other work (load average {run.load_average} when the
  load started, {run.load_average_end} when it ended), so figures are indicative
- measured: {run.measured}

"""


def _load(run: Run, name: str, connections: int) -> Load | None:
    return next((load for load in run.loads if load.endpoint == name and load.connections == connections), None)


# -- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.insights", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="resources in the instance")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per row")
    parser.add_argument("--connections", default="1,4", help="concurrency levels, comma-separated")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="gunicorn worker processes")
    parser.add_argument("--tool", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--home", type=Path, help="build (or reuse) the instance here and keep it")
    parser.add_argument("--prepared", default="", help="how a reused instance was brought up to date")
    parser.add_argument("--no-write", action="store_true", help="print the section, do not write it")
    args = parser.parse_args(argv)
    levels = [int(level) for level in args.connections.split(",") if level.strip()]

    temporary = None if args.home else tempfile.mkdtemp(prefix="oer-bench-insights-")
    home = args.home.resolve() if args.home else Path(temporary or "")
    try:
        print(f"instance in {home}: {args.n:,} resources", flush=True)
        run = Run(instance=populate(home, args.n), prepared=args.prepared, workers=args.workers,
                  tool=args.tool, duration=args.duration,
                  command=shlex.join([".venv/bin/python", "-m", "benchmarks.insights",
                                      *(argv if argv is not None else sys.argv[1:])]))
        run.figure_ms = figure_times(home)
        print("figures in-process: " + ", ".join(f"{k} {v:.0f} ms" for k, v in run.figure_ms.items()), flush=True)
        run.load_average = load_average()
        run.measured = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        for path in (PAGE_PATH, f"{API_PATH}/{COLD_FIGURE.value}"):
            run.cold_ms[path] = cold_times(home, path, args.workers)
            print(f"cold {path}: {cold_summary(run.cold_ms[path])}", flush=True)
        token_id, secret = operator_token(home)
        try:
            port = free_port()
            with ServerProcess(home, port, server_command(port, args.workers), ready_path="/healthz",
                               log_name="serve-insights.log") as server, \
                    tempfile.TemporaryDirectory() as workdir:
                def server_cpu() -> float:
                    assert server.process is not None
                    return server_cpu_seconds(server.process.pid)

                for endpoint in endpoints():
                    check(port, endpoint, {"Authorization": f"Bearer {secret}"} if endpoint.operator else {})
                for level in levels:
                    for endpoint in endpoints():
                        headers = {"Authorization": f"Bearer {secret}"} if endpoint.operator else None
                        if args.tool == "wrk":
                            load = wrk_load(port, endpoint.name, endpoint.paths, level, args.duration,
                                            Path(workdir), server_cpu, headers)
                        else:
                            load = python_load(port, endpoint.name, endpoint.paths, level, args.duration,
                                               server_cpu, headers)
                        print(f"{endpoint.name} c={level}: {load.requests:,} requests, p50 {load.p50_ms:.1f} ms, "
                              f"p95 {load.p95_ms:.1f} ms, p99 {load.p99_ms:.1f} ms, errors {load.errors}, "
                              f"server CPU {load.cpu_ms:.2f} ms/request", flush=True)
                        run.loads.append(load)
                run.load_average_end = load_average()
                run.server = server_description(home, log_name="serve-insights.log")
                run.locked = (home / "serve-insights.log").read_text(encoding="utf-8", errors="replace").count(
                    "database is locked")
        finally:
            revoke_operator_token(home, token_id)
        publish(SECTION, report(run), write=not args.no_write)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
