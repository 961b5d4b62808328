"""Benchmark: the OAI-PMH feed at 100k records, harvested over loopback. I/O: files, network, processes.

Run as `.venv/bin/python -m benchmarks.oai [--n 100000] [--home DIR] [--workers 2]`. It

1. builds an embedded instance (SQLite) in a temporary OER_HOME (or in
   `--home`, reused when it already holds `--n` resources): the records of
   `benchmarks.corpus` stored through the harvest store service
   (`apply_harvested_page`, pages of 2,000, one source per corpus source; a
   record two sources serve becomes one resource with two provenances), which
   also keeps the feed's set memberships; no search index (the feed never
   reads it);
2. serves `web.wsgi:app` with gunicorn (sync workers) on 127.0.0.1, the
   production server of docker/compose.yaml;
3. harvests the whole feed as a harvester would, one request after the other
   with a plain HTTP client (http.client; gunicorn's sync workers close the
   connection after each answer, so every page is a new loopback connection):
   ListRecords in `lom` from the first page through every resumptionToken to
   the last, then the same with gzip, ListRecords of one set (`sector:VO`) and
   ListIdentifiers, after a few untimed first-page requests that warm the
   workers up. Every page's latency (request sent to body read) is kept;
   records/s is the records delivered divided by the wall time of the whole
   harvest, client included (it only finds the token and counts records, with
   regexes).

Pages hold 200 records (the provider's default). The figures go to the
"## oai" section of docs/benchmarks.md; other sections are kept.
"""

from __future__ import annotations

import argparse
import gzip as gzip_module
import http.client
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.instance import ServerProcess, free_port, settings_for, store_corpus
from benchmarks.report import machine, publish
from oer.catalogue.queries import count_resources
from oer.runtime import build_runtime
from oer.settings import ensure_home
from oer.store.database import migrate

SECTION = "## oai"
# In an instance's home: how many corpus items it was built from (for --home reuse).
MARKER = "benchmark-oai-items"
PAGE = 2_000
TARGET_P95_MS = 300.0
TARGET_RECORDS_PER_SECOND = 1_000.0
_TOKEN = re.compile(rb"<resumptionToken[^>]*?(?:/>|>([^<]*)</resumptionToken>)")
_RECORD = re.compile(rb"<(?:record|header)[ >]")


@dataclass
class Instance:
    home: Path
    resources: int
    store_seconds: float = 0.0
    reused: bool = False


@dataclass
class Harvest:
    """One full list harvested through its tokens."""

    name: str
    items: int
    pages: int
    seconds: float
    latencies_ms: list[float]
    body_bytes: int

    @property
    def rate(self) -> float:
        return self.items / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]



def populate(home: Path, n: int) -> Instance:
    """An instance in `home` holding the first `n` corpus items (kept if it already does)."""
    settings = ensure_home(settings_for(home))
    migrate(settings)
    # The composition root, as the product's entry points use it: its sessions run the
    # feed and index projections on every commit.
    runtime = build_runtime(settings)
    sessions = runtime.sessions
    try:
        with sessions() as session:
            existing = count_resources(session, include_deleted=True)
        if existing:
            # Items that describe the same material are one resource: the marker keeps the item count.
            marker = home / MARKER
            built_from = int(marker.read_text()) if marker.exists() else None
            if built_from != n:
                raise SystemExit(f"{home} holds another instance than {n:,} corpus items: use another --home")
            print(f"reusing {home} ({existing:,} resources)", flush=True)
            return Instance(home, existing, reused=True)
        started = time.perf_counter()
        store_corpus(sessions, n)
        store_seconds = time.perf_counter() - started
        (home / MARKER).write_text(str(n))
        with sessions() as session:
            resources = count_resources(session, include_deleted=True)
        return Instance(home, resources, store_seconds)
    finally:
        runtime.close()



# -- the server -----------------------------------------------------------------------------------



# -- the harvest ----------------------------------------------------------------------------------


