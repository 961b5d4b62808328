"""Quality pages: annotate, share an experience, pupil and parent feedback, reply, report, moderate. I/O: HTTP.

The profile itself is part of a material's detail page (`discovery/resource.html`
includes `quality/profile.html`); these pages write. Every form works by
keyboard and without JavaScript. Feedback without an account and reports of
abuse are limited per client address; everything else needs a signed-in user,
and the service decides what each may do (`oer.quality.service`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from metadata.quality import AnnotatorRole, Criterion, Framework, in_discipline
from metadata.record import Record
from metadata.submission import Problem
from oer.accounts.actor import Actor, can_curate
from oer.accounts.models import PlatformRole, User
from oer.catalogue.queries import resource_states
from oer.quality import service
from oer.quality.errors import (
    AlreadyReplied,
    AnnotationNotAllowed,
    InvalidAnnotation,
    QualityError,
    UnknownAnnotation,
    UnknownResource,
)
from oer.quality.queries import annotations_of, moderation_queue
from web.accounts.limits import app_limits
from web.accounts.session import current_actor, signed_in, signed_in_actor
from web.i18n import current_language
from web.labels import title_label
from web.quality.labels import framework, role_label
from web.runtime import app_runtime, read_session

AnyResponse = Response | BaseResponse | str

# The roles a signed-in user may choose on the annotation page (pupils and parents use the feedback page).
ACCOUNT_ROLES = (AnnotatorRole.LERAAR, AnnotatorRole.AUTEUR, AnnotatorRole.VAKEXPERT, AnnotatorRole.REDACTIE)
FEEDBACK_ROLES = (AnnotatorRole.LEERLING, AnnotatorRole.OUDER)


def _write() -> Any:
    return app_runtime().sessions.begin()


def _material(resource_id: str) -> tuple[str, Record]:
    with read_session() as db:
        state = resource_states(db, [resource_id]).get(resource_id)
    if state is None or state.deleted:
        abort(404)
    record = Record.from_dict(state.record)
    return title_label(record.title, resource_id), record


def _back(resource_id: str) -> BaseResponse:
    return redirect(url_for("site.resource", resource_id=resource_id) + "#quality-heading")


def _messages(problems: tuple[Problem, ...]) -> dict[str, str]:
    language = current_language()
    return {problem.field: problem.message(language) for problem in problems}


def _roles_for(actor: Actor, record: Record) -> list[AnnotatorRole]:
    """The roles this user may annotate this material in (the service checks again when they do)."""
    roles = [AnnotatorRole.LERAAR]
    with read_session() as db:
        user = db.get(User, actor.user_id)
        if user is None or not user.email_verified:
            roles = []
        if service.author_standing(db, actor, record) is not None:
            roles.append(AnnotatorRole.AUTEUR)
    if actor.disciplines() and in_discipline(record, actor.disciplines()):
        roles.append(AnnotatorRole.VAKEXPERT)
    if actor.holds(PlatformRole.REDACTIE):
        roles.append(AnnotatorRole.REDACTIE)
    return roles


def _criteria_for(current: Framework, role: AnnotatorRole) -> list[tuple[str, list[Criterion]]]:
    language = current_language()
    return [(group.label(language), [c for c in group.criteria if role in c.roles])
            for group in current.groups if any(role in c.roles for c in group.criteria)]


def _annotate_all(actor: Actor | None, resource_id: str, role: AnnotatorRole, current: Framework,
                  name: str | None = None) -> tuple[int, int, dict[str, dict[str, str]]]:
    """Store every criterion the form gave a value for, or none when one is wrong.

    Returns (stored, waiting for moderation, problems per criterion id).
    """
    given = [(c, request.form.get(f"value-{c.id}", ""), (request.form.get(f"justification-{c.id}") or "").strip())
             for c in current.criteria.values() if role in c.roles]
    given = [(criterion, value, justification) for criterion, value, justification in given if value]
    if not given:
        return 0, 0, {"": {"value": _("Kies bij ten minste één criterium een waarde.")}}
    problems: dict[str, dict[str, str]] = {}
    for criterion, value, justification in given:
        _found, wrong = service.check_annotation(current, role, criterion.id, value, justification or None)
        if wrong:
            problems[criterion.id] = _messages(tuple(wrong))
    if problems:
        return 0, 0, problems
    pending = 0
    with _write() as db:
        for criterion, value, justification in given:
            result = service.annotate(db, actor, resource_id, role, criterion.id, value, justification, name=name)
            pending += result.pending
    return len(given), pending, {}


# -- annotate (signed in) -------------------------------------------------------------------------


@signed_in
def annotate(resource_id: str) -> AnyResponse:
    title, record = _material(resource_id)
    actor = signed_in_actor()
    roles = _roles_for(actor, record)
    if not roles:
        flash(_("Bevestig eerst je e-mailadres; daarna kun je annoteren."), "error")
        return _back(resource_id)
    chosen = request.values.get("rol", roles[0].value)
    role = next((r for r in roles if r.value == chosen), None)
    if role is None:
        abort(403)
    current = framework()
    problems: dict[str, dict[str, str]] = {}
    if request.method == "POST":
        try:
            stored, pending, problems = _annotate_all(actor, resource_id, role, current)
        except AnnotationNotAllowed:
            abort(403)
        except UnknownResource:
            abort(404)
        if stored and not problems:
            app_runtime().index_now([resource_id])
            if pending:
                flash(_("Bedankt! Je annotatie wordt eerst bekeken door de redactie."))
            else:
                flash(_("Bedankt! Je annotatie staat bij het materiaal."))
            return _back(resource_id)
    with read_session() as db:
        mine = {a.criterion: a for a in annotations_of(db, resource_id, states=(), annotator_id=actor.user_id)
                if a.role is role and a.framework_version == current.version}
    page = Response(render_template(
        "quality/annotate.html", resource_id=resource_id, title=title, roles=roles, role=role, framework=current,
        groups=_criteria_for(current, role), problems=problems, mine=mine, form=request.form, role_label=role_label))
    page.status_code = 422 if problems else 200
    return page


# -- feedback without an account (pupils, parents) --------------------------------------------------


def feedback(resource_id: str) -> AnyResponse:
    title, _record = _material(resource_id)
    current = framework()
    chosen = request.values.get("rol", AnnotatorRole.LEERLING.value)
    role = next((r for r in FEEDBACK_ROLES if r.value == chosen), AnnotatorRole.LEERLING)
    problems: dict[str, dict[str, str]] = {}
    if request.method == "POST":
        name = (request.form.get("name") or "").strip() or None
        try:
            stored, _pending, problems = _annotate_all(current_actor(), resource_id, role, current, name=name)
        except InvalidAnnotation as invalid:
            stored, problems = 0, {"": _messages(invalid.problems)}
        except AnnotationNotAllowed:
            abort(403)
        except UnknownResource:
            abort(404)
        if stored and not problems:
            flash(_("Bedankt voor je mening! De redactie bekijkt hem voordat hij bij het materiaal staat."))
            return _back(resource_id)
    page = Response(render_template(
        "quality/feedback.html", resource_id=resource_id, title=title, role=role, roles=FEEDBACK_ROLES,
        groups=_criteria_for(current, role), problems=problems, form=request.form, role_label=role_label,
        framework=current))
    page.status_code = 422 if problems else 200
    return page


# -- experience (signed in) ----------------------------------------------------------------------


@signed_in
def experience(resource_id: str) -> AnyResponse:
    title, _record = _material(resource_id)
    problems: dict[str, str] = {}
    if request.method == "POST":
        try:
            with _write() as db:
                result = service.report_experience(
                    db, signed_in_actor(), resource_id, group_level=request.form.get("group_level", ""),
                    duration=request.form.get("duration"), worked=request.form.get("worked"),
                    not_worked=request.form.get("not_worked"))
        except InvalidAnnotation as invalid:
            problems = _messages(invalid.problems)
        except AnnotationNotAllowed:
            flash(_("Bevestig eerst je e-mailadres; daarna kun je een ervaring delen."), "error")
            return _back(resource_id)
        except UnknownResource:
            abort(404)
        else:
            flash(_("Bedankt! Je ervaring wordt eerst bekeken door de redactie.") if result.pending
                  else _("Bedankt! Je ervaring staat bij het materiaal."))
            return _back(resource_id)
    page = Response(render_template("quality/experience.html", resource_id=resource_id, title=title,
                                    problems=problems, form=request.form))
    page.status_code = 422 if problems else 200
    return page


# -- reply, take back, report --------------------------------------------------------------------


@signed_in
def reply(annotation_id: int) -> AnyResponse:
    resource_id = request.form.get("resource", "")
    try:
        with _write() as db:
            service.reply(db, signed_in_actor(), annotation_id, request.form.get("reply", ""))
    except AnnotationNotAllowed:
        abort(403)
    except (UnknownAnnotation, UnknownResource):
        abort(404)
    except AlreadyReplied:
        flash(_("Op deze annotatie is al gereageerd; een reactie kan één keer."), "error")
    except InvalidAnnotation:
        flash(_("Schrijf een reactie."), "error")
    else:
        flash(_("Je reactie staat naast de annotatie."))
    return _back(resource_id)


@signed_in
def take_back(annotation_id: int) -> AnyResponse:
    resource_id = request.form.get("resource", "")
    try:
        with _write() as db:
            service.remove_annotation(db, signed_in_actor(), annotation_id)
    except AnnotationNotAllowed:
        abort(403)
    except UnknownAnnotation:
        abort(404)
    if resource_id:
        app_runtime().index_now([resource_id])
    flash(_("Je annotatie is verwijderd."))
    return _back(resource_id)


def report(kind: str, item_id: int) -> AnyResponse:
    """Report an annotation (`annotaties`) or an experience (`ervaringen`) to the redactie."""
    if kind not in ("annotaties", "ervaringen"):
        abort(404)
    resource_id = request.values.get("resource", "")
    problem = None
    if request.method == "POST":
        target = {"annotation_id": item_id} if kind == "annotaties" else {"report_id": item_id}
        try:
            with _write() as db:
                service.report_abuse(db, current_actor(), request.form.get("reason", ""), **target)
        except UnknownAnnotation:
            abort(404)
        except InvalidAnnotation:
            problem = _("Schrijf wat er mis mee is.")
        else:
            flash(_("Bedankt. De redactie bekijkt je melding."))
            return _back(resource_id)
    page = Response(render_template("quality/report.html", kind=kind, item_id=item_id, resource_id=resource_id,
                                    problem=problem))
    page.status_code = 422 if problem else 200
    return page


# -- moderation (the redactie) -------------------------------------------------------------------


def _moderator() -> Actor:
    actor = signed_in_actor()
    if not can_curate(actor):
        abort(403)
    return actor


@signed_in
def queue() -> AnyResponse:
    _moderator()
    with read_session() as db:
        waiting = moderation_queue(db)
    return render_template("quality/moderation.html", queue=waiting, role_label=role_label)


@signed_in
def decide(kind: str, item_id: int) -> AnyResponse:
    actor = _moderator()
    action = request.form.get("action", "")
    reason = request.form.get("reason")
    try:
        with _write() as db:
            if kind == "annotaties" and action in ("approve", "reject"):
                service.moderate(db, actor, item_id, approve=action == "approve", reason=reason)
            elif kind == "ervaringen" and action in ("approve", "reject"):
                service.moderate_experience(db, actor, item_id, approve=action == "approve", reason=reason)
            elif kind == "meldingen" and action == "dismiss":
                service.dismiss_abuse(db, actor, item_id)
            else:
                abort(400)
    except UnknownAnnotation:
        abort(404)
    except InvalidAnnotation:
        flash(_("Geef een reden voor de afwijzing."), "error")
        return redirect(url_for("moderation.queue") + f"#{kind}-{item_id}")
    except QualityError:
        abort(403)
    resource_id = request.form.get("resource")
    if resource_id:
        app_runtime().index_now([resource_id])
    flash({"approve": _("Goedgekeurd."), "reject": _("Afgewezen."), "dismiss": _("Melding afgehandeld.")}[action])
    return redirect(url_for("moderation.queue"))


def init_app(app: Flask) -> None:
    # Blueprints per app: the feedback limit is the app's own limiter.
    limits = app_limits(app)
    blueprint = Blueprint("quality", __name__, url_prefix="/kwaliteit")
    moderation = Blueprint("moderation", __name__, url_prefix="/redactie")
    blueprint.add_url_rule("/<resource_id>/annoteren", "annotate", annotate, methods=["GET", "POST"])
    blueprint.add_url_rule("/<resource_id>/feedback", "feedback", limits.feedback(feedback), methods=["GET", "POST"])
    blueprint.add_url_rule("/<resource_id>/ervaring", "experience", experience, methods=["GET", "POST"])
    blueprint.add_url_rule("/annotaties/<int:annotation_id>/reactie", "reply", reply, methods=["POST"])
    blueprint.add_url_rule("/annotaties/<int:annotation_id>/verwijderen", "take_back", take_back, methods=["POST"])
    blueprint.add_url_rule("/<kind>/<int:item_id>/melden", "report", limits.feedback(report), methods=["GET", "POST"])
    moderation.add_url_rule("/moderatie", "queue", queue)
    moderation.add_url_rule("/moderatie/<kind>/<int:item_id>", "decide", decide, methods=["POST"])
    app.register_blueprint(blueprint)
    app.register_blueprint(moderation)
