"""A client whose sleeps are recorded instead of slept, so retry tests take no time."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from harvester.backoff import RetryPolicy
from harvester.oai_client import ClientSettings, OaiClient
from tests.support.harvester_client import (
    FIXED_NOW,
    RecordingSleep,
)


@pytest.fixture
def sleeps() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def make_client(sleeps: RecordingSleep) -> Iterator[Callable[..., OaiClient]]:
    """OaiClient factory: fast policy (4 attempts), recorded sleeps, a fixed clock, no jitter."""
    clients: list[OaiClient] = []

    def make(url: str, **settings: object) -> OaiClient:
        options: dict[str, object] = {"retry": RetryPolicy(max_attempts=4), "read_timeout": 5.0}
        options.update(settings)
        client = OaiClient(url, ClientSettings(**options),  # type: ignore[arg-type]
                           sleep=sleeps, now=lambda: FIXED_NOW, random=lambda: 1.0)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
