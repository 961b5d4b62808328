"""Exceptions raised while harvesting. Pure; no I/O.

Every error has a message fit for a user (the CLI prints it on one line).
The split follows what the caller can do about it: wait and try again later
(`SourceUnavailableError`, with `SourceTimeoutError` and `SourceHttpError` saying
which way the source failed), fix credentials or ask the provider
(`AccessForbiddenError`), fix the source's settings (`OaiRequestError`), or
report a broken repository (`ProtocolError`, `HarvestLoopError`). A run that
reaches one of the bounds an operator set (`RunLimitError`) simply continues
with the next run.
"""

from __future__ import annotations


class HarvestError(Exception):
    """Root of every error the harvester raises."""


class SourceUnavailableError(HarvestError):
    """The source gave no usable answer: network failure, timeouts, 5xx/429 after every retry, 404."""


class SourceTimeoutError(SourceUnavailableError):
    """The source did not answer, or did not finish answering, in time (after every retry)."""


class SourceHttpError(SourceUnavailableError):
    """The source answered with an HTTP failure status (404, 5xx/429 after every retry)."""

    def __init__(self, message: str, status: int) -> None:
        self.status = status
        super().__init__(message)


class AccessForbiddenError(HarvestError):
    """The source refuses us (HTTP 401/403); retrying would only annoy its operator."""


class ProtocolError(HarvestError):
    """The source answered, but not with OAI-PMH we can read."""


class MalformedResponseError(ProtocolError):
    """The response is not well-formed XML, or not an OAI-PMH document, even after retries."""


class OaiRequestError(HarvestError):
    """The source answered with an OAI-PMH `<error>` (OAI-PMH 2.0 section 3.6)."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        detail = f": {message}" if message else ""
        super().__init__(f"the source answered with OAI-PMH error {code}{detail}")


class BadResumptionTokenError(OaiRequestError):
    """The resumption token is unknown or expired (`badResumptionToken`)."""


class TokenTooLongError(ProtocolError):
    """A resumption token longer than the harvester accepts (a token that keeps growing)."""


class InvalidWindowError(HarvestError):
    """A `--from` date that is not a date."""


class HarvestLoopError(HarvestError):
    """The source keeps the harvest going without progress; stopping is the only safe choice."""


class TokenLoopError(HarvestLoopError):
    """A page named a resumption token that was already used in this run."""


class RepeatedPageError(HarvestLoopError):
    """A page carried exactly the same records as an earlier page of this run."""


class EmptyPagesError(HarvestLoopError):
    """Too many consecutive pages without records that still carry a resumption token."""


class RunLimitError(HarvestLoopError):
    """The run read as many pages, or took as long, as one run may; the next run continues from here."""
