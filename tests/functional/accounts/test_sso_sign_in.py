"""Signing in with OpenID Connect through the real app against a real provider on loopback.

The provider is panva's oidc-provider (tests/support/oidc); its development login and
consent forms are driven with `requests`, the app with Flask's test client, so the whole
authorization code flow (state, PKCE, ID token, userinfo) runs for real.
"""

from __future__ import annotations

import dataclasses
import html
import re
import socket
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from flask_login import current_user
from sqlalchemy.orm import Session, sessionmaker

from oer.accounts import service
from oer.accounts.actor import SYSTEM
from oer.accounts.models import MemberRole, OrganisationKind
from oer.accounts.queries import find_user_by_email, get_organisation, get_user
from oer.settings import Settings
from tests.support.accounts import PASSWORD
from tests.support.feed_app import dispose
from tests.support.oidc_provider import OidcProvider, running_provider
from web.app import create_app
from web.redirects import safe_next
from web.runtime import app_runtime

FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"')


@pytest.fixture
def app(store_settings: Settings, oidc_provider: OidcProvider) -> Iterator[Flask]:
    settings = dataclasses.replace(
        store_settings, oidc_issuer=oidc_provider.issuer, oidc_client_id=oidc_provider.client_id,
        oidc_client_secret=oidc_provider.client_secret,
    )
    # create_app signs in through the accounts package, which registers SSO for these settings.
    app = create_app({"OER_SETTINGS": settings, "TESTING": True})

    @app.get("/test/whoami")
    def whoami() -> tuple[str, int]:
        if not current_user.is_authenticated:
            return "", 401
        return str(current_user.get_id()), 200

    yield app
    dispose(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def sessions(app: Flask) -> sessionmaker[Session]:
    from web.runtime import app_runtime

    return app_runtime(app).sessions


def sign_in_at_provider(authorization_url: str, login: str, redirect_uri: str) -> str:
    """Log in on the provider's forms and consent; the URL it sends the browser back to."""
    with requests.Session() as browser:
        return _follow(browser, authorization_url, login, redirect_uri)


def _follow(browser: requests.Session, authorization_url: str, login: str, redirect_uri: str) -> str:
    url = authorization_url
    response = browser.get(url, allow_redirects=False, timeout=10)
    for _ in range(12):
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            if url.startswith(redirect_uri):
                return url
            response = browser.get(url, allow_redirects=False, timeout=10)
            continue
        assert response.status_code == 200, response.text
        match = FORM.search(response.text)
        assert match is not None, response.text
        action, body = match.groups()
        data = {name: html.unescape(value) for name, value in HIDDEN.findall(body)}
        if 'name="login"' in body:
            data.update(login=login, password="wat-dan-ook")
        url = urljoin(url, html.unescape(action))
        response = browser.post(url, data=data, allow_redirects=False, timeout=10)
    raise AssertionError("the provider did not send the browser back")


def sso_flow(client: FlaskClient, provider: OidcProvider, login: str, next_path: str | None = None,
             *, tamper_state: bool = False) -> tuple[int, str, str]:
    """The whole code flow; the callback's status, Location and body."""
    query = {"next": next_path} if next_path is not None else {}
    start = client.get("/account/sso/login", query_string=query)
    assert start.status_code == 302
    assert start.location.startswith(f"{provider.issuer}/")
    assert "code_challenge_method=S256" in start.location
    back = sign_in_at_provider(start.location, login, provider.redirect_uri)
    parts = urlsplit(back)
    assert parts.path == "/account/sso/callback"
    query_string = parts.query
    if tamper_state:
        query_string = re.sub(r"state=[^&]+", "state=vervalst", query_string)
    callback = client.get(f"{parts.path}?{query_string}")
    return callback.status_code, callback.headers.get("Location", ""), callback.get_data(as_text=True)


def signed_in_as(client: FlaskClient) -> int | None:
    response = client.get("/test/whoami")
    return int(response.get_data(as_text=True)) if response.status_code == 200 else None


def test_the_first_sign_in_creates_the_user_and_the_second_links_it(
    client: FlaskClient, oidc_provider: OidcProvider, sessions: sessionmaker[Session], app: Flask
) -> None:
    assert signed_in_as(client) is None

    status, location, _ = sso_flow(client, oidc_provider, "anna", "/zoeken?q=breuken")
    assert (status, location) == (302, "/zoeken?q=breuken")
    first = signed_in_as(client)
    assert first is not None
    with sessions() as db:
        view = get_user(db, first)
        assert (view.email, view.display_name, view.email_verified, view.has_password) == (
            "anna@school.example.org", "Anna de Vries", True, False)

    other = app.test_client()
    status, location, _ = sso_flow(other, oidc_provider, "anna")
    assert (status, location) == (302, "/")
    assert signed_in_as(other) == first


def test_an_existing_password_user_with_that_address_is_linked(
    client: FlaskClient, oidc_provider: OidcProvider, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as db:
        existing = service.add_user(db, SYSTEM, "bram@school.example.org", "Bram", password=PASSWORD).id

    status, _, _ = sso_flow(client, oidc_provider, "bram")
    assert status == 302
    assert signed_in_as(client) == existing
    with sessions() as db:
        view = get_user(db, existing)
        assert view.email_verified and view.has_password


def test_the_organisation_claim_makes_the_user_a_lid(
    client: FlaskClient, oidc_provider: OidcProvider, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as db:
        service.add_organisation(db, SYSTEM, "het-lyceum", "Het Lyceum", OrganisationKind.SCHOOL, brin="12ab")

    assert sso_flow(client, oidc_provider, "anna")[0] == 302
    user_id = signed_in_as(client)
    with sessions() as db:
        members = get_organisation(db, "het-lyceum").members
    assert [(m.user_id, m.role) for m in members] == [(user_id, MemberRole.LID)]


def test_an_address_the_provider_has_not_verified_is_refused(
    client: FlaskClient, oidc_provider: OidcProvider, sessions: sessionmaker[Session]
) -> None:
    status, _, body = sso_flow(client, oidc_provider, "chris")
    assert status == 400
    assert "Inloggen is niet gelukt" in body and "bevestigd e-mailadres" in body
    assert signed_in_as(client) is None
    with sessions() as db:
        assert find_user_by_email(db, "chris@elders.example.org") is None


def test_a_tampered_state_is_refused(
    client: FlaskClient, oidc_provider: OidcProvider, sessions: sessionmaker[Session]
) -> None:
    status, _, body = sso_flow(client, oidc_provider, "anna", tamper_state=True)
    assert status == 400
    assert "Inloggen is niet gelukt" in body
    assert signed_in_as(client) is None
    with sessions() as db:
        assert find_user_by_email(db, "anna@school.example.org") is None


def test_an_error_from_the_provider_is_refused(client: FlaskClient) -> None:
    client.get("/account/sso/login")
    response = client.get("/account/sso/callback?error=access_denied&state=iets")
    assert response.status_code == 400
    assert "Inloggen is niet gelukt" in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://elders.example.org/", "//elders.example.org/", "/\\elders",
                                    "javascript:alert(1)", "zoeken", ""])
def test_an_unsafe_next_is_dropped(
    client: FlaskClient, oidc_provider: OidcProvider, target: str
) -> None:
    assert safe_next(target) is None
    status, location, _ = sso_flow(client, oidc_provider, "anna", target)
    assert (status, location) == (302, "/")


def test_without_an_issuer_there_are_no_sso_routes(store_settings: Settings) -> None:
    app = create_app({"OER_SETTINGS": store_settings, "TESTING": True})
    assert "sso" not in app.blueprints
    assert app.test_client().get("/account/sso/login").status_code == 404
    dispose(app)


def test_a_provider_that_cannot_be_reached_at_the_start_is_a_503_page(store_settings: Settings) -> None:
    # A port nothing listens on: the discovery document cannot be fetched.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    settings = dataclasses.replace(store_settings, oidc_issuer=closed, oidc_client_id="c",
                                   oidc_client_secret="s")
    app = create_app({"OER_SETTINGS": settings, "TESTING": True})
    try:
        response = app.test_client().get("/account/sso/login")
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "60"
        assert "niet bereikbaar" in response.get_data(as_text=True)
    finally:
        dispose(app)


