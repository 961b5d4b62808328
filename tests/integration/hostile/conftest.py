"""Hostile sources on loopback: the instance they are harvested into (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from harvester.oai_client import ClientSettings
from oer.harvesting import service as harvesting
from oer.settings import Settings
from tests.support.harvesting import FAST_CLIENT


@pytest.fixture(autouse=True)
def fast_client(monkeypatch: pytest.MonkeyPatch) -> ClientSettings:
    monkeypatch.setattr(harvesting, "default_client_settings", lambda settings: FAST_CLIENT)
    return FAST_CLIENT


@pytest.fixture
def instance(store_settings: Settings) -> Settings:
    store_settings.home.mkdir(parents=True, exist_ok=True)
    return store_settings
