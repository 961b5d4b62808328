"""The account pages on a fresh migrated store (SQLite and PostgreSQL), mail into the outbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from oer.settings import Settings
from tests.support.account_site import Mailbox
from web.app import create_app


@pytest.fixture
def accounts_app(store_settings: Settings) -> Iterator[Flask]:
    store_settings.home.mkdir(parents=True, exist_ok=True)
    app = create_app({"OER_SETTINGS": store_settings, "TESTING": True})
    yield app
    app.extensions["oer_runtime"].close()


@pytest.fixture
def site(accounts_app: Flask) -> FlaskClient:
    return accounts_app.test_client()


@pytest.fixture
def mailbox(store_settings: Settings) -> Mailbox:
    return Mailbox(store_settings)
