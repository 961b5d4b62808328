"""The JSON form of a comparison, GET /api/v1/compare, against the OpenAPI document."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.fixtures.webapp import WebInstance
from tests.support.openapi import OpenApiContract


def test_the_json_form(client: FlaskClient, web_instance: WebInstance) -> None:
    one, two = web_instance.ids["part1"], web_instance.ids["unknown_subject"]
    response = client.get(f"/api/v1/compare?ids={one},{two}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["ids"] == [one, two]
    assert body["differs"]["sector"] is True and body["differs"]["languages"] is False
    assert body["materials"][1]["licence"]["allows"]["adapt"] is False
    for url, status in ((f"/api/v1/compare?ids={one}", 400), (f"/api/v1/compare?ids={one},{one}", 400),
                        (f"/api/v1/compare?ids={one},nope", 404)):
        answer = client.get(url)
        assert answer.status_code == status, url
        assert answer.get_json()["error"]["status"] == status


def test_the_json_form_matches_the_openapi_document(client: FlaskClient, web_instance: WebInstance,
                                                    contract: OpenApiContract) -> None:
    ids = ",".join(web_instance.ids[name] for name in ("arrangement", "hostile"))
    body = contract.check(client.get(f"/api/v1/compare?ids={ids}"), "/compare")
    assert len(body["materials"]) == 2
    contract.check(client.get("/api/v1/compare?ids=nope,zip"), "/compare")
