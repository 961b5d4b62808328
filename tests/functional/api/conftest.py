"""Checking API responses against the OpenAPI document the API itself serves."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.support.openapi import (
    OpenApiContract,
)


@pytest.fixture
def contract(client: FlaskClient) -> OpenApiContract:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return OpenApiContract(response.get_json())
