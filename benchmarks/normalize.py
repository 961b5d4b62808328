"""Benchmark: parse + normalise real Edurep OAI-PMH pages, against bare lxml parsing. I/O: files, stdout.

Run as `.venv/bin/python -m benchmarks.normalize`. It reads the real Edurep
ListRecords pages vendored in tests/data/fixtures/oai/edurep/, and measures,
on one core:

- records/s of `metadata.normalize.normalize_document` over those pages
  (safe parsing, reading every record, vocabularies, licences, completeness);
- records/s of bare `lxml.etree.fromstring` over the same bytes, the reference.

Only records that carry metadata are counted (deleted records are parsed
but not counted). The pages are repeated until a round takes about a
second; the best of several rounds is reported, as usual for throughput on
a shared machine. The figures go to the "## normalize" section of
docs/benchmarks.md (`--no-write`: printed only); other sections of that file
are left as they are, and so is the section's "- before:" line unless
`--before` replaces it.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from benchmarks.report import machine, publish, section_line
from benchmarks.timing import best_rounds, pin_to_one_core
from metadata.lom_bindings import IEEE_NAMESPACE, IMS_NAMESPACE
from metadata.lom_tree import read_tree
from metadata.normalize import normalize_document

ROOT = Path(__file__).resolve().parents[1]
PAGES_DIR = ROOT / "tests" / "data" / "fixtures" / "oai" / "edurep"
SECTION = "## normalize"
BEFORE = "- before:"
TARGET_RATE = 2_000
TARGET_RATIO = 0.4


def load_pages() -> tuple[list[bytes], int]:
    pages = [path.read_bytes() for path in sorted(PAGES_DIR.glob("*.xml"))]
    records = sum(1 for page in pages for record in normalize_document(page) if not record.deleted)
    return pages, records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--seconds", type=float, default=1.0, help="target duration of one round")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--before", help='the section\'s "before" figure, for comparison (default: kept)')
    args = parser.parse_args(argv)

    host = machine(extra=f"lxml {etree.__version__} (libxml2 {'.'.join(map(str, etree.LIBXML_VERSION))})")  # before pinning, so nproc reports the machine, not the pinned set
    pinning = pin_to_one_core()
    pages, records = load_pages()
    size = sum(map(len, pages))

    def normalise_all() -> None:
        for page in pages:
            normalize_document(page)

    def parse_all() -> None:
        for page in pages:
            etree.fromstring(page)

    # The part of normalising that keeps each record's whole LOM (`Record.lom`), on the
    # records' `<lom>` elements parsed beforehand: what the normaliser does besides the fields.
    loms = [
        element
        for page in pages
        for element in etree.fromstring(page).iter(f"{{{IMS_NAMESPACE}}}lom", f"{{{IEEE_NAMESPACE}}}lom")
    ]

    def read_trees() -> None:
        for element in loms:
            read_tree(element)

    started = time.perf_counter()
    normalise_all()
    repeats = max(1, round(args.seconds / max(time.perf_counter() - started, 1e-6)))
    normalise_seconds, parse_seconds, tree_seconds = best_rounds(
        [normalise_all, parse_all, read_trees], repeats, args.rounds
    )
    normalise_rate = records * repeats / normalise_seconds
    parse_rate = records * repeats / parse_seconds
    ratio = normalise_rate / parse_rate
    per_record = 1e6 / (records * repeats)
    normalise_us, parse_us = normalise_seconds * per_record, parse_seconds * per_record
    tree_us = tree_seconds * 1e6 / (len(loms) * repeats)
    verdict = "met" if normalise_rate >= TARGET_RATE and ratio >= TARGET_RATIO else "NOT met"
    before = f"{BEFORE} {args.before}" if args.before else section_line(SECTION, BEFORE)
    before_line = f"\n{before}\n" if before else ""

    text = f"""{SECTION}

Parse + normalise of the real Edurep ListRecords pages in `tests/data/fixtures/oai/edurep/`
({len(pages)} pages, {size:,} bytes, {records} records with metadata; deleted records are parsed but
not counted), repeated {repeats}x per round, best of {args.rounds} rounds, one process, {pinning}.

| what | records/s |
|---|---:|
| `metadata.normalize.normalize_document` (safe parse + normalise + completeness) | {normalise_rate:,.0f} |
| bare `lxml.etree.fromstring` on the same bytes (reference) | {parse_rate:,.0f} |
| ratio normalise / bare lxml | {ratio:.2f} |

Per record: bare parsing {parse_us:.0f} µs, normalising {normalise_us:.0f} µs, of which reading the
record's whole LOM into `Record.lom` (`metadata.lom_tree.read_tree`, timed alone on the {len(loms)}
`<lom>` elements of the pages, parsed beforehand) {tree_us:.0f} µs: without it the rest would be
{normalise_us - tree_us:.0f} µs, {parse_us / (normalise_us - tree_us):.2f} of bare lxml's rate (derived, not measured).

Targets: at least {TARGET_RATE:,} records/s and at least {TARGET_RATIO:.1f} of bare lxml's rate: **{verdict}**.
{before_line}
- command: `.venv/bin/python -m benchmarks.normalize`
- machine: {host}
- measured: {datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
"""
    if not args.no_write:
        print(text)
    publish(SECTION, text, write=not args.no_write)
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    sys.exit(main())
