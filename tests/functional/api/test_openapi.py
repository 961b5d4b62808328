"""The OpenAPI document: valid OpenAPI 3.1, and its Record schema is the record's JSON Schema."""

from __future__ import annotations

from flask.testing import FlaskClient
from openapi_spec_validator import validate

from metadata.facets import FACET_FIELDS
from schemas import resources


def test_document_is_valid_openapi_3_1(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_filter_is_documented(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    parameters = {p["name"] for p in document["paths"]["/resources"]["get"]["parameters"]}
    assert parameters == {"q", "sort", "page", "size", "search_after", "literal", "no_correction",
                          *FACET_FIELDS}


def test_record_schema_is_the_packaged_one(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    packaged = resources.load_json("record.schema.json")
    embedded = document["components"]["schemas"]["Record"]
    assert set(embedded["properties"]) == set(packaged["properties"])
    assert embedded["required"] == packaged["required"]
    assert set(document["components"]["schemas"]["ResourceDetail"]["properties"]) == (
        set(packaged["properties"]) | {"provenance"})
