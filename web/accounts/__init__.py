"""The site's accounts: sign-in session, account pages, abuse limits, privacy page. I/O: HTTP."""

from __future__ import annotations

from flask import Flask

from oer.accounts.models import PlatformRole
from oer.settings import Settings
from web.accounts import admin, api, organisations, session, sso
from web.accounts.limits import init_limits
from web.accounts.views import build_blueprint, privacy


def init_app(app: Flask) -> None:
    settings: Settings = app.config["OER_SETTINGS"]
    session.init_app(app)
    limits = init_limits(app, settings.rate_limit_storage)
    app.register_blueprint(build_blueprint(limits))
    app.register_blueprint(api.blueprint)
    app.register_blueprint(organisations.blueprint)
    app.register_blueprint(admin.blueprint)
    # Only with an OpenID Connect issuer in the settings.
    sso.init_sso(app)
    # More specific than the app's HTTPException handler, so the WWW-Authenticate header stays.
    app.register_error_handler(api.TokenProblem, lambda problem: problem.response)
    app.add_url_rule("/privacy", "privacy", privacy)
    app.jinja_env.globals["platform_role_beheerder"] = PlatformRole.BEHEERDER
    app.jinja_env.globals["platform_role_redactie"] = PlatformRole.REDACTIE
