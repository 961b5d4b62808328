"""Benchmark: harvesting a generated corpus over loopback into the embedded store and index. I/O: network, files.

Run as `.venv/bin/python -m benchmarks.harvest [--n 100000] [--also 20000]`. Per corpus size, three processes:

- a server: `harvester.replay_server` serving `GeneratedCorpus(n)` (complete
  NL-LOM records, pages of 200, stateless tokens) on 127.0.0.1;
- the reference: bare sickle iterating the same list (`ListRecords`, every
  record parsed into sickle's `Record`), nothing stored, right before and
  right after the harvest;
- the harvest: a fresh OER_HOME (SQLite + tantivy, the embedded defaults),
  the source registered, then the real `oer.harvesting.service.harvest`
  from the first request to the last index commit. Its peak RSS
  (`getrusage` maxrss) is read when 10 %, 50 % and 100 % of the records are
  stored, to show memory stays flat as the corpus grows; the peak of its
  helper processes (normaliser, background indexer) is reported beside it.

The end-to-end rate counts the whole harvest: fetch, parse, normalise,
archive, store, checkpoint, the projections every commit runs (the feed's
set membership and stored payloads, the index outbox), index. CPU seconds
are the harvesting process's and its helpers' (joined before they are read),
not the server's. Afterwards the store and the index are checked to hold
exactly `n` resources. `--also` runs a second, smaller corpus the same way,
to compare memory at two sizes. The figures go to the "## harvest" section
of docs/benchmarks.md (`--no-write`: printed only); the other sections are
kept, and so is the section's "- before:" line unless `--before` replaces it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.report import ROOT, machine, publish, section_line

SECTION = "## harvest"
BEFORE = "- before:"
PAGE_SIZE = 200
SOURCE = "bench"
TARGET_RATE = 500.0
# The harvest may spend at most this many times the CPU per record of bare sickle.
TARGET_CPU_RATIO = 3.0
TARGET_RSS_MB = 300.0
# RSS may grow this much from the first mark to the last and still count as flat.
FLAT_TOLERANCE_MB = 30.0


# -- the server process ---------------------------------------------------------------------------


def serve(n: int, port_file: Path) -> None:
    from harvester.replay_pages import GeneratedCorpus
    from harvester.replay_server import OaiReplayServer

    server = OaiReplayServer(GeneratedCorpus(n, page_size=PAGE_SIZE)).start()
    port_file.write_text(str(server.port))
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    server.stop()


def start_server(n: int, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port_file = workdir / "port"
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.harvest", "--serve", "--n", str(n), "--port-file", str(port_file)],
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while not port_file.exists() or not port_file.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the corpus server did not start")
        time.sleep(0.05)
    return process, f"http://127.0.0.1:{port_file.read_text()}/oai"


# -- the reference: bare sickle ------------------------------------------------------------------


def bare_sickle(url: str) -> dict[str, float]:
    from sickle import Sickle

    started, cpu = time.perf_counter(), time.process_time()
    records = sum(1 for _ in Sickle(url).ListRecords(metadataPrefix="lom", ignore_deleted=False))
    seconds = time.perf_counter() - started
    return {"records": records, "seconds": seconds, "cpu": time.process_time() - cpu}


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


# -- the harvest process ----------------------------------------------------------------------------


class TimedProjection:
    """A registered projection, with the CPU its runs take on the committing thread."""

    def __init__(self, projection: Any) -> None:
        self.projection = projection
        self.name: str = projection.name
        self.seconds = 0.0

    def project(self, session: Any, changes: Any) -> None:
        started = time.thread_time()
        try:
            self.projection.project(session, changes)
        finally:
            self.seconds += time.thread_time() - started


class RssMarks:
    """A HarvestProgress noting the peak RSS when the stored records pass each mark."""

    def __init__(self, marks: list[int]) -> None:
        self.marks = sorted(marks)
        self.rss_kb: dict[int, int] = {}

    def page_committed(self, progress: Any) -> None:
        for mark in self.marks:
            if mark not in self.rss_kb and progress.run_records >= mark:
                self.rss_kb[mark] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def retrying(self, notice: Any) -> None:
        print(f"retrying: {notice.reason}", file=sys.stderr)


def run_harvest(url: str, home: Path, n: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from oer import runtime
    from oer.catalogue.changes import register_projections, registered_projections
    from oer.catalogue.models import Resource
    from oer.harvesting.service import harvest
    from oer.harvesting.sources import add_source
    from oer.search import SearchQuery, open_backend
    from oer.settings import Settings, ensure_home
    from oer.store.database import migrate, store_sessions

    # The benchmark's source is a loopback server.
    settings = ensure_home(Settings.from_env({"OER_HOME": str(home), "OER_ALLOW_PRIVATE_SOURCES": "1"}))
    migrate(settings)
    # The projections `oer harvest` runs with (the CLI registers them the same way), each timed.
    runtime.register()
    projections = [TimedProjection(projection) for projection in registered_projections()]
    register_projections(projections)
    with store_sessions(settings) as sessions, sessions.begin() as session:
        add_source(session, SOURCE, url, "lom")
    marks = RssMarks([max(1, n // 10), max(1, n // 2), n])
    started_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    load = [os.getloadavg()[0]]
    started = time.perf_counter()
    own_cpu, helpers_cpu = cpu_seconds(resource.RUSAGE_SELF), cpu_seconds(resource.RUSAGE_CHILDREN)
    [report] = harvest(settings, [SOURCE], progress=marks)
    seconds = time.perf_counter() - started
    # A helper that is still exiting is waited for: only joined children count in RUSAGE_CHILDREN.
    for child in multiprocessing.active_children():
        child.join(30)
    own_cpu = cpu_seconds(resource.RUSAGE_SELF) - own_cpu
    helpers_cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - helpers_cpu
    load.append(os.getloadavg()[0])
    with store_sessions(settings) as sessions, sessions() as session:
        stored = session.scalar(select(func.count()).select_from(Resource).where(Resource.deleted.is_(False)))
    backend = open_backend(settings)
    try:
        indexed = backend.search(SearchQuery(text="", size=0)).total
    finally:
        backend.close()
    return {
        "ok": report.ok,
        "errors": list(report.errors),
        "records": report.records,
        "counts": report.to_dict()["counts"],
        "seconds": seconds,
        "cpu": own_cpu + helpers_cpu,
        "own_cpu": own_cpu,
        "helpers_cpu": helpers_cpu,
        # CPU of the projections each page's commit runs, in the harvesting process (its share of own_cpu).
        "projections_cpu": {projection.name: projection.seconds for projection in projections},
        "load": load,
        "stored": stored,
        "indexed": indexed,
        "rss_before_kb": started_rss,
        "rss_kb": {str(mark): kb for mark, kb in marks.rss_kb.items()},
        "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        # The helper processes (normaliser, background indexer) of a long list, once joined.
        "children_peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }


def harvest_in_child(url: str, workdir: Path, n: int) -> dict[str, Any]:
    out = workdir / "harvest.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.harvest", "--harvest", url, "--n", str(n),
         "--home", str(workdir / "home"), "--out", str(out)],
        cwd=ROOT, env={k: v for k, v in os.environ.items() if not k.startswith("OER_")},
    )
    if done.returncode != 0:
        raise SystemExit("the harvest process failed")
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def measure(n: int) -> dict[str, Any]:
    """One corpus size: the reference, the harvest, the reference again."""
    with tempfile.TemporaryDirectory(prefix="oer-bench-harvest-") as directory:
        workdir = Path(directory)
        server, url = start_server(n, workdir)
        try:
            sickles = [bare_sickle(url)]
            print(f"{n:,}: bare sickle {sickles[0]['seconds']:.1f} s", flush=True)
            harvested = harvest_in_child(url, workdir, n)
            print(f"{n:,}: harvest {harvested['records']:,} records in {harvested['seconds']:.1f} s", flush=True)
            sickles.append(bare_sickle(url))
            print(f"{n:,}: bare sickle {sickles[1]['seconds']:.1f} s", flush=True)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    if not harvested["ok"] or harvested["stored"] != n or harvested["indexed"] != n:
        raise SystemExit(f"the harvest of {n:,} records did not store and index every record: {harvested}")
    return {"n": n, "sickles": sickles, "harvested": harvested}


# -- report -------------------------------------------------------------------------------------------


def _figures(run: dict[str, Any]) -> dict[str, float]:
    harvested = run["harvested"]
    # The reference ran right before and right after the harvest; the faster run counts.
    sickle = min(run["sickles"], key=lambda reference: reference["seconds"])
    rss = {int(mark): kb / 1024 for mark, kb in harvested["rss_kb"].items()}
    marks = sorted(rss)
    return {
        "rate": harvested["records"] / harvested["seconds"],
        "ratio": (sickle["records"] / sickle["seconds"]) / (harvested["records"] / harvested["seconds"]),
        "cpu_ratio": (harvested["cpu"] / harvested["records"]) / (sickle["cpu"] / sickle["records"]),
        "cpu_per_record_us": harvested["cpu"] / harvested["records"] * 1e6,
        "sickle_cpu_per_record_us": sickle["cpu"] / sickle["records"] * 1e6,
        "first_rss": rss[marks[0]],
        "last_rss": rss[marks[-1]],
        "growth": rss[marks[-1]] - rss[marks[0]],
        "peak": max(harvested["peak_kb"], harvested["children_peak_kb"]) / 1024,
    }


def report_text(runs: list[dict[str, Any]], command: str, before: str | None) -> str:
    main = max(runs, key=lambda run: run["n"])
    n, sickles, harvested = main["n"], main["sickles"], main["harvested"]
    figures = _figures(main)
    sickle_rows = "\n".join(
        f"| bare sickle (reference), {when} | {run['records']:,.0f} | {run['seconds']:.1f} "
        f"| {run['records'] / run['seconds']:,.0f} | {run['cpu']:.1f} |"
        for when, run in zip(("before", "after"), sickles, strict=False)
    )
    rss = {int(mark): kb / 1024 for mark, kb in harvested["rss_kb"].items()}
    rss_row = " / ".join(f"{rss[mark]:.0f} MB at {mark:,}" for mark in sorted(rss))
    sizes = "\n".join(
        f"| {run['n']:,} | {f['rate']:,.0f} | {f['cpu_per_record_us']:,.0f} µs | {f['cpu_ratio']:.2f}x "
        f"| {f['first_rss']:.0f} → {f['last_rss']:.0f} MB | {run['harvested']['children_peak_kb'] / 1024:.0f} MB |"
        for run in sorted(runs, key=lambda run: run["n"]) for f in [_figures(run)]
    )
    flat = all(_figures(run)["growth"] <= FLAT_TOLERANCE_MB for run in runs)
    peaks = max(_figures(run)["peak"] for run in runs)
    rate, cpu_ratio, ratio = figures["rate"], figures["cpu_ratio"], figures["ratio"]
    verdict = (
        f"- end to end {rate:,.0f} records/s (target >= {TARGET_RATE:.0f}): "
        f"**{'met' if rate >= TARGET_RATE else 'NOT met'}**\n"
        f"- {cpu_ratio:.2f}x the CPU per record of bare sickle (target <= {TARGET_CPU_RATIO:.0f}x): "
        f"**{'met' if cpu_ratio <= TARGET_CPU_RATIO else 'NOT met'}**; on the wall clock "
        f"{ratio:.2f}x slower than bare sickle, with two cores\n"
        f"- peak RSS {peaks:.0f} MB, the larger of the processes (target < {TARGET_RSS_MB:.0f} MB): "
        f"**{'met' if peaks < TARGET_RSS_MB else 'NOT met'}**; flat: grew at most "
        f"{max(_figures(run)['growth'] for run in runs):+.0f} MB from the first mark to the last "
        f"(tolerance {FLAT_TOLERANCE_MB:.0f} MB): **{'met' if flat else 'NOT met'}**"
    )
    before_line = f"\n{before}\n" if before else ""
    projection_cpu = ", ".join(
        f"{seconds / harvested['records'] * 1e6:,.0f} µs per record (`{name}`)"
        for name, seconds in harvested.get("projections_cpu", {}).items()
    ) or "nothing"
    return f"""{SECTION}

