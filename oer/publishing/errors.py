"""Exceptions the publishing services raise on purpose, each with a message fit for a user. Pure; no I/O."""

from __future__ import annotations

from metadata.submission import Problem
from oer.errors import OerError


class PublishingError(OerError):
    """A request about a published material that cannot be carried out as asked."""


class UnknownPublication(PublishingError):
    """No publication has that id (or the actor may not see its draft)."""


class PublishingNotAllowed(PublishingError):
    """The actor may not publish, edit or withdraw this material."""


class InvalidState(PublishingError):
    """The material is not in a state that allows this (withdrawn, nothing to publish, ...)."""


class InvalidSubmission(PublishingError):
    """The submission breaks one or more of NL-LOM's rules; every problem is listed."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        fields = ", ".join(sorted({problem.field for problem in problems}))
        super().__init__(f"{len(problems)} problem(s) in: {fields}")


class UploadRefused(PublishingError):
    """An uploaded file may not be kept: too large, empty, or of a type that is not allowed."""

    def __init__(self, name: str, message_nl: str, message_en: str) -> None:
        self.name = name
        self.message_nl = message_nl
        self.message_en = message_en
        super().__init__(message_en)
