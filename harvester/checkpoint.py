"""Where a harvest run stands after each committed page. Pure; no I/O.

A sink stores the checkpoint in the same transaction as the page's records
(`HarvestSink.commit_page`), so after a crash the stored checkpoint names
exactly the records that were stored: the next run asks for the page after
it and nothing is lost or stored twice. Its JSON form (`to_dict`) holds only
strings, numbers, booleans and null.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The state of one harvest run of one source, as of its last committed page."""

    # When this run started (UTC, our clock); kept across resumes and restarts.
    # A complete full run lets the sink remove records not seen since then.
    started_at: datetime
    # The run re-harvests everything (`--full`).
    full: bool
    # The window the run asked for (`from`, in the source's granularity); None: everything.
    window_from: str | None
    # The `from` of the list being paged now; differs from window_from after a
    # badResumptionToken restart at the last committed datestamp.
    list_from: str | None
    # Token for the next page; None once the list is complete.
    resumption_token: str | None
    cursor: int | None
    complete_list_size: int | None
    # responseDate of the run's first page: the next incremental window starts here.
    response_date: str | None
    # Greatest datestamp committed in this run, and whether datestamps came in
    # non-decreasing order so far (only then is a restart from it lossless).
    last_datestamp: str | None
    datestamps_ordered: bool
    # Totals committed in this run, across resumes.
    pages: int
    records: int
    # The list reached its end: the run is done.
    complete: bool

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Checkpoint:
        names = {item.name for item in fields(cls)}
        missing = names - data.keys()
        if missing:
            raise ValueError(f"checkpoint lacks {', '.join(sorted(missing))}")
        values = {name: data[name] for name in names}
        values["started_at"] = datetime.fromisoformat(str(data["started_at"]))
        return cls(**values)
