"""A file-backed HarvestSink on SQLite for the crash tests: one transaction per page. I/O: a database file.

Test-only. It keeps, besides the records and the checkpoint, a log of every
record it was ever handed (`deliveries`), committed in the same transaction,
so a test can prove that each record was stored exactly once across crashes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from harvester.checkpoint import Checkpoint
from harvester.outcome import Outcome
from harvester.records import RawRecord
from harvester.summary import HarvestSummary
from tests.support.memory_sink import record_key

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    key TEXT PRIMARY KEY, datestamp TEXT, deleted INTEGER, failure TEXT, metadata BLOB, seen_in_run TEXT
);
CREATE TABLE IF NOT EXISTS deliveries (page INTEGER, key TEXT);
CREATE TABLE IF NOT EXISTS checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (data TEXT NOT NULL);
"""


class SqliteSink:
    def __init__(self, path: Path) -> None:
        # Autocommit mode; every write below happens inside an explicit transaction.
        self.connection = sqlite3.connect(path, isolation_level=None)
        self.connection.executescript(SCHEMA)

    def close(self) -> None:
        self.connection.close()

    def load_checkpoint(self) -> Checkpoint | None:
        row = self.connection.execute("SELECT data FROM checkpoint WHERE id = 1").fetchone()
        return Checkpoint.from_dict(json.loads(row[0])) if row else None

    def commit_page(self, records: Sequence[RawRecord], checkpoint: Checkpoint) -> Sequence[Outcome]:
        db = self.connection
        run = checkpoint.started_at.isoformat()
        outcomes = []
        db.execute("BEGIN IMMEDIATE")
        try:
            for record in records:
                key = record_key(record)
                previous = db.execute("SELECT deleted, metadata FROM records WHERE key = ?", (key,)).fetchone()
                if record.problem:
                    outcome = Outcome.FAILED
                elif record.deleted:
                    outcome = Outcome.DELETED if previous and not previous[0] else Outcome.SKIPPED
                elif previous is None or previous[0]:
                    outcome = Outcome.CREATED
                else:
                    outcome = Outcome.UNCHANGED if previous[1] == record.metadata_xml else Outcome.UPDATED
                db.execute(
                    "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?)",
                    (key, record.datestamp, int(record.deleted), record.problem, record.metadata_xml, run),
                )
                db.execute("INSERT INTO deliveries VALUES (?, ?)", (checkpoint.pages, key))
                outcomes.append(outcome)
            db.execute("INSERT OR REPLACE INTO checkpoint VALUES (1, ?)", (json.dumps(checkpoint.to_dict()),))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return outcomes

    def finish(self, summary: HarvestSummary) -> None:
        self.connection.execute("INSERT INTO runs VALUES (?)", (json.dumps(summary.to_dict()),))
