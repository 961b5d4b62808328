"""Harvesting on the site: an organisation's own repositories and how their harvests go. I/O: HTTP."""

from __future__ import annotations

from flask import Flask

from web.harvesting import views


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(fix_at_source=views.fix_at_source, run_status=views.run_status)
    app.register_blueprint(views.blueprint)
