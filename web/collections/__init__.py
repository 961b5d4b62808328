"""Collections: themed pages of materials kept by the redactie or an organisation, and their feed sets."""

from __future__ import annotations

from flask import Flask

from web.collections import views


def init_app(app: Flask) -> None:
    views.init_app(app)
