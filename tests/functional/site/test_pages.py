"""The site's pages on a populated instance: home, search, detail, errors, escaping, JSON-LD."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from flask.testing import FlaskClient

from tests.fixtures.webapp import (
    HOSTILE_KEYWORD,
    REKENEN,
    UNKNOWN_SUBJECT_LABEL,
    WebInstance,
)


class _Document(HTMLParser):
    """Collects what the assertions need from a page: tags, attributes, scripts, text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        else:
            self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


def parse(html: str) -> _Document:
    document = _Document()
    document.feed(html)
    return document


def test_home_shows_search_box_and_catalogue_counts(client: FlaskClient, web_instance: WebInstance) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = parse(response.text)
    assert page.find("html", lang="nl")
    assert page.find("meta", name="viewport")
    assert page.find("input", type="search", name="q")
    assert page.find("form", role="search", method="get", action="/search")
    assert f"Zoek in {web_instance.total} materialen" in page.plain
    for heading in ("Sector", "Onderwijsniveau", "Vak", "Gebruiksrechten"):
        assert heading in page.plain
    # The counts are the facet counts, and each links to the search filtered on that value.
    assert page.find("a", href="/search?contexts=PO")
    assert page.find("a", href=f"/search?disciplines={REKENEN}")
    assert re.search(r"Primair onderwijs\s*</a>\s*<span class=\"count\">22<", response.text)


def test_landmarks_and_skip_link_on_every_page(client: FlaskClient, web_instance: WebInstance) -> None:
    for url in ("/", "/search?q=breuken", f"/resources/{web_instance.ids['arrangement']}", "/nope"):
        page = parse(client.get(url).text)
        assert page.find("a", href="#main", **{"class": "skip-link"}), url
        assert page.find("main", id="main"), url
        assert page.find("header", **{"class": "site-header"}) and page.find("footer", **{"class": "site-footer"})
        assert len([t for t, _ in page.tags if t == "h1"]) == 1, url


def test_search_shows_highlighted_results_and_facets(client: FlaskClient) -> None:
    response = client.get("/search?q=breuken")
    assert response.status_code == 200
    page = parse(response.text)
    assert "Zoekresultaten voor “breuken”" in page.plain
    assert "10 materialen" in page.plain
    assert "<mark>breuken</mark>" in response.text.lower()
    # Facets are checkboxes in the search form, with counts.
    boxes = page.find("input", type="checkbox", name="contexts", value="PO")
    assert boxes and boxes[0]["form"] == "search-form"
    assert re.search(r"Primair onderwijs</span> <span class=\"count\">9</span>", response.text)


def test_filters_combine_and_show_removable_chips(client: FlaskClient) -> None:
    both = client.get("/search?q=breuken&contexts=PO&licence_family=open")
    page = parse(both.text)
    chips = [a["href"] for a in page.find("a", **{"class": "chip"})]
    assert sorted(chips) == ["/search?q=breuken&contexts=PO", "/search?q=breuken&licence_family=open"]
    count = int(re.search(r"(\d+) materialen", page.plain).group(1))  # type: ignore[union-attr]
    only_po = int(re.search(r"(\d+) materialen", parse(client.get(chips[1]).text).plain).group(1))  # type: ignore[union-attr]
    assert 0 < count < only_po
    assert "checked" in page.find("input", type="checkbox", name="contexts", value="PO")[0]
    # "Clear all" keeps the words, drops the filters.
    assert page.find("a", href="/search?q=breuken", **{"class": "chip-clear"})


def test_filter_values_within_a_field_are_ored(client: FlaskClient) -> None:
    po = parse(client.get("/search?contexts=PO").text).plain
    vo = parse(client.get("/search?contexts=VO").text).plain
    both = parse(client.get("/search?contexts=PO&contexts=VO").text).plain

    def number(text: str) -> int:
        return int(re.search(r"(\d+) materialen", text).group(1))  # type: ignore[union-attr]

    assert number(both) > max(number(po), number(vo))


def test_sort_and_pagination(client: FlaskClient) -> None:
    first = parse(client.get("/search").text)
    assert first.find("nav", **{"class": "pagination"})
    assert first.find("a", href="/search?page=2", rel="next")
    assert first.find("a", href="/search", **{"aria-current": "page"})
    second = client.get("/search?page=2")
    assert second.status_code == 200
    assert parse(second.text).find("ol", start="21")
    newest = parse(client.get("/search?sort=newest").text)
    assert newest.find("a", href="/search?sort=newest", **{"aria-current": "true"})
    # Sorting keeps filters and text, and goes back to page 1.
    assert parse(client.get("/search?q=les&contexts=PO&page=2").text).find(
        "a", href="/search?q=les&contexts=PO&sort=newest")


