"""Security headers, CSRF, static caching and the OAI endpoint's CSRF exemption."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.fixtures.webapp import WebInstance
from web.app import create_app

PAGES = ("/", "/search?q=fiets", "/resources/does-not-exist", "/api/v1/resources", "/healthz")


@pytest.mark.parametrize("url", PAGES)
def test_security_headers_on_every_response(client: FlaskClient, url: str) -> None:
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["Permissions-Policy"]


def test_pages_have_no_inline_scripts_or_styles(client: FlaskClient, web_instance: WebInstance) -> None:
    for url in ("/", "/search?q=breuken", f"/resources/{web_instance.ids['arrangement']}"):
        html = client.get(url).text
        for match in re.finditer(r"<script([^>]*)>", html):
            attrs = match.group(1)
            assert "src=" in attrs or 'type="application/ld+json"' in attrs, (url, attrs)
        assert "<style" not in html and " style=" not in html and " onclick=" not in html


def test_language_form_carries_a_csrf_token(client: FlaskClient) -> None:
    html = client.get("/").text
    form = re.search(r'<form class="language-switch" method="post"[^>]*>(.*?)</form>', html, re.S)
    assert form is not None
    assert re.search(r'name="csrf_token" value="[^"]{20,}"', form.group(1))


def test_post_without_csrf_token_is_refused(web_instance: WebInstance) -> None:
    app = create_app({"OER_SETTINGS": web_instance.settings, "TESTING": True})
    client = app.test_client()
    response = client.post("/language", data={"lang": "en", "next": "/"})
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.text
    assert "lang=" not in response.headers.get("Set-Cookie", "")


def test_oai_post_is_exempt_from_csrf(client: FlaskClient) -> None:
    response = client.post("/oai", data={"verb": "Identify"})
    assert response.status_code == 200
    assert b"<Identify>" in response.data


def test_static_files_are_versioned_and_cached_for_a_year(client: FlaskClient) -> None:
    html = client.get("/").text
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert {u.split("?")[0] for u in urls} >= {"/static/css/site.css", "/static/js/site.js"}
    for url in urls:
        assert re.search(r"\?v=[0-9a-f]{12}$", url), url
        response = client.get(url)
        assert response.status_code == 200
        cache = response.cache_control
        assert cache.max_age == 365 * 24 * 3600 and cache.public and cache.immutable and not cache.no_cache
        response.close()
    plain = client.get("/static/css/site.css")
    assert plain.cache_control.no_cache and not plain.cache_control.max_age
    plain.close()
    stale = client.get("/static/css/site.css?v=000000000000")
    assert stale.cache_control.no_cache
    stale.close()


def test_version_changes_with_the_content(app: Flask, tmp_path: Path) -> None:
    from web.security import StaticVersions

    (tmp_path / "a.css").write_text("a{}")
    versions = StaticVersions(tmp_path)
    first = versions.version("a.css")
    assert first == StaticVersions(tmp_path).version("a.css")
    (tmp_path / "a.css").write_text("a{color:red}")
    assert StaticVersions(tmp_path).version("a.css") != first
    assert versions.version("../etc/passwd") is None
