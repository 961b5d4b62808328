"""Absolute URLs come from OER_PUBLIC_URL, never from a Host header; proxies are trusted by count."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from flask import Flask, request

from tests.fixtures.webapp import WebInstance
from web.app import create_app

PUBLIC = "https://oer.example.org/leermiddelen"


@pytest.fixture
def public_app(web_instance: WebInstance) -> Iterator[Flask]:
    settings = dataclasses.replace(web_instance.settings, public_url=PUBLIC)
    app = create_app({"OER_SETTINGS": settings, "TESTING": True})
    yield app
    app.extensions["oer_runtime"].close()


def test_api_links_use_the_public_url_whatever_the_host_header(public_app: Flask) -> None:
    client = public_app.test_client()
    answer = client.get("/leermiddelen/api/v1/resources?q=breuken", headers={"Host": "evil.example"})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["links"]["self"].startswith(f"{PUBLIC}/api/v1/resources?")
    assert all(hit["links"]["html"].startswith(f"{PUBLIC}/resources/") for hit in body["items"])
    assert body["items"]
    assert "evil.example" not in answer.get_data(as_text=True)


def test_the_feed_s_base_url_is_the_public_one(public_app: Flask) -> None:
    answer = public_app.test_client().get("/oai?verb=Identify", headers={"Host": "evil.example"})
    text = answer.get_data(as_text=True)
    assert f"<baseURL>{PUBLIC}/oai</baseURL>" in text
    assert "evil.example" not in text


def test_cookies_are_secure_when_the_public_url_is_https(public_app: Flask) -> None:
    answer = public_app.test_client().post("/language", data={"lang": "en", "next": "/"})
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
