"""An organisation's own repositories: register one, see how its harvests go, and what its records lack. I/O: HTTP.

`/organisaties/<slug>/bronnen` is for the organisation's beheerders (and the
platform's): the registration form, each source's last runs with their counts
and errors, and the completeness of the organisation's published materials.
`/organisaties/<slug>/bronnen/<name>` is one source: its runs, each run's
errors, and per record what NL-LOM requires or recommends that the record
lacks and what to fix at the source, downloadable as CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from metadata.record import Record
from oer.accounts.actor import can_manage_members
from oer.accounts.errors import PermissionDenied
from oer.accounts.queries import OrganisationView, find_organisation
from oer.catalogue.models import Resource
from oer.harvesting import own_sources
from oer.harvesting.errors import DuplicateSourceError, InvalidSourceError
from oer.harvesting.models import Source, SourceOwner
from oer.harvesting.probe import probe_repository
from oer.harvesting.queries import run_errors
from oer.harvesting.service import default_client_settings
from oer.publishing.queries import organisation_publications
from oer.settings import Settings
from oer.tasks.schedule import HARVEST_SOURCE_TASK
from web.accounts.session import current_actor, signed_in, signed_in_actor
from web.runtime import app_runtime, read_session

blueprint = Blueprint("own_sources", __name__, url_prefix="/organisaties/<slug>/bronnen")

AnyResponse = Response | BaseResponse | str

# What to fix at the source, per NL-LOM element a record lacks.
FIX_AT_SOURCE: Mapping[str, LazyString] = {
    "general/title": _l("Geef het record een titel (general/title)."),
    "general/catalogentry": _l("Geef het record een catalogusnummer: catalog en entry (general/catalogentry)."),
    "general/language": _l("Vul de taal van het materiaal in, bijvoorbeeld nl (general/language)."),
    "general/aggregationlevel": _l("Vul het aggregatieniveau in, 1 tot 4 (general/aggregationlevel)."),
    "metametadata/metadatascheme": _l("Zet LOMv1.0 en nl_lom_v1p0 in metametadata/metadatascheme."),
    "educational/intendedenduserrole": _l("Zeg voor wie het is: learner, teacher (educational/intendedenduserrole)."),
    "rights/cost": _l("Vul in of het materiaal kosten heeft: yes of no (rights/cost)."),
    "rights/copyrightandotherrestrictions": _l("Geef de licentie, bijvoorbeeld cc-by-sa-40 "
                                               "(rights/copyrightandotherrestrictions)."),
    "technical/location": _l("Geef de link naar het materiaal (technical/location)."),
    "educational/context": _l("Vul de sector in: PO, VO, SO (educational/context)."),
    "classification/discipline": _l("Classificeer het vak met een OBK-begrip (classification, purpose discipline)."),
    "classification/educational level": _l("Classificeer het onderwijsniveau met een OBK-begrip "
                                           "(classification, purpose educational level)."),
    "educational/typicalagerange": _l("Vul de leeftijd van de leerlingen in, bijvoorbeeld 8-12 "
                                      "(educational/typicalagerange)."),
    "rights/description": _l("Beschrijf de rechten bij copyright 'yes' (rights/description)."),
    "general/description": _l("Beschrijf het materiaal (general/description)."),
    "general/keyword": _l("Geef trefwoorden (general/keyword)."),
    "lifecycle/contribute": _l("Noem de auteur met een vCard (lifecycle/contribute)."),
    "lifecycle/contribute/date": _l("Geef de datum van de bijdrage (lifecycle/contribute/date)."),
    "technical/format": _l("Geef het bestandsformaat, bijvoorbeeld text/html (technical/format)."),
    "educational/learningresourcetype": _l("Zeg wat voor materiaal het is (educational/learningresourcetype)."),
    "educational/typicallearningtime": _l("Geef de leertijd (educational/typicallearningtime)."),
    "relation": _l("Leg relaties naar onderdelen of bronnen vast (relation)."),
}


RUN_STATUS: Mapping[str, LazyString] = {
    "running": _l("bezig"), "succeeded": _l("gelukt"), "failed": _l("mislukt"), "interrupted": _l("afgebroken"),
}


def fix_at_source(path: str) -> str:
    return str(FIX_AT_SOURCE.get(path, path))


def run_status(value: str) -> str:
    return str(RUN_STATUS.get(value, value))


def _managed(slug: str) -> OrganisationView:
    with read_session() as db:
        organisation = find_organisation(db, slug)
    if organisation is None:
        abort(404)
    actor = current_actor()
    if actor is None or not can_manage_members(actor, organisation.id):
        abort(403)
    return organisation


@dataclass(frozen=True, slots=True)
class _Owned:
    id: int
    name: str


def _owned_source(organisation: OrganisationView, name: str) -> _Owned:
    with read_session() as db:
        source_id = db.scalars(select(Source.id).join(SourceOwner, SourceOwner.source_id == Source.id).where(
            SourceOwner.organisation_id == organisation.id, Source.name == name)).first()
    if source_id is None:
        abort(404)
    return _Owned(source_id, name)


def _published_completeness(organisation_id: int) -> list[dict[str, Any]]:
    """The organisation's published materials with the recommended fields they leave out."""
    with read_session() as db:
        summaries = organisation_publications(db, organisation_id)
        records = {r.id: r.record for r in db.scalars(select(Resource).where(
            Resource.id.in_([s.id for s in summaries])))}
    rows = []
    for summary in summaries:
        record = Record.from_dict(records.get(summary.id, {}))
        rows.append({"id": summary.id, "title": summary.title, "score": record.completeness.score,
                     "missing": [p for p in record.completeness.missing_recommended if p in FIX_AT_SOURCE]})
    return sorted(rows, key=lambda row: row["score"])


