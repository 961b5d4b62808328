"""The Flask application factory: the site, the JSON API, the feed and the CLI on one runtime."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from oer.runtime import build_runtime
from oer.settings import Settings
from web import (
    accounts,
    api,
    collections,
    demand,
    discovery,
    errors,
    harvesting,
    health,
    i18n,
    insights,
    publishing,
    quality,
    rate_limits,
    remix,
    runtime,
    security,
)
from web.oai.store import init_feed


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; nothing happens at import time.

    `test_config` may carry `OER_SETTINGS` (a `Settings`), `OER_SEARCH_BACKEND`
    (a search backend already open, used instead of the settings' one) and
    any Flask config. The database engine connects lazily, on the first request
    that needs it.
    """
    app = Flask(__name__)
    config = dict(test_config or {})
    settings: Settings = config.pop("OER_SETTINGS", None) or Settings.from_env()
    backend = config.pop("OER_SEARCH_BACKEND", None)
    app.config.update(OER_SETTINGS=settings, SECRET_KEY=settings.secret_key)
    app.config.update(config)
    # The composition root: engine, sessions, search backend and projections, built once.
    app_runtime = build_runtime(settings, search_backend=backend)
    runtime.init_app(app, app_runtime)
    init_feed(app, settings, app_runtime.sessions)
    i18n.init_app(app)
    security.init_proxies(app, settings)
    security.init_app(app)
    accounts.init_app(app)
    errors.init_app(app)
    discovery.init_app(app)
    publishing.init_app(app)
    harvesting.init_app(app)
    remix.init_app(app)
    quality.init_app(app)
    collections.init_app(app)
    insights.init_app(app)
    demand.init_app(app)
    api.init_app(app)
    health.init_app(app)
    # Last: it limits routes every blueprint above registered.
    rate_limits.init_app(app)
    return app
