"""Arrangement pages: my arrangements, the builder, own pages, publish, fork, exports, "add to". I/O: HTTP.

Everything is a plain form that works by keyboard and without JavaScript:
moving a part is a button ("omhoog", "omlaag", "naar sectie ..."), adding a
material is a page that asks where. The licence engine's answer is on the
builder page on every load, so every change shows its consequence at once:
the licences the arrangement may carry, the recommended one, and for a part
that blocks sharing why and what to do instead.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from metadata.licence import licence_name
from metadata.licence_rules import CheckCode
from oer.accounts.actor import PUBLISHING_MEMBER_ROLES, Actor
from oer.accounts.models import Organisation
from oer.catalogue.queries import resource_states
from oer.remix import export, service
from oer.remix.errors import (
    AdaptationNotAllowed,
    ArrangementNotAllowed,
    InvalidArrangement,
    LicenceConflict,
    RemixError,
    UnknownArrangement,
    UnknownPart,
    UnknownResource,
)
from oer.remix.models import PartKind
from oer.remix.queries import ArrangementView, get_arrangement, my_arrangements
from oer.remix.text import markdown_to_html
from web.accounts.session import current_actor, signed_in, signed_in_actor
from web.i18n import current_language
from web.labels import title_label
from web.runtime import app_runtime, read_session, site

blueprint = Blueprint("remix", __name__, url_prefix="/arrangementen")
AnyResponse = Response | BaseResponse | str

# What to do about a part that blocks sharing, by the engine's code.
ADVICE: dict[str, LazyString] = {
    CheckCode.ADAPT_NO_DERIVATIVES.value: _l("Dit materiaal mag niet bewerkt worden. Neem het ongewijzigd op, "
                                             "of kies ander materiaal."),
    CheckCode.ADAPT_ALL_RIGHTS_RESERVED.value: _l("Van dit materiaal mag je alleen naar de bron linken. Neem het "
                                                  "ongewijzigd op (als link), of kies ander materiaal."),
    CheckCode.ADAPT_UNKNOWN_LICENCE.value: _l("De licentie is onbekend: link alleen naar de bron. Neem het "
                                              "ongewijzigd op (als link), of kies ander materiaal."),
    CheckCode.SHARE_ALIKE_CONFLICT.value: _l("Bewerkte SA- en NC-materialen gaan niet samen in één bewerking. "
                                             "Neem een van beide ongewijzigd op, of kies ander materiaal."),
    CheckCode.NON_COMMERCIAL_CONFLICT.value: _l("Bewerkte SA- en NC-materialen gaan niet samen in één bewerking. "
                                                "Neem een van beide ongewijzigd op, of kies ander materiaal."),
    CheckCode.LINK_ONLY.value: _l("Alleen een link: in een export wordt het nooit meegeleverd."),
}


def advice(code: str) -> str:
    return str(ADVICE.get(code, ""))


def _write() -> Any:
    return app_runtime().sessions.begin()


def _organisations_of(actor: Actor) -> list[tuple[int, str]]:
    ids = [org for org, role in actor.memberships if role in PUBLISHING_MEMBER_ROLES]
    if not ids:
        return []
    with read_session() as db:
        rows = db.query(Organisation.id, Organisation.name).filter(Organisation.id.in_(ids)).all()
    return sorted(((row.id, row.name) for row in rows), key=lambda item: item[1].casefold())


def _view(arrangement_id: str) -> ArrangementView:
    with read_session() as db:
        try:
            return get_arrangement(db, arrangement_id, site(), current_actor(), current_language())
        except UnknownArrangement:
            abort(404)


def _back(arrangement_id: str, anchor: str = "") -> BaseResponse:
    return redirect(url_for("remix.arrangement", arrangement_id=arrangement_id) + anchor)


def _refused(error: RemixError) -> None:
    if isinstance(error, ArrangementNotAllowed):
        abort(403)
    if isinstance(error, UnknownArrangement | UnknownPart | UnknownResource):
        abort(404)
    flash(str(error), "error")


# -- my arrangements ------------------------------------------------------------------------------


@signed_in
def index() -> AnyResponse:
    actor = signed_in_actor()
    if request.method == "POST":
        chosen = request.form.get("organisatie", type=int)
        organisation = chosen if chosen in {org for org, _name in _organisations_of(actor)} else None
        try:
            with _write() as db:
                arrangement_id = service.create_arrangement(
                    db, actor, request.form.get("title", ""), organisation_id=organisation,
                    first_section=str(_("Deel 1")))
        except InvalidArrangement:
            flash(_("Geef het arrangement een titel."), "error")
            return redirect(url_for("remix.index"))
        except ArrangementNotAllowed:
            abort(403)
        return _back(arrangement_id)
    with read_session() as db:
        mine = my_arrangements(db, actor, site())
    return render_template("remix/index.html", arrangements=mine, organisations=_organisations_of(actor))


# -- the builder ----------------------------------------------------------------------------------


def arrangement(arrangement_id: str) -> AnyResponse:
    view = _view(arrangement_id)
    actor = current_actor()
    return render_template("remix/arrangement.html", arrangement=view, advice=advice, licence_name=licence_name,
                           can_fork=actor is not None and view.state.value == "published",
                           PartKind=PartKind)


@signed_in
def details(arrangement_id: str) -> AnyResponse:
    view = _view(arrangement_id)
    keywords = [word.strip() for word in request.form.get("keywords", "").split(",") if word.strip()]
    given: dict[str, Any] = {
        "licence": request.form.get("licence") or None,
        "keywords": keywords,
        "contexts": request.form.getlist("contexts"),
        "typical_age_range": request.form.get("typical_age_range", "").strip() or None,
        "typical_learning_time": request.form.get("typical_learning_time", type=int),
    }
    # What equals what the parts give stays derived, so it follows the parts as they change.
    metadata = {name: value for name, value in given.items()
                if name in ("licence", "keywords") or value != view.derived.get(name)}
    try:
        with _write() as db:
            service.update_details(db, signed_in_actor(), arrangement_id, title=request.form.get("title", ""),
                                   description=request.form.get("description"), metadata=metadata)
    except RemixError as error:
        _refused(error)
    else:
        flash(_("De gegevens zijn opgeslagen."))
    return _back(arrangement_id, "#details-heading")


@signed_in
def sections(arrangement_id: str) -> AnyResponse:
    try:
        with _write() as db:
            service.add_section(db, signed_in_actor(), arrangement_id, request.form.get("title", ""))
    except RemixError as error:
        _refused(error)
    return _back(arrangement_id)


@signed_in
def section(arrangement_id: str, section_id: int) -> AnyResponse:
    action = request.form.get("action", "")
    actor = signed_in_actor()
    try:
        with _write() as db:
            if action == "up":
                service.move_section(db, actor, arrangement_id, section_id, -1)
            elif action == "down":
                service.move_section(db, actor, arrangement_id, section_id, 1)
            elif action == "remove":
                service.remove_section(db, actor, arrangement_id, section_id)
            elif action == "rename":
                service.rename_section(db, actor, arrangement_id, section_id, request.form.get("title", ""))
            elif action == "page":
                part = service.add_part(db, actor, arrangement_id, section_id, PartKind.PAGE,
                                        title=request.form.get("title") or str(_("Nieuwe pagina")), body="")
                return redirect(url_for("remix.edit_part", arrangement_id=arrangement_id, part_id=part))
            else:
                abort(400)
    except RemixError as error:
        _refused(error)
    return _back(arrangement_id, f"#section-{section_id}")


@signed_in
def part(arrangement_id: str, part_id: int) -> AnyResponse:
    action = request.form.get("action", "")
    actor = signed_in_actor()
    try:
        with _write() as db:
            if action == "up":
                service.move_part(db, actor, arrangement_id, part_id, -1)
            elif action == "down":
                service.move_part(db, actor, arrangement_id, part_id, 1)
            elif action == "offset":
                # Drag and drop (arrange.js): the buttons' move, by more than one place at a time.
                service.move_part(db, actor, arrangement_id, part_id, request.form.get("offset", 0, type=int))
            elif action == "move":
                service.move_part(db, actor, arrangement_id, part_id, to_section=request.form.get("section", type=int))
            elif action == "remove":
                service.remove_part(db, actor, arrangement_id, part_id)
            elif action == "refresh":
                service.refresh_part(db, actor, arrangement_id, part_id)
            else:
                abort(400)
    except RemixError as error:
        _refused(error)
    return _back(arrangement_id, f"#part-{part_id}")


@signed_in
def edit_part(arrangement_id: str, part_id: int) -> AnyResponse:
    view = _view(arrangement_id)
    if not view.editable:
        abort(403)
    found = next((p for p in view.parts if p.id == part_id and p.kind is not PartKind.INCLUDE), None)
    if found is None:
        abort(404)
    if request.method == "POST":
        try:
            with _write() as db:
                service.update_part(db, signed_in_actor(), arrangement_id, part_id,
                                    title=request.form.get("title", ""), body=request.form.get("body", ""))
        except RemixError as error:
            _refused(error)
            return redirect(request.url)
        flash(_("De pagina is opgeslagen."))
        return _back(arrangement_id, f"#part-{part_id}")
    return render_template("remix/edit_part.html", arrangement=view, part=found, body=found.body or "")


def show_part(arrangement_id: str, part_id: int) -> AnyResponse:
    view = _view(arrangement_id)
    found = next((p for p in view.parts if p.id == part_id and p.kind is not PartKind.INCLUDE), None)
    if found is None:
        abort(404)
    # Sanitised by nh3 to an allow-list (oer.remix.text): safe to put in the page as it is.
    html = Markup(markdown_to_html(found.body or ""))
    return render_template("remix/part.html", arrangement=view, part=found, html=html)


@signed_in
def publish(arrangement_id: str) -> AnyResponse:
    try:
        with _write() as db:
            published = service.publish(db, signed_in_actor(), arrangement_id, site())
    except LicenceConflict:
        flash(_("Zo kan het arrangement niet gedeeld worden: los eerst de licentieproblemen op."), "error")
        return _back(arrangement_id, "#licence-heading")
    except InvalidArrangement as invalid:
        for problem in invalid.problems:
            flash(problem.message(current_language()), "error")
        return _back(arrangement_id, "#details-heading")
    except RemixError as error:
        _refused(error)
        return _back(arrangement_id)
    app_runtime().index_now([arrangement_id])
    if published.version is None:
        flash(_("Er was niets veranderd; de gepubliceerde versie blijft staan."))
    else:
        flash(_("Het arrangement is gepubliceerd onder %(licence)s.",
                licence=licence_name(published.licence) or published.licence))
    return redirect(url_for("site.resource", resource_id=arrangement_id))


@signed_in
def withdraw(arrangement_id: str) -> AnyResponse:
    try:
        with _write() as db:
            service.withdraw(db, signed_in_actor(), arrangement_id)
    except RemixError as error:
        _refused(error)
        return _back(arrangement_id)
    app_runtime().index_now([arrangement_id])
    flash(_("Het arrangement is ingetrokken."))
    return redirect(url_for("remix.index"))


@signed_in
def fork(arrangement_id: str) -> AnyResponse:
    try:
        with _write() as db:
            copy = service.fork(db, signed_in_actor(), arrangement_id)
    except RemixError as error:
        _refused(error)
        return _back(arrangement_id)
    flash(_("Dit is je eigen versie: pas haar aan en publiceer haar."))
    return _back(copy)


# -- exports --------------------------------------------------------------------------------------


def _download(content: bytes, name: str) -> Response:
    return Response(content, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"})


def export_html(arrangement_id: str) -> AnyResponse:
    return _download(export.offline_html_zip(_view(arrangement_id)), f"arrangement-{arrangement_id}.zip")


def export_package(arrangement_id: str) -> AnyResponse:
    view = _view(arrangement_id)
    with read_session() as db:
        record = service.arrangement_record(db, arrangement_id, site())
    return _download(export.content_package_zip(view, record), f"arrangement-{arrangement_id}-imscp.zip")


# -- add a material ---------------------------------------------------------------------------------


@signed_in
def add_to(resource_id: str) -> AnyResponse:
    """Add a material to one of my arrangements (or a new one): which, where and how."""
    actor = signed_in_actor()
    with read_session() as db:
        state = resource_states(db, [resource_id]).get(resource_id)
        mine = [get_arrangement(db, a.id, site(), actor) for a in my_arrangements(db, actor, site())
                if a.state.value != "withdrawn"]
    if state is None or state.deleted:
        abort(404)
    title = title_label(state.record.get("title"), resource_id)
    if request.method == "GET":
        return render_template("remix/add.html", resource_id=resource_id, title=title, arrangements=mine)
    use = PartKind.ADAPT if request.form.get("use") == "adapt" else PartKind.INCLUDE
    target = request.form.get("target", "")
    try:
        with _write() as db:
            if target == "new":
                arrangement_id = service.create_arrangement(db, actor, request.form.get("title") or title,
                                                            first_section=str(_("Deel 1")))
                section_id = get_arrangement(db, arrangement_id, site(), actor).sections[0].id
            else:
                arrangement_id, _sep, section_text = target.partition(":")
                section_id = int(section_text) if section_text.isdigit() else -1
            part_id = service.add_part(db, actor, arrangement_id, section_id, use, resource_id=resource_id)
    except AdaptationNotAllowed as refused:
        page = Response(render_template("remix/add.html", resource_id=resource_id, title=title, arrangements=mine,
                                        refusal=refused.finding.message(current_language())))
        page.status_code = 400
        return page
    except RemixError as error:
        _refused(error)
        return redirect(request.url)
    flash(_("%(title)s is toegevoegd.", title=title))
    return _back(arrangement_id, f"#part-{part_id}")


def init_routes(bp: Blueprint) -> None:
    bp.add_url_rule("", "index", index, methods=["GET", "POST"])
    bp.add_url_rule("/toevoegen/<resource_id>", "add_to", add_to, methods=["GET", "POST"])
    bp.add_url_rule("/<arrangement_id>", "arrangement", arrangement)
    bp.add_url_rule("/<arrangement_id>/gegevens", "details", details, methods=["POST"])
    bp.add_url_rule("/<arrangement_id>/secties", "sections", sections, methods=["POST"])
    bp.add_url_rule("/<arrangement_id>/secties/<int:section_id>", "section", section, methods=["POST"])
    bp.add_url_rule("/<arrangement_id>/onderdelen/<int:part_id>", "show_part", show_part)
    bp.add_url_rule("/<arrangement_id>/onderdelen/<int:part_id>", "part", part, methods=["POST"])
    bp.add_url_rule("/<arrangement_id>/onderdelen/<int:part_id>/bewerken", "edit_part", edit_part,
                    methods=["GET", "POST"])
    bp.add_url_rule("/<arrangement_id>/publiceren", "publish", publish, methods=["POST"])
    bp.add_url_rule("/<arrangement_id>/intrekken", "withdraw", withdraw, methods=["POST"])
    bp.add_url_rule("/<arrangement_id>/kopie", "fork", fork, methods=["POST"])
    bp.add_url_rule("/<arrangement_id>/export.zip", "export_html", export_html)
    bp.add_url_rule("/<arrangement_id>/imscp.zip", "export_package", export_package)


init_routes(blueprint)