@signed_in
def overview(slug: str) -> AnyResponse:
    organisation = _managed(slug)
    with read_session() as db:
        sources = own_sources.own_sources(db, organisation.id)
    return render_template("harvesting/own_sources.html", organisation=organisation, sources=sources,
                           published=_published_completeness(organisation.id), error=None,
                           values={"url": "", "prefix": "lom", "set": ""})


@signed_in
def register(slug: str) -> AnyResponse:
    organisation = _managed(slug)
    settings: Settings = current_app.config["OER_SETTINGS"]
    values = {"url": request.form.get("url", "").strip(), "prefix": request.form.get("prefix", "lom").strip() or "lom",
              "set": request.form.get("set", "").strip()}
    try:
        with app_runtime().sessions.begin() as db:
            source = own_sources.register_own_source(
                db, signed_in_actor(), organisation.id, values["url"], values["prefix"], values["set"] or None,
                allow_private=settings.allow_private_sources,
                probe=lambda url, prefix: probe_repository(url, prefix, default_client_settings(settings)))
            source_id, name = source.id, source.name
    except PermissionDenied:
        abort(403)
    except (InvalidSourceError, DuplicateSourceError) as refused:
        with read_session() as db:
            sources = own_sources.own_sources(db, organisation.id)
        page = Response(render_template(
            "harvesting/own_sources.html", organisation=organisation, sources=sources,
            published=_published_completeness(organisation.id), values=values,
            error=_("Deze bron kunnen we niet toevoegen: %(reason)s", reason=str(refused))))
        page.status_code = 400
        return page
    # The first harvest now (in this process on the embedded defaults, on a worker when scaled).
    app_runtime().enqueue(HARVEST_SOURCE_TASK, source_id)
    flash(_("De bron %(name)s is toegevoegd en wordt elke nacht geoogst.", name=name))
    return redirect(url_for("own_sources.source", slug=slug, name=name))


@signed_in
def source(slug: str, name: str) -> AnyResponse:
    organisation = _managed(slug)
    owned = _owned_source(organisation, name)
    with read_session() as db:
        summary = next(s for s in own_sources.own_sources(db, organisation.id) if s.id == owned.id)
        errors = {run.id: run_errors(db, run.id, limit=50) for run in summary.runs[:3] if run.errors}
        report = own_sources.completeness_report(db, owned.id)
    return render_template("harvesting/own_source.html", organisation=organisation, source=summary,
                           errors=errors, report=report, fix_at_source=fix_at_source)


@signed_in
def harvest_now(slug: str, name: str) -> AnyResponse:
    organisation = _managed(slug)
    owned = _owned_source(organisation, name)
    app_runtime().enqueue(HARVEST_SOURCE_TASK, owned.id)
    flash(_("De bron wordt nu geoogst."))
    return redirect(url_for("own_sources.source", slug=slug, name=name))


@signed_in
def report_csv(slug: str, name: str) -> AnyResponse:
    organisation = _managed(slug)
    owned = _owned_source(organisation, name)
    with read_session() as db:
        report = own_sources.completeness_report(db, owned.id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["oai_identifier", "title", "completeness", "missing_required", "missing_recommended", "fix"])
    for row in report:
        writer.writerow([row.oai_identifier, row.title or "", f"{row.score:.3f}", "; ".join(row.missing_required),
                         "; ".join(row.missing_recommended),
                         " ".join(fix_at_source(path) for path in (*row.missing_required, *row.missing_recommended))])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="volledigheid-{owned.name}.csv"'})


blueprint.add_url_rule("", "overview", overview)
blueprint.add_url_rule("", "register", register, methods=["POST"])
blueprint.add_url_rule("/<name>", "source", source)
blueprint.add_url_rule("/<name>/oogsten", "harvest_now", harvest_now, methods=["POST"])
blueprint.add_url_rule("/<name>/volledigheid.csv", "report_csv", report_csv)
