"""Benchmark: the OAI-PMH feed at 100k records, harvested over loopback, beside a minimal provider. I/O: files, network, processes.

Run as `.venv/bin/python -m benchmarks.oai [--n 100000] [--database sqlite] [--database URL]
[--home DIR] [--workers 2] [--rounds 3]`. For each `--database` (default: SQLite in the instance's home;
a PostgreSQL URL names an empty database, or one this benchmark filled before with the same
`--home`) it

1. builds an instance in a temporary OER_HOME (or in `--home`, reused when it already holds
   `--n` items): the records of `benchmarks.corpus` stored through the harvest store service
   (`apply_harvested_page`, pages of 2,000, one source per corpus source; a record two sources
   serve becomes one resource with two provenances), which also keeps the feed's set
   memberships and its stored payloads; no search index (the feed never reads it);
2. serves `web.wsgi:app` with gunicorn (sync workers) on 127.0.0.1, the production server of
   docker/compose.yaml;
3. harvests the whole feed as a harvester would, one request after the other with a plain HTTP
   client (http.client; gunicorn's sync workers close the connection after each answer, so
   every page is a new loopback connection): ListRecords in `lom` from the first page through
   every resumptionToken to the last, then the same with gzip, ListRecords of one set
   (`sector:VO`) and ListIdentifiers, after a few untimed first-page requests that warm the
   workers up. Every page's latency (request sent to body read) is kept; records/s is the
   records delivered divided by the wall time of the whole harvest, client included (it only
   finds the token and counts records, with regexes);
4. measures the reference in the same run: `reference_app`, a minimal WSGI provider that
   serves the same ListRecords `lom` records, written out beforehand as complete `<record>`
   elements (the product's own bytes) into a SQLite file, a page by keyset
   (`WHERE seq > ? LIMIT 201`) and byte concatenation, with no argument checking, sets,
   signed tokens or datestamps; served by the same gunicorn setup beside the product and
   harvested the same way. Every list is harvested `--rounds` times (default 3), the product's
   and the reference's lists in turn, and each list's best round is reported.

Pages hold 200 records (the provider's default). The figures go to the "## oai" section of
docs/benchmarks.md; other sections are kept.
"""

from __future__ import annotations

import argparse
import gzip as gzip_module
import http.client
import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from sqlalchemy import func, make_url, select
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.instance import ServerProcess, free_port, settings_for, store_corpus
from benchmarks.report import machine, publish
from metadata.formats import LOM
from oer.catalogue.queries import count_resources
from oer.feed.models import FeedPayload
from oer.feed.oai.contract import FeedItem
from oer.feed.oai.response import record_bytes
from oer.feed.repository import DatabaseFeedRepository
from oer.runtime import build_runtime
from oer.settings import Settings, ensure_home
from oer.store.database import migrate
from web.oai.views import GZIP_LEVEL

SECTION = "## oai"
# In an instance's home: how many corpus items it was built from (for --home reuse), and how
# long storing them took (reported again when the instance is reused).
MARKER = "benchmark-oai-items"
STORED = "benchmark-oai-store-seconds"
PAGE = 2_000
TARGET_P95_MS = 100.0
TARGET_RECORDS_PER_SECOND = 5_000.0
# The figures before the feed served stored payloads (docs/benchmarks.md of that date).
BEFORE = ("ListRecords `lom` 1,564 records/s, page p95 207 ms; with gzip 1,935 records/s, p95 132 ms "
          "(SQLite, 2 workers, measured 2026-11-22); that instance, without stored payloads, was stored in "
          "101 s (991 resources/s)")
_TOKEN = re.compile(rb"<resumptionToken[^>]*?(?:/>|>([^<]*)</resumptionToken>)")
_RECORD = re.compile(rb"<(?:record|header)[ >]")


@dataclass
class Instance:
    home: Path
    backend: str
    settings: Settings
    resources: int
    store_seconds: float = 0.0
    reused: bool = False
    payload_bytes: int = 0


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


@dataclass
class Run:
    """One backend's instance, the product's harvests and the reference's, in one run."""

    instance: Instance
    harvests: list[Harvest] = field(default_factory=list)
    reference: list[Harvest] = field(default_factory=list)
    # How many rounds each list was harvested in, and the machine's 1-minute load average as each began.
    rounds: int = 1
    loads: list[str] = field(default_factory=list)


