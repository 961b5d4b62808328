"""Who is signed in: Flask-Login over the accounts domain. I/O: the session cookie, database.

The session carries only the user's id (and Flask-Login's fresh flag); each
request loads the user and their roles again, so a revoked role or an erased
account takes effect at the next request. Views hand services an `Actor`
(`current_actor()`), never the session. Signing in starts a new session (the
old one's contents are dropped: no fixation); the cookie is HttpOnly,
SameSite=Lax, and Secure when the site is served over https.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from flask import Flask, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import AnonymousUserMixin, LoginManager, UserMixin, current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from oer.accounts.actor import Actor
from oer.accounts.errors import UnknownUser
from oer.accounts.queries import UserView, get_user, load_actor
from web.runtime import read_session

login_manager = LoginManager()
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class SignedInUser(UserMixin):  # type: ignore[misc]
    """The signed-in user of this request: who they are and what they may do."""

    view: UserView
    actor: Actor

    def get_id(self) -> str:
        return str(self.view.id)

    @property
    def display_name(self) -> str:
        return self.view.display_name


class Anonymous(AnonymousUserMixin):  # type: ignore[misc]
    actor = None


def _load_user(user_id: str) -> SignedInUser | None:
    try:
        identifier = int(user_id)
    except ValueError:
        return None
    with read_session() as db:
        try:
            view = get_user(db, identifier)
        except UnknownUser:
            return None
        return SignedInUser(view, load_actor(db, identifier, via="web"))


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with Secure set per request: whenever the site is served over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        # Per request, not per app: one app serves both in tests, and behind a proxy the scheme
        # is the one ProxyFix or OER_PUBLIC_URL made it (web.security.init_proxies).
        return bool(request.is_secure) if has_request_context() else super().get_cookie_secure(app)


def init_app(app: Flask) -> None:
    app.session_interface = _SessionInterface()
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.anonymous_user = Anonymous
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = None
    # Flask-Login's own "strong" protection drops the session when the address changes; a
    # teacher's address changes between school and home, so it would sign them out all day.
    login_manager.session_protection = "basic"
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")

    @app.before_request
    def _secure_cookies_over_https() -> None:
        # The remember-me cookie is set by Flask-Login from the config during sign-in (after
        # every before_request hook has run); the session cookie follows _SessionInterface.
        app.config["REMEMBER_COOKIE_SECURE"] = request.is_secure


def sign_in(user_id: int, *, remember: bool = False) -> None:
    """Sign this user in on a new session: what the old session held is dropped first."""
    session.clear()
    with read_session() as db:
        view = get_user(db, user_id)
        user = SignedInUser(view, load_actor(db, user_id, via="web"))
    login_user(user, remember=remember)


def sign_out() -> None:
    logout_user()
    session.clear()


def current_actor() -> Actor | None:
    """The actor of the signed-in user, or None for a visitor."""
    if not current_user.is_authenticated:
        return None
    actor: Actor = current_user.actor
    return actor


def signed_in_actor() -> Actor:
    """The signed-in user's actor, in a view that `signed_in` guards."""
    actor = current_actor()
    if actor is None:
        raise RuntimeError("signed_in_actor() outside a view that requires sign-in")
    return actor


def signed_in(view: Callable[P, R]) -> Callable[P, R | BaseResponse]:
    """Send a visitor to the sign-in page (and back here after), run the view for a user."""

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R | BaseResponse:
        if not current_user.is_authenticated:
            response: BaseResponse = login_manager.unauthorized()
            return response
        return view(*args, **kwargs)

    return guarded
