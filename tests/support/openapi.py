"""The OpenAPI contract checker of the JSON API tests."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from werkzeug.test import TestResponse


class OpenApiContract:
    """Validates a response against its operation's documented status and JSON schema."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def check(self, response: TestResponse, path: str, method: str = "get") -> Any:
        operation = self.document["paths"][path][method]
        status = str(response.status_code)
        assert status in operation["responses"], f"{method.upper()} {path}: {status} is not documented"
        content = operation["responses"][status].get("content", {})
        if "application/json" not in content:
            return None
        assert response.mimetype == "application/json"
        body = response.get_json()
        schema = content["application/json"].get("schema")
        if schema is not None:
            root = {**schema, "components": self.document["components"]}
            errors = sorted(
                Draft202012Validator(root, format_checker=FormatChecker()).iter_errors(body),
                key=lambda e: list(e.absolute_path),
            )
            assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
        return body
