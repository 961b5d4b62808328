"""Exceptions the collection services raise on purpose, each with a message fit for a user. Pure; no I/O."""

from __future__ import annotations

from metadata.submission import Problem
from oer.errors import OerError


class CollectionError(OerError):
    """A request about a collection that cannot be carried out as asked."""


class UnknownCollection(CollectionError):
    """No collection has that id or slug."""


class UnknownResource(CollectionError):
    """The material is not in the catalogue (or not in this collection)."""


class CollectionNotAllowed(CollectionError):
    """The actor may not keep this collection (or feature it)."""


class InvalidCollection(CollectionError):
    """The collection's slug, title or a note is wrong; every problem is listed."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        super().__init__("; ".join(problem.message_en for problem in problems))
