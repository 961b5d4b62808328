"""Insight on the site: /inzicht, its comparison with a snapshot, and the figures' downloads."""

from __future__ import annotations

from flask import Flask

from web.insights import api, views


def init_app(app: Flask) -> None:
    views.init_app(app)
    api.init_app(app)


__all__ = ["init_app"]
