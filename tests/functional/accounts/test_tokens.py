"""API tokens: made and revoked on /account/sleutels, used as Bearer on /api/v1 (401/403 as JSON)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from oer.accounts.models import TokenScope
from oer.settings import Settings
from tests.support.account_site import Mailbox, csrf_of, register, sign_in, submit
from web.accounts.api import require_token
from web.app import create_app

PASSWORD = "zeven-lange-woorden-op-een-rij"
EMAIL = "tess@school.example.org"


@pytest.fixture
def accounts_app(store_settings: Settings) -> Iterator[Flask]:
    """The site plus one route that needs the publish scope, as the coming write API's views will."""
    store_settings.home.mkdir(parents=True, exist_ok=True)
    app = create_app({"OER_SETTINGS": store_settings, "TESTING": True})

    @app.post("/api/v1/_test/publish")
    def _publish() -> dict[str, object]:
        actor = require_token(TokenScope.PUBLISH)
        return {"user": actor.user_id}

    yield app
    app.extensions["oer_runtime"].close()


@pytest.fixture
def signed_in(site: FlaskClient, mailbox: Mailbox) -> FlaskClient:
    register(site, EMAIL, PASSWORD)
    site.get(mailbox.last_link_to(EMAIL, "/account/bevestigen/"))
    assert sign_in(site, EMAIL, PASSWORD).status_code == 302
    return site


def make_token(client: FlaskClient, name: str, **scopes: str) -> str:
    page = submit(client, "/account/sleutels", {"name": name, **scopes})
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    match = re.search(r'<code class="secret" id="new-secret">([^<]+)</code>', page.get_data(as_text=True))
    assert match is not None, "the new secret is shown"
    return match.group(1)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_made_on_the_page_says_who_it_is_on_api_me(signed_in: FlaskClient, accounts_app: Flask) -> None:
    secret = make_token(signed_in, "mijn script", scope_publish="y")
    # Shown once: the list shows the token, never its secret again.
    listed = signed_in.get("/account/sleutels").get_data(as_text=True)
    assert "mijn script" in listed and secret not in listed

    api = accounts_app.test_client()  # no session cookie: only the token speaks
    me = api.get("/api/v1/me", headers=bearer(secret))
    assert me.status_code == 200
    body = me.get_json()
    assert body["email"] == EMAIL and body["display_name"] == "Tess Leraar"
    assert body["token"]["scopes"] == ["publish"]


def test_no_token_or_an_unknown_one_is_401_json_with_www_authenticate(accounts_app: Flask) -> None:
    api = accounts_app.test_client()
    missing = api.get("/api/v1/me")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert missing.get_json()["error"]["status"] == 401
    unknown = api.get("/api/v1/me", headers=bearer("oer_dezebestaatniet"))
    assert unknown.status_code == 401
    assert 'error="invalid_token"' in unknown.headers["WWW-Authenticate"]


def test_a_revoked_token_is_401(signed_in: FlaskClient, accounts_app: Flask) -> None:
    secret = make_token(signed_in, "weg ermee", scope_curate="y")
    api = accounts_app.test_client()
    assert api.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    page = signed_in.get("/account/sleutels").get_data(as_text=True)
    (token_id,) = re.findall(r'/account/sleutels/(\d+)/intrekken', page)
    revoked = signed_in.post(f"/account/sleutels/{token_id}/intrekken", data={"csrf_token": csrf_of(page)})
    assert revoked.status_code == 302
    answer = api.get("/api/v1/me", headers=bearer(secret))
    assert answer.status_code == 401
    assert "revoked" in answer.get_json()["error"]["detail"]
    assert "ingetrokken" in signed_in.get("/account/sleutels").get_data(as_text=True)


def test_a_user_cannot_revoke_another_users_token(
    signed_in: FlaskClient, accounts_app: Flask, mailbox: Mailbox,
) -> None:
    secret = make_token(signed_in, "van tess", scope_annotate="y")
    page = signed_in.get("/account/sleutels").get_data(as_text=True)
    (token_id,) = re.findall(r'/account/sleutels/(\d+)/intrekken', page)

    other = accounts_app.test_client()
    register(other, "otto@elders.example.org", PASSWORD, name="Otto Ander")
    other.get(mailbox.last_link_to("otto@elders.example.org", "/account/bevestigen/"))
    sign_in(other, "otto@elders.example.org", PASSWORD)
    own_page = other.get("/account/sleutels").get_data(as_text=True)
    refused = other.post(f"/account/sleutels/{token_id}/intrekken", data={"csrf_token": csrf_of(own_page)})
    assert refused.status_code == 404
    assert accounts_app.test_client().get("/api/v1/me", headers=bearer(secret)).status_code == 200


def test_a_token_without_the_needed_scope_is_403(signed_in: FlaskClient, accounts_app: Flask) -> None:
    annotator = make_token(signed_in, "annoteren", scope_annotate="y")
    publisher = make_token(signed_in, "publiceren", scope_publish="y")
    api = accounts_app.test_client()
    refused = api.post("/api/v1/_test/publish", headers=bearer(annotator))
    assert refused.status_code == 403
    assert 'error="insufficient_scope"' in refused.headers["WWW-Authenticate"]
    assert refused.get_json()["error"]["status"] == 403
    assert api.post("/api/v1/_test/publish", headers=bearer(publisher)).status_code == 200


def test_a_token_needs_at_least_one_scope(signed_in: FlaskClient) -> None:
    page = submit(signed_in, "/account/sleutels", {"name": "niets"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Kies minstens één ding dat de sleutel mag." in text
    assert 'id="new-secret"' not in text
