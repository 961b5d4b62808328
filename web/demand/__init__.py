"""Demand signals on the site: the wensenlijst pages, the count of thin searches, the demand figures' API."""

from __future__ import annotations

from flask import Flask

from web.demand import api, views


def init_app(app: Flask) -> None:
    views.init_app(app)
    api.init_app(app)
