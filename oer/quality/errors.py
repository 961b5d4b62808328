"""Exceptions the quality services raise on purpose, each with a message fit for a user. Pure; no I/O."""

from __future__ import annotations

from metadata.submission import Problem
from oer.errors import OerError


class QualityError(OerError):
    """A request about quality information that cannot be carried out as asked."""


class UnknownResource(QualityError):
    """No live material has that id."""


class UnknownAnnotation(QualityError):
    """No annotation, experience report or abuse report has that id."""


class AnnotationNotAllowed(QualityError):
    """The actor may not annotate in this role, moderate, or reply here."""


class AlreadyReplied(QualityError):
    """The right of reply is used once per annotation."""


class InvalidAnnotation(QualityError):
    """The annotation or report is incomplete or names what the framework does not have; every problem is listed."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        super().__init__("; ".join(problem.message_en for problem in problems))


class InvalidFramework(QualityError):
    """A framework document that cannot be loaded: every problem, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))
