"""Publishing on the site: the form, preview, versions, downloads and bulk import. I/O: HTTP."""

from __future__ import annotations

from flask import Flask

from oer.publishing.files import LocalFileStorage
from oer.settings import Settings
from web.accounts.limits import app_limits
from web.publishing import api, views


def init_app(app: Flask) -> None:
    settings: Settings = app.config["OER_SETTINGS"]
    app.extensions[views.STORAGE_EXTENSION] = LocalFileStorage(settings.files_dir)
    # A form with files: the largest file plus the rest of the form (Werkzeug refuses more with 413).
    app.config.setdefault("MAX_CONTENT_LENGTH", settings.upload_max_bytes + 1024 * 1024)
    app.jinja_env.globals["meter_text"] = views.meter_text
    app.register_blueprint(views.blueprint)
    app.register_blueprint(api.build_api_blueprint(app_limits(app)))
