"""Benchmark: the CPU per record of the harvest's parts that no storage choice avoids. I/O: stdout, docs.

Run as `.venv/bin/python -m benchmarks.harvest_parts`. On the harvest
benchmark's corpus (`harvester.replay_pages.GeneratedCorpus`, its ListRecords
pages rendered in memory, no HTTP), on one core, best of several rounds:

- the reference: bare sickle's work per record, each page parsed with lxml
  and each `<record>` made into sickle's `Record` (as `benchmarks.harvest`'s
  reference does, without the HTTP request);
- normalising (`metadata.normalize.normalize_document`: safe parse, fields, the
  record's whole LOM);
- writing the feed's stored payloads of each normalised record in every format
  (`oer.feed.oai.formats.payload_bytes`), which the feed's projection writes
  at every harvest commit.

No database, archive or index: what is left is the least a harvest of this
product spends per record, to set beside the harvest target (at most 3x bare
sickle's CPU per record, end to end). The figures go to the "## harvest parts"
section of docs/benchmarks.md (`--no-write`: printed only).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime

from lxml import etree
from sickle.models import Record as SickleRecord

from benchmarks.report import machine, publish
from benchmarks.timing import best_rounds, pin_to_one_core
from harvester.replay_pages import GeneratedCorpus, ReplayRequest
from metadata.formats import FORMATS
from metadata.normalize import normalize_document
from oer.feed.oai.formats import payload_bytes

SECTION = "## harvest parts"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
TARGET_RATIO = 3.0


def pages(total: int, page_size: int) -> list[bytes]:
    """The corpus's ListRecords pages, first to last, as its replay server sends them."""
    corpus = GeneratedCorpus(total, page_size)
    request = ReplayRequest("GET", "/oai", {"verb": "ListRecords", "metadataPrefix": "lom"})
    found = []
    while True:
        body = corpus(request).body
        found.append(body)
        token = etree.fromstring(body).find(f".//{OAI}resumptionToken")
        if token is None or not token.text:
            return found
        request = ReplayRequest("GET", "/oai", {"verb": "ListRecords", "resumptionToken": token.text})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)

    host = machine()  # before pinning, so it reports the machine's cores
    pinning = pin_to_one_core()
    listed = pages(args.records, 200)
    records = [record for page in listed for record in normalize_document(page) if not record.deleted]
    count = len(records)
    size = sum(map(len, listed)) / count

    def sickle() -> None:
        for page in listed:
            for element in etree.fromstring(page).iter(f"{OAI}record"):
                SickleRecord(element)

    def normalise() -> None:
        for page in listed:
            for _ in normalize_document(page):
                pass

    def payloads() -> None:
        for record in records:
            for metadata_format in FORMATS:
                payload_bytes(metadata_format, record)

    sickle_s, normalise_s, payloads_s = best_rounds([sickle, normalise, payloads], 1, args.rounds, time.process_time)
    per = 1e6 / count
    sickle_us, normalise_us, payloads_us = sickle_s * per, normalise_s * per, payloads_s * per
    least = normalise_us + payloads_us
    verdict = "within" if least <= TARGET_RATIO * sickle_us else "already over"
    prefixes = ", ".join(f"`{metadata_format.prefix}`" for metadata_format in FORMATS)
    text = f"""{SECTION}

CPU per record of the harvest's parts that no storage choice avoids, on the harvest benchmark's
corpus ({count:,} generated NL-LOM records, {size:,.0f} bytes each in their ListRecords pages,
rendered in memory: no HTTP, database, archive or index), one process, {pinning}, best of {args.rounds} rounds of CPU time.

| what | µs per record | x bare sickle |
|---|---:|---:|
| bare sickle: page parsed with lxml, each record made into sickle's `Record` (reference) | {sickle_us:,.0f} | 1.00 |
| normalising (`normalize_document`: safe parse, fields, the whole LOM) | {normalise_us:,.0f} | {normalise_us / sickle_us:.2f} |
| the feed's payloads ({prefixes}) of each normalised record | {payloads_us:,.0f} | {payloads_us / sickle_us:.2f} |
| the two together, the least a harvest spends besides fetching | {least:,.0f} | {least / sickle_us:.2f} |

Against the harvest target (end to end at most {TARGET_RATIO:.0f}x bare sickle's CPU per record): these two
parts alone are {verdict} it, before the page is fetched and parsed for the harvest itself, and
before any record is stored, archived, projected into the feed's sets or indexed.

- command: `.venv/bin/python -m benchmarks.harvest_parts`
- machine: {host}
- measured: {datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
"""
    publish(SECTION, text, write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
