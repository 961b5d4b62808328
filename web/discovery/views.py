"""The discovery site's pages: home, search results and a material's detail page. I/O: HTTP.

Thin views: read the request, call `oer.discovery.search`, render. Every
harvested string reaches the templates as plain text and is escaped there.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from metadata.facets import SIDEBAR_FACETS
from metadata.licence import Condition, Permission
from metadata.quality import detail_token
from oer.catalogue.models import Origin
from oer.catalogue.queries import resolve_resource_id, same_location
from oer.collections.queries import collections_of, featured_collections, kept_by
from oer.discovery import search as discovery
from oer.discovery.queries import get_resource
from oer.publishing.queries import PublicationView, find_publication
from oer.quality.models import ModerationState
from oer.quality.queries import annotations_of, profile
from oer.quality.service import author_standing
from oer.remix.errors import UnknownArrangement
from oer.remix.queries import ArrangementView, get_arrangement, published_arrangements_using
from oer.store.errors import StoreError
from web import labels
from web.accounts.session import current_actor
from web.demand import views as demand_views
from web.i18n import locale_key
from web.quality import labels as quality_labels
from web.runtime import catalogue, read_session, site

blueprint = Blueprint("site", __name__)
log = logging.getLogger(__name__)


@blueprint.get("/")
def index() -> str:
    overview = discovery.catalogue_overview(catalogue().backend(), catalogue().labels)
    try:
        with read_session() as session:
            featured = featured_collections(session)
    except (SQLAlchemyError, StoreError) as error:
        # The home page is the search overview; featured collections are a bonus it can do without.
        log.warning("featured collections not shown: %s", error)
        featured = []
    return render_template("discovery/index.html", overview=overview, featured=featured)


# The sidebar's "refine by quality" form: its fields become one `quality_detail` filter.
QUALITY_FORM = ("kwaliteit_criterium", "kwaliteit_rol", "kwaliteit_waarde")
# The app's rendered forms, by (framework version, locale).
QUALITY_FORMS = "oer_quality_refine_forms"


@blueprint.get("/search")
def search() -> BaseResponse | str:
    if request.args.get(QUALITY_FORM[0]):
        return redirect(_with_quality_filter())
    arguments = {name: request.args.getlist(name) for name in request.args}
    search_request = discovery.parse_search_request(arguments, strict=False)
    facets = SIDEBAR_FACETS + (("quality_detail",) if search_request.filters.get("quality_detail") else ())
    page = discovery.sidebar_page(discovery.search(
        catalogue().backend(), search_request, labels=catalogue().labels, facets=facets))
    # A thin first page is a demand signal: counted by text, sector and subject only (one upsert).
    demand_views.count_search(search_request, page)
    return render_template("discovery/search.html", page=page, search_request=search_request,
                           quality_refine=quality_refine_form())


def quality_refine_form() -> Markup:
    """The sidebar's "refine by quality" form, rendered once per framework version and language.

    A version number names one framework document (`oer.quality.service.validate_framework`),
    so the form of a version never changes; a new current version is a new key.
    """
    framework = quality_labels.framework(quality_labels.FRAMEWORK_MAX_AGE)
    forms: dict[tuple[str, str], Markup] = current_app.extensions[QUALITY_FORMS]
    key = (framework.version, locale_key())
    form = forms.get(key)
    if form is None:
        form = forms[key] = Markup(render_template(
            "discovery/_quality_refine.html", quality_framework=framework, quality_roles=quality_labels.ROLE_LABELS))
    return form


def _with_quality_filter() -> str:
    """The search URL with the form's criterion (role, at least value) as a `quality_detail` filter."""
    criterion, role, value = (request.args.get(name, "").strip() for name in QUALITY_FORM)
    known = quality_labels.framework(quality_labels.FRAMEWORK_MAX_AGE).criteria.get(criterion)
    if known is None or (role and role not in quality_labels.ROLE_LABELS):
        role = value = ""
    scale = known.scale if known else None
    if scale is None or scale.value(value) is None:
        value = ""
    pairs = [(name, item) for name, item in request.args.items(multi=True) if name not in QUALITY_FORM]
    if known is not None:
        pairs.append(("quality_detail", detail_token(criterion, role or None, value or None,
                                                     at_least=scale is not None and scale.kind == "ordinal")))
    return url_for("site.search") + ("?" + urlencode(pairs) if pairs else "")