def populate(home: Path, n: int, database_url: str | None) -> Instance:
    """An instance in `home` holding the first `n` corpus items (kept if it already does)."""
    settings = ensure_home(settings_for(home, database_url))
    backend = make_url(settings.database_url).get_backend_name()
    migrate(settings)
    # The composition root, as the product's entry points use it: its sessions run the
    # feed's and the index's projections on every commit.
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
                raise SystemExit(f"{settings.database_url} holds another instance than {n:,} corpus items")
            print(f"reusing {home} ({existing:,} resources)", flush=True)
            stored = home / STORED
            seconds = float(stored.read_text()) if stored.exists() else 0.0
            return Instance(home, backend, settings, existing, seconds, reused=True,
                            payload_bytes=_payload_size(sessions))
        started = time.perf_counter()
        store_corpus(sessions, n)
        store_seconds = time.perf_counter() - started
        (home / MARKER).write_text(str(n))
        (home / STORED).write_text(f"{store_seconds:.1f}")
        with sessions() as session:
            resources = count_resources(session, include_deleted=True)
        return Instance(home, backend, settings, resources, store_seconds, payload_bytes=_payload_size(sessions))
    finally:
        runtime.close()


def _payload_size(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.sum(func.length(FeedPayload.payload)))) or 0


# -- the reference: a minimal provider of the same records ----------------------------------------

# The environment variable naming the reference's SQLite file (for the gunicorn workers).
REFERENCE_FILE = "OER_BENCH_OAI_REFERENCE"
_REFERENCE_PAGE = 200
_OPEN = (
    b"<?xml version='1.0' encoding='UTF-8'?>\n"
    b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    b'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
)
_reference: dict[str, Any] = {}


def build_reference(settings: Settings, path: Path) -> int:
    """Write the feed's ListRecords `lom` list, in feed order, as complete `<record>` elements."""
    runtime = build_runtime(settings)
    target = sqlite3.connect(path)
    seq = 0
    try:
        target.execute("CREATE TABLE item (seq INTEGER PRIMARY KEY, xml BLOB NOT NULL)")
        with runtime.sessions() as session:
            feed = DatabaseFeedRepository(session, settings.oai_repository_id)
            after = None
            while entries := feed.list_items(None, None, None, after, 1_000, LOM.prefix):
                rows = []
                for entry in entries:
                    seq += 1
                    item = FeedItem(entry.oai_identifier, entry.datestamp, entry.deleted, entry.set_specs,
                                    entry.record, entry.payload)
                    rows.append((seq, record_bytes(item, LOM)))
                target.executemany("INSERT INTO item VALUES (?, ?)", rows)
                after = entries[-1].position
        target.commit()
    finally:
        target.close()
        runtime.close()
    return seq


def reference_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """ListRecords of the reference file: a page by keyset after the token, its bytes concatenated."""
    if not _reference:
        _reference["db"] = sqlite3.connect(os.environ[REFERENCE_FILE], check_same_thread=False)
        _reference["total"] = _reference["db"].execute("SELECT count(*) FROM item").fetchone()[0]
    database, total = _reference["db"], _reference["total"]
    token = parse_qs(environ.get("QUERY_STRING", "")).get("resumptionToken", ["0"])[0]
    after = int(token)
    rows = database.execute(
        "SELECT seq, xml FROM item WHERE seq > ? ORDER BY seq LIMIT ?", (after, _REFERENCE_PAGE + 1)
    ).fetchall()
    page = rows[:_REFERENCE_PAGE]
    more = len(rows) > _REFERENCE_PAGE
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    parts = [_OPEN, b"<responseDate>", now, b'</responseDate><request verb="ListRecords" metadataPrefix="lom">',
             b"http://127.0.0.1/oai</request><ListRecords>", *(xml for _, xml in page)]
    if more or after:
        next_token = str(page[-1][0]).encode() if more else b""
        parts.append(b'<resumptionToken completeListSize="%d" cursor="%d">%s</resumptionToken>'
                     % (total, after, next_token))
    parts.append(b"</ListRecords></OAI-PMH>")
    body = b"".join(parts)
    headers = [("Content-Type", "text/xml; charset=utf-8")]
    if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""):
        body = gzip_module.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
        headers.append(("Content-Encoding", "gzip"))
    headers.append(("Content-Length", str(len(body))))
    start_response("200 OK", headers)
    return [body]


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
    """A few first pages for every worker, untimed: imports, caches and database pages warm up."""
    for _ in range(2 * workers):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            connection.request("GET", "/oai?verb=ListRecords&metadataPrefix=lom")
            connection.getresponse().read()
        finally:
            connection.close()


def load_average() -> str:
    """The machine's 1-minute load average (other work on it shows here)."""
    try:
        return Path("/proc/loadavg").read_text(encoding="utf-8").split()[0]
    except OSError:
        return "unknown"


def _print(done: Harvest, prefix: str = "") -> None:
    print(f"{prefix}{done.name}: {done.items:,} items in {done.pages} pages, {done.seconds:.1f} s, "
          f"{done.rate:,.0f}/s, p50 {statistics.median(done.latencies_ms):.0f} ms, "
          f"p95 {done.percentile(0.95):.0f} ms", flush=True)


