"""Absolute URLs come from OER_PUBLIC_URL, never from a Host header; other hosts are refused; proxies trusted by count."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from tests.fixtures.webapp import WebInstance
from web.app import create_app

PUBLIC = "https://oer.example.org/leermiddelen"
PUBLIC_HOST = "oer.example.org"


@pytest.fixture
def public_app(web_instance: WebInstance) -> Iterator[Flask]:
    settings = dataclasses.replace(web_instance.settings, public_url=PUBLIC)
    app = create_app({"OER_SETTINGS": settings, "TESTING": True})
    yield app
    app.extensions["oer_runtime"].close()


def test_api_links_use_the_public_url_whatever_the_port_and_scheme(public_app: Flask) -> None:
    client = public_app.test_client()
    answer = client.get("/leermiddelen/api/v1/resources?q=breuken", headers={"Host": "OER.example.org:8080"})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["links"]["self"].startswith(f"{PUBLIC}/api/v1/resources?")
    assert all(hit["links"]["html"].startswith(f"{PUBLIC}/resources/") for hit in body["items"])
    assert body["items"]
    assert "8080" not in answer.get_data(as_text=True)


def test_the_feed_s_base_url_is_the_public_one(public_app: Flask) -> None:
    answer = public_app.test_client().get("/oai?verb=Identify", headers={"Host": f"{PUBLIC_HOST}:80"})
    text = answer.get_data(as_text=True)
    assert f"<baseURL>{PUBLIC}/oai</baseURL>" in text


@pytest.mark.parametrize("url", ["/leermiddelen/", "/leermiddelen/api/v1/resources", "/oai?verb=Identify",
                                 "/healthz", "/leermiddelen/static/favicon.svg"])
@pytest.mark.parametrize("host", ["evil.example", "oer.example.org.evil.example", "localhost", "10.0.0.5:8000"])
def test_a_request_for_another_host_is_refused(public_app: Flask, url: str, host: str) -> None:
    answer = public_app.test_client().get(url, headers={"Host": host})
    assert answer.status_code == 400
    assert answer.content_type.startswith("text/plain")
    assert host not in answer.text and "Location" not in answer.headers


def test_a_post_for_another_host_is_refused_too(public_app: Flask) -> None:
    answer = public_app.test_client().post("/language", data={"lang": "en"}, headers={"Host": "evil.example"})
    assert answer.status_code == 400 and answer.content_type.startswith("text/plain")


def test_the_public_host_is_served(public_app: Flask) -> None:
    client = public_app.test_client()
    for url in ("/leermiddelen/", "/leermiddelen/search?q=breuken", "/oai?verb=Identify", "/healthz"):
        assert client.get(url, headers={"Host": PUBLIC_HOST}).status_code == 200, url


def test_behind_a_proxy_the_forwarded_host_is_the_one_checked(web_instance: WebInstance) -> None:
    settings = dataclasses.replace(web_instance.settings, public_url=PUBLIC, proxy_hops=1)
    app = create_app({"OER_SETTINGS": settings, "TESTING": True})
    client = app.test_client()
    # The proxy reaches the site by its own name for it (web:8000) and forwards the visitor's host.
    inside = {"Host": "web:8000", "X-Forwarded-Proto": "http"}
    try:
        answer = client.get("/oai?verb=Identify", headers={**inside, "X-Forwarded-Host": PUBLIC_HOST})
        assert answer.status_code == 200
        assert f"<baseURL>{PUBLIC}/oai</baseURL>" in answer.text
        assert client.get("/healthz", headers={**inside, "X-Forwarded-Host": "evil.example"}).status_code == 400
        assert client.get("/healthz", headers=inside).status_code == 400
    finally:
        app.extensions["oer_runtime"].close()


def test_without_a_public_url_any_host_is_served(client: FlaskClient) -> None:
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "10.0.0.5:8000"}).status_code == 200


def test_cookies_are_secure_when_the_public_url_is_https(public_app: Flask) -> None:
    answer = public_app.test_client().post("/language", data={"lang": "en", "next": "/"},
                                           headers={"Host": PUBLIC_HOST})
    # Refused for its missing CSRF token, but the session cookie it sets carries Secure.
    cookies = answer.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in cookie for cookie in cookies)


def test_forwarded_headers_count_only_with_proxy_hops(web_instance: WebInstance) -> None:
    seen: list[tuple[str | None, str]] = []

    def build(hops: int) -> Flask:
        app = create_app({"OER_SETTINGS": dataclasses.replace(web_instance.settings, proxy_hops=hops),
                          "TESTING": True})

        @app.get("/test/client")
        def client_address() -> str:
            seen.append((request.remote_addr, request.scheme))
            return ""

        return app

    forwarded = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
    for hops in (0, 1):
        app = build(hops)
        app.test_client().get("/test/client", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.2"})
        app.extensions["oer_runtime"].close()
    assert seen == [("10.0.0.2", "http"), ("198.51.100.7", "https")]
