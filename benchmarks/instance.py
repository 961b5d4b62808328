"""Shared by the oai, web and insights benchmarks: an embedded instance filled from the generated corpus.

I/O: files, database.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from benchmarks.corpus import generate
from benchmarks.report import ROOT
from oer.harvesting.models import Source
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from oer.harvesting.sources import add_source, find_source
from oer.settings import Settings

# Records per store transaction: larger than a harvest page, to fill 100k records quickly.
PAGE = 2_000


def settings_for(home: Path, database_url: str | None = None) -> Settings:
    """An instance in `home`, its database SQLite in `home` unless `database_url` names another."""
    env = {"OER_HOME": str(home)}
    if database_url:
        env["OER_DATABASE_URL"] = database_url
    return Settings.from_env(env)


def source_name(corpus_source: str) -> str:
    """The corpus's source names as registered names (which are lower-case slugs)."""
    return corpus_source.lower()


def store_corpus(sessions: sessionmaker[Session], n: int, *, report_every: int = 20_000) -> int:
    """Store the first `n` corpus items through the harvest store service; the records stored.

    An item served by several sources is stored once per source, under each
    source's own OAI identifier, as a harvest of those sources would.
    """
    pending: dict[str, list[HarvestedRecord]] = {}
    source_ids: dict[str, int] = {}
    stored, next_report = 0, report_every
    for item in generate(n):
        for number, source in enumerate(item.sources):
            record = item.record
            identifier = record.oai_identifier or item.resource_id
            if number:
                # A second source serves the same material under its own OAI identifier.
                identifier = f"oai:{source_name(source)}:{item.resource_id}"
                record = record.with_changes(oai_identifier=identifier)
            if source not in source_ids:
                with sessions.begin() as session:
                    source_ids[source] = _source(session, source_name(source)).id
            batch = pending.setdefault(source, [])
            batch.append(HarvestedRecord(identifier, record.datestamp or "", record=record))
            if len(batch) >= PAGE:
                stored += _store(sessions, source_ids[source], batch)
                batch.clear()
        if stored >= next_report:
            print(f"  stored {stored:,} records", flush=True)
            next_report += report_every
    for source, batch in pending.items():
        if batch:
            stored += _store(sessions, source_ids[source], batch)
    return stored


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _source(session: Session, name: str) -> Source:
    return find_source(session, name) or add_source(session, name, f"https://oai.example.org/{name}/oai")


def _store(sessions: sessionmaker[Session], source_id: int, batch: list[HarvestedRecord]) -> int:
    with sessions.begin() as session:
        source = session.get(Source, source_id)
        assert source is not None
        apply_harvested_page(session, source, batch)
    return len(batch)


class ServerProcess:
    """A server for the instance in `home`, in its own process group; ready once `ready_path` is 200.

    Leaving the `with` block stops the whole group (a production server has workers).
    """

    def __init__(
        self, home: Path, port: int, command: Sequence[str], *, ready_path: str, log_name: str,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.home = home
        self.port = port
        self.command = list(command)
        self.ready_path = ready_path
        self.log = home / log_name
        # Added to the server's environment (a database URL, the reference's file).
        self.env = dict(env or {})
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ServerProcess:
        # The load comes from one address, as fast as the server answers: the product's rate limits
        # would answer most of it with 429, so they are raised far above it.
        env = {**os.environ, "OER_HOME": str(self.home), **{
            f"OER_RATE_LIMIT_{part}": "100000000/minute" for part in ("SEARCH", "API", "FEED")}, **self.env}
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                self.command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.command[0]} exited ({self.process.returncode}):\n{self.output()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", self.ready_path)
                ready = connection.getresponse().status == 200
                connection.close()
                if ready:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise SystemExit(f"the server did not answer {self.ready_path} within 60 s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]

    def __exit__(self, *exc_info: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
