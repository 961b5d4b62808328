"""The harvesting suite's instance: a migrated database (SQLite and PostgreSQL), an index, sources, what they hold."""

from __future__ import annotations

import dataclasses

import pytest

from harvester.oai_client import ClientSettings
from oer.harvesting import service as harvesting
from oer.settings import Settings
from tests.support.harvesting import (
    FAST_CLIENT,
)


@pytest.fixture(autouse=True)
def fast_client(monkeypatch: pytest.MonkeyPatch) -> ClientSettings:
    monkeypatch.setattr(harvesting, "default_client_settings", lambda settings: FAST_CLIENT)
    return FAST_CLIENT


@pytest.fixture
def instance(store_settings: Settings) -> Settings:
    """An initialised instance: migrated database (per backend), embedded index in its home.

    Its sources are replay servers on loopback, so private addresses are allowed (as a school
    harvesting its own network would set OER_ALLOW_PRIVATE_SOURCES).
    """
    store_settings.home.mkdir(parents=True, exist_ok=True)
    return dataclasses.replace(store_settings, allow_private_sources=True)
