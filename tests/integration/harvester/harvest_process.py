"""Harvest one source into a SQLite sink, as its own process, so a test can SIGKILL it. I/O: network, a file.

Usage: python -m tests.integration.harvester.harvest_process URL DATABASE
Exit status 0 when the list was harvested to its end, 1 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

from harvester.oai_client import OaiClient
from harvester.run import HarvestSource, harvest_source
from tests.integration.harvester.sqlite_sink import SqliteSink


def main(argv: list[str]) -> int:
    url, database = argv
    sink = SqliteSink(Path(database))
    try:
        with OaiClient(url) as client:
            summary = harvest_source(client, HarvestSource("killable", url, "lom"), sink)
    finally:
        sink.close()
    return 0 if summary.complete else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
