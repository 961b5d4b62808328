"""`touch`: a change outside the record still moves the feed datestamp."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from oer.catalogue import service as catalogue
from oer.catalogue.changes import Change, pending_changes


def test_touch_marks_the_resources_touched_now(monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(catalogue, "utcnow", lambda: now)
    session = Session()
    catalogue.touch(session, ["a", "b"])
    assert pending_changes(session) == {"a": Change(now, touched=True), "b": Change(now, touched=True)}
    session.info.clear()
