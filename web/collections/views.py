"""Collection pages (themapagina's): the list, a collection's page, making and keeping one, adding a material. I/O: HTTP.

Anyone reads; the redactie keeps the platform's collections and features any
on the home page, an organisation's redacteuren and beheerders keep its own
(`oer.collections.service`). Every form works by keyboard and without JavaScript.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from oer.accounts.actor import PUBLISHING_MEMBER_ROLES, Actor, can_curate, can_keep_collection
from oer.accounts.models import Organisation
from oer.catalogue.queries import resource_states
from oer.collections import service
from oer.collections.errors import (
    CollectionError,
    CollectionNotAllowed,
    InvalidCollection,
    UnknownCollection,
    UnknownResource,
)
from oer.collections.queries import CollectionDetail, get_collection, kept_by, list_collections
from web.accounts.session import current_actor, signed_in, signed_in_actor
from web.i18n import current_language
from web.labels import title_label
from web.runtime import app_runtime, read_session

AnyResponse = Response | BaseResponse | str


def _write() -> Any:
    return app_runtime().sessions.begin()


def _owners(actor: Actor) -> list[tuple[str, str]]:
    """(form value, name) of whom the actor may make a collection for: the redactie, their organisations."""
    owners = [("redactie", str(_("De redactie")))] if can_curate(actor) else []
    ids = [org for org, role in actor.memberships if role in PUBLISHING_MEMBER_ROLES]
    if ids:
        with read_session() as db:
            rows = db.query(Organisation.id, Organisation.name).filter(Organisation.id.in_(ids)).all()
        owners += sorted(((str(row.id), row.name) for row in rows), key=lambda item: item[1].casefold())
    return owners


def _detail(slug: str) -> CollectionDetail:
    with read_session() as db:
        found = get_collection(db, slug)
    if found is None:
        abort(404)
    return found


def _problems(error: InvalidCollection) -> dict[str, str]:
    return {problem.field: problem.message(current_language()) for problem in error.problems}


def index() -> AnyResponse:
    with read_session() as db:
        collections = list_collections(db)
    actor = current_actor()
    return render_template("collections/index.html", collections=collections,
                           can_make=actor is not None and bool(_owners(actor)))


def page(slug: str) -> AnyResponse:
    detail = _detail(slug)
    actor = current_actor()
    keeper = actor is not None and can_keep_collection(actor, detail.summary.organisation_id)
    return render_template("collections/page.html", collection=detail, keeper=keeper)


@signed_in
def new() -> AnyResponse:
    actor = signed_in_actor()
    owners = _owners(actor)
    if not owners:
        abort(403)
    problems: dict[str, str] = {}
    if request.method == "POST":
        owner = request.form.get("owner", owners[0][0])
        if owner not in {value for value, _name in owners}:
            abort(403)
        try:
            with _write() as db:
                service.create_collection(
                    db, actor, slug=request.form.get("slug", ""), title=request.form.get("title", ""),
                    description=request.form.get("description"),
                    organisation_id=None if owner == "redactie" else int(owner))
        except InvalidCollection as invalid:
            problems = _problems(invalid)
        except CollectionNotAllowed:
            abort(403)
        else:
            flash(_("De collectie is gemaakt. Voeg materialen toe vanaf hun pagina."))
            return redirect(url_for("collections.manage", slug=request.form.get("slug", "").strip()))
    response = Response(render_template("collections/new.html", owners=owners, problems=problems, form=request.form))
    response.status_code = 422 if problems else 200
    return response


@signed_in
def manage(slug: str) -> AnyResponse:
    detail = _detail(slug)
    actor = signed_in_actor()
    if not can_keep_collection(actor, detail.summary.organisation_id):
        abort(403)
    collection_id = detail.summary.id
    problems: dict[str, str] = {}
    if request.method == "POST":
        action = request.form.get("action", "")
        resource_id = request.form.get("resource", "")
        try:
            with _write() as db:
                if action == "details":
                    service.update_collection(db, actor, collection_id, title=request.form.get("title", ""),
                                              description=request.form.get("description"))
                    if can_curate(actor):
                        service.set_featured(db, actor, collection_id, request.form.get("featured") == "on")
                elif action in ("up", "down"):
                    service.move_item(db, actor, collection_id, resource_id, -1 if action == "up" else 1)
                elif action == "item":
                    service.update_item(db, actor, collection_id, resource_id, note=request.form.get("note"),
                                        featured=request.form.get("featured") == "on")
                elif action == "remove":
                    service.remove_item(db, actor, collection_id, resource_id)
                elif action == "delete":
                    service.delete_collection(db, actor, collection_id)
                else:
                    abort(400)
        except InvalidCollection as invalid:
            problems = _problems(invalid)
        except CollectionNotAllowed:
            abort(403)
        except (UnknownCollection, UnknownResource):
            abort(404)
        else:
            if action == "delete":
                flash(_("De collectie is verwijderd."))
                return redirect(url_for("collections.index"))
            flash(_("Opgeslagen."))
            anchor = f"#item-{resource_id}" if resource_id else ""
            return redirect(url_for("collections.manage", slug=slug) + anchor)
    response = Response(render_template("collections/manage.html", collection=_detail(slug), problems=problems,
                                        can_feature=can_curate(actor)))
    response.status_code = 422 if problems else 200
    return response


@signed_in
def add_to(resource_id: str) -> AnyResponse:
    actor = signed_in_actor()
    with read_session() as db:
        state = resource_states(db, [resource_id]).get(resource_id)
        mine = kept_by(db, actor)
    if state is None or state.deleted:
        abort(404)
    title = title_label(state.record.get("title"), resource_id)
    if not mine:
        flash(_("Je beheert nog geen collectie."), "error")
        return redirect(url_for("site.resource", resource_id=resource_id))
    if request.method == "POST":
        chosen = request.form.get("collection", type=int)
        target = next((summary for summary in mine if summary.id == chosen), None)
        if target is None:
            abort(400)
        try:
            with _write() as db:
                service.add_item(db, actor, target.id, resource_id, note=request.form.get("note"))
        except InvalidCollection:
            flash(_("De notitie is te lang."), "error")
            return redirect(request.url)
        except CollectionError:
            abort(403)
        flash(_("%(title)s staat in %(collection)s.", title=title, collection=target.title))
        return redirect(url_for("collections.manage", slug=target.slug) + f"#item-{resource_id}")
    return render_template("collections/add.html", resource_id=resource_id, title=title, collections=mine)


def init_app(app: Flask) -> None:
    blueprint = Blueprint("collections", __name__, url_prefix="/collecties")
    blueprint.add_url_rule("", "index", index)
    blueprint.add_url_rule("/nieuw", "new", new, methods=["GET", "POST"])
    blueprint.add_url_rule("/toevoegen/<resource_id>", "add_to", add_to, methods=["GET", "POST"])
    blueprint.add_url_rule("/<slug>", "page", page)
    blueprint.add_url_rule("/<slug>/beheren", "manage", manage, methods=["GET", "POST"])
    app.register_blueprint(blueprint)