# The lists harvested from the product, and from the reference: (name, verb, gzip, arguments).
PRODUCT_LISTS = (
    ("ListRecords `lom`", "ListRecords", False, {"metadataPrefix": "lom"}),
    ("ListRecords `lom`, gzip", "ListRecords", True, {"metadataPrefix": "lom"}),
    ("ListRecords `lom`, set `sector:VO`", "ListRecords", False, {"metadataPrefix": "lom", "set": "sector:VO"}),
    ("ListIdentifiers `lom`", "ListIdentifiers", False, {"metadataPrefix": "lom"}),
)
REFERENCE_LISTS = (
    ("reference: ListRecords `lom`", "ListRecords", False, {"metadataPrefix": "lom"}),
    ("reference: ListRecords `lom`, gzip", "ListRecords", True, {"metadataPrefix": "lom"}),
)


def measure(instance: Instance, workers: int, rounds: int) -> Run:
    """Serve the instance and the reference of its records side by side; harvest their lists in
    `rounds` rounds, the product's and the reference's alternating, and keep each list's best round.

    The machine is shared: the best round is the one least slowed by other work, and alternating
    exposes the product and the reference to the same conditions.
    """
    run = Run(instance)
    reference_file = instance.home / "reference.sqlite3"
    reference_file.unlink(missing_ok=True)
    records = build_reference(instance.settings, reference_file)
    print(f"reference: {records:,} records written to {reference_file.name}", flush=True)
    gunicorn = Path(sys.executable).with_name("gunicorn")

    def command(port: int, app: str) -> list[str]:
        return [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--timeout", "120", app]

    product_port, reference_port = free_port(), free_port()
    with ServerProcess(instance.home, product_port, command(product_port, "web.wsgi:app"),
                       ready_path="/oai?verb=Identify", log_name="gunicorn.log",
                       env={"OER_DATABASE_URL": instance.settings.database_url}) as product, \
         ServerProcess(instance.home, reference_port, command(reference_port, "benchmarks.oai:reference_app"),
                       ready_path="/oai?verb=ListRecords&metadataPrefix=lom", log_name="reference.log",
                       env={REFERENCE_FILE: str(reference_file)}) as reference:
        warm_up(product.port, workers)
        warm_up(reference.port, workers)
        best: dict[str, Harvest] = {}
        for number in range(1, rounds + 1):
            run.loads.append(load_average())
            for port, lists in ((product.port, PRODUCT_LISTS), (reference.port, REFERENCE_LISTS)):
                for name, verb, gzip, arguments in lists:
                    done = harvest(port, name, verb, gzip=gzip, **arguments)
                    _print(done, f"round {number}: ")
                    if name not in best or done.rate > best[name].rate:
                        best[name] = done
    run.harvests = [best[name] for name, *_ in PRODUCT_LISTS]
    run.reference = [best[name] for name, *_ in REFERENCE_LISTS]
    run.rounds = rounds
    return run


# -- the report -----------------------------------------------------------------------------------

_BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _row(h: Harvest) -> str:
    return (f"| {h.name} | {h.items:,} | {h.pages:,} | {statistics.median(h.latencies_ms):.0f} | "
            f"{h.percentile(0.95):.0f} | {max(h.latencies_ms):.0f} | {h.rate:,.0f} | "
            f"{h.body_bytes / h.pages / 1024:,.0f} |")


def _backend_part(run: Run, n: int) -> tuple[str, list[str]]:
    instance = run.instance
    name = _BACKEND_NAMES.get(instance.backend, instance.backend)
    built = (f"stored in {instance.store_seconds:.0f} s, "
             f"{instance.resources / max(instance.store_seconds, 1e-9):,.0f} resources/s"
             if instance.store_seconds else "stored earlier, time not kept")
    if instance.reused:
        built += "; an instance of an earlier run, reused"
    plain, gzipped = run.harvests[0], run.harvests[1]
    ratios = (f"product / reference: {plain.rate / run.reference[0].rate:.2f} of its records/s "
              f"(plain), {gzipped.rate / run.reference[1].rate:.2f} (gzip)")
    verdicts = [f"- {name}: " + "; ".join(_verdict(h) for h in run.harvests if h.name.startswith("ListRecords"))]
    text = f"""### {name}

{instance.resources:,} resources from the first {n:,} corpus items ({built}); payloads stored:
{instance.payload_bytes / 1024 / 1024:,.0f} MiB of bytes (every live resource in `lom`, `nl_lom` and `oai_dc`).

| list | items | pages | p50 ms | p95 ms | max ms | items/s | KiB/page on the wire |
|---|---:|---:|---:|---:|---:|---:|---:|
{chr(10).join(_row(h) for h in [*run.harvests, *run.reference])}

{ratios}. Each row is the best of {run.rounds} rounds; load average (1 min) as each round began:
{" / ".join(run.loads)}.
"""
    return text, verdicts


def _verdict(harvest: Harvest) -> str:
    """The targets checked on one list: records/s over the whole list, and p95 per page."""
    rate, p95 = harvest.rate, harvest.percentile(0.95)
    rate_met = "met" if rate >= TARGET_RECORDS_PER_SECOND else "**not met**"
    p95_met = "met" if p95 <= TARGET_P95_MS else "**not met**"
    return f"{harvest.name} {rate:,.0f} records/s ({rate_met}), p95 {p95:.0f} ms ({p95_met})"


def report(runs: list[Run], n: int, command: str, workers: int) -> str:
    parts, verdicts = [], []
    for run in runs:
        text, verdict = _backend_part(run, n)
        parts.append(text)
        verdicts += verdict
    return f"""{SECTION}

Instances: the first {n:,} items of the generated corpus (`benchmarks.corpus`, fixed seed; items
that describe the same material, by identifier or location, are one resource), stored through
the harvest store service in pages of {PAGE:,}, which also keeps the feed's set memberships and
its stored payloads (each record serialised per format, written when what the feed shows of it
changes; the feed concatenates them into each page). Served by gunicorn {version("gunicorn")}
(`web.wsgi:app`, {workers} sync workers) on 127.0.0.1, warmed up by {2 * workers} untimed
first-page requests. Each row is one complete harvest of a list, as a harvester takes it: one
request after the other, from the first page through every resumptionToken to the last, pages of
200. Latency is per page (request sent to body read); items/s is the items delivered over the
wall time of the whole harvest. Reference, in the same run: a minimal WSGI provider
(`benchmarks.oai.reference_app`, by the same gunicorn setup) serving the same ListRecords `lom`
records, written out beforehand as whole `<record>` elements into a SQLite file, a page by keyset
(`WHERE seq > ? LIMIT 201`) and byte concatenation, without argument checks, sets, signed tokens
or datestamps; both compress with gzip at level {GZIP_LEVEL} when asked. Both servers run side by side; every list is harvested once per round, the
product's and the reference's in turn, and each row is that list's best round (the machine is
shared with other work, which slows some rounds more than others).

{chr(10).join(parts)}
Targets: at least {TARGET_RECORDS_PER_SECOND:,.0f} records/s for a full harvest (ListRecords `lom`, every page through
its tokens, as "before" below) and page p95 <= {TARGET_P95_MS:.0f} ms; checked here on every ListRecords list:
{chr(10).join(verdicts)}

Before (element-built responses, every record serialised per request): {BEFORE}.

- command: `{command}`
- machine: {machine()}; shared with other work, so figures are indicative
- measured: {datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}

"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.oai", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="corpus items in the instance")
    parser.add_argument("--database", action="append", metavar="URL",
                        help="'sqlite' (in the home, the default) or a PostgreSQL URL; repeat for both")
    parser.add_argument("--home", type=Path, help="build (or reuse) the instances here and keep them")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--rounds", type=int, default=3, help="harvests of every list; the best is reported")
    parser.add_argument("--no-write", action="store_true", help="print the section, do not write it")
    args = parser.parse_args(argv)

    temporary = None if args.home else tempfile.mkdtemp(prefix="oer-bench-oai-")
    root = args.home.resolve() if args.home else Path(temporary or "")
    runs = []
    try:
        for database in args.database or ["sqlite"]:
            url = None if database == "sqlite" else database
            home = root / ("sqlite" if url is None else make_url(url).get_backend_name())
            shown_url = make_url(url).render_as_string(hide_password=True) if url else "SQLite"
            print(f"instance in {home}: {args.n:,} corpus items, {shown_url}", flush=True)
            instance = populate(home, args.n, url)
            if not instance.reused:
                print(f"stored in {instance.store_seconds:.1f} s", flush=True)
            runs.append(measure(instance, args.workers, args.rounds))
        shown = [("--database", make_url(a).render_as_string(hide_password=True)) if a != "sqlite" else
                 ("--database", a) for a in (args.database or [])]
        given = argv if argv is not None else sys.argv[1:]
        command = " ".join([
            ".venv/bin/python -m benchmarks.oai", *_without_databases(given), *(f"{flag} {value}" for flag, value in shown)
        ])
        publish(SECTION, report(runs, args.n, command, args.workers), write=not args.no_write)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    return 0


def _without_databases(arguments: list[str]) -> list[str]:
    """The command's arguments without `--database URL` (shown separately, passwords hidden)."""
    kept, skip = [], False
    for argument in arguments:
        if skip:
            skip = False
        elif argument == "--database":
            skip = True
        elif not argument.startswith("--database="):
            kept.append(argument)
    return kept


if __name__ == "__main__":
    raise SystemExit(main())
