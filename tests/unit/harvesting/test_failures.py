"""The stage and kind a harvest error is stored with, by the exception type behind it."""

from __future__ import annotations

import pytest

from harvester.errors import (
    AccessForbiddenError,
    BadResumptionTokenError,
    EmptyPagesError,
    HarvestError,
    MalformedResponseError,
    OaiRequestError,
    ProtocolError,
    SourceHttpError,
    SourceTimeoutError,
    SourceUnavailableError,
    TokenLoopError,
)
from oer.harvesting.failures import classify
from oer.harvesting.models import ErrorKind, ErrorStage
from oer.harvesting.service import HarvestStoreError, SourceRemovedError


@pytest.mark.parametrize(("cause", "stage", "kind"), [
    (SourceTimeoutError, ErrorStage.FETCH, ErrorKind.TIMEOUT),
    (SourceHttpError, ErrorStage.FETCH, ErrorKind.HTTP),
    (AccessForbiddenError, ErrorStage.FETCH, ErrorKind.HTTP),
    (SourceUnavailableError, ErrorStage.FETCH, ErrorKind.NETWORK),
    (MalformedResponseError, ErrorStage.FETCH, ErrorKind.XML),
    (ProtocolError, ErrorStage.FETCH, ErrorKind.PROTOCOL),
    (OaiRequestError, ErrorStage.FETCH, ErrorKind.PROTOCOL),
    (BadResumptionTokenError, ErrorStage.FETCH, ErrorKind.PROTOCOL),
    (TokenLoopError, ErrorStage.FETCH, ErrorKind.LOOP),
    (EmptyPagesError, ErrorStage.FETCH, ErrorKind.LOOP),
    (HarvestStoreError, ErrorStage.STORE, ErrorKind.DATABASE),
    (SourceRemovedError, ErrorStage.STORE, ErrorKind.OTHER),
    (HarvestError, ErrorStage.FETCH, ErrorKind.OTHER),
    (None, ErrorStage.FETCH, ErrorKind.OTHER),
])
def test_classify(cause: type[HarvestError] | None, stage: ErrorStage, kind: ErrorKind) -> None:
    assert classify(cause) == (stage, kind)