def test_a_provider_that_goes_down_during_the_callback_is_a_503_page(store_settings: Settings) -> None:
    with running_provider() as provider:
        settings = dataclasses.replace(
            store_settings, oidc_issuer=provider.issuer, oidc_client_id=provider.client_id,
            oidc_client_secret=provider.client_secret,
        )
        app = create_app({"OER_SETTINGS": settings, "TESTING": True})
        client = app.test_client()
        start = client.get("/account/sso/login")
        back = sign_in_at_provider(start.location, "anna", provider.redirect_uri)
    try:
        # The provider has stopped: the code cannot be exchanged at its token endpoint.
        parts = urlsplit(back)
        response = client.get(f"{parts.path}?{parts.query}")
        assert response.status_code == 503
        assert "niet bereikbaar" in response.get_data(as_text=True)
        with app_runtime(app).sessions() as db:
            assert find_user_by_email(db, "anna@school.example.org") is None
    finally:
        dispose(app)


def test_an_erased_user_s_address_signs_in_as_a_new_user(
    client: FlaskClient, oidc_provider: OidcProvider, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as db:
        erased = service.add_user(db, SYSTEM, "anna@school.example.org", "Anna", password=PASSWORD).id
        service.delete_user(db, SYSTEM, erased)

    assert sso_flow(client, oidc_provider, "anna")[0] == 302
    user_id = signed_in_as(client)
    assert user_id is not None and user_id != erased
    with sessions() as db:
        assert get_user(db, user_id).email == "anna@school.example.org"
        assert get_user(db, erased).email != "anna@school.example.org"
