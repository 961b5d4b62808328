"""`/healthz`: can the app serve? The database and the search index, checked. I/O: database, search index.

200 with `{"status": "ok", ...}` when both answer; 503 with the failing
part's one-line reason otherwise (load balancers and `oer serve` checks read it).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from oer.catalogue.queries import count_resources
from oer.errors import OerError
from web.runtime import read_session, search_backend

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> Response:
    database: dict[str, Any]
    try:
        with read_session() as session:
            session.execute(text("SELECT 1"))
            database = {"ok": True, "resources": count_resources(session)}
    except (SQLAlchemyError, OerError) as error:
        database = {"ok": False, "detail": str(error).splitlines()[0]}
    try:
        health = search_backend().health()
        search = {"ok": health.ok, "backend": health.backend, "detail": health.detail,
                  "documents": health.documents}
    except OerError as error:
        search = {"ok": False, "detail": str(error)}
    ok = database["ok"] and search["ok"]
    response = jsonify({"status": "ok" if ok else "unavailable", "database": database, "search": search})
    response.status_code = 200 if ok else 503
    response.cache_control.no_store = True
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
