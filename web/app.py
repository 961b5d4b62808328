"""The Flask application factory: one composition root for the site, the API and the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from oer.settings import Settings
from oer.store.database import create_engine_from_settings, session_factory
from web import api, discovery, errors, health, i18n, runtime, security
from web.oai.store import init_feed

STORE_EXTENSION = "oer_store"


@dataclass(frozen=True, slots=True)
class Store:
    """The app's database engine and session factory, made once per app (`app.extensions`)."""

    engine: Engine
    sessions: sessionmaker[Session]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; nothing happens at import time.

    `test_config` may carry `OER_SETTINGS` (a `Settings`) and any Flask config.
    The database engine connects lazily, on the first request that needs it.
    """
    app = Flask(__name__)
    settings = (test_config or {}).get("OER_SETTINGS") or Settings.from_env()
    app.config.update(OER_SETTINGS=settings, SECRET_KEY=settings.secret_key)
    if test_config:
        app.config.update(test_config)
    engine = create_engine_from_settings(settings)
    store = Store(engine, session_factory(engine))
    app.extensions[STORE_EXTENSION] = store
    init_feed(app, settings, store.sessions)
    # The discovery site and JSON API: one init_app per concern.
    runtime.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    discovery.init_app(app)
    api.init_app(app)
    health.init_app(app)
    return app
