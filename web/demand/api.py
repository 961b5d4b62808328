"""`GET /api/v1/insights/demand`: the most asked-for gaps, as JSON or CSV. I/O: HTTP, database.

Only queries at least `Settings.demand_threshold` searches asked appear
(k-anonymity); the figures are sums over the retention period.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from oer.demand.queries import DemandGap, most_asked_gaps
from oer.discovery.search import Problem
from oer.settings import Settings
from web.errors import json_error
from web.runtime import read_session

MAX_LIMIT = 500
CSV_COLUMNS = ("query", "sector", "subject", "searches", "empty", "first_day", "last_day")


def demand_gaps(limit: int = 50) -> list[DemandGap]:
    """The gaps the insight pages show: the same figures as this endpoint."""
    settings: Settings = current_app.config["OER_SETTINGS"]
    with read_session() as db:
        return most_asked_gaps(db, threshold=settings.demand_threshold, limit=limit)


def demand() -> Response:
    text = request.args.get("limit", "50").strip()
    limit = int(text) if text.isdigit() else 0
    if not 1 <= limit <= MAX_LIMIT:
        return json_error(400, "Bad Request", f"limit: use 1 to {MAX_LIMIT}",
                          (Problem("limit", f"use 1 to {MAX_LIMIT}"),))
    gaps = demand_gaps(limit)
    settings: Settings = current_app.config["OER_SETTINGS"]
    wants_csv = request.args.get("format") == "csv" or (
        request.args.get("format") is None and request.accept_mimetypes.best_match(
            ["application/json", "text/csv"]) == "text/csv")
    if wants_csv:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for gap in gaps:
            row = gap.to_dict()
            writer.writerow(["" if row[name] is None else row[name] for name in CSV_COLUMNS])
        return Response(out.getvalue(), mimetype="text/csv", headers={
            "Content-Disposition": 'attachment; filename="demand.csv"'})
    return jsonify({"threshold": settings.demand_threshold, "retention_days": settings.demand_retention_days,
                    "gaps": [gap.to_dict() for gap in gaps]})


def init_app(app: Flask) -> None:
    blueprint = Blueprint("demand_api", __name__, url_prefix="/api/v1/insights")
    blueprint.add_url_rule("/demand", "demand", demand)
    app.register_blueprint(blueprint)
