"""The JSON API on a populated instance, every response checked against the OpenAPI document."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from flask.testing import FlaskClient

from metadata.lom import served_tree
from metadata.normalize import normalize_document
from metadata.record import Record
from tests.fixtures.webapp import FIXTURES, REKENEN, WebInstance
from tests.support.openapi import OpenApiContract

SEARCH = "/resources"
DETAIL = "/resources/{id}"


def test_search_returns_total_items_and_facets(client: FlaskClient, contract: OpenApiContract) -> None:
    body = contract.check(client.get("/api/v1/resources?q=breuken"), SEARCH)
    assert body["total"] == 10 and len(body["items"]) == 10
    assert body["page"] == 1 and body["size"] == 20
    first = body["items"][0]
    assert "<mark>" in first["title_html"] and "<mark>" not in first["title"]
    assert first["links"]["self"].startswith("http://localhost/api/v1/resources/")
    assert first["links"]["html"] == f"http://localhost/resources/{first['id']}"
    contexts = {v["value"]: v["count"] for v in body["facets"]["contexts"]}
    assert contexts == {"PO": 9, "VO": 1}
    subjects = {v["value"]: v["label"] for v in body["facets"]["disciplines"]}
    assert subjects[REKENEN] == "Rekenen"
    assert body["next_search_after"] is None and body["did_you_mean"] is None


def test_filters_sort_and_size(client: FlaskClient, contract: OpenApiContract) -> None:
    body = contract.check(client.get(
        f"/api/v1/resources?contexts=PO&disciplines={REKENEN}&sort=newest&size=3"), SEARCH)
    assert body["total"] == 5 and len(body["items"]) == 3
    assert all("PO" in item["contexts"] for item in body["items"])
    assert all(REKENEN in [d["id"] for d in item["disciplines"]] for item in body["items"])
    dates = [item["updated_at"] for item in body["items"]]
    assert dates == sorted(dates, reverse=True)
    either = contract.check(client.get("/api/v1/resources?licence_family=open&licence_family=non-commercial"), SEARCH)
    open_only = contract.check(client.get("/api/v1/resources?licence_family=open"), SEARCH)
    assert either["total"] > open_only["total"]


def test_items_carry_the_materials_own_date(client: FlaskClient, contract: OpenApiContract) -> None:
    # Checked against the OpenAPI document: date, kind and precision as it declares them.
    body = contract.check(client.get("/api/v1/resources?sort=newest&size=50"), SEARCH)
    dates = [item["date"] for item in body["items"]]
    assert dates and all(date is not None for date in dates)
    assert {date["kind"] for date in dates} <= {"published", "changed", "stored"}
    for date in dates:
        assert len(date["date"]) == {"year": 4, "month": 7, "day": 10}[date["precision"]]
    # "Newest" orders by this date, not by when the repository stored the record.
    padded = [date["date"] + "-01-01"[: 10 - len(date["date"])] for date in dates]
    assert padded == sorted(padded, reverse=True)


def test_licence_in_items_says_what_it_allows(client: FlaskClient, contract: OpenApiContract,
                                              web_instance: WebInstance) -> None:
    body = contract.check(client.get("/api/v1/resources?q=nepnieuws"), SEARCH)
    (item,) = [i for i in body["items"] if i["id"] == web_instance.ids["unknown_subject"]]
    assert item["licence"] == {
        "code": "cc-by-nc-nd-40",
        "label": "CC BY-NC-ND 4.0",
        "url": "https://creativecommons.org/licenses/by-nc-nd/4.0/",
        "allows": {"share": True, "adapt": False, "commercial": False},
        "requires": ["attribution"],
    }


def test_page_and_search_after_walk_every_result_once(client: FlaskClient, contract: OpenApiContract,
                                                      web_instance: WebInstance) -> None:
    seen: list[str] = []
    url = "/api/v1/resources?size=7&sort=newest"
    while url:
        body = contract.check(client.get(url), SEARCH)
        seen += [item["id"] for item in body["items"]]
        nxt = body["links"]["next"]
        if nxt:
            assert body["next_search_after"] and "search_after=" in nxt
            parts = urlsplit(nxt)
            url = f"{parts.path}?{parts.query}"
        else:
            url = ""
    assert len(seen) == len(set(seen)) == web_instance.total
    page_two = contract.check(client.get("/api/v1/resources?size=7&sort=newest&page=2"), SEARCH)
    assert [i["id"] for i in page_two["items"]] == seen[7:14]


def test_corrected_and_relaxed_results_in_the_api(client: FlaskClient, contract: OpenApiContract) -> None:
    body = contract.check(client.get("/api/v1/resources?q=fotosyntese"), SEARCH)
    assert body["total"] > 0 and body["corrected"] == "fotosynthese"
    assert body["relaxed"] is False and body["did_you_mean"] is None
    # As typed: nothing, and the correction is offered.
    body = contract.check(client.get("/api/v1/resources?q=fotosyntese&no_correction=1"), SEARCH)
    assert body["total"] == 0 and body["did_you_mean"] == "fotosynthese"
    assert body["corrected"] is None
    # Every word finds nothing together: most of them.
    body = contract.check(client.get("/api/v1/resources?q=breuken+fotosynthese"), SEARCH)
    assert body["total"] > 0 and body["relaxed"] is True and body["corrected"] is None
    strict = contract.check(client.get("/api/v1/resources?q=breuken"), SEARCH)
    assert strict["relaxed"] is False and strict["corrected"] is None


def test_bad_parameters_are_400_json_listing_every_problem(client: FlaskClient, contract: OpenApiContract) -> None:
    cases = {
        "/api/v1/resources?colour=red": "colour",
        "/api/v1/resources?page=0": "page",
        "/api/v1/resources?page=abc": "page",
        "/api/v1/resources?size=1000": "size",
        "/api/v1/resources?sort=random": "sort",
        "/api/v1/resources?page=2&search_after=abc": "search_after",
        "/api/v1/resources?search_after=not-a-cursor": "search_after",
        "/api/v1/resources?page=9999": "page",
        "/api/v1/resources?q=a&q=b": "q",
        "/api/v1/suggest?size=0": "size",
        "/api/v1/suggest?prefix=x": "prefix",
    }
    for url, parameter in cases.items():
        response = client.get(url)
        assert response.status_code == 400, url
        path = "/suggest" if "/suggest" in url else SEARCH
        body = contract.check(response, path)
        assert parameter in [p["parameter"] for p in body["error"]["problems"]], (url, body)
    several = client.get("/api/v1/resources?colour=red&page=0&sort=x").get_json()
    assert {p["parameter"] for p in several["error"]["problems"]} == {"colour", "page", "sort"}


def test_detail_is_the_normalised_record_plus_provenance(client: FlaskClient, contract: OpenApiContract,
                                                         web_instance: WebInstance) -> None:
    resource_id = web_instance.ids["edurep_exercises"]
    response = client.get(f"/api/v1/resources/{resource_id}")
    body = contract.check(response, DETAIL)
    expected = next(
        r for r in normalize_document((FIXTURES / "oai/edurep/edurep-oaipmh.initial.0.xml").read_bytes())
        if r.title == "Exercises 5")
    assert set(body) == set(expected.to_dict()) | {"provenance"}
    record = {key: value for key, value in body.items() if key != "provenance"}
    # The source's whole LOM as the feed serves it (roles LOM knows, http(s) links only).
    assert body["lom"] == served_tree(expected)
    assert Record.from_dict(record) == expected.with_changes(lom=served_tree(expected))
    (provenance,) = body["provenance"]
    assert provenance["source"] == "edurep"
    assert provenance["oai_identifier"] == expected.oai_identifier
    assert provenance["deleted"] is False
    assert provenance["datestamp"].endswith("Z") and provenance["harvested_at"].endswith("Z")
    assert f'/resources/{resource_id}>; rel="alternate"' in response.headers["Link"]


def test_detail_keys_are_those_of_oer_normalize(client: FlaskClient, web_instance: WebInstance) -> None:
    fixture = FIXTURES / "lom" / "phpnllom-full.xml"
    printed = subprocess.run(
        [sys.executable, "-c", "from web.cli import main; main()", "normalize", str(fixture)],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[3],
    ).stdout
    normalised = json.loads(printed)
    normalised = normalised[0] if isinstance(normalised, list) else normalised
    body = client.get(f"/api/v1/resources/{web_instance.ids['arrangement']}").get_json()
    assert set(body) - {"provenance"} == set(normalised)


def test_unknown_id_is_404_json(client: FlaskClient, contract: OpenApiContract) -> None:
    response = client.get("/api/v1/resources/no-such-material")
    assert response.status_code == 404
    body = contract.check(response, DETAIL)
    assert body["error"]["status"] == 404 and "no-such-material" in body["error"]["detail"]
    unknown_route = client.get("/api/v1/nothing-here")
    assert unknown_route.status_code == 404 and unknown_route.is_json


def test_withdrawn_material_is_410_json(client: FlaskClient, contract: OpenApiContract,
                                        web_instance: WebInstance) -> None:
    response = client.get(f"/api/v1/resources/{web_instance.ids['withdrawn']}")
    assert response.status_code == 410
    assert contract.check(response, DETAIL)["error"]["status"] == 410


def test_identifier_redirects_to_the_canonical_id(client: FlaskClient, web_instance: WebInstance) -> None:
    response = client.get("/api/v1/resources/urn:uuid:6f1c0001-5e2a-4b7c-9d3e-a1b2c3d4e5f6")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/api/v1/resources/{web_instance.ids['arrangement']}"


def test_suggest(client: FlaskClient, contract: OpenApiContract, web_instance: WebInstance) -> None:
    body = contract.check(client.get("/api/v1/suggest?q=lessen"), "/suggest")
    assert body["query"] == "lessen"
    assert [s["id"] for s in body["suggestions"]][:1] == [web_instance.ids["arrangement"]]
    assert body["suggestions"][0]["text"] == "Lessenserie breuken voor groep 7 en 8"
    assert contract.check(client.get("/api/v1/suggest?q="), "/suggest")["suggestions"] == []
    assert len(contract.check(client.get("/api/v1/suggest?q=les&size=2"), "/suggest")["suggestions"]) == 2


def test_api_text_is_plain_or_escaped(client: FlaskClient, contract: OpenApiContract, web_instance: WebInstance) -> None:
    body = contract.check(client.get("/api/v1/resources?q=kommagetallen"), SEARCH)
    (item,) = body["items"]
    assert item["id"] == web_instance.ids["hostile"]
    assert "<script" not in item["title_html"] and "<img" not in (item["description_html"] or "")
    assert item["title_html"].startswith("Breuken &amp; <mark>kommagetallen</mark>")
    # The record itself is returned as harvested: it is data (JSON-escaped), not markup.
    record = client.get(f"/api/v1/resources/{item['id']}")
    assert record.get_json()["title"].startswith("<script>")
    assert record.mimetype == "application/json"
    assert record.headers["X-Content-Type-Options"] == "nosniff"


def test_api_allows_cross_origin_reads(client: FlaskClient) -> None:
    assert client.get("/api/v1/resources").headers["Access-Control-Allow-Origin"] == "*"


def test_the_api_says_which_level_words_it_recognised(client: FlaskClient, contract: OpenApiContract) -> None:
    body = contract.check(client.get("/api/v1/resources?q=breuken+groep+7"), SEARCH)
    assert body["recognised"] == [{"key": "groep-7", "kind": "groep", "text": "groep 7", "label": "Groep 7",
                                   "filters": {"groep": ["7"]}}]
    assert body["total"] > 0
    # Taken back with `literal`: searched as words, as the site's chip does.
    literal = contract.check(client.get("/api/v1/resources?q=breuken+groep+7&literal=groep-7"), SEARCH)
    assert literal["recognised"] == []
    same = contract.check(client.get("/api/v1/resources?q=breuken&groep=7"), SEARCH)
    assert {item["id"] for item in same["items"]} == {item["id"] for item in body["items"]}
