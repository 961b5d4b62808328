"""Comparing materials on the site: side by side, shareable URLs, bad input, escaping (JSON: ../api)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.fixtures.webapp import HOSTILE_TITLE, WebInstance
from tests.functional.site.test_pages import parse
from web.rate_limits import Budget, budgets

HOSTILE_REFERENCE = "<img src=x onerror=alert(1)>"


def _rows(html: str) -> dict[str, bool]:
    """Each aspect row of the comparison table: whether it is marked as differing."""
    return {aspect: "differs" in classes
            for classes, aspect in re.findall(r'<tr class="([^"]*)" data-aspect="([a-z_]+)"', html)}


def test_three_materials_side_by_side_with_the_differing_rows_marked(
        client: FlaskClient, web_instance: WebInstance) -> None:
    ids = [web_instance.ids[name] for name in ("arrangement", "part1", "unknown_subject")]
    response = client.get("/vergelijk?ids=" + ",".join(ids))
    assert response.status_code == 200
    page = parse(response.text)
    headers = [a for a in page.find("a") if (a.get("href") or "").startswith("/resources/")]
    assert [a["href"] for a in headers[:3]] == [f"/resources/{i}" for i in ids]
    assert "3 materialen naast elkaar" in page.plain
    rows = _rows(response.text)
    # PO, PO and VO; CC BY, CC BY-SA and CC BY-NC-ND; every one in Dutch.
    assert rows["sector"] and rows["licence"] and rows["permissions"]
    assert not rows["languages"] and not rows["source"]
    # Marked in words (for screen readers and in print), not by colour alone.
    heads = re.findall(r'data-aspect="(\w+)">\s*<th scope="row">(.*?)</th>', response.text, re.S)
    marked = {aspect for aspect, head in heads if 'class="differs-mark"' in head}
    assert marked == {aspect for aspect, differs in rows.items() if differs}
    assert "≠</span> verschilt" in response.text
    assert [link for link in page.find("link", rel="stylesheet")
            if (link.get("href") or "").startswith("/static/css/compare.css?")]
    # Licence rights come from the one licence module: BY-NC-ND may not be adapted.
    assert "Bewerken:</span> mag niet" in response.text


def test_the_url_is_the_comparison(client: FlaskClient, web_instance: WebInstance) -> None:
    ids = [web_instance.ids[name] for name in ("part1", "part2", "part3")]
    # The search page's checkboxes send repeated ids: they become the one shareable form.
    response = client.get("/vergelijk?" + "&".join(f"ids={i}" for i in ids))
    assert response.status_code == 303
    assert response.headers["Location"] == "/vergelijk?ids=" + ",".join(ids)
    shared = client.get(response.headers["Location"])
    assert shared.status_code == 200
    assert f"http://localhost/vergelijk?ids={','.join(ids)}" in parse(shared.text).plain
    # An identifier of a material names it too; the shared URL uses its id.
    moved = client.get(f"/vergelijk?ids=urn:uuid:6f1c0010-5e2a-4b7c-9d3e-a1b2c3d4e5f6,{ids[1]}")
    assert moved.status_code == 301
    assert moved.headers["Location"] == f"/vergelijk?ids={ids[0]},{ids[1]}"
    # Each material can be taken out again with a plain link.
    page = parse(shared.text)
    assert page.find("a", href=f"/vergelijk?ids={ids[1]},{ids[2]}")


def test_result_cards_and_the_detail_page_offer_to_compare(client: FlaskClient, web_instance: WebInstance) -> None:
    page = parse(client.get("/search?q=breuken").text)
    [form] = page.find("form", id="compare-form")
    assert form["action"] == "/vergelijk" and form["method"] == "get"
    boxes = page.find("input", type="checkbox", name="ids", form="compare-form")
    assert len(boxes) >= 3
    assert all(page.find("label", **{"for": box["id"] or ""}) for box in boxes)
    arrangement = web_instance.ids["arrangement"]
    detail = parse(client.get(f"/resources/{arrangement}").text)
    assert detail.find("a", href=f"/vergelijk?ids={arrangement}")


def test_one_material_asks_for_another_and_the_page_search_adds_it(
        client: FlaskClient, web_instance: WebInstance) -> None:
    arrangement = web_instance.ids["arrangement"]
    response = client.get(f"/vergelijk?ids={arrangement}")
    assert response.status_code == 200
    assert "Kies nog minstens één materiaal" in parse(response.text).plain
    found = parse(client.get(f"/vergelijk?ids={arrangement}&q=breuken").text)
    part = web_instance.ids["part1"]
    assert found.find("a", href=f"/vergelijk?ids={arrangement},{part}")
    assert not found.find("a", href=f"/vergelijk?ids={arrangement},{arrangement}")


def test_bad_input_gets_a_dutch_message_not_an_error(client: FlaskClient, web_instance: WebInstance) -> None:
    one, two = web_instance.ids["part1"], web_instance.ids["part2"]
    nothing = client.get("/vergelijk")
    assert nothing.status_code == 200
    assert "Kies twee tot vier materialen" in parse(nothing.text).plain

    duplicate = client.get(f"/vergelijk?ids={one},{two},{one}")
    assert duplicate.status_code == 400
    page = parse(duplicate.text)
    assert "hetzelfde materiaal meer dan eens" in page.plain
    assert page.find("a", href=f"/vergelijk?ids={one},{two}")

    many = ",".join(web_instance.ids[f"lesson{n}"] for n in range(5))
    too_many = client.get(f"/vergelijk?ids={many}")
    assert too_many.status_code == 400
    page = parse(too_many.text)
    assert "hoogstens 4 materialen" in page.plain and "je koos er 5" in page.plain
    assert page.find("a", href="/vergelijk?ids=" + ",".join(many.split(",")[:4]))

    unknown = client.get(f"/vergelijk?ids={one},{web_instance.ids['withdrawn']},nope,{two}")
    assert unknown.status_code == 404
    page = parse(unknown.text)
    assert "Deze materialen kennen we niet" in page.plain
    assert web_instance.ids["withdrawn"] in page.plain and "nope" in page.plain
    assert page.find("a", href=f"/vergelijk?ids={one},{two}")

    for url in ("/vergelijk?ids=,,,", "/vergelijk?ids=" + "x" * 5000 + f",{one}", "/vergelijk?ids=%00,%ff"):
        assert client.get(url).status_code in (200, 303, 404), url


def test_harvested_text_and_references_are_escaped(client: FlaskClient, web_instance: WebInstance) -> None:
    hostile, part = web_instance.ids["hostile"], web_instance.ids["part1"]
    response = client.get(f"/vergelijk?ids={hostile},{part}")
    assert response.status_code == 200
    html = response.text
    page = parse(html)
    assert HOSTILE_TITLE not in html and "<script>alert" not in html
    # The only script is the site's own; the title's markup is reduced to its text.
    assert [(a.get("src") or "").split("?")[0] for a, _ in page.scripts] == ["/static/js/site.js"]
    assert "Breuken &amp; kommagetallen" in html
    assert not [a for a in page.find("a") if (a.get("href") or "").lower().startswith("javascript")]

    unknown = client.get("/vergelijk", query_string={"ids": f"{HOSTILE_REFERENCE},{part}"})
    assert unknown.status_code == 404
    assert HOSTILE_REFERENCE not in unknown.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in unknown.text


def test_the_comparison_in_english(client: FlaskClient, web_instance: WebInstance) -> None:
    ids = ",".join(web_instance.ids[name] for name in ("part1", "unknown_subject"))
    # The language switch's cookie (see test_i18n.py) makes the site English.
    client.set_cookie("lang", "en")
    response = client.get(f"/vergelijk?ids={ids}")
    assert '<html lang="en">' in response.text
    page = parse(response.text)
    assert "Compare materials" in page.plain
    assert "differs" in page.plain and "2 materials side by side" in page.plain


def test_the_comparison_counts_against_the_search_budget(app: Flask) -> None:
    # It searches (to add a material) and reads up to four materials per request.
    limited = budgets(app)
    assert limited["compare.comparison"] is Budget.SEARCH
    assert limited["compare_api.comparison_json"] is Budget.API
