"""Helpers for the metadata core's tests: reading the vendored fixtures and edge files."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.metadata_fixtures import EDGE_DIR
from tests.support.paths import FIXTURES_DIR


@pytest.fixture(scope="session")
def fixture_bytes() -> Callable[[str], bytes]:
    """Bytes of a vendored real fixture, by path below tests/data/fixtures/."""
    return lambda name: (FIXTURES_DIR / name).read_bytes()


@pytest.fixture(scope="session")
def edge_bytes() -> Callable[[str], bytes]:
    """Bytes of one of our own edge-case files in tests/data/edge/."""
    return lambda name: (EDGE_DIR / name).read_bytes()
