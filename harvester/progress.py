"""How a harvest reports its progress while it runs. Pure; no I/O.

The CLI renders these calls as a progress bar; tasks may log them. Observers
must be quick and must not raise: they run inside the harvest loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from harvester.backoff import RetryNotice
from harvester.outcome import Outcome


@dataclass(frozen=True, slots=True)
class PageProgress:
    """The state after a page was committed."""

    source: str
    # Pages and records committed by this invocation.
    pages: int
    records: int
    # Records committed by the whole run, across resumes (the bar's position).
    run_records: int
    # From the page's resumptionToken, when the source gives them: cursor and list size.
    cursor: int | None
    complete_list_size: int | None
    outcomes: Mapping[Outcome, int]
    elapsed_seconds: float

    @property
    def records_per_second(self) -> float:
        return self.records / self.elapsed_seconds if self.elapsed_seconds > 0 else 0.0


class HarvestProgress(Protocol):
    """Receives progress while a source is harvested."""

    def page_committed(self, progress: PageProgress) -> None: ...

    def retrying(self, notice: RetryNotice) -> None: ...


class SilentProgress:
    """A HarvestProgress that ignores everything."""

    def page_committed(self, progress: PageProgress) -> None:
        return None

    def retrying(self, notice: RetryNotice) -> None:
        return None
