"""The discovery site: home, search and detail pages (see `views`), and comparing materials (see `compare`)."""

from flask import Flask

from web.discovery import compare, views


def init_app(app: Flask) -> None:
    views.init_app(app)
    compare.init_app(app)


__all__ = ["init_app"]
