"""The remix JSON API: `POST /api/v1/licences/check`, the licence engine for any client. I/O: HTTP.

Public (no token) and CSRF-exempt (see `web.security`): it computes an
answer from the body alone, reads no session and changes nothing. Any body
is read as JSON whatever its Content-Type, so a page elsewhere may call it
with a simple `text/plain` request, or with `application/json` after a CORS
preflight, which this blueprint answers. Bad input is a 400 in the API's
error format listing every problem; the answer's messages are in the
request's language (the `lang` cookie, Accept-Language, else Dutch).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from metadata.licence_rules import Part, Use, check_licences
from oer.discovery.search import Problem
from web.errors import json_error
from web.i18n import current_language

MAX_PARTS = 200
MAX_LICENCE_LENGTH = 100
# Far above MAX_PARTS parts of the longest licence: a larger body is refused before it is parsed.
MAX_BODY_BYTES = 64 * 1024
USES = tuple(use.value for use in Use)

blueprint = Blueprint("remix_api", __name__)


@blueprint.post("/licences/check")
def check() -> Response:
    request.max_content_length = MAX_BODY_BYTES
    body = request.get_json(force=True, silent=True)
    parts, problems = parse_parts(body)
    if problems:
        return json_error(400, "Bad Request", "; ".join(f"{p.parameter}: {p.message}" for p in problems),
                          tuple(problems))
    return jsonify(check_licences(parts).to_dict(current_language()))


def parse_parts(body: Any) -> tuple[list[Part], list[Problem]]:
    """`{"parts": [{"licence", "use"}, ...]}` to parts, or every problem with it."""
    if not isinstance(body, dict):
        return [], [Problem("body", 'must be a JSON object: {"parts": [{"licence": ..., "use": ...}]}')]
    problems = [Problem(name, "unknown member; use parts") for name in sorted(set(body) - {"parts"})]
    items = body.get("parts")
    if not isinstance(items, list):
        problems.append(Problem("parts", 'required: a list of {"licence": code, "use": "include" or "adapt"}'))
        return [], problems
    if len(items) > MAX_PARTS:
        return [], [*problems, Problem("parts", f"at most {MAX_PARTS} parts")]
    parts: list[Part] = []
    for index, item in enumerate(items):
        where = f"parts[{index}]"
        if not isinstance(item, dict):
            problems.append(Problem(where, 'must be an object {"licence": ..., "use": ...}'))
            continue
        problems += [Problem(f"{where}.{name}", "unknown member; use licence and use")
                     for name in sorted(set(item) - {"licence", "use"})]
        licence, use = item.get("licence"), item.get("use")
        if not isinstance(licence, str) or not licence.strip() or len(licence) > MAX_LICENCE_LENGTH:
            problems.append(Problem(
                f"{where}.licence",
                f"required: an NL-LOM copyright code (1 to {MAX_LICENCE_LENGTH} characters), "
                "e.g. cc-by-sa-40"))
        if use not in USES:
            problems.append(Problem(f"{where}.use", f"required: one of {', '.join(USES)}"))
        if isinstance(licence, str) and use in USES:
            parts.append(Part(licence=licence, use=Use(use)))
    return parts, problems


@blueprint.after_request
def allow_json_from_other_sites(response: Response) -> Response:
    # web.security allows any origin on /api/; a JSON POST from a browser also needs this.
    response.headers.setdefault("Access-Control-Allow-Headers", "Content-Type")
    response.headers.setdefault("Access-Control-Allow-Methods", "POST")
    return response


def init_app(app: Flask, url_prefix: str) -> None:
    """Add the endpoints under the JSON API's prefix (called by `web.api`)."""
    app.register_blueprint(blueprint, url_prefix=url_prefix)
