"""The annotations API: a material's quality annotations, read by anyone, written with an `annotate` token. I/O: HTTP.

- `GET /api/v1/resources/<id>/annotations`: the shown annotations, newest
  first, each with `criterion`, `value`, `role`, `justification`,
  `framework_version`, `date`, `state` (always `approved` here), the
  annotator's shown name and the author's reply; plus the current framework version.
- `POST /api/v1/resources/<id>/annotations`: `{"criterion", "value", "role",
  "justification"}`; 201 with the annotation as stored (`state` `pending`
  when it waits for the redactie). Every problem is a 422 with the field, a
  stable code and a Dutch and English message; a role the token's user may not
  annotate in is 403. Under the write limit per token.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from metadata.quality import AnnotatorRole
from metadata.submission import Problem
from oer.accounts.models import TokenScope
from oer.catalogue.queries import resource_states
from oer.quality import service
from oer.quality.errors import AnnotationNotAllowed, InvalidAnnotation, UnknownResource
from oer.quality.queries import annotations_of, current_framework, get_annotation
from web.accounts.api import require_token
from web.accounts.limits import app_limits
from web.errors import json_error
from web.publishing.api import unprocessable
from web.runtime import app_runtime, read_session

MAX_BODY_BYTES = 16 * 1024
FIELDS = ("criterion", "value", "role", "justification")


def list_annotations(resource_id: str) -> BaseResponse:
    with read_session() as db:
        state = resource_states(db, [resource_id]).get(resource_id)
        if state is None or state.deleted:
            return json_error(404, "Not Found", f"no material {resource_id!r}")
        views = annotations_of(db, resource_id)
        version = current_framework(db).version
    return jsonify({
        "resource": resource_id,
        "framework_version": version,
        "annotations": [view.to_dict() for view in views],
        "links": {"html": url_for("site.resource", resource_id=resource_id, _external=True) + "#quality-heading"},
    })


def _parse(body: Any) -> tuple[dict[str, Any], list[Problem]]:
    if not isinstance(body, dict):
        return {}, [Problem("body", "invalid", "Stuur een JSON-object.", "Send a JSON object.")]
    problems = [Problem(name, "unknown-member", f"Onbekend veld; gebruik: {', '.join(FIELDS)}.",
                        f"Unknown member; use: {', '.join(FIELDS)}.") for name in sorted(set(body) - set(FIELDS))]
    for name in ("criterion", "value", "role"):
        if not isinstance(body.get(name), str) or not body[name].strip():
            problems.append(Problem(name, "required", "Verplicht (tekst).", "Required (text)."))
    if body.get("justification") is not None and not isinstance(body["justification"], str):
        problems.append(Problem("justification", "invalid", "Tekst of null.", "Text or null."))
    roles = [role.value for role in AnnotatorRole]
    if isinstance(body.get("role"), str) and body["role"] not in roles:
        problems.append(Problem("role", "unknown-value", f"Een van: {', '.join(roles)}.",
                                f"One of: {', '.join(roles)}."))
    return body, problems


def create_annotation(resource_id: str) -> BaseResponse:
    actor = require_token(TokenScope.ANNOTATE)
    request.max_content_length = MAX_BODY_BYTES
    body, problems = _parse(request.get_json(force=True, silent=True))
    if problems:
        return unprocessable(problems)
    try:
        with app_runtime().sessions.begin() as db:
            stored = service.annotate(db, actor, resource_id, AnnotatorRole(body["role"]), body["criterion"].strip(),
                                      body["value"].strip(), body.get("justification"))
    except UnknownResource:
        return json_error(404, "Not Found", f"no material {resource_id!r}")
    except AnnotationNotAllowed as refused:
        return json_error(403, "Forbidden", str(refused))
    except InvalidAnnotation as invalid:
        return unprocessable(invalid.problems)
    app_runtime().index_now([resource_id])
    with read_session() as db:
        view = get_annotation(db, stored.id)
    assert view is not None
    response: Response = jsonify(view.to_dict())
    response.status_code = 201
    response.headers["Location"] = url_for("quality_api.list_annotations", resource_id=resource_id, _external=True)
    return response


def init_app(app: Flask) -> None:
    limits = app_limits(app)
    blueprint = Blueprint("quality_api", __name__, url_prefix="/api/v1")
    blueprint.add_url_rule("/resources/<resource_id>/annotations", "list_annotations", list_annotations)
    blueprint.add_url_rule("/resources/<resource_id>/annotations", "create_annotation",
                           limits.write_api(create_annotation), methods=["POST"])
    app.register_blueprint(blueprint)