def test_corrected_results_link_to_the_text_as_typed(client: FlaskClient) -> None:
    page = parse(client.get("/search?q=fotosyntese").text)
    # Text nodes are joined with spaces here.
    assert "Resultaten voor fotosynthese ; zoek in plaats daarvan naar fotosyntese" in page.plain
    assert page.find("a", href="/search?q=fotosyntese&no_correction=1")
    assert "Geen materialen gevonden" not in page.plain


def test_relaxed_results_say_so(client: FlaskClient) -> None:
    page = parse(client.get("/search?q=breuken+fotosynthese").text)
    assert "Resultaten voor een deel van je woorden" in page.plain
    assert "Resultaten voor een deel" not in parse(client.get("/search?q=breuken").text).plain


def test_empty_state_with_did_you_mean(client: FlaskClient) -> None:
    response = client.get("/search?q=fotosyntese&no_correction=1")
    page = parse(response.text)
    assert response.status_code == 200
    assert "Geen materialen gevonden" in page.plain
    assert "controleer de spelling" in page.plain
    suggestion = page.find("a", href="/search?q=fotosynthese")
    assert suggestion, "a real correction, checked to find something"
    assert "materialen" in parse(client.get("/search?q=fotosynthese").text).plain


def test_empty_state_without_a_correction(client: FlaskClient) -> None:
    page = parse(client.get("/search?q=xqzwvk").text)
    assert "Geen materialen gevonden" in page.plain
    assert "Bedoelde je" not in page.plain


def test_detail_page_has_everything_a_teacher_needs(client: FlaskClient, web_instance: WebInstance) -> None:
    response = client.get(f"/resources/{web_instance.ids['arrangement']}")
    assert response.status_code == 200
    page = parse(response.text)
    text = page.plain
    assert "Lessenserie breuken voor groep 7 en 8" in text
    assert "Een complete lessenserie over breuken" in text
    for fact in ("Primair onderwijs", "Rekenen", "Informatiebron", "3 uur en 30 minuten", "Nederlands"):
        assert fact in text, fact
    # Licence: badge, what it allows in plain Dutch, and rel=license links.
    assert page.find("span", **{"class": "licence-badge badge-cc-by"})
    for words in ("Delen", "Bewerken", "Commercieel gebruik", "Naamsvermelding"):
        assert words in text
    assert "Gelijk delen" not in text
    assert page.find("link", rel="license", href="https://creativecommons.org/licenses/by/4.0/")
    assert page.find("a", rel="license", href="https://creativecommons.org/licenses/by/4.0/")
    # The material itself, its parts, and its source with harvest dates.
    assert page.find("a", href="https://maken.wikiwijs.nl/100001/")
    for part in ("part1", "part2", "part3"):
        assert page.find("a", href=f"/resources/{web_instance.ids[part]}"), part
    assert "wikiwijs-voorbeeld" in text and "oai:voorbeeld.nl:1" in text
    assert len(page.find("time")) == 2


def test_detail_page_opens_the_web_page_and_lists_the_other_locations(
    client: FlaskClient, web_instance: WebInstance,
) -> None:
    # Edurep's record gives a zip, a pdf and a Wikiwijs page (formats in the same order).
    page = parse(client.get(f"/resources/{web_instance.ids['three_locations']}").text)
    [opening] = page.find("a", **{"class": "button primary"})
    assert opening["href"] == "https://maken.wikiwijs.nl/94812/Macro_meso_micro#!page-2935729"
    assert page.find("p", **{"class": "muted other-locations"})
    assert "Ook te vinden op: surfsharekit.nl" in " ".join(page.plain.split())
    external = [a["href"] for a in page.find("a", rel="noopener noreferrer external")]
    assert external == [
        "https://maken.wikiwijs.nl/94812/Macro_meso_micro#!page-2935729",
        "https://surfsharekit.nl/objectstore/88c687c8-fbc4-4d69-a27d-45d9f30d642b",
        "https://surfsharekit.nl/objectstore/9f71f782-09de-48b1-a10f-15d882471df7"]


def test_detail_page_shows_what_a_part_belongs_to(client: FlaskClient, web_instance: WebInstance) -> None:
    page = parse(client.get(f"/resources/{web_instance.ids['part2']}").text)
    assert "Onderdeel van" in page.plain
    assert page.find("a", href=f"/resources/{web_instance.ids['arrangement']}")
    assert "45 minuten" in page.plain
    assert "Gelijk delen" in page.plain  # CC BY-SA


