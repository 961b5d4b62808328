"""The write API: publish, update and withdraw materials with a token scoped to `publish`. I/O: HTTP, database.

- `POST /api/v1/resources`: the record's JSON form (the fields a publisher sets,
  `metadata.submission.SUBMITTED_FIELDS`), plus `organisation` (a slug; leave it
  out to publish in your own name) and `identifier` (your own id for the
  material: posting it again updates that material instead of making a second).
  201 with `Location`.
- `PUT /api/v1/resources/<id>`: the material's fields as they should now be; a
  new version (200), or none when nothing changed.
- `DELETE /api/v1/resources/<id>`: withdraw it (204); the feed shows it deleted.

Every problem with a submission is listed at once in a 422, each with the field,
a stable code and a Dutch and an English message. A token without the
`publish` scope is 403 (`web.accounts.api.require_token`), so is a token of
someone who may not publish for that organisation. Uploads are a form's
business: through the API a material has a `location`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from metadata.submission import Problem
from oer.accounts.errors import UnknownOrganisation, UnknownUser
from oer.accounts.models import TokenScope
from oer.accounts.queries import find_organisation
from oer.catalogue.models import Resource
from oer.publishing import service
from oer.publishing.errors import InvalidState, InvalidSubmission, PublishingNotAllowed, UnknownPublication
from oer.publishing.models import EXTERNAL_ID_LENGTH, Publication
from web.accounts.api import require_token
from web.accounts.limits import AccountLimits
from web.errors import json_error
from web.i18n import current_language
from web.runtime import app_runtime, read_session, site

MAX_BODY_BYTES = 256 * 1024
# Members of the body that are not the material's own fields.
PLACEMENT_MEMBERS = ("organisation", "identifier")


def unprocessable(problems: tuple[Problem, ...] | list[Problem]) -> Response:
    """422 with every problem: field, code, the message in the request's language, Dutch and English."""
    language = current_language()
    body = {"error": {
        "status": 422, "title": "Unprocessable Content",
        "detail": f"{len(problems)} problem(s) in the material; every one is listed",
        "problems": [{**p.to_dict(), "message": p.message(language)} for p in problems],
    }}
    response = jsonify(body)
    response.status_code = 422
    return response


def _body() -> dict[str, Any] | Response:
    request.max_content_length = MAX_BODY_BYTES
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        return json_error(400, "Bad Request", "the body must be a JSON object: the material's fields")
    return body


def _placement(body: dict[str, Any]) -> tuple[int | None, str | None, list[Problem]]:
    problems: list[Problem] = []
    organisation_id = None
    slug = body.get("organisation")
    if slug is not None:
        with read_session() as db:
            organisation = find_organisation(db, slug) if isinstance(slug, str) else None
        if organisation is None:
            problems.append(Problem("organisation", "unknown-value", f"Geen organisatie {slug!r}.",
                                    f"No organisation {slug!r}."))
        else:
            organisation_id = organisation.id
    identifier = body.get("identifier")
    if identifier is not None and (not isinstance(identifier, str) or not identifier.strip()
                                   or len(identifier) > EXTERNAL_ID_LENGTH):
        problems.append(Problem("identifier", "invalid", f"Een identifier is tekst van hoogstens "
                                f"{EXTERNAL_ID_LENGTH} tekens.", f"An identifier is text of at most "
                                f"{EXTERNAL_ID_LENGTH} characters."))
        identifier = None
    return organisation_id, identifier.strip() if isinstance(identifier, str) else None, problems


def _published_body(resource_id: str, version: int | None) -> dict[str, Any]:
    with read_session() as db:
        resource = db.get(Resource, resource_id)
        publication = db.get(Publication, resource_id)
        assert resource is not None and publication is not None
        return {
            "id": resource_id,
            "version": publication.current_version,
            "changed": version is not None,
            "state": publication.state.value,
            "record": resource.record,
            "links": {
                "self": url_for("api.resource", resource_id=resource_id, _external=True),
                "html": url_for("site.resource", resource_id=resource_id, _external=True),
            },
        }


def create() -> BaseResponse:
    actor = require_token(TokenScope.PUBLISH)
    body = _body()
    if isinstance(body, Response):
        return body
    organisation_id, identifier, problems = _placement(body)
    submission = {name: value for name, value in body.items() if name not in PLACEMENT_MEMBERS}
    if problems:
        return unprocessable(problems)
    try:
        with app_runtime().sessions.begin() as db:
            published = service.publish_submission(
                db, actor, site(), submission, organisation_id=organisation_id, external_id=identifier)
    except InvalidSubmission as invalid:
        return unprocessable(invalid.problems)
    except (PublishingNotAllowed, UnknownUser) as refused:
        return json_error(403, "Forbidden", str(refused))
    except UnknownOrganisation as unknown:
        return json_error(404, "Not Found", str(unknown))
    except InvalidState as conflict:
        return json_error(409, "Conflict", str(conflict))
    app_runtime().index_now([published.id])
    response = jsonify(_published_body(published.id, published.version))
    response.status_code = 201 if published.created else 200
    response.headers["Location"] = url_for("api.resource", resource_id=published.id, _external=True)
    return response


def replace(resource_id: str) -> BaseResponse:
    actor = require_token(TokenScope.PUBLISH)
    body = _body()
    if isinstance(body, Response):
        return body
    unknown = [name for name in PLACEMENT_MEMBERS if name in body]
    if unknown:
        return unprocessable([Problem(name, "not-changeable", "Dit kan niet meer veranderen.",
                                      "This cannot change any more.") for name in unknown])
    try:
        with app_runtime().sessions.begin() as db:
            published = service.publish_submission(db, actor, site(), body, publication_id=resource_id)
    except InvalidSubmission as invalid:
        return unprocessable(invalid.problems)
    except UnknownPublication:
        return json_error(404, "Not Found", f"no material {resource_id!r} was published here")
    except PublishingNotAllowed as refused:
        return json_error(403, "Forbidden", str(refused))
    except InvalidState as conflict:
        return json_error(409, "Conflict", str(conflict))
    app_runtime().index_now([resource_id])
    return jsonify(_published_body(resource_id, published.version))


def withdraw(resource_id: str) -> BaseResponse:
    actor = require_token(TokenScope.PUBLISH)
    reason = request.args.get("reason", "")
    try:
        with app_runtime().sessions.begin() as db:
            service.withdraw(db, actor, resource_id, reason)
    except UnknownPublication:
        return json_error(404, "Not Found", f"no material {resource_id!r} was published here")
    except PublishingNotAllowed as refused:
        return json_error(403, "Forbidden", str(refused))
    except InvalidState as conflict:
        return json_error(409, "Conflict", str(conflict))
    app_runtime().index_now([resource_id])
    return Response(status=204)


def build_api_blueprint(limits: AccountLimits) -> Blueprint:
    """The write API's routes, each under the write limit per token."""
    blueprint = Blueprint("publishing_api", __name__, url_prefix="/api/v1")
    blueprint.add_url_rule("/resources", "create", limits.write_api(create), methods=["POST"])
    blueprint.add_url_rule("/resources/<resource_id>", "replace", limits.write_api(replace), methods=["PUT"])
    blueprint.add_url_rule("/resources/<resource_id>", "withdraw", limits.write_api(withdraw),
                           methods=["DELETE"])
    return blueprint
