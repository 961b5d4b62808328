"""API tokens on /api/v1: `Authorization: Bearer`, and `GET /api/v1/me`. I/O: HTTP, database.

A request without a token, or with one that is unknown or revoked, is 401
with `WWW-Authenticate: Bearer` (RFC 6750); a token without the scope an
operation needs is 403. Both answer as the API's JSON errors. Writes that
come later (publishing, annotations) call `require_token(scope)` and hand
the returned actor to their service.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from oer.accounts import service
from oer.accounts.actor import Actor
from oer.accounts.errors import InvalidToken
from oer.accounts.models import TokenScope
from oer.accounts.queries import get_user
from web.errors import json_error
from web.runtime import app_runtime

blueprint = Blueprint("accounts_api", __name__, url_prefix="/api/v1")


class TokenProblem(HTTPException):
    """A 401 or 403 of the token check, answered as a JSON error with its header."""

    def __init__(self, status: int, detail: str, *, error: str) -> None:
        super().__init__(detail)
        self.code = status
        title = "Unauthorized" if status == 401 else "Forbidden"
        response = json_error(status, title, detail)
        response.headers["WWW-Authenticate"] = f'Bearer realm="oer", error="{error}"'
        self.response = response


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def require_token(scope: TokenScope | None = None) -> Actor:
    """The actor of the request's token; 401 without a valid one, 403 without `scope`."""
    secret = bearer_secret()
    if secret is None:
        raise TokenProblem(401, "this operation needs an API token: Authorization: Bearer TOKEN",
                           error="invalid_request")
    try:
        # A write transaction: using a token records when it was last used.
        with app_runtime().sessions.begin() as db:
            actor = service.authenticate_token(db, secret)
    except InvalidToken as problem:
        raise TokenProblem(401, str(problem), error="invalid_token") from problem
    if scope is not None and scope not in (actor.scopes or frozenset()):
        raise TokenProblem(403, f"this token may not {scope.value}: create one with that scope",
                           error="insufficient_scope")
    return actor


@blueprint.get("/me")
def me() -> Response:
    actor = require_token()
    with app_runtime().sessions() as db:
        user = get_user(db, actor.user_id) if actor.user_id is not None else None
    body: dict[str, Any] = {
        "id": actor.user_id,
        "display_name": user.display_name if user else None,
        "email": user.email if user else None,
        "roles": [
            {"role": grant.role.value, "discipline": grant.discipline} for grant in actor.grants
        ],
        "memberships": [
            {"organisation": m.slug, "name": m.name, "role": m.role.value}
            for m in (user.memberships if user else ())
        ],
        "token": {
            "id": actor.token_id,
            "scopes": sorted(scope.value for scope in actor.scopes or ()),
            "organisation": actor.token_organisation_id,
        },
    }
    return jsonify(body)
