"""Exceptions the remix services raise on purpose, each with a message fit for a user. Pure; no I/O."""

from __future__ import annotations

from metadata.licence_rules import Finding
from metadata.submission import Problem
from oer.errors import OerError


class RemixError(OerError):
    """A request about an arrangement that cannot be carried out as asked."""


class UnknownArrangement(RemixError):
    """No arrangement has that id (or the actor may not see its draft)."""


class UnknownPart(RemixError):
    """No section or part with that id in this arrangement."""


class UnknownResource(RemixError):
    """The material to add is not in the catalogue."""


class ArrangementNotAllowed(RemixError):
    """The actor may not change this arrangement."""


class AdaptationNotAllowed(RemixError):
    """The material's licence does not allow an adapted copy; include it unchanged instead."""

    def __init__(self, finding: Finding) -> None:
        self.finding = finding
        super().__init__(finding.message_en)


class LicenceConflict(RemixError):
    """The parts cannot be shared together, or the chosen licence is not one they allow."""

    def __init__(self, problems: tuple[Finding, ...], message: str) -> None:
        self.problems = problems
        super().__init__(message)


class InvalidArrangement(RemixError):
    """The arrangement's record breaks NL-LOM's rules; every problem is listed."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in: {', '.join(sorted({p.field for p in problems}))}")
