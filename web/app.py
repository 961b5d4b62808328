"""The Flask application factory: one composition root for the site, the API and the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from oer.settings import Settings


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; nothing happens at import time.

    `test_config` may carry `OER_SETTINGS` (a `Settings`) and any Flask config.
    """
    app = Flask(__name__)
    settings = (test_config or {}).get("OER_SETTINGS") or Settings.from_env()
    app.config.update(OER_SETTINGS=settings, SECRET_KEY=settings.secret_key)
    if test_config:
        app.config.update(test_config)
    return app
