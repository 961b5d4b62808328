"""Dutch by default, English on request: the switch, its cookie, and Accept-Language."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.fixtures.webapp import WebInstance


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def test_dutch_is_the_default(client: FlaskClient) -> None:
    html = client.get("/").text
    assert '<html lang="nl">' in html
    assert "Vind open leermateriaal voor je les" in html
    assert 'lang="en"' in html and "English" in html  # the switch offers the other language


def test_accept_language_is_honoured(client: FlaskClient) -> None:
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    assert '<html lang="en">' in html
    assert "Find open learning materials for your lesson" in html
    html = client.get("/", headers={"Accept-Language": "de-DE,nl;q=0.5"}).text
    assert '<html lang="nl">' in html


def test_switch_language_is_remembered(client: FlaskClient, web_instance: WebInstance) -> None:
    detail = f"/resources/{web_instance.ids['arrangement']}"
    page = client.get(detail)
    response = client.post("/language", data={"lang": "en", "next": detail, "csrf_token": _csrf(page.text)})
    assert response.status_code == 303
    assert response.headers["Location"] == detail
    assert "lang=en" in response.headers["Set-Cookie"]
    english = client.get(detail).text
    assert '<html lang="en">' in english
    for words in ("Description", "What may you do with it?", "Share", "Adapt", "Commercial use",
                  "Attribution", "3 hours and 30 minutes", "Primary education", "Dutch", "Sources"):
        assert words in english, words
    # ...and for the other pages too, until switched back.
    assert "Search results for" in client.get("/search?q=fiets").text
    back = client.post("/language", data={"lang": "nl", "next": "/", "csrf_token": _csrf(english)})
    assert back.status_code == 303
    assert '<html lang="nl">' in client.get("/").text


def test_switch_never_redirects_off_site(client: FlaskClient) -> None:
    token = _csrf(client.get("/").text)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)",
                   "/\t/evil.example", "/\n/evil.example", "/ /evil.example", "/\r\nSet-Cookie: x=1",
                   "/%0d%0aSet-Cookie:%20x=1\r\n", "/\x00"):
        response = client.post("/language", data={"lang": "en", "next": target, "csrf_token": token})
        assert response.status_code == 303, target
        assert response.headers["Location"] == "/", target
        assert "x=1" not in response.headers.get("Set-Cookie", ""), target


def test_english_search_page_and_plurals(client: FlaskClient) -> None:
    client.set_cookie("lang", "en")
    html = client.get("/search?q=breuken").text
    assert "10 materials" in html and "Apply filters" in html and "Relevance" in html
    html = client.get("/search?q=fotosyntese").text
    assert "Did you mean:" in html and "No materials found" in html
    one = client.get("/search?q=kommagetallen").text
    assert "1 material<" in one or "1 material " in one
