"""Driving the publishing form with Flask's test client: the form's fields as a post, with files."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.account_site import csrf_of
from tests.support.publishing import SUBMISSION


@dataclass(frozen=True)
class Publishers:
    app: Flask
    school: int
    redacteur: int
    lid: int
    teacher: int
    unverified: int


def form_of(submission: dict[str, Any] = SUBMISSION, **changes: Any) -> dict[str, Any]:
    """The publishing form's fields for a submission (lists as repeated fields, text as typed)."""
    data = {**submission, **changes}
    form: dict[str, Any] = {
        "title": data.get("title") or "",
        "description": data.get("description") or "",
        "keywords": ", ".join(data.get("keywords") or []),
        "languages": data.get("languages") or [],
        "location": data.get("location") or "",
        "aggregation_level": str(data.get("aggregation_level") or ""),
        "learning_resource_types": data.get("learning_resource_types") or [],
        "end_user_roles": data.get("end_user_roles") or [],
        "contexts": data.get("contexts") or [],
        "educational_levels": data.get("educational_levels") or [],
        "disciplines": data.get("disciplines") or [],
        "educational_objectives": data.get("educational_objectives") or [],
        "typical_age_range": data.get("typical_age_range") or "",
        "typical_learning_time": str(data.get("typical_learning_time") or ""),
        "licence": data.get("licence") or "",
        "authors": "\n".join(data.get("authors") or []),
    }
    return form


def post_form(client: FlaskClient, path: str, form: dict[str, Any], *, files: list[tuple[bytes, str]] = (),
              action: str = "preview", extra: dict[str, Any] | None = None) -> TestResponse:
    """Post the form (with the CSRF token of the page at `path`) and uploads as multipart."""
    page = client.get(path)
    data: dict[str, Any] = {**form, "action": action, "csrf_token": csrf_of(page.get_data(as_text=True)),
                            **(extra or {})}
    if files:
        data["files"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post(path, data=data, content_type="multipart/form-data")
