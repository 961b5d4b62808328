"""Errors as pages and as JSON: 400, 404, 405, 410, 429, 503 and 500, never a traceback. I/O: HTTP.

Requests under /api/ (and /healthz) get JSON:
`{"error": {"status", "title", "detail", "problems"?}}`; everything else a
page in the visitor's language. A search or database outage is a 503 with
Retry-After, never an empty result; a rate limit's 429 gets its Retry-After from
`web.accounts.limits`. A request for a host that is not the site's gets a plain 400.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, ProgrammingError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from oer.discovery.search import DiscoveryRequestError, Problem
from oer.search import SearchUnavailableError
from oer.store.errors import StoreError

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def json_error(status: int, title: str, detail: str, problems: tuple[Problem, ...] = ()) -> Response:
    body: dict[str, Any] = {"status": status, "title": title, "detail": detail}
    if problems:
        body["problems"] = [{"parameter": p.parameter, "message": p.message} for p in problems]
    response = jsonify({"error": body})
    response.status_code = status
    return response


def _page(status: int, kind: str, **context: Any) -> Response:
    response = Response(render_template("error.html", status=status, kind=kind, **context))
    response.status_code = status
    return response


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if wants_json():
        return json_error(status, error.name, error.description or error.name)
    kinds = {404: "not_found", 405: "not_allowed", 410: "gone", 429: "too_many_requests"}
    return _page(status, kinds.get(status, "other"), title=error.name)


def _untrusted_host(error: SecurityError) -> Response:
    # Plain text: a page would link to this site by the very host that was refused (and
    # cannot, as Flask builds no URLs for it).
    return Response("Bad Request: this site does not answer to that host name.\n", status=400,
                    content_type="text/plain; charset=utf-8")


def _bad_request(error: DiscoveryRequestError) -> Response:
    if wants_json():
        return json_error(400, "Bad Request", str(error), error.problems)
    return _page(400, "bad_request", problems=error.problems)


def _csrf_error(error: CSRFError) -> Response:
    if wants_json():
        return json_error(400, "Bad Request", error.description or "CSRF check failed")
    return _page(400, "csrf")


def _unavailable(part: str, detail: str) -> Response:
    log.error("%s unavailable: %s", part, detail)
    if wants_json():
        response = json_error(
            503, "Service Unavailable", f"the {part} is unavailable right now; try again later")
    else:
        response = _page(503, "search_down" if part == "search index" else "database_down")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _search_down(error: SearchUnavailableError) -> Response:
    return _unavailable("search index", str(error))


def _database_down(error: Exception) -> Response:
    return _unavailable("database", str(error).splitlines()[0] if str(error) else type(error).__name__)


def _internal(error: Exception) -> Response:
    original = getattr(error, "original_exception", None) or error
    log.exception("unexpected error", exc_info=original)
    if wants_json():
        return json_error(500, "Internal Server Error", "something went wrong on our side")
    return _page(500, "other", title=gettext("Er ging iets mis"))


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(SecurityError, _untrusted_host)
    app.register_error_handler(DiscoveryRequestError, _bad_request)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(SearchUnavailableError, _search_down)
    app.register_error_handler(StoreError, _database_down)
    app.register_error_handler(OperationalError, _database_down)
    app.register_error_handler(ProgrammingError, _database_down)
    app.register_error_handler(InternalServerError, _internal)
