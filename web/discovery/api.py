"""The JSON API's endpoints under /api/v1. I/O: HTTP.

Thin views over `oer.discovery.search` and the catalogue service; errors
(400 bad parameters, 404 unknown id, 410 withdrawn, 503 outage) are JSON from
`web.errors`. The contract is `openapi_document()`, served at
/api/v1/openapi.json and checked against real responses in the tests.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, abort, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from metadata.facets import FACET_FIELDS
from metadata.lom import served_tree
from oer.catalogue.queries import resolve_resource_id
from oer.discovery import search as discovery
from oer.discovery.queries import get_resource
from oer.search.document import DatePrecision, MaterialDate
from web import labels
from web.api.openapi import openapi_document
from web.remix import api as remix_api
from web.runtime import catalogue, read_session

PREFIX = "/api/v1"
MAX_SUGGESTIONS = 20
DEFAULT_SUGGESTIONS = 8

blueprint = Blueprint("api", __name__, url_prefix=PREFIX)


@blueprint.get("/resources")
def resources() -> Response:
    arguments = {name: request.args.getlist(name) for name in request.args}
    search_request = discovery.parse_search_request(
        arguments, strict=True, allow_size=True, allow_search_after=True)
    page = discovery.search(
        catalogue().backend(), search_request, facets=FACET_FIELDS, labels=catalogue().labels)
    next_url = None
    if page.next_search_after:
        next_url = _resources_url(search_request, search_after=page.next_search_after)
    body = {
        "total": page.total,
        "page": None if search_request.search_after else search_request.page,
        "size": search_request.size,
        "items": [_item(item) for item in page.items],
        "facets": {
            facet.field: [
                {"value": v.value, "count": v.count, "label": _label(facet.field, v.value, v.label)}
                for v in facet.values
            ]
            for facet in page.facets
        },
        "next_search_after": page.next_search_after,
        "did_you_mean": page.did_you_mean,
        # Strict found nothing: results for most of the words, or for a spelling correction of q;
        # strict found too little: its `all_words` results first, then those for most words.
        "relaxed": page.relaxed,
        "all_words": page.all_words,
        "corrected": page.corrected,
        # Level and subject words of `q` searched as filters; `literal=<key>` (or `*`) keeps them text.
        "recognised": [
            {"key": term.key, "kind": term.kind.value, "text": term.typed, "label": term.label,
             "filters": {name: list(values) for name, values in term.filters.items()}}
            for term in page.recognised
        ],
        "links": {"self": request.url, "next": next_url},
    }
    return jsonify(body)


@blueprint.get("/resources/<path:resource_id>")
def resource(resource_id: str) -> BaseResponse:
    with read_session() as session:
        detail = get_resource(session, resource_id)
        if detail is None:
            canonical = resolve_resource_id(session, resource_id)
            if canonical is not None and canonical != resource_id:
                return redirect(url_for(".resource", resource_id=canonical), code=301)
            abort(404, description=f"no material with id {resource_id!r}")
    if detail.deleted:
        abort(410, description=f"material {resource_id!r} has been withdrawn from the catalogue")
    body = detail.record.to_dict()
    # The source's whole LOM as the feed serves it (only http(s) links, roles LOM knows).
    body["lom"] = None if detail.record.lom is None else served_tree(detail.record)
    body["provenance"] = discovery.provenance_of(detail)
    response = jsonify(body)
    response.headers["Link"] = (
        f'<{url_for("site.resource", resource_id=detail.id, _external=True)}>; rel="alternate"; '
        'type="text/html"'
    )
    return response


@blueprint.get("/suggest")
def suggest() -> Response:
    unknown = sorted(set(request.args) - {"q", "size"})
    if unknown:
        raise discovery.DiscoveryRequestError(
            [discovery.Problem(name, "unknown parameter; use q and size") for name in unknown])
    size_text = request.args.get("size", str(DEFAULT_SUGGESTIONS))
    if not size_text.isdigit() or not 1 <= int(size_text) <= MAX_SUGGESTIONS:
        raise discovery.DiscoveryRequestError(
            [discovery.Problem("size", f"must be a whole number from 1 up to {MAX_SUGGESTIONS}")])
    text = request.args.get("q", "")
    # A title that is only markup completes nothing: its suggestion would be an empty option.
    found = [suggestion for suggestion in discovery.suggestions(catalogue().backend(), text, int(size_text))
             if suggestion.text]
    return jsonify({
        "query": text,
        "suggestions": [
            {
                "text": suggestion.text,
                "id": suggestion.id,
                "links": {
                    "self": url_for(".resource", resource_id=suggestion.id, _external=True),
                    "html": url_for("site.resource", resource_id=suggestion.id, _external=True),
                },
            }
            for suggestion in found
        ],
    })


@blueprint.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


def _resources_url(search_request: discovery.SearchRequest, *, search_after: str) -> str:
    pairs = [pair for pair in search_request.parameters() if pair[0] != "page"]
    pairs += [("size", str(search_request.size)), ("search_after", search_after)]
    return url_for(".resources", _external=True) + "?" + urlencode(pairs)


def _item(item: discovery.ResultItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title.text,
        "title_html": item.title.to_html(),
        "description": item.description.text or None,
        "description_html": item.description.to_html() or None,
        "url": item.url,
        "licence": item.licence.to_dict() if item.licence else None,
        "contexts": list(item.contexts),
        "educational_levels": [
            {"id": t.value, "label": _label("educational_levels", t.value, t.label)}
            for t in item.educational_levels],
        "disciplines": [
            {"id": t.value, "label": _label("disciplines", t.value, t.label)} for t in item.disciplines],
        "learning_resource_types": list(item.learning_resource_types),
        "languages": list(item.languages),
        "sources": list(item.sources),
        "updated_at": item.updated_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "date": _material_date(item.date),
        "links": {
            "self": url_for(".resource", resource_id=item.id, _external=True),
            "html": url_for("site.resource", resource_id=item.id, _external=True),
        },
    }


def _material_date(date: MaterialDate | None) -> dict[str, str] | None:
    # The material's own date, written only as precisely as the source gave it (`2019`, `2019-05`).
    if date is None:
        return None
    written = {DatePrecision.YEAR: "%Y", DatePrecision.MONTH: "%Y-%m", DatePrecision.DAY: "%Y-%m-%d"}
    return {"date": date.moment.strftime(written[date.precision]), "kind": date.kind.value,
            "precision": date.precision.value}


def _label(field: str, value: str, data_label: str | None) -> str | None:
    # Where the API gives a label (OBK terms, licences), it is in the request's language.
    return labels.value_label(field, value, data_label) if data_label else None


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
    remix_api.init_app(app, url_prefix=PREFIX)
