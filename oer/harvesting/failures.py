"""Where a harvest error arose and what kind it is, from the exception type behind it. Pure; no I/O.

The harvester names every way a source can fail with an exception type
(`harvester.errors`); the store keeps a stage and a kind per error
(`oer.harvesting.models.HarvestError`). This is the one mapping between them,
so the run's rows, the CLI and tests agree.
"""

from __future__ import annotations

from harvester.errors import (
    AccessForbiddenError,
    HarvestError,
    HarvestLoopError,
    MalformedResponseError,
    OaiRequestError,
    ProtocolError,
    SourceHttpError,
    SourceTimeoutError,
    SourceUnavailableError,
)
from oer.harvesting.models import ErrorKind, ErrorStage

# Most specific first: subclasses before the classes they refine.
_KINDS: tuple[tuple[type[HarvestError], ErrorKind], ...] = (
    (SourceTimeoutError, ErrorKind.TIMEOUT),
    (SourceHttpError, ErrorKind.HTTP),
    (AccessForbiddenError, ErrorKind.HTTP),
    (SourceUnavailableError, ErrorKind.NETWORK),
    (MalformedResponseError, ErrorKind.XML),
    (ProtocolError, ErrorKind.PROTOCOL),
    (OaiRequestError, ErrorKind.PROTOCOL),
    (HarvestLoopError, ErrorKind.LOOP),
)


def classify(cause: type[BaseException] | None) -> tuple[ErrorStage, ErrorKind]:
    """The stage and kind of an error of the harvest loop, by the exception type behind it.

    Everything the loop raises comes from fetching the list, except what the
    sink raises into it (the database: `oer.harvesting.service.HarvestStoreError`,
    which says so with a `stage` and `kind` of its own).
    """
    if cause is None:
        return ErrorStage.FETCH, ErrorKind.OTHER
    stage = getattr(cause, "stage", None)
    kind = getattr(cause, "kind", None)
    if isinstance(stage, ErrorStage) and isinstance(kind, ErrorKind):
        return stage, kind
    for known, kind_of_known in _KINDS:
        if issubclass(cause, known):
            return ErrorStage.FETCH, kind_of_known
    return ErrorStage.FETCH, ErrorKind.OTHER
