"""The checkpoint's JSON form: what a sink stores must come back identical."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from harvester.checkpoint import Checkpoint


def test_checkpoint_round_trips_through_json() -> None:
    checkpoint = Checkpoint(
        started_at=datetime(2024, 3, 1, 12, 0, 5, 123, tzinfo=UTC), full=True, window_from=None,
        list_from="2024-02-01", resumption_token="a|b&c", cursor=200, complete_list_size=1000,
        response_date="2024-03-01T12:00:06Z", last_datestamp="2024-02-03T00:00:00Z",
        datestamps_ordered=False, pages=2, records=400, complete=False,
    )
    assert Checkpoint.from_dict(json.loads(json.dumps(checkpoint.to_dict()))) == checkpoint


def test_an_incomplete_dict_is_refused() -> None:
    with pytest.raises(ValueError, match="lacks"):
        Checkpoint.from_dict({"full": True})
