"""Comparing materials side by side: the /vergelijk page and its JSON form. I/O: HTTP.

Thin views over `oer.discovery.compare`. The comparison lives in its URL
(`/vergelijk?ids=a,b,c`) so it can be shared and needs no session or script:
the search page's checkboxes submit repeated `ids`, which redirect to the one
comma-separated form; the page itself removes and adds materials with plain links
(adding through a small search of its own).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from oer.discovery import search as discovery
from oer.discovery.compare import (
    MAX_MATERIALS,
    MIN_MATERIALS,
    Aspect,
    ComparedMaterial,
    CompareProblem,
    Comparison,
    compare,
    load_materials,
    parse_compare_ids,
)
from web.errors import json_error
from web.runtime import catalogue, read_session

blueprint = Blueprint("compare", __name__)
api_blueprint = Blueprint("compare_api", __name__, url_prefix="/api/v1")

# Search hits offered to add to a comparison.
ADD_HITS = 8
MAX_QUERY_LENGTH = 200


def compare_url(ids: tuple[str, ...] | list[str], **extra: str) -> str:
    """The shareable URL of a comparison of `ids` (commas stay readable)."""
    query = {"ids": ",".join(ids)} if ids else {}
    query.update({name: value for name, value in extra.items() if value})
    return url_for("compare.comparison") + ("?" + urlencode(query, safe=",:/") if query else "")


def _canonical_redirect(values: list[str], references: tuple[str, ...]) -> BaseResponse | None:
    """Repeated or padded `ids` become the one `ids=a,b,c` form (what the page shares)."""
    if not values or values == [",".join(references)]:
        return None
    return redirect(compare_url(references, q=request.args.get("q", "")), code=303)


@blueprint.get("/vergelijk")
def comparison() -> BaseResponse | tuple[str, int] | str:
    values = request.args.getlist("ids")
    selection = parse_compare_ids(values)
    moved = _canonical_redirect(values, selection.references)
    if moved is not None:
        return moved
    if selection.problem(CompareProblem.DUPLICATE) or selection.problem(CompareProblem.TOO_MANY):
        return render_template("discovery/compare.html", **_context(selection=selection)), 400
    with read_session() as session:
        loaded = load_materials(session, selection.references)
    ids = tuple(material.id for material in loaded.materials)
    if loaded.unknown:
        return render_template("discovery/compare.html", **_context(
            selection=selection, unknown=loaded.unknown, ids=ids)), 404
    if ids != selection.references:
        # An identifier or web address of a material names it too; the shared URL uses its id.
        return redirect(compare_url(ids, q=request.args.get("q", "")), code=301)
    result = compare(loaded.materials) if len(ids) >= MIN_MATERIALS else None
    return render_template("discovery/compare.html", **_context(
        selection=selection, ids=ids, materials=loaded.materials, comparison=result,
        hits=_hits(ids) if len(ids) < MAX_MATERIALS else None))


def _hits(ids: tuple[str, ...]) -> list[discovery.ResultItem] | None:
    """Search hits to add to the comparison, for the page's own search box (None: nothing asked)."""
    text = request.args.get("q", "").strip()[:MAX_QUERY_LENGTH]
    if not text:
        return None
    search_request = discovery.parse_search_request({"q": [text]}, strict=False)
    page = discovery.search(catalogue().backend(), search_request, labels=catalogue().labels, facets=())
    return [item for item in page.items if item.id not in ids][:ADD_HITS]


def _context(**values: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "ids": (), "unknown": (), "materials": (), "comparison": None, "hits": None,
        "query": request.args.get("q", "").strip()[:MAX_QUERY_LENGTH],
        "Aspect": Aspect, "CompareProblem": CompareProblem,
        "MIN_MATERIALS": MIN_MATERIALS, "MAX_MATERIALS": MAX_MATERIALS,
    }
    defaults.update(values)
    return defaults


@api_blueprint.get("/compare")
def comparison_json() -> Response:
    selection = parse_compare_ids(request.args.getlist("ids"))
    problems = selection.problems
    if problems:
        detail = {
            CompareProblem.TOO_FEW: f"compare {MIN_MATERIALS} to {MAX_MATERIALS} materials",
            CompareProblem.TOO_MANY: f"compare at most {MAX_MATERIALS} materials",
            CompareProblem.DUPLICATE: "each material may be named once",
        }[problems[0].code]
        return json_error(400, "Bad Request", detail)
    with read_session() as session:
        loaded = load_materials(session, selection.references)
    if loaded.unknown:
        return json_error(404, "Not Found", "unknown or withdrawn: " + ", ".join(loaded.unknown))
    if len(loaded.materials) < MIN_MATERIALS:
        return json_error(400, "Bad Request", "each material may be named once")
    return jsonify(comparison_to_dict(compare(loaded.materials)))


def comparison_to_dict(result: Comparison) -> dict[str, Any]:
    """The API's comparison: each material's facts, and per aspect whether they differ."""
    return {
        "ids": list(result.ids),
        "materials": [_material_to_dict(material) for material in result.materials],
        "differs": {aspect.value: result.differs[aspect] for aspect in Aspect},
        "quality": [
            {
                "criterion": row.criterion_id,
                "framework_version": row.framework_version,
                "role": row.role.value,
                "differs": row.differs,
                "values": [
                    None if cell is None else {count.value: count.count for count in cell.counts}
                    for cell in row.cells
                ],
            }
            for row in result.quality_rows
        ],
    }


def _material_to_dict(material: ComparedMaterial) -> dict[str, Any]:
    record = material.record
    return {
        "id": material.id,
        "title": material.title,
        "url": url_for("site.resource", resource_id=material.id, _external=True),
        "contexts": list(record.contexts),
        "educational_levels": [{"id": t.id, "label": t.label} for t in record.educational_levels],
        "typical_age_range": record.typical_age_range,
        "disciplines": [{"id": t.id, "label": t.label} for t in record.disciplines],
        "educational_objectives": [{"id": t.id, "label": t.label} for t in record.educational_objectives],
        "learning_resource_types": list(record.learning_resource_types),
        "typical_learning_time": record.typical_learning_time,
        "licence": material.licence.to_dict() if material.licence else None,
        "languages": list(record.languages),
        "completeness": material.completeness.score,
        "used_in_arrangements": material.used_in,
        "origin": material.origin.value,
        "sources": list(material.sources),
        "updated_at": material.updated_at.isoformat(),
    }


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(compare_url=compare_url)
    app.register_blueprint(blueprint)
    app.register_blueprint(api_blueprint)
