"""Exceptions the demand services raise on purpose, each with a message fit for a user. Pure; no I/O."""

from __future__ import annotations

from metadata.submission import Problem
from oer.errors import OerError


class DemandError(OerError):
    """A request about demand signals or wishes that cannot be carried out as asked."""


class UnknownWish(DemandError):
    """No wish (or answer of a wish) has that id."""


class UnknownResource(DemandError):
    """The material to link is not in the catalogue, or withdrawn."""


class WishNotAllowed(DemandError):
    """The actor may not do this with a wish (answer it, link material, purge counts)."""


class InvalidWish(DemandError):
    """The wish (or answer) is wrong; every problem is listed."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        super().__init__("; ".join(problem.message_en for problem in problems))
