"""Remix: arrangements built from parts of other materials, and the licence check behind them."""

from __future__ import annotations

from flask import Flask

from web.remix import views


def init_app(app: Flask) -> None:
    """The arrangement pages (the licence check's API is registered with the JSON API, `web.api`)."""
    app.register_blueprint(views.blueprint)
