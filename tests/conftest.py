"""Shared pytest configuration: paths to test data and the policy for real services."""

from __future__ import annotations

from pathlib import Path

import pytest

from oer import runtime
from tests.support.paths import (
    DATA_DIR,
    FIXTURES_DIR,
)

pytest_plugins = [
    # First, so that its session fixture guards the other plugins' fixtures too.
    "tests.support.network_guard",
    "tests.fixtures.services",
    "tests.fixtures.oai_server",
    "tests.fixtures.database",
    "tests.fixtures.accounts",
    "tests.fixtures.sites",
    "tests.fixtures.browser",
    "tests.fixtures.search",
    "tests.fixtures.webapp",
    "tests.support.oidc_provider",
]


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES_DIR


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture(scope="session", autouse=True)
def projections() -> None:
    """Register the projections, as every entry point does (tests call the services directly)."""
    runtime.register()
