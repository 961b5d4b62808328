"""Flask apps serving the store-backed feed, for the feed's functional tests."""

from __future__ import annotations

import dataclasses

from flask import Flask

from oer.settings import Settings
from web.app import create_app
from web.runtime import RUNTIME_EXTENSION

# Copies of the real records on top of them, so that lists take several pages of 100.
COPIES = 260


# Far above the product's feed limit: a test harvests every page as fast as the app answers
# (and looks every record up in the JSON API beside it).
FEED_LIMIT = "100000/minute"


def feed_app(settings: Settings, **config: object) -> Flask:
    settings = dataclasses.replace(settings, oai_page_size=100, rate_limit_feed=FEED_LIMIT, rate_limit_api=FEED_LIMIT)
    return create_app({"OER_SETTINGS": settings, "TESTING": True, **config})


def dispose(app: Flask) -> None:
    app.extensions[RUNTIME_EXTENSION].engine.dispose()
