"""The wensenlijst (`/wensen`): ask for missing material, "ik zoek dit ook", "wij maken dit", link it. I/O: HTTP.

Anyone asks and supports (limited per client address; a visitor's support is
counted once per browser session and never stored with who gave it); makers
answer and link in the name the demand domain's rules allow
(`oer.demand.rules`). `count_search` is the search page's hook: a thin search
is counted by its text, sector and subject only. Every form works by keyboard
and without JavaScript.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from oer.accounts.actor import PUBLISHING_MEMBER_ROLES, Actor, can_curate
from oer.accounts.models import Organisation
from oer.catalogue.queries import resolve_resource_id
from oer.demand import service
from oer.demand.errors import InvalidWish, UnknownResource, UnknownWish, WishNotAllowed
from oer.demand.models import WishState
from oer.demand.queries import WishDetail, get_wish, list_wishes, supports
from oer.demand.rules import can_answer_wish, can_link_material
from oer.discovery.search import SearchPage, SearchRequest
from oer.settings import Settings
from oer.store.errors import StoreError
from web.accounts.limits import app_limits
from web.accounts.session import current_actor, signed_in, signed_in_actor
from web.demand.forms import SECTOR_NAMES, AnswerForm, LinkForm, SupportForm, WishForm
from web.demand.mails import send_material_linked
from web.i18n import current_language
from web.runtime import app_runtime, read_session

log = logging.getLogger(__name__)
AnyResponse = Response | BaseResponse | str
# The wishes this browser supported without an account: in its own session cookie, not on the server.
SUPPORTED_KEY = "wishes_supported"
WISHES_PER_ADDRESS = "10 per hour"
SUPPORT_PER_ADDRESS = "60 per hour"
MAX_ID = 2**31 - 1


def _settings() -> Settings:
    settings: Settings = current_app.config["OER_SETTINGS"]
    return settings


def _write() -> Any:
    return app_runtime().sessions.begin()


# -- the search page's hook ------------------------------------------------------------------------


def is_thin(search_request: SearchRequest, total: int) -> bool:
    """Whether a search's first page found few enough materials to count it (and offer a wish)."""
    return search_request.page == 1 and search_request.search_after is None and total <= _settings().demand_thin_results


def count_search(search_request: SearchRequest, page: SearchPage) -> None:
    """Count a thin search by text, sector and subject; a database problem never fails the search."""
    if not is_thin(search_request, page.total) or not search_request.text:
        return
    signal = service.SearchSignal(
        text=search_request.text,
        sector=",".join(sorted(search_request.filters.get("contexts", ()))),
        subject=",".join(sorted(search_request.filters.get("disciplines", ()))),
        results=page.total,
    )
    try:
        with _write() as db:
            service.record_search(db, signal, date.today())
    except (SQLAlchemyError, StoreError) as error:
        log.warning("search not counted as a demand signal: %s", error)


# -- pages -----------------------------------------------------------------------------------------


def _detail(wish_id: int) -> WishDetail:
    with read_session() as db:
        found = get_wish(db, wish_id)
    if found is None:
        abort(404)
    return found


def _owners(actor: Actor | None) -> list[tuple[str, str]]:
    """(form value, name) of whose name the actor may answer in: the redactie, their organisations."""
    if actor is None:
        return []
    owners = [("redactie", str(_("De redactie")))] if can_curate(actor) else []
    ids = [org for org, role in actor.memberships if role in PUBLISHING_MEMBER_ROLES]
    if ids:
        with read_session() as db:
            rows = db.query(Organisation.id, Organisation.name).filter(Organisation.id.in_(ids)).all()
        owners += sorted(((str(row.id), row.name) for row in rows), key=lambda item: item[1].casefold())
    return [(value, name) for value, name in owners
            if can_answer_wish(actor, None if value == "redactie" else int(value))]


def _supported(wish_id: int, actor: Actor | None) -> bool:
    if actor is not None and actor.user_id is not None:
        with read_session() as db:
            return supports(db, wish_id, actor.user_id)
    return wish_id in session.get(SUPPORTED_KEY, [])


def _remember_support(wish_id: int) -> None:
    supported = [value for value in session.get(SUPPORTED_KEY, []) if isinstance(value, int)]
    # The cookie stays small: the newest hundred are enough to keep a visitor from counting twice.
    session[SUPPORTED_KEY] = [*supported, wish_id][-100:]


def index() -> AnyResponse:
    state_text = request.args.get("status", "")
    state = next((s for s in WishState if s.value == state_text), None)
    sector = request.args.get("sector", "")
    sector = sector if sector in SECTOR_NAMES else ""
    with read_session() as db:
        wishes = list_wishes(db, state=state, sector=sector or None)
    return render_template("demand/index.html", wishes=wishes, state=state, sector=sector,
                           sector_names=SECTOR_NAMES, states=list(WishState))


def new() -> AnyResponse:
    form = WishForm(data=None if request.method == "POST" else {
        "text": "", "query": request.args.get("q", "")[:200],
        "sector": request.args.get("sector", "") if request.args.get("sector", "") in SECTOR_NAMES else "",
        "subject": request.args.get("subject", "")[:100], "level": request.args.get("level", "")[:100],
        "kerndoel": request.args.get("kerndoel", "")[:100]})
    actor = current_actor()
    problems: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            with _write() as db:
                wish_id = service.create_wish(
                    db, actor, text=form.text.data or "", sector=form.sector.data or None, level=form.level.data,
                    subject=form.subject.data, kerndoel=form.kerndoel.data, query=form.query.data,
                    notify=bool(form.notify.data) and actor is not None)
        except InvalidWish as invalid:
            problems = {problem.field: problem.message(current_language()) for problem in invalid.problems}
        else:
            if actor is None:
                _remember_support(wish_id)
            flash(_("Je wens staat op de wensenlijst. Anderen kunnen laten weten dat zij dit ook zoeken."))
            return redirect(url_for("demand.page", wish_id=wish_id))
    for name, errors in form.errors.items():
        problems.setdefault(name, str(errors[0]))
    response = Response(render_template("demand/new.html", form=form, problems=problems,
                                        signed_in=actor is not None))
    response.status_code = 422 if problems else 200
    return response


