"""The insight figures as downloads: `/api/v1/insights/<name>` as JSON, `.csv` as CSV. I/O: HTTP.

The public figures are open to everyone; the operators' figures need a
signed-in user (or an API token of one) with a platform role: 401 without
anyone, 403 for anyone else. So does `?organisation=<id or slug>`: a public
figure computed for that organisation's materials only (404 for an unknown
one). `?van=DATE` answers the figure now against the snapshot of that date (or
the latest before it); snapshots are of the whole catalogue, so not with
`organisation`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request, url_for

from oer.accounts.actor import Actor
from oer.insights.access import can_see_operator_figures
from oer.insights.compare import compare_figure
from oer.insights.figures import OPERATOR_FIGURES, PUBLIC_FIGURES, Figure, FigureName
from oer.insights.queries import find_snapshot, snapshot_dates
from web.accounts.api import bearer_secret, require_token
from web.accounts.session import current_actor
from web.errors import json_error
from web.insights.views import (
    current_operator_figures_at,
    current_organisation_figures,
    current_public_figures,
    lookup_organisation,
)
from web.runtime import read_session

blueprint = Blueprint("insights_api", __name__, url_prefix="/api/v1/insights")


def _actor() -> Actor | None:
    return require_token() if bearer_secret() is not None else current_actor()


def _figure(name: str) -> tuple[Figure, datetime] | Response:
    try:
        wanted = FigureName(name)
    except ValueError:
        return json_error(404, "Not Found", f"no figure named {name!r}; see /api/v1/insights")
    organisation = request.args.get("organisation", "").strip()
    if wanted in OPERATOR_FIGURES or organisation:
        actor = _actor()
        if actor is None:
            return json_error(401, "Unauthorized", "this figure is for operators: sign in with a platform role")
        if not can_see_operator_figures(actor):
            return json_error(403, "Forbidden", "this figure is for operators and the alliance (a platform role)")
    if organisation:
        if wanted in OPERATOR_FIGURES:
            return json_error(400, "Bad Request", "organisation: only for the public figures")
        if request.args.get("van") is not None:
            return json_error(400, "Bad Request", "organisation: snapshots are of the whole catalogue, not with van")
        found = lookup_organisation(organisation)
        if found is None:
            return json_error(404, "Not Found", f"no organisation with id or slug {organisation!r}")
        figures, computed_at = current_organisation_figures(found.id)
        figure = figures[wanted]
    elif wanted in OPERATOR_FIGURES:
        operators, computed_at = current_operator_figures_at()
        figure = operators[wanted]
    else:
        figures, computed_at = current_public_figures()
        figure = figures[wanted]
    since = request.args.get("van")
    if since is not None:
        try:
            day = date.fromisoformat(since)
        except ValueError:
            return json_error(400, "Bad Request", "van: expected a date, YYYY-MM-DD")
        with read_session() as db:
            snapshot = find_snapshot(db, day)
        if snapshot is None:
            return json_error(404, "Not Found", f"no snapshot on or before {day.isoformat()}")
        figure = compare_figure(figure, snapshot.figures.get(wanted))
    return figure, computed_at


@blueprint.get("")
def index() -> Response:
    with read_session() as db:
        dates = snapshot_dates(db)
    figures: list[dict[str, Any]] = [
        {"name": name.value, "public": name in PUBLIC_FIGURES,
         "json": url_for("insights_api.figure_json_download", name=name.value),
         "csv": url_for("insights_api.figure_csv", name=name.value)}
        for name in (*PUBLIC_FIGURES, *OPERATOR_FIGURES)
    ]
    return jsonify({"figures": figures, "snapshots": [d.isoformat() for d in dates]})


@blueprint.get("/<name>")
def figure_json(name: str) -> Response:
    found = _figure(name)
    if isinstance(found, Response):
        return found
    figure, computed_at = found
    return jsonify({"name": figure.name.value, "computed_at": computed_at.isoformat(),
                    "columns": list(figure.columns), "rows": figure.records()})


@blueprint.get("/<name>.json")
def figure_json_download(name: str) -> Response:
    """The same JSON as a file to save."""
    response = figure_json(name)
    if response.status_code == 200:
        response.headers["Content-Disposition"] = f'attachment; filename="{FigureName(name).value}.json"'
    return response


@blueprint.get("/<name>.csv")
def figure_csv(name: str) -> Response:
    found = _figure(name)
    if isinstance(found, Response):
        return found
    figure, _computed_at = found
    response = Response(figure.to_csv(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{figure.name.value}.csv"'
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