def harvest(port: int, name: str, verb: str, *, gzip: bool = False, **arguments: str) -> Harvest:
    """Follow a list's tokens to its end, one request after the other; time every page."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Accept-Encoding": "gzip" if gzip else "identity"}
    query: dict[str, str] = {"verb": verb, **arguments}
    latencies, items, pages, size = [], 0, 0, 0
    started = time.perf_counter()
    try:
        while True:
            sent = time.perf_counter()
            connection.request("GET", "/oai?" + urlencode(query), headers=headers)
            response = connection.getresponse()
            body = response.read()
            latencies.append((time.perf_counter() - sent) * 1000)
            if response.status != 200:
                raise SystemExit(f"{name}: HTTP {response.status}")
            size += len(body)
            if response.getheader("Content-Encoding") == "gzip":
                body = gzip_module.decompress(body)
            if b"<error " in body:
                raise SystemExit(f"{name}: {body[:500]!r}")
            pages += 1
            items += len(_RECORD.findall(body)) if verb == "ListIdentifiers" else body.count(b"<record>")
            found = _TOKEN.search(body)
            token = found.group(1) if found else None
            if not token:
                break
            query = {"verb": verb, "resumptionToken": token.decode()}
    finally:
        connection.close()
    return Harvest(name, items, pages, time.perf_counter() - started, latencies, size)


def warm_up(port: int, workers: int) -> None:
    """A few first pages for every worker, untimed: imports, caches and SQLite pages warm up."""
    for _ in range(2 * workers):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            connection.request("GET", "/oai?verb=ListRecords&metadataPrefix=lom")
            connection.getresponse().read()
        finally:
            connection.close()


def report(instance: Instance, n: int, harvests: list[Harvest], command: str, workers: int) -> str:
    built = ("reused an instance built earlier" if instance.reused else
             f"stored in {instance.store_seconds:.0f} s, "
             f"{instance.resources / max(instance.store_seconds, 1e-9):,.0f} resources/s")
    rows = [
        f"| {h.name} | {h.items:,} | {h.pages:,} | {statistics.median(h.latencies_ms):.0f} | "
        f"{h.percentile(0.95):.0f} | {max(h.latencies_ms):.0f} | {h.rate:,.0f} | "
        f"{h.body_bytes / h.pages / 1024:,.0f} |"
        for h in harvests
    ]
    records = [h for h in harvests if h.name.startswith("ListRecords")]
    worst_p95 = max(h.percentile(0.95) for h in records)
    slowest = min(h.rate for h in records)
    p95_verdict = "**met**" if worst_p95 < TARGET_P95_MS else "**not met**"
    rate_verdict = "**met**" if slowest >= TARGET_RECORDS_PER_SECOND else "**not met**"
    return f"""{SECTION}

Instance: {instance.resources:,} resources from the first {n:,} items of the generated corpus
(`benchmarks.corpus`, fixed seed; items that describe the same material, by identifier or
location, are one resource) in SQLite, stored through the harvest store service in pages of
{PAGE:,}, which also keeps the feed's set memberships ({built}).
Served by gunicorn {version("gunicorn")} (`web.wsgi:app`, {workers} sync workers) on 127.0.0.1, warmed up
by {2 * workers} untimed first-page requests. Each row is one complete harvest of a list, as a
harvester takes it: one request after the other, from the first page through every
resumptionToken to the last, pages of 200. Latency is per page (request sent to body read);
items/s is the items delivered over the wall time of the whole harvest.

| list | items | pages | p50 ms | p95 ms | max ms | items/s | KiB/page on the wire |
|---|---:|---:|---:|---:|---:|---:|---:|
{chr(10).join(rows)}

Targets for ListRecords: p95 < {TARGET_P95_MS:.0f} ms per page of 200: {p95_verdict} (worst p95 {worst_p95:.0f} ms);
at least {TARGET_RECORDS_PER_SECOND:,.0f} records/s for a full harvest: {rate_verdict} (slowest {slowest:,.0f} records/s).

- command: `{command}`
- machine: {machine()}; shared with other work, so figures are indicative
- measured: {datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.oai", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="resources in the instance")
    parser.add_argument("--home", type=Path, help="build (or reuse) the instance here and keep it")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--no-write", action="store_true", help="print the section, do not write it")
    args = parser.parse_args(argv)

    temporary = None if args.home else tempfile.mkdtemp(prefix="oer-bench-oai-")
    home = args.home.resolve() if args.home else Path(temporary or "")
    try:
        print(f"instance in {home}: {args.n:,} resources", flush=True)
        instance = populate(home, args.n)
        if not instance.reused:
            print(f"stored in {instance.store_seconds:.1f} s", flush=True)
        harvests = []
        port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [str(gunicorn), "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
                   "--timeout", "120", "web.wsgi:app"]
        with ServerProcess(home, port, command, ready_path="/oai?verb=Identify",
                           log_name="gunicorn.log") as server:
            warm_up(server.port, args.workers)
            for name, verb, gzip, arguments in (
                ("ListRecords `lom`", "ListRecords", False, {"metadataPrefix": "lom"}),
                ("ListRecords `lom`, gzip", "ListRecords", True, {"metadataPrefix": "lom"}),
                ("ListRecords `lom`, set `sector:VO`", "ListRecords", False,
                 {"metadataPrefix": "lom", "set": "sector:VO"}),
                ("ListIdentifiers `lom`", "ListIdentifiers", False, {"metadataPrefix": "lom"}),
            ):
                done = harvest(server.port, name, verb, gzip=gzip, **arguments)
                print(f"{name}: {done.items:,} items in {done.pages} pages, {done.seconds:.1f} s, "
                      f"{done.rate:,.0f}/s, p50 {statistics.median(done.latencies_ms):.0f} ms, "
                      f"p95 {done.percentile(0.95):.0f} ms", flush=True)
                harvests.append(done)
        command = " ".join([".venv/bin/python -m benchmarks.oai", *(argv if argv is not None else sys.argv[1:])])
        text = report(instance, args.n, harvests, command, args.workers)
        publish(SECTION, text, write=not args.no_write)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
