"""The result of one harvest of one source. Pure; no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from harvester.errors import HarvestError
from harvester.outcome import Outcome


@dataclass(frozen=True, slots=True)
class RunIssue:
    """One reason a run stopped early, or one warning: the message and what kind of trouble it is."""

    message: str
    # The harvester error raised, or, for a warning that nothing raised, the one naming
    # the trouble (a source that ignores `from` breaks the protocol): a sink that stores
    # issues classifies them by it. None: no harvester error fits.
    cause: type[HarvestError] | None
    # True: the run stopped because of it; False: a warning, the run went on.
    fatal: bool


def _no_outcomes() -> Mapping[Outcome, int]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class HarvestSummary:
    """What one invocation of `harvest_source` did, for the run log, the CLI and the health view.

    Counts are for this invocation; a resumed run continues the counts of
    the checkpoint, which holds the totals of the whole run.
    """

    source: str
    # The run re-harvests everything; a complete full run removed what the source no longer has.
    full: bool
    # This invocation continued an interrupted run from its checkpoint.
    resumed: bool
    # The `from` the run asked for (source granularity); None: the whole repository.
    window_from: str | None
    # responseDate of the run's first page: where the next incremental window starts.
    response_date: str | None
    pages: int
    records: int
    # Records older than the window: the source ignored `from` (they were processed anyway).
    records_before_window: int
    # badResumptionToken restarts of the list in this invocation.
    restarts: int
    # The things an operator should know that did not stop the run (warnings), then why the
    # run stopped early (the fatal one; none when complete).
    issues: tuple[RunIssue, ...]
    # When the whole run (first invocation) started, and when this invocation did (UTC).
    run_started_at: datetime
    started_at: datetime
    duration_seconds: float
    # The list was harvested to its end.
    complete: bool
    outcomes: Mapping[Outcome, int] = field(default_factory=_no_outcomes)

    @property
    def errors(self) -> tuple[str, ...]:
        """Why the run stopped early (empty when it did not)."""
        return tuple(issue.message for issue in self.issues if issue.fatal)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(issue.message for issue in self.issues if not issue.fatal)

    def count(self, outcome: Outcome) -> int:
        return self.outcomes.get(outcome, 0)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe form, for run logs and `--json` output."""
        return {
            "source": self.source,
            "full": self.full,
            "resumed": self.resumed,
            "window_from": self.window_from,
            "response_date": self.response_date,
            "pages": self.pages,
            "records": self.records,
            "records_before_window": self.records_before_window,
            "restarts": self.restarts,
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "run_started_at": self.run_started_at.isoformat(),
            "started_at": self.started_at.isoformat(),
            "duration_seconds": self.duration_seconds,
            "complete": self.complete,
            "outcomes": {outcome.value: self.count(outcome) for outcome in Outcome},
        }
