"""Signing in through the school's identity provider (OpenID Connect). I/O: HTTP to the provider, database.

`init_sso(app)` registers the blueprint `sso` (under /account/sso) only when the
settings name an issuer (`Settings.oidc_enabled`). The flow is the authorization
code flow with PKCE (S256), through Authlib's Flask client, which keeps the state,
nonce and code verifier in the session and checks the ID token against the
provider's keys:

- `GET /account/sso/login?next=/pad` sends the visitor to the provider; `next` is
  kept only when it is a path on this site (no scheme, host or `//`).
- `GET /account/sso/callback` exchanges the code, reads the ID token's claims and
  the userinfo, and hands them to `oer.accounts.sso.sign_in_with_oidc` in one
  write transaction; then signs the user in on a new session and redirects to
  `next` (or `/`). A refusal by the provider, a state that does not match or an
  address the provider has not verified is a 400 page in Dutch; a provider that
  cannot be reached (at the start or during the callback) is a 503 page saying
  so, never a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from oer.accounts.errors import UnverifiedSsoEmail
from oer.accounts.sso import sign_in_with_oidc
from oer.settings import Settings
from web.accounts.session import sign_in
from web.redirects import safe_next
from web.runtime import app_runtime

log = logging.getLogger(__name__)

bp = Blueprint("sso", __name__, url_prefix="/account/sso")

EXTENSION = "oer_sso"
CLIENT_NAME = "oidc"
NEXT_KEY = "sso_next"


def _client() -> Any:
    oauth: OAuth = current_app.extensions[EXTENSION]
    return oauth.create_client(CLIENT_NAME)


def _refused(reason: str, status: int = 400) -> Response:
    response = Response(render_template("accounts/sso_error.html", status=status, reason=reason))
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = "60"
    return response


def _unreachable(error: requests.RequestException) -> Response:
    # The provider is down or slow: the visitor can do nothing about it but wait.
    log.warning("the identity provider could not be reached: %s", error)
    return _refused("unavailable", 503)


@bp.get("/login")
def login() -> BaseResponse:
    target = safe_next(request.args.get("next"))
    session.pop(NEXT_KEY, None)
    if target is not None:
        session[NEXT_KEY] = target
    redirect_uri = url_for("sso.callback", _external=True)
    try:
        response: BaseResponse = _client().authorize_redirect(redirect_uri)
    except requests.RequestException as error:
        return _unreachable(error)
    return response


@bp.get("/callback")
def callback() -> BaseResponse:
    client = _client()
    try:
        token = client.authorize_access_token()
        claims: dict[str, Any] = dict(token.get("userinfo") or {})
        claims.update(client.userinfo(token=token))
    except OAuthError as error:
        log.warning("sign-in through the identity provider refused: %s", error)
        return _refused("provider")
    except requests.RequestException as error:
        return _unreachable(error)
    if claims.get("sub") != (token.get("userinfo") or {}).get("sub"):
        log.warning("the userinfo's subject is not the ID token's")
        return _refused("provider")
    settings: Settings = current_app.config["OER_SETTINGS"]
    target = safe_next(session.get(NEXT_KEY)) or "/"
    try:
        with app_runtime().sessions.begin() as db:
            user_id = sign_in_with_oidc(db, claims, organisation_claim=settings.oidc_organisation_claim)
    except UnverifiedSsoEmail as error:
        log.info("sign-in through the identity provider refused: %s", error)
        return _refused("unverified")
    sign_in(user_id)
    return redirect(target)


def init_sso(app: Flask) -> None:
    """Register the SSO blueprint, when the settings name an OpenID Connect issuer."""
    settings: Settings = app.config["OER_SETTINGS"]
    if not settings.oidc_enabled or settings.oidc_issuer is None:
        return
    oauth = OAuth(app)
    oauth.register(
        CLIENT_NAME,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=f"{settings.oidc_issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )
    app.extensions[EXTENSION] = oauth
    app.register_blueprint(bp)
