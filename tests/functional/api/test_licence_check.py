"""`POST /api/v1/licences/check`: the licence engine over HTTP, every response checked against the OpenAPI document."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient

from metadata.licence_rules import Part, Use, check_licences
from tests.support.openapi import OpenApiContract

URL = "/api/v1/licences/check"
PATH = "/licences/check"


def post(client: FlaskClient, contract: OpenApiContract, body: Any, status: int, **headers: str) -> Any:
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)
    return contract.check(response, PATH, "post")


def test_an_allowed_combination_lists_licences_and_the_recommended_one(
        client: FlaskClient, contract: OpenApiContract) -> None:
    body = post(client, contract, {"parts": [
        {"licence": "cc-by-sa-30", "use": "adapt"},
        {"licence": "cc-by-40", "use": "adapt"},
        {"licence": "cc-by-nc-nd-40", "use": "include"},
        {"licence": "yes", "use": "include"},
    ]}, 200)
    assert body["allowed"] == ["cc-by-sa-40", "cc-by-sa-30"]
    assert body["recommended"] == "cc-by-sa-40"
    assert body["problems"] == []
    [notice] = body["notices"]
    assert (notice["part"], notice["code"]) == (3, "link-only")
    assert notice["message"] == notice["message_nl"]  # Dutch by default
    # The same answer as the engine's own JSON form: the view adds nothing.
    assert body == check_licences([
        Part("cc-by-sa-30", Use.ADAPT), Part("cc-by-40", Use.ADAPT),
        Part("cc-by-nc-nd-40", Use.INCLUDE), Part("yes", Use.INCLUDE),
    ]).to_dict("nl")


def test_an_impossible_combination_is_200_with_nothing_allowed(
        client: FlaskClient, contract: OpenApiContract) -> None:
    body = post(client, contract, {"parts": [
        {"licence": "cc-by-sa-40", "use": "adapt"},
        {"licence": "cc-by-nc-sa-40", "use": "adapt"},
        {"licence": "cc-by-nd-40", "use": "adapt"},
    ]}, 200, **{"Accept-Language": "en-GB,en;q=0.9"})
    assert body["allowed"] == [] and body["recommended"] is None
    assert [(p["part"], p["code"], p["conflicts_with"]) for p in body["problems"]] == [
        (0, "share-alike-conflict", [1]),
        (1, "share-alike-conflict", [0]),
        (2, "adapt-no-derivatives", []),
    ]
    assert body["problems"][2]["message"] == (
        "Part 3 (CC BY-ND 4.0) may not be adapted: its licence allows no derivatives. "
        "Include it unchanged or pick another material.")
    assert body["problems"][2]["message_nl"].startswith("Deel 3 (CC BY-ND 4.0) mag niet bewerkt worden")


def test_the_chosen_language_wins_over_accept_language(
        client: FlaskClient, contract: OpenApiContract) -> None:
    client.set_cookie("lang", "nl")
    body = post(client, contract, {"parts": [{"licence": "yes", "use": "adapt"}]}, 200,
                **{"Accept-Language": "en"})
    assert body["problems"][0]["message"].startswith("Deel 1 (alle rechten voorbehouden)")
    client.delete_cookie("lang")


def test_an_empty_arrangement_may_carry_any_licence(client: FlaskClient, contract: OpenApiContract) -> None:
    body = post(client, contract, {"parts": []}, 200)
    assert body["recommended"] == "cc0-10" and len(body["allowed"]) == 13


def test_needs_no_token_and_no_json_content_type(client: FlaskClient, contract: OpenApiContract) -> None:
    # CSRF protection is on in the test app; a plain-text body is what a simple cross-site request sends.
    response = client.post(URL, data=json.dumps({"parts": [{"licence": "cc0-10", "use": "adapt"}]}),
                           content_type="text/plain")
    assert response.status_code == 200
    assert contract.check(response, PATH, "post")["recommended"] == "cc0-10"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_cors_preflight_allows_a_json_post(client: FlaskClient) -> None:
    response = client.options(URL, headers={
        "Origin": "https://lms.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def problems_of(body: Any) -> list[str]:
    assert body["error"]["status"] == 400
    return [problem["parameter"] for problem in body["error"]["problems"]]


def test_bad_input_is_a_400_listing_every_problem(client: FlaskClient, contract: OpenApiContract) -> None:
    body = post(client, contract, {"parts": [
        {"licence": "cc-by-40", "use": "bewerken"},
        {"use": "adapt"},
        {"licence": 40, "use": "include", "title": "x"},
        "cc-by-40:adapt",
        {"licence": "x" * 101, "use": "adapt"},
        {"licence": "cc-by-40", "use": "include"},
    ], "lang": "en"}, 400)
    assert problems_of(body) == [
        "lang", "parts[0].use", "parts[1].licence", "parts[2].title", "parts[2].licence", "parts[3]",
        "parts[4].licence",
    ]
    assert body["error"]["problems"][1]["message"] == "required: one of include, adapt"


def test_a_body_without_parts_is_a_400(client: FlaskClient, contract: OpenApiContract) -> None:
    assert problems_of(post(client, contract, {}, 400)) == ["parts"]
    assert problems_of(post(client, contract, {"parts": {"licence": "cc-by-40"}}, 400)) == ["parts"]
    assert problems_of(post(client, contract, [{"licence": "cc-by-40", "use": "adapt"}], 400)) == ["body"]


def test_a_body_that_is_not_json_is_a_400(client: FlaskClient, contract: OpenApiContract) -> None:
    for data in ('{"parts": [', "", "null"):
        response = client.post(URL, data=data, content_type="application/json")
        assert response.status_code == 400
        assert problems_of(contract.check(response, PATH, "post")) == ["body"]


def test_more_than_200_parts_is_a_400(client: FlaskClient, contract: OpenApiContract) -> None:
    part = {"licence": "cc-by-40", "use": "adapt"}
    assert post(client, contract, {"parts": [part] * 200}, 200)["recommended"] == "cc-by-40"
    body = post(client, contract, {"parts": [part] * 201}, 400)
    assert body["error"]["problems"] == [{"parameter": "parts", "message": "at most 200 parts"}]


def test_a_huge_body_is_refused_before_it_is_read(client: FlaskClient, contract: OpenApiContract) -> None:
    response = client.post(URL, data=b" " * (64 * 1024 + 1), content_type="application/json")
    assert response.status_code == 413
    contract.check(response, PATH, "post")
