"""Publishing pages: my materials, the form, preview, publish, withdraw, versions, downloads. I/O: HTTP.

Thin views: the form post becomes a submission (`web.publishing.forms`), the
publishing service checks and stores it (`oer.publishing.service`), and the
problems come back by field. Everything works without JavaScript; `publish.js`
only adds the live completeness meter and the kerndoel filter.

Downloads (`/bestanden/<material>/<sha256>/<name>`) are always attachments
with `X-Content-Type-Options: nosniff` and a sandboxing Content-Security-Policy,
so an uploaded HTML or SVG file can never run script in the site's origin.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from metadata.submission import AttachedFile, CheckedSubmission, PublisherContext, check_submission
from metadata.vocabulary import VocabularyName
from oer.accounts.actor import PUBLISHING_MEMBER_ROLES, Actor
from oer.accounts.models import Organisation
from oer.publishing import imports, service
from oer.publishing.errors import (
    InvalidState,
    InvalidSubmission,
    PublishingNotAllowed,
    UnknownPublication,
    UploadRefused,
)
from oer.publishing.files import FileStorage, StoredFile
from oer.publishing.models import Publication, PublicationState
from oer.publishing.queries import PublicationView, file_of, get_publication, list_publications
from oer.settings import Settings
from web import labels
from web.accounts.session import current_actor, signed_in, signed_in_actor
from web.i18n import current_language
from web.publishing import forms
from web.runtime import app_runtime, read_session, site

blueprint = Blueprint("publishing", __name__)

AnyResponse = Response | BaseResponse | str
STORAGE_EXTENSION = "oer_file_storage"
# What a download may do in a browser: nothing (no script, no plugins, no same origin).
DOWNLOAD_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def storage() -> FileStorage:
    files: FileStorage = current_app.extensions[STORAGE_EXTENSION]
    return files


def _write_session() -> Any:
    return app_runtime().sessions.begin()


def _organisations_of(actor: Actor) -> list[tuple[int, str]]:
    """The organisations the actor publishes for, (id, name), by name."""
    ids = [org for org, role in actor.memberships if role in PUBLISHING_MEMBER_ROLES]
    if not ids:
        return []
    with read_session() as db:
        rows = db.query(Organisation.id, Organisation.name).filter(Organisation.id.in_(ids)).all()
    return sorted(((row.id, row.name) for row in rows), key=lambda item: item[1].casefold())


def _uploads(existing: list[StoredFile]) -> list[StoredFile]:
    """The files kept (`keep_file` checkboxes) plus those uploaded with this post."""
    kept = set(request.form.getlist("keep_file"))
    files = [f for f in existing if f.sha256 in kept]
    settings: Settings = current_app.config["OER_SETTINGS"]
    for upload in request.files.getlist("files"):
        if not upload or not upload.filename:
            continue
        stored = storage().store(upload.stream, upload.filename, max_bytes=settings.upload_max_bytes)
        if stored.sha256 not in {f.sha256 for f in files}:
            files.append(stored)
    return files


def _checked(publication_id: str | None, submission: dict[str, Any], files: list[StoredFile]) -> CheckedSubmission:
    """The submission checked as it would be published (for the form's problems and meter)."""
    context = PublisherContext(
        files=tuple(AttachedFile(f.sha256, f.size, f.media_type, f.name) for f in files),
        page_url=url_for("site.resource", resource_id=publication_id or "nieuw", _external=True),
        default_author=None,
    )
    return check_submission(submission, context)


def _render_form(
    submission: dict[str, Any], files: list[StoredFile], *, publication: PublicationView | None,
    show_problems: bool, upload_error: str | None = None, organisation_id: int | None = None,
) -> str:
    actor = signed_in_actor()
    checked = _checked(publication.id if publication else None, submission, files)
    values = forms.form_values(submission)
    subject_area = request.values.get("vakgebied") or None
    chosen = forms.chosen_kerndoelen(sorted(values["educational_objectives"]))
    chosen_ids = {k.id for k in chosen}
    groups = [
        forms.KerndoelGroup(g.sector, g.subject_area, tuple(k for k in g.kerndoelen if k.id not in chosen_ids))
        for g in forms.kerndoel_groups(values["contexts"], subject_area)
    ]
    return render_template(
        "publishing/edit.html",
        form=forms.PublishForm(),
        publication=publication,
        values=values,
        files=files,
        checked=checked,
        problems=checked.problems_by_field() if show_problems else {},
        show_problems=show_problems,
        upload_error=upload_error,
        organisations=_organisations_of(actor),
        organisation_id=organisation_id,
        contexts=[forms.Choice(c, labels.value_label("contexts", c)) for c in forms.CONTEXT_CHOICES],
        language_choices=[forms.Choice(c, labels.language_name(c) if c != "x-none" else _("Geen taal (bijv. beeld)"))
                   for c in forms.LANGUAGE_CHOICES],
        resource_types=[forms.Choice(v, labels.value_label("learning_resource_types", v))
                        for v in forms.vocabulary_values(VocabularyName.LEARNING_RESOURCE_TYPE)],
        end_user_roles=[forms.Choice(v, labels.value_label("end_user_roles", v))
                        for v in forms.vocabulary_values(VocabularyName.END_USER_ROLE)],
        levels=forms.level_choices(),
        disciplines=forms.discipline_choices(),
        aggregation_levels=forms.AGGREGATION_LEVELS,
        licences=forms.licence_choices(),
        recommended_licences=forms.RECOMMENDED_LICENCES,
        kerndoel_groups=groups,
        chosen_kerndoelen=chosen,
        subject_areas=forms.subject_area_choices(),
        subject_area=subject_area,
        upload_max_mb=current_app.config["OER_SETTINGS"].upload_max_bytes // (1024 * 1024),
    )


# -- my materials ----------------------------------------------------------------------------------


@signed_in
def index() -> AnyResponse:
    actor = signed_in_actor()
    with read_session() as db:
        mine = list_publications(db, actor)
    return render_template("publishing/index.html", publications=mine, organisations=_organisations_of(actor),
                           verified=current_user_verified())


def current_user_verified() -> bool:
    return bool(current_user.is_authenticated and current_user.view.email_verified)


# -- the form --------------------------------------------------------------------------------------


@signed_in
def new() -> AnyResponse:
    actor = signed_in_actor()
    organisations = _organisations_of(actor)
    chosen = request.values.get("organisatie", type=int)
    organisation_id = chosen if chosen in {org for org, _name in organisations} else None
    if request.method == "GET":
        return _render_form({}, [], publication=None, show_problems=False, organisation_id=organisation_id)
    submission = forms.submission_from_form(request.form)
    try:
        files = _uploads([])
    except UploadRefused as refused:
        return _render_form(submission, [], publication=None, show_problems=True, organisation_id=organisation_id,
                            upload_error=refused.message_en if current_language() == "en" else refused.message_nl)
    if request.form.get("action") == "refresh":
        return _render_form(submission, files, publication=None, show_problems=False, organisation_id=organisation_id)
    try:
        with _write_session() as db:
            publication_id = service.create_draft(db, actor, submission, organisation_id=organisation_id,
                                                  files=files)
    except PublishingNotAllowed:
        abort(403)
    flash(_("Je concept is opgeslagen."))
    return _after_save(publication_id)


def _after_save(publication_id: str) -> BaseResponse:
    if request.form.get("action") == "preview":
        return redirect(url_for("publishing.preview", publication_id=publication_id))
    return redirect(url_for("publishing.edit", publication_id=publication_id, gecontroleerd=1) + "#form-errors")


def _editable(publication_id: str) -> PublicationView:
    with read_session() as db:
        try:
            view = get_publication(db, publication_id, signed_in_actor())
        except UnknownPublication:
            abort(404)
    if not view.editable:
        abort(403)
    return view


@signed_in
def edit(publication_id: str) -> AnyResponse:
    view = _editable(publication_id)
    if view.state is PublicationState.WITHDRAWN:
        flash(_("Een ingetrokken materiaal kan niet meer worden bewerkt."), "error")
        return redirect(url_for("publishing.preview", publication_id=publication_id))
    if request.method == "GET":
        return _render_form(view.submission, list(view.files), publication=view,
                            show_problems=bool(request.args.get("gecontroleerd")))
    submission = forms.submission_from_form(request.form)
    try:
        files = _uploads(list(view.files))
    except UploadRefused as refused:
        return _render_form(submission, list(view.files), publication=view, show_problems=True,
                            upload_error=refused.message_en if current_language() == "en" else refused.message_nl)
    if request.form.get("action") == "refresh":
        return _render_form(submission, files, publication=view, show_problems=False)
    try:
        with _write_session() as db:
            service.update_draft(db, signed_in_actor(), publication_id, submission, files)
    except (PublishingNotAllowed, InvalidState):
        abort(403)
    flash(_("Je wijzigingen zijn opgeslagen als concept."))
    return _after_save(publication_id)


@signed_in
def check() -> AnyResponse:
    """The live meter: the posted form checked, as JSON (problems by field, what is recommended)."""
    submission = forms.submission_from_form(request.form)
    files = [f for f in (StoredFile.from_dict(d) for d in _kept_file_data()) if f]
    checked = _checked(None, submission, files)
    language = current_language()
    return jsonify({
        "ok": checked.ok,
        "required_missing": sorted({p.field for p in checked.problems if p.code == "required"}),
        "problems": {name: [p.message(language) for p in items] for name, items in checked.problems_by_field().items()},
        "missing_recommended": list(checked.missing_recommended),
        "score": checked.completeness.score,
        "summary": meter_text(checked),
    })


def _kept_file_data() -> list[dict[str, Any]]:
    # The meter only needs to know files are there: their type is what the record says.
    return [{"sha256": sha, "size": 0, "media_type": "application/octet-stream", "name": ""}
            for sha in request.form.getlist("keep_file")]


def meter_text(checked: CheckedSubmission) -> str:
    """"Nog 2 verplichte en 3 aanbevolen velden" in the visitor's language."""
    required = len({p.field for p in checked.problems})
    recommended = len(checked.missing_recommended)
    if not required and not recommended:
        return str(_("Alles ingevuld: klaar om te publiceren."))
    if not required:
        return str(_("Klaar om te publiceren. Nog %(count)s aanbevolen velden maken het beter vindbaar.",
                     count=recommended))
    return str(_("Nog %(required)s verplichte en %(recommended)s aanbevolen velden.",
                 required=required, recommended=recommended))


# -- preview, publish, withdraw ---------------------------------------------------------------------


@signed_in
def preview(publication_id: str) -> AnyResponse:
    view = _editable(publication_id)
    with read_session() as db:
        publication = db.get(Publication, publication_id)
        assert publication is not None
        checked = service.check(db, site(), publication)
    return render_template("publishing/preview.html", publication=view, checked=checked,
                           record=checked.record, meter=meter_text(checked))


@signed_in
def publish(publication_id: str) -> AnyResponse:
    try:
        with _write_session() as db:
            published = service.publish(db, signed_in_actor(), publication_id, site())
    except InvalidSubmission:
        flash(_("Nog niet gelukt: los eerst de punten hieronder op."), "error")
        return redirect(url_for("publishing.preview", publication_id=publication_id))
    except UnknownPublication:
        abort(404)
    except (PublishingNotAllowed, InvalidState):
        abort(403)
    app_runtime().index_now([publication_id])
    if published.version is None:
        flash(_("Er was niets veranderd; de gepubliceerde versie blijft staan."))
    elif published.version == 1:
        flash(_("Gepubliceerd! Je materiaal staat nu in de catalogus en in de feed."))
    else:
        flash(_("Versie %(number)s is gepubliceerd.", number=published.version))
    return redirect(url_for("site.resource", resource_id=publication_id))


@signed_in
def withdraw(publication_id: str) -> AnyResponse:
    reason = request.form.get("reason", "")
    try:
        with _write_session() as db:
            service.withdraw(db, signed_in_actor(), publication_id, reason)
    except UnknownPublication:
        abort(404)
    except (PublishingNotAllowed, InvalidState):
        abort(403)
    app_runtime().index_now([publication_id])
    flash(_("Het materiaal is ingetrokken. Het staat niet meer in de catalogus; de feed meldt het als verwijderd."))
    return redirect(url_for("publishing.index"))


@signed_in
def discard(publication_id: str) -> AnyResponse:
    try:
        with _write_session() as db:
            still_there = service.discard_draft(db, signed_in_actor(), publication_id)
    except UnknownPublication:
        abort(404)
    except PublishingNotAllowed:
        abort(403)
    flash(_("Het concept is weggegooid."))
    if still_there:
        return redirect(url_for("publishing.preview", publication_id=publication_id))
    return redirect(url_for("publishing.index"))


# -- bulk import -----------------------------------------------------------------------------------


@signed_in
def bulk_import() -> AnyResponse:
    actor = signed_in_actor()
    organisations = _organisations_of(actor)
    if request.method == "GET":
        return render_template("publishing/import.html", organisations=organisations, report=None, error=None,
                               organisation_id=organisations[0][0] if organisations else None,
                               Outcome=imports.ImportOutcome)
    chosen = request.form.get("organisatie", type=int)
    organisation_id = chosen if chosen in {org for org, _name in organisations} else None
    upload = request.files.get("file")
    dry_run = request.form.get("dry_run") == "1"
    error = None
    report = None
    if upload is None or not upload.filename:
        error = _("Kies een bestand: een CSV-blad, een NL-LOM-bestand (XML) of een zip daarvan.")
    else:
        try:
            rows = imports.rows_from_file(upload.read(), upload.filename)
            with _write_session() as db:
                report = imports.import_rows(db, actor, site(), rows, organisation_id=organisation_id,
                                             dry_run=dry_run)
                if dry_run:
                    db.rollback()
        except imports.ImportFileError as unreadable:
            error = _("Dit bestand kunnen we niet lezen: %(reason)s", reason=str(unreadable))
        except PublishingNotAllowed:
            abort(403)
        if report is not None and not dry_run:
            app_runtime().index_now(report.resource_ids)
    page = Response(render_template("publishing/import.html", organisations=organisations, report=report,
                                    error=error, organisation_id=organisation_id, Outcome=imports.ImportOutcome))
    page.status_code = 400 if error else 200
    return page


def import_template() -> AnyResponse:
    return Response(imports.csv_template(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="materialen-sjabloon.csv"'})


# -- history and files (public) --------------------------------------------------------------------


def versions(resource_id: str) -> AnyResponse:
    with read_session() as db:
        try:
            view = get_publication(db, resource_id, current_actor())
        except UnknownPublication:
            abort(404)
    if not view.versions:
        abort(404)
    return render_template("publishing/versions.html", publication=view)


def download(publication_id: str, sha256: str, name: str) -> AnyResponse:
    with read_session() as db:
        stored = file_of(db, publication_id, sha256, current_actor())
    if stored is None:
        abort(404)
    try:
        handle = storage().open(stored.sha256)
    except FileNotFoundError:
        abort(404)
    # send_file closes the file when the response ends, and writes the RFC 6266 filename* form.
    response = send_file(handle, mimetype=stored.media_type, as_attachment=True, download_name=stored.name,
                         conditional=True, etag=stored.sha256, max_age=300)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_POLICY
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def init_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/publiceren", "index", index)
    bp.add_url_rule("/publiceren/nieuw", "new", new, methods=["GET", "POST"])
    bp.add_url_rule("/publiceren/controleren", "check", check, methods=["POST"])
    bp.add_url_rule("/publiceren/<publication_id>", "preview", preview)
    bp.add_url_rule("/publiceren/<publication_id>/bewerken", "edit", edit, methods=["GET", "POST"])
    bp.add_url_rule("/publiceren/<publication_id>/publiceren", "publish", publish, methods=["POST"])
    bp.add_url_rule("/publiceren/<publication_id>/intrekken", "withdraw", withdraw, methods=["POST"])
    bp.add_url_rule("/publiceren/<publication_id>/weggooien", "discard", discard, methods=["POST"])
    bp.add_url_rule("/publiceren/importeren", "bulk_import", bulk_import, methods=["GET", "POST"])
    bp.add_url_rule("/publiceren/sjabloon.csv", "import_template", import_template)
    bp.add_url_rule("/resources/<resource_id>/versies", "versions", versions)
    bp.add_url_rule("/bestanden/<publication_id>/<sha256>/<path:name>", "download", download)


init_routes(blueprint)
