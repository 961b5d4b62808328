"""Dutch by default whatever the browser says; English as the visitor's choice: the switch and its cookie."""

from __future__ import annotations

import re
from html import unescape

from flask.testing import FlaskClient

from metadata.vocabulary import vocabulary_labels
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


def test_a_first_visit_is_dutch_whatever_the_browser_says(client: FlaskClient) -> None:
    for header in ("en-GB,en;q=0.9", "en", "de-DE,nl;q=0.5", "fr"):
        for path in ("/", "/search?q=fiets"):
            html = client.get(path, headers={"Accept-Language": header}).text
            assert '<html lang="nl">' in html, (header, path)
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    assert "Vind open leermateriaal voor je les" in html
    assert "Find open learning materials for your lesson" not in html


def test_english_is_the_visitors_choice(client: FlaskClient) -> None:
    # The switch's cookie, not the browser, makes the site English; it outlasts the session.
    response = client.post("/language", data={"lang": "en", "next": "/", "csrf_token": _csrf(client.get("/").text)})
    cookie = response.headers["Set-Cookie"]
    assert "lang=en" in cookie and "Max-Age=" in cookie
    html = client.get("/", headers={"Accept-Language": "nl"}).text
    assert '<html lang="en">' in html
    assert "Find open learning materials for your lesson" in html


def test_the_api_honours_accept_language(client: FlaskClient) -> None:
    # An API client's header is its explicit choice (the licence check words its messages in it).
    body = {"parts": [{"licence": "cc-by-nd-40", "use": "adapt"}]}
    english = client.post("/api/v1/licences/check", json=body, headers={"Accept-Language": "en"}).json
    dutch = client.post("/api/v1/licences/check", json=body).json
    assert english is not None and dutch is not None
    assert english["problems"][0]["message"] == english["problems"][0]["message_en"]
    assert dutch["problems"][0]["message"] == dutch["problems"][0]["message_nl"]


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
    assert "Results for" in html and "search instead for" in html
    html = client.get("/search?q=fotosyntese&no_correction=1").text
    assert "Did you mean:" in html and "No materials found" in html
    one = client.get("/search?q=kommagetallen").text
    assert "1 material<" in one or "1 material " in one


def _dutch_only_labels() -> set[str]:
    """Every vocabulary label of the table whose English differs from its Dutch."""
    return {labels["nl"] for values in vocabulary_labels().values() for labels in values.values()
            if labels["nl"] != labels["en"]}


def _shown_values(html: str) -> list[str]:
    """The vocabulary values a results page names: facet values, filter chips and result tags."""
    found = re.findall(r'<span class="facet-label">([^<]+)</span>', html)
    found += re.findall(r'<span class="tag(?: tag-[a-z]+)?">([^<]+)</span>', html)
    return [unescape(text).strip() for text in found]


def _facet_values(html: str) -> list[tuple[str, str, str]]:
    """(field, value, shown label) of every facet value in the sidebar."""
    pattern = (r'name="([a-z_]+)" value="([^"]+)"[^>]*>\s*<label[^>]*>'
               r'<span class="facet-label">([^<]+)</span>')
    return [(field, unescape(value), unescape(text)) for field, value, text in re.findall(pattern, html)]


def test_english_site_shows_no_dutch_vocabulary_values(client: FlaskClient, web_instance: WebInstance) -> None:
    client.set_cookie("lang", "en")
    html = client.get("/search").text
    facets = _facet_values(html)
    table = vocabulary_labels()
    known = [(field, value, text) for field, value, text in facets if value.lower() in table.get(field, {})
             or value in table.get(field, {})]
    assert len(known) > 10
    wrong = [(field, value, text) for field, value, text in known
             if text != (table[field].get(value) or table[field][value.lower()])["en"]]
    assert wrong == []
    # Result tags too; a term no table knows keeps the label its record gives it (not checked).
    shown = _shown_values(html)
    assert "Primary education" in shown and "Secondary education" in shown
    assert not {"Primair onderwijs", "Voortgezet onderwijs", "Informatiebron", "Open opdracht"} & set(shown)
    detail = client.get(f"/resources/{web_instance.ids['arrangement']}").text
    assert not [text for text in _shown_values(detail) if text in _dutch_only_labels()]
    api = client.get("/api/v1/resources?size=50").json
    assert api is not None
    levels = {level["label"] for item in api["items"] for level in item["educational_levels"]}
    assert "Primary education" in levels and not levels & {"Primair onderwijs", "Voortgezet onderwijs"}


def test_dutch_site_names_the_same_values_in_dutch(client: FlaskClient) -> None:
    shown = _shown_values(client.get("/search").text)
    assert "Primair onderwijs" in shown and "Primary education" not in shown


def test_result_cards_show_the_materials_own_date(client: FlaskClient) -> None:
    html = client.get("/search").text
    dates = re.findall(r'<time datetime="([0-9-]+)">([^<]+)</time>', html)
    assert dates, "every result card has a date"
    assert all(text.startswith(("gepubliceerd ", "gewijzigd bij de bron ", "bijgewerkt ")) for _, text in dates)
    assert any(text.startswith("gepubliceerd ") for _, text in dates)
    client.set_cookie("lang", "en")
    english = re.findall(r'<time datetime="[0-9-]+">([^<]+)</time>', client.get("/search").text)
    assert any(text.startswith("published ") for text in english)


def _chips(html: str) -> list[str]:
    return [" ".join(re.sub(r"<[^>]+>", " ", chip).split())
            for chip in re.findall(r'<a class="chip"[^>]*data-recognised="[^"]*">(.*?)<span', html, re.DOTALL)]


def test_recognised_words_are_named_in_the_sites_language(client: FlaskClient) -> None:
    text = "breuken rekenen groep 7 po"
    dutch = _chips(client.get("/search", query_string={"q": text}).text)
    assert dutch == ["Rekenen", "Groep 7", "Primair onderwijs"]
    client.set_cookie("lang", "en")
    english = _chips(client.get("/search", query_string={"q": text}).text)
    assert english == ["Arithmetic", "Group 7 (age 10)", "Primary education"]
    phases = _chips(client.get("/search", query_string={"q": "breuken bovenbouw havo brugklas"}).text)
    assert phases == ["Upper years, HAVO", "First year of secondary school"]