Corpus: {n:,} generated NL-LOM records (`harvester.replay_pages.GeneratedCorpus`, complete IMS-binding
records of about 4 kB), served in pages of {PAGE_SIZE} by `harvester.replay_server` over loopback HTTP
from a separate process. End to end: a fresh OER_HOME with the embedded defaults (SQLite + tantivy),
`oer.harvesting.service.harvest` from the first request to the last index commit (fetch, parse,
normalise, archive, store with checkpoint per page, the projections each commit runs, index), in its
own process; afterwards the store held {harvested["stored"]:,} live resources and the index
{harvested["indexed"]:,} documents. Reference: bare sickle iterating the same list (`ListRecords`,
each record parsed into sickle's `Record`), storing nothing.

| what | records | seconds | records/s | CPU seconds |
|---|---:|---:|---:|---:|
| `harvest` end to end (store + index) | {harvested["records"]:,} | {harvested["seconds"]:.1f} | {rate:,.0f} | {harvested["cpu"]:.1f} |
{sickle_rows}

CPU seconds are user + system, of the harvesting process ({harvested["own_cpu"]:.1f} s) and its helper
processes ({harvested["helpers_cpu"]:.1f} s: the normaliser and the background indexer, started for lists
of 5,000 records or more), not the server's; the ratios use the faster reference run. The harvest
spends {figures["cpu_per_record_us"]:,.0f} µs of CPU per record, bare sickle {figures["sickle_cpu_per_record_us"]:,.0f} µs.
Of the harvesting process's CPU, the projections every page's commit runs took {projection_cpu}.

Peak RSS of the harvesting process: {rss_row}; {harvested["peak_kb"] / 1024:.0f} MB at the end (after checking the store and index).
Its helper processes peaked at {harvested["children_peak_kb"] / 1024:.0f} MB.
Load average of the machine (1 min) when the harvest started and ended: {harvested["load"][0]:.1f} / {harvested["load"][1]:.1f}.

By corpus size (RSS of the harvesting process from the first mark to the last, and the helpers' peak):

| records | records/s | CPU per record | CPU vs bare sickle | RSS | helpers' RSS |
|---:|---:|---:|---:|---:|---:|
{sizes}

{verdict}
{before_line}
- command: `{command}`
- machine: {machine()}; shared with other work, so figures are indicative
- measured: {datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="corpus size (records)")
    parser.add_argument("--also", type=int, action="append", default=[], metavar="N",
                        help="also harvest a corpus of N records, to compare memory at two sizes")
    parser.add_argument("--before", help='the section\'s "before" figure, for comparison (default: kept)')
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--harvest", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.serve:
        serve(args.n, args.port_file)
        return 0
    if args.harvest:
        args.out.write_text(json.dumps(run_harvest(args.harvest, args.home, args.n)))
        return 0

    runs = [measure(n) for n in sorted({*args.also, args.n})]
    command = ".venv/bin/python -m benchmarks.harvest" + (f" --n {args.n}" if args.n != 100_000 else "")
    command += "".join(f" --also {n}" for n in args.also)
    before = f"{BEFORE} {args.before}" if args.before else section_line(SECTION, BEFORE)
    text = report_text(runs, command, before)
    if not args.no_write:
        print(text)
    publish(SECTION, text, write=not args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