@blueprint.get("/resources/<path:resource_id>")
def resource(resource_id: str) -> BaseResponse | str:
    with read_session() as session:
        detail = get_resource(session, resource_id)
        if detail is None:
            # An identifier or URL of the material (urn:uuid:…, a DOI, its location) also works.
            canonical = resolve_resource_id(session, resource_id)
            if canonical is not None and canonical != resource_id:
                return redirect(url_for(".resource", resource_id=canonical), code=301)
            abort(404)
        publication = (find_publication(session, detail.id, current_actor())
                       if detail.origin is Origin.PUBLISHED else None)
        arrangement = _arrangement(session, detail.id) if detail.origin is Origin.ARRANGED else None
        used_in = published_arrangements_using(session, detail.id)
        quality = profile(session, detail.id) if not detail.deleted else None
        actor = current_actor()
        in_collections = collections_of(session, detail.id)
        nearby, nearby_total = same_location(session, detail.id) if not detail.deleted else ([], 0)
        can_reply = can_collect = False
        pending = 0
        if actor is not None and not detail.deleted:
            can_reply = author_standing(session, actor, detail.record) is not None
            can_collect = bool(kept_by(session, actor))
            pending = sum(1 for a in annotations_of(session, detail.id, states=(), annotator_id=actor.user_id)
                          if a.state is ModerationState.PENDING)
    if detail.deleted:
        if publication is not None:
            return gone_page(publication)
        abort(410)
    view = discovery.describe_resource(detail)
    page_url = url_for(".resource", resource_id=view.id, _external=True)
    structured = discovery.json_ld(
        view, page_url, lambda other: url_for(".resource", resource_id=other, _external=True))
    return render_template("discovery/resource.html", resource=view, json_ld=structured,
                           publication=publication, arrangement=arrangement, used_in=used_in,
                           quality=quality, quality_can_reply=can_reply, quality_pending=pending,
                           collections=in_collections, can_collect=can_collect,
                           same_location=nearby, same_location_total=nearby_total)


def _arrangement(session: Session, resource_id: str) -> ArrangementView | None:
    try:
        return get_arrangement(session, resource_id, site(), current_actor())
    except UnknownArrangement:
        return None


def gone_page(publication: PublicationView) -> Response:
    """410 for a material withdrawn here: when, and why if its publisher said so."""
    response = Response(render_template("error.html", status=410, kind="withdrawn", publication=publication))
    response.status_code = 410
    return response


def search_url(search_request: discovery.SearchRequest, **changes: Any) -> str:
    """The /search URL of `search_request` with `changes` (see SearchRequest.parameters)."""
    pairs = search_request.parameters(**changes)
    return url_for("site.search") + ("?" + urlencode(pairs) if pairs else "")


def _template_helpers() -> dict[str, Any]:
    return {
        "search_url": search_url,
        "field_label": labels.field_label,
        "value_label": labels.value_label,
        "recognised_label": labels.recognised_label,
        "language_name": labels.language_name,
        "learning_time": labels.learning_time,
        "material_date": labels.material_date,
        "material_date_iso": labels.material_date_iso,
        "level_names": labels.level_names,
        "relation_label": lambda kind: str(labels.RELATION_LABELS.get(kind, kind)),
        "role_label": lambda role: labels.value_label("end_user_roles", role),
        "has_endpoint": lambda name: name in current_app.view_functions,
        "SortOrder": discovery.SortOrder,
        "OBK_FIELDS": discovery.OBK_FIELDS,
        "Permission": Permission,
        "Condition": Condition,
    }


def web_url(value: str | None) -> str | None:
    """`value` if it is an http(s) URL, else None: harvested links never become javascript: hrefs."""
    if not value:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return value.strip()


def marked(snippet: discovery.Snippet) -> Markup:
    """A snippet as HTML: each segment's text escaped, the matched ones in `<mark>`."""
    return Markup("".join(f"<mark>{escape(text)}</mark>" if matched else escape(text)
                          for text, matched in snippet.segments))


def url_host(value: str | None) -> str:
    return urlsplit(value).hostname or "" if value else ""


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        web_url=web_url,
        url_host=url_host,
        marked=marked,
        context_label=lambda code: labels.value_label("contexts", code),
        title_label=labels.title_label,
    )
    # Globals, not a context processor: imported macros see globals only.
    app.jinja_env.globals.update(_template_helpers())
    app.extensions[QUALITY_FORMS] = {}
    app.register_blueprint(blueprint)
