"""The remix JSON API: the licence engine for any client, and arrangements. I/O: HTTP.

`POST /api/v1/licences/check` is public (no token) and CSRF-exempt (see `web.security`): it computes an
answer from the body alone, reads no session and changes nothing. Any body
is read as JSON whatever its Content-Type, so a page elsewhere may call it
with a simple `text/plain` request, or with `application/json` after a CORS
preflight, which this blueprint answers. Bad input is a 400 in the API's
error format listing every problem; the answer's messages are in the
request's language (the `lang` cookie, Accept-Language, else Dutch).

`GET /api/v1/arrangements/<id>` shows an arrangement: its sections and parts,
each part's licence and use, the licences the whole may carry, and the
attribution. `POST /api/v1/arrangements` and `PUT /api/v1/arrangements/<id>`
write one with a token scoped to `publish` (`"publish": true` also publishes
it), under the write limit per token.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from metadata.licence_rules import Part, Use, check_licences
from oer.accounts.models import TokenScope
from oer.accounts.queries import find_organisation
from oer.discovery.search import Problem
from oer.remix import service as remix
from oer.remix.errors import (
    AdaptationNotAllowed,
    ArrangementNotAllowed,
    InvalidArrangement,
    LicenceConflict,
    UnknownArrangement,
    UnknownPart,
    UnknownResource,
)
from oer.remix.models import PartKind
from oer.remix.queries import ArrangementView, get_arrangement
from oer.remix.service import PartSpec
from web.accounts.api import bearer_secret, require_token
from web.accounts.limits import app_limits
from web.errors import json_error
from web.i18n import current_language
from web.publishing.api import unprocessable
from web.runtime import app_runtime, read_session, site

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
    limits = app_limits(app)
    arrangements = Blueprint("arrangements_api", __name__)
    arrangements.add_url_rule("/arrangements/<arrangement_id>", "get_arrangement_json", get_arrangement_json)
    arrangements.add_url_rule("/arrangements", "create_arrangement_json", limits.write_api(create_arrangement_json),
                              methods=["POST"])
    arrangements.add_url_rule("/arrangements/<arrangement_id>", "replace_arrangement_json",
                              limits.write_api(replace_arrangement_json), methods=["PUT"])
    app.register_blueprint(arrangements, url_prefix=url_prefix)


# -- arrangements ---------------------------------------------------------------------------------

MAX_ARRANGEMENT_BYTES = 1024 * 1024
_USES = {"include": PartKind.INCLUDE, "adapt": PartKind.ADAPT, "page": PartKind.PAGE}


def arrangement_json(view: ArrangementView, language: str) -> dict[str, Any]:
    """An arrangement as the API shows it: sections, parts with licence and use, the licence, attribution."""
    check = view.licence_check
    return {
        "id": view.id,
        "state": view.state.value,
        "version": view.current_version,
        "title": view.title,
        "description": view.description,
        "made_by": view.organisation_name or view.owner_name,
        "based_on": view.forked_from,
        "licence": {
            "current": view.licence,
            "recommended": check.recommended,
            "allowed": list(check.allowed),
            "problems": [finding.to_dict(language) for finding in check.problems],
        },
        "sections": [
            {"title": section.title, "parts": [
                {
                    "id": part.id, "use": part.kind.value, "resource": part.resource_id, "title": part.title,
                    "licence": part.licence, "learning_time": part.learning_time, "status": part.status.value,
                    "attribution": part.attribution,
                    "url": part.page_url if part.resource_id else url_for(
                        "remix.show_part", arrangement_id=view.id, part_id=part.id, _external=True),
                } for part in section.parts]}
            for section in view.sections
        ],
        "attribution": view.attributions(),
        "links": {
            "self": url_for("arrangements_api.get_arrangement_json", arrangement_id=view.id, _external=True),
            "html": url_for("remix.arrangement", arrangement_id=view.id, _external=True),
            "export_html": url_for("remix.export_html", arrangement_id=view.id, _external=True),
            "export_imscp": url_for("remix.export_package", arrangement_id=view.id, _external=True),
        },
    }


def get_arrangement_json(arrangement_id: str) -> Response:
    actor = require_token() if bearer_secret() else None
    with read_session() as db:
        try:
            view = get_arrangement(db, arrangement_id, site(), actor, current_language())
        except UnknownArrangement:
            return json_error(404, "Not Found", f"no arrangement {arrangement_id!r}")
    return jsonify(arrangement_json(view, current_language()))


def _contents(body: Any) -> tuple[list[tuple[str, list[PartSpec]]], list[Problem]]:
    problems: list[Problem] = []
    sections: list[tuple[str, list[PartSpec]]] = []
    items = body.get("sections") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        return [], [Problem("sections", 'required: [{"title": ..., "parts": [{"use": ..., "resource": ...}]}]')]
    for s_index, section in enumerate(items):
        if not isinstance(section, dict) or not isinstance(section.get("title"), str):
            problems.append(Problem(f"sections[{s_index}]", 'must be {"title": text, "parts": [...]}'))
            continue
        specs = []
        for p_index, part in enumerate(section.get("parts") or []):
            where = f"sections[{s_index}].parts[{p_index}]"
            if not isinstance(part, dict) or part.get("use") not in _USES:
                problems.append(Problem(f"{where}.use", "required: include, adapt or page"))
                continue
            kind = _USES[part["use"]]
            resource = part.get("resource")
            if kind is not PartKind.PAGE and not isinstance(resource, str):
                problems.append(Problem(f"{where}.resource", "required: the id of a material in the catalogue"))
                continue
            title, text = part.get("title"), part.get("body")
            specs.append(PartSpec(kind, resource if kind is not PartKind.PAGE else None,
                                  title if isinstance(title, str) else None, text if isinstance(text, str) else None))
        sections.append((section["title"], specs))
    return sections, problems


def _write_arrangement(arrangement_id: str | None) -> BaseResponse:
    actor = require_token(TokenScope.PUBLISH)
    request.max_content_length = MAX_ARRANGEMENT_BYTES
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("title"), str):
        return json_error(400, "Bad Request", 'the body must be a JSON object with "title" and "sections"')
    sections, problems = _contents(body)
    if problems:
        return json_error(400, "Bad Request", "; ".join(f"{p.parameter}: {p.message}" for p in problems),
                          tuple(problems))
    # What the teacher sets on top of what the parts give (the record's own field names).
    metadata = {name: value for name, value in body.items() if name in remix.SETTABLE}
    try:
        with app_runtime().sessions.begin() as db:
            if arrangement_id is None:
                organisation_id = None
                if isinstance(body.get("organisation"), str):
                    organisation = find_organisation(db, body["organisation"])
                    if organisation is None:
                        return json_error(404, "Not Found", f"no organisation {body['organisation']!r}")
                    organisation_id = organisation.id
                arrangement_id = remix.create_arrangement(db, actor, body["title"], organisation_id=organisation_id,
                                                          description=body.get("description"))
            remix.update_details(db, actor, arrangement_id, title=body["title"],
                                 description=body.get("description"), metadata=metadata)
            remix.replace_contents(db, actor, arrangement_id, sections)
            if body.get("publish") is True:
                remix.publish(db, actor, arrangement_id, site())
    except ArrangementNotAllowed as refused:
        return json_error(403, "Forbidden", str(refused))
    except (UnknownArrangement, UnknownResource, UnknownPart) as unknown:
        return json_error(404, "Not Found", str(unknown))
    except AdaptationNotAllowed as refused:
        return json_error(422, "Unprocessable Content", refused.finding.message(current_language()))
    except LicenceConflict as conflict:
        return json_error(422, "Unprocessable Content", str(conflict))
    except InvalidArrangement as invalid:
        return unprocessable(invalid.problems)
    app_runtime().index_now([arrangement_id])
    with read_session() as db:
        view = get_arrangement(db, arrangement_id, site(), actor, current_language())
    response = jsonify(arrangement_json(view, current_language()))
    response.status_code = 200 if request.method == "PUT" else 201
    response.headers["Location"] = url_for("arrangements_api.get_arrangement_json", arrangement_id=arrangement_id,
                                           _external=True)
    return response


def create_arrangement_json() -> BaseResponse:
    return _write_arrangement(None)


def replace_arrangement_json(arrangement_id: str) -> BaseResponse:
    return _write_arrangement(arrangement_id)