def test_share_alike_and_restrictions_in_plain_dutch(client: FlaskClient, web_instance: WebInstance) -> None:
    page = parse(client.get(f"/resources/{web_instance.ids['unknown_subject']}").text)
    text = page.plain
    assert page.find("span", **{"class": "licence-badge badge-cc-by-nc-nd"})
    assert "Bewerken: niet toegestaan." in text
    assert "Commercieel gebruik: niet toegestaan." in text
    assert "Delen: toegestaan." in text
    # An OBK term the product does not know is shown by the record's own label.
    assert UNKNOWN_SUBJECT_LABEL in text


def test_json_ld_is_valid_learning_resource(client: FlaskClient, web_instance: WebInstance) -> None:
    page = parse(client.get(f"/resources/{web_instance.ids['arrangement']}").text)
    blocks = [body for attrs, body in page.scripts if attrs.get("type") == "application/ld+json"]
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "LearningResource"
    assert data["name"] == "Lessenserie breuken voor groep 7 en 8"
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["timeRequired"] == "PT3H30M"
    assert data["url"] == "https://maken.wikiwijs.nl/100001/"
    assert {term["termCode"] for term in data["about"]} == {REKENEN}
    assert len(data["hasPart"]) == 3
    assert data["@id"].endswith(f"/resources/{web_instance.ids['arrangement']}")


def test_harvested_text_is_escaped(client: FlaskClient, web_instance: WebInstance) -> None:
    response = client.get(f"/resources/{web_instance.ids['hostile']}")
    assert response.status_code == 200
    html = response.text
    page = parse(html)
    # No script from the record runs: the only scripts are the site's own and the JSON-LD.
    assert [a.get("src", "").split("?")[0] for a, _ in page.scripts if a.get("type") != "application/ld+json"] == [
        "/static/js/site.js"]
    for tag in ("img", "svg"):
        assert not [a for t, a in page.tags if t == tag and (a.get("onerror") or a.get("onload"))]
    assert "alert(" not in page.plain.replace(HOSTILE_KEYWORD, "")
    assert "&lt;svg onload=alert(4)&gt;" in html  # shown, as text
    # HTML in the description is reduced to its text; a javascript: location is no link.
    assert "Oefen breuken met je klas." in page.plain
    assert not [a for a in page.find("a") if (a.get("href") or "").lower().startswith("javascript")]
    assert "Open het materiaal" not in page.plain
    # In the JSON-LD, "<" is escaped, so the data cannot close its script element.
    ld = next(body for attrs, body in page.scripts if attrs.get("type") == "application/ld+json")
    assert "<" not in ld and "\\u003c" in ld
    assert json.loads(ld)["name"].startswith("Breuken & kommagetallen")


def test_hostile_text_is_escaped_in_search_results(client: FlaskClient) -> None:
    for url in ("/search?q=kommagetallen", "/search?q=klas", "/search?contexts=PO"):
        html = client.get(url).text
        page = parse(html)
        assert not [a for a in page.find("img")], url
        assert [a.get("src", "").split("?")[0] for a, _ in page.scripts] == ["/static/js/site.js"], url
        assert "<mark>" not in html or "<mark><" not in html


def test_search_text_is_escaped_where_it_is_echoed(client: FlaskClient) -> None:
    html = client.get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E").text
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_unknown_resource_is_a_404_page(client: FlaskClient) -> None:
    response = client.get("/resources/does-not-exist")
    assert response.status_code == 404
    page = parse(response.text)
    assert "Deze pagina bestaat niet" in page.plain
    assert page.find("a", href="/search")
    assert client.get("/no/such/page").status_code == 404


def test_withdrawn_material_is_a_410_page(client: FlaskClient, web_instance: WebInstance) -> None:
    response = client.get(f"/resources/{web_instance.ids['withdrawn']}")
    assert response.status_code == 410
    assert "Dit materiaal is niet meer beschikbaar" in response.text
    assert "Ingetrokken les" not in client.get("/search?q=ingetrokken").text


def test_an_identifier_of_a_material_redirects_to_it(client: FlaskClient, web_instance: WebInstance) -> None:
    response = client.get("/resources/urn:uuid:6f1c0001-5e2a-4b7c-9d3e-a1b2c3d4e5f6")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/resources/{web_instance.ids['arrangement']}"


def test_bad_page_number_is_a_400_page(client: FlaskClient) -> None:
    response = client.get("/search?page=zero")
    assert response.status_code == 400
    assert "page" in parse(response.text).plain
    assert client.get("/search?page=100000").status_code == 400


def test_unknown_parameters_are_ignored_by_the_site(client: FlaskClient) -> None:
    assert client.get("/search?q=fiets&utm_source=nieuwsbrief").status_code == 200


def test_method_not_allowed_is_a_page(client: FlaskClient) -> None:
    response = client.post("/search")
    assert response.status_code == 405
    assert "<html" in response.text