def page(wish_id: int) -> AnyResponse:
    detail = _detail(wish_id)
    actor = current_actor()
    owners = _owners(actor)
    answer_form = AnswerForm()
    answer_form.owner.choices = [SelectChoice(value, name) for value, name in owners]
    linkable = {answer.id for answer in detail.answers
                if actor is not None and can_link_material(actor, answer.organisation_id)}
    return render_template("demand/page.html", wish=detail, sector_names=SECTOR_NAMES,
                           supported=_supported(wish_id, actor), signed_in=actor is not None,
                           support_form=SupportForm(), answer_form=answer_form, owners=owners,
                           linkable=linkable, link_form=LinkForm())


def support(wish_id: int) -> AnyResponse:
    form = SupportForm()
    if not form.validate_on_submit():
        abort(400)
    actor = current_actor()
    if actor is None and wish_id in session.get(SUPPORTED_KEY, []):
        flash(_("Je had al laten weten dat je dit ook zoekt."))
        return redirect(url_for("demand.page", wish_id=wish_id))
    try:
        with _write() as db:
            added = service.support_wish(db, actor, wish_id, notify=bool(form.notify.data) and actor is not None)
    except UnknownWish:
        abort(404)
    if actor is None:
        _remember_support(wish_id)
    flash(_("Bedankt: we tellen je mee.") if added else _("Je keuze is opgeslagen."))
    return redirect(url_for("demand.page", wish_id=wish_id))


@signed_in
def answer(wish_id: int) -> AnyResponse:
    actor = signed_in_actor()
    owners = _owners(actor)
    if not owners:
        abort(403)
    form = AnswerForm()
    form.owner.choices = [SelectChoice(value, name) for value, name in owners]
    if not form.validate_on_submit():
        abort(400)
    owner = form.owner.data
    try:
        with _write() as db:
            service.answer_wish(db, actor, wish_id, organisation_id=None if owner == "redactie" else int(owner),
                                note=form.note.data)
    except WishNotAllowed:
        abort(403)
    except UnknownWish:
        abort(404)
    except InvalidWish:
        abort(400)
    flash(_("Dank je! Wie dit zoeken, zien nu dat jullie het maken."))
    return redirect(url_for("demand.page", wish_id=wish_id) + "#answers-heading")


@signed_in
def link(wish_id: int, answer_id: int) -> AnyResponse:
    actor = signed_in_actor()
    form = LinkForm()
    if not form.validate_on_submit():
        abort(400)
    typed = (form.resource.data or "").strip()
    # A material's page address, its id, or one of its identifiers or locations.
    marker = "/resources/"
    candidate = typed.split(marker, 1)[1].split("?")[0].split("#")[0] if marker in typed else typed
    with read_session() as db:
        resource_id = resolve_resource_id(db, candidate) or candidate
    try:
        with _write() as db:
            addresses = service.link_material(db, actor, wish_id, answer_id, resource_id)
    except WishNotAllowed:
        abort(403)
    except UnknownWish:
        abort(404)
    except UnknownResource:
        flash(_("Dat materiaal staat niet in de catalogus. Geef het adres van de pagina van het materiaal."),
              "error")
        return redirect(url_for("demand.page", wish_id=wish_id) + f"#answer-{answer_id}")
    send_material_linked(addresses, wish_id, resource_id)
    flash(_("Het materiaal is gekoppeld; wie erom vroeg en een e-mail wilde, hoort het."))
    return redirect(url_for("demand.page", wish_id=wish_id) + f"#answer-{answer_id}")


def _ids_in_range(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    # Ids are INTEGER columns: a larger number in a URL names no wish (and must not reach the database).
    for name in ("wish_id", "answer_id"):
        if values and not 0 < values.get(name, 1) <= MAX_ID:
            abort(404)


def _thin_limit() -> dict[str, Any]:
    return {"demand_thin_limit": _settings().demand_thin_results}


def init_app(app: Flask) -> None:
    limits = app_limits(app)
    per_address = limits.limiter.limit(WISHES_PER_ADDRESS, methods=["POST"], scope="wish")
    support_limit = limits.limiter.limit(SUPPORT_PER_ADDRESS, methods=["POST"], scope="wish-support")
    blueprint = Blueprint("demand", __name__, url_prefix="/wensen")
    blueprint.url_value_preprocessor(_ids_in_range)
    blueprint.add_url_rule("", "index", index)
    blueprint.add_url_rule("/nieuw", "new", per_address(new), methods=["GET", "POST"])
    blueprint.add_url_rule("/<int:wish_id>", "page", page)
    blueprint.add_url_rule("/<int:wish_id>/ook", "support", support_limit(support), methods=["POST"])
    blueprint.add_url_rule("/<int:wish_id>/antwoord", "answer", answer, methods=["POST"])
    blueprint.add_url_rule("/<int:wish_id>/antwoord/<int:answer_id>/materiaal", "link", link, methods=["POST"])
    app.register_blueprint(blueprint)
    app.context_processor(_thin_limit)
