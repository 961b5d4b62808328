"""The insight pages: `/inzicht` (coverage and gaps) and `/inzicht/vergelijk?van=DATE` (now against a snapshot). I/O: HTTP.

Thin views over `oer.insights`: the figures are computed from the search
index's facet counts and SQL group-bys, and kept for `CACHE_SECONDS` per
process so the page costs the same at 100k materials as at 100. Every chart
has its table beside it and its CSV and JSON downloads (`web.insights.api`).
The operators' figures (harvest health, per organisation) are shown to whoever
is signed in with a platform role, and to no one else; so are the public
figures of one organisation's materials (`/inzicht?organisatie=<id or slug>`),
kept per organisation like the public ones, for at most `ORGANISATION_CACHE_SIZE`
organisations at a time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import Blueprint, Flask, Response, abort, current_app, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup

from oer.insights.access import can_see_operator_figures
from oer.insights.compare import compare_figures
from oer.insights.figures import OPERATOR_FIGURES, PUBLIC_FIGURES, Cell, Figure, FigureName
from oer.insights.queries import (
    GAP_THRESHOLD,
    SECTORS,
    OrganisationRef,
    find_organisation,
    find_snapshot,
    list_organisations,
    operator_figures,
    organisation_scope,
    public_figures,
    snapshot_dates,
)
from oer.runtime import WARM_UPS
from oer.store.types import utcnow
from web.accounts.session import current_actor
from web.demand.api import demand_gaps
from web.i18n import current_language
from web.insights.charts import bar_chart, chart_stylesheet, line_chart
from web.labels import value_label
from web.runtime import read_session, search_backend

log = logging.getLogger(__name__)

blueprint = Blueprint("insights", __name__, url_prefix="/inzicht")

EXTENSION = "oer_insights"
# How long computed figures are served before they are computed again.
CACHE_SECONDS = 300
# After a failed background computation, the figures kept are served this long before a retry.
RETRY_SECONDS = 60
# How many organisations' figures are kept at once (the least recently asked for goes first).
ORGANISATION_CACHE_SIZE = 32

HEADINGS: Mapping[FigureName, LazyString] = {
    FigureName.SECTOR_SUBJECT: _l("Materialen per sector en vak"),
    FigureName.KERNDOELEN: _l("Kerndoelen: open materialen en tekorten"),
    FigureName.LICENCES: _l("Mag ik het aanpassen? Licenties"),
    FigureName.COMPLETENESS: _l("Volledigheid van de metadata per bron"),
    FigureName.QUALITY: _l("Kwaliteitsinformatie per criterium"),
    FigureName.TRENDS: _l("Ontwikkeling per maand"),
    FigureName.HARVEST_HEALTH: _l("Oogstgezondheid per bron"),
    FigureName.ORGANISATIONS: _l("Cijfers per organisatie"),
}
COLUMNS: Mapping[str, LazyString] = {
    "sector": _l("Sector"), "subject": _l("Vak"), "materials": _l("Materialen"),
    "kerndoel": _l("Kerndoel-id"), "code": _l("Code"), "label": _l("Kerndoel"),
    "open_materials": _l("Open materialen"), "gap": _l("Tekort"), "licence_family": _l("Gebruiksrechten"),
    "share": _l("Aandeel"), "source": _l("Bron"), "records": _l("Records"), "completeness": _l("Volledigheid"),
    "criterion": _l("Criterium"), "month": _l("Maand"), "origin": _l("Herkomst"), "added": _l("Toegevoegd"),
    "changed": _l("Gewijzigd"), "withdrawn": _l("Ingetrokken"), "runs": _l("Oogsten"),
    "succeeded": _l("Geslaagd"), "failed": _l("Mislukt"), "interrupted": _l("Afgebroken"),
    "created": _l("Nieuw"), "updated": _l("Bijgewerkt"), "deleted": _l("Verwijderd"),
    "failed_records": _l("Mislukte records"), "organisation": _l("Organisatie"), "name": _l("Naam"),
    "sources": _l("Bronnen"), "harvested_records": _l("Geoogste records"), "published": _l("Gepubliceerd"),
    "kerndoelen": _l("Kerndoelen"), "covered": _l("Met open materiaal"), "gaps": _l("Tekorten"),
    "total": _l("Totaal"),
}
SECTOR_NAMES: Mapping[str, LazyString] = {
    "VSO": _l("Voortgezet speciaal onderwijs (VSO)"), "pro": _l("Praktijkonderwijs (pro)"),
}
ORIGINS: Mapping[str, LazyString] = {
    "harvested": _l("geoogst"), "published": _l("hier gepubliceerd"), "arranged": _l("arrangement"),
}
UNKNOWN_LICENCE = _l("onbekend")


def column_label(column: str) -> str:
    for suffix, word in (("_then", _l("toen")), ("_now", _l("nu")), ("_change", _l("verschil"))):
        if column.endswith(suffix):
            return f"{column_label(column.removesuffix(suffix))} ({word})"
    return str(COLUMNS.get(column, column))


def sector_name(code: str) -> str:
    special = SECTOR_NAMES.get(code)
    return str(special) if special is not None else str(value_label("contexts", code))


def cell_text(column: str, value: Cell) -> str:
    """How a table shows a cell: names for codes, percentages for shares, yes/no."""
    if value is None:
        return "" if column != "subject" else _("Alle vakken")
    if isinstance(value, bool):
        return str(_("ja") if value else _("nee"))
    if column in ("share", "completeness") or column.startswith(("share_", "completeness_")):
        return f"{float(value):.0%}" if isinstance(value, int | float) else str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(value)
    if column == "sector":
        return sector_name(text)
    if column == "subject":
        return value_label("disciplines", text)
    if column == "licence_family":
        return str(UNKNOWN_LICENCE) if text == "unknown" else value_label("licence_family", text)
    if column == "criterion":
        return value_label("quality", text)
    if column == "origin":
        return str(ORIGINS.get(text, text))
    return text


@dataclass(frozen=True, slots=True)
class Table:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]


def table_of(figure: Figure, caption: str, columns: Sequence[str] | None = None,
             where: Callable[[Mapping[str, Cell]], bool] | None = None) -> Table:
    shown = tuple(columns or figure.columns)
    records = [record for record in figure.records() if where is None or where(record)]
    numeric = tuple(all(isinstance(r[c], int | float) and not isinstance(r[c], bool)
                        for r in records if r[c] is not None) and bool(records) for c in shown)
    return Table(caption, tuple(column_label(c) for c in shown),
                 tuple(tuple(cell_text(c, r[c]) for c in shown) for r in records), numeric)


@dataclass(frozen=True, slots=True)
class Panel:
    """One figure on the page: heading, explanation, chart, the chart's table, more tables, downloads."""

    name: FigureName
    heading: str
    intro: str
    chart: Markup | None
    table: Table
    more: tuple[Table, ...] = ()
    gaps: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass
class FigureCache:
    """The public and operators' figures as last computed, per app (one process), with when."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    figures: dict[FigureName, Figure] = field(default_factory=dict)
    computed_at: datetime | None = None
    expires: float = 0.0
    # Organisation id -> (its figures, when computed, when they expire), least recently used first.
    organisations: OrderedDict[int, tuple[dict[FigureName, Figure], datetime, float]] = field(
        default_factory=OrderedDict)
    # The operators' figures: (the figures, when computed, when they expire), or None before the first.
    operators: tuple[dict[FigureName, Figure], datetime, float] | None = None
    # A background thread is computing the public figures again.
    refreshing: bool = False
    # (figures computed at, language, organisation or None) -> the panels drawn from them.
    panels: dict[tuple[datetime, str, int | None], list[Panel]] = field(default_factory=dict)


def figure_cache(app: Flask) -> FigureCache:
    cache: FigureCache = app.extensions[EXTENSION]
    return cache


def current_public_figures() -> tuple[dict[FigureName, Figure], datetime]:
    """The public figures, computed at most once per `CACHE_SECONDS`.

    Only the first request of a process waits for them. Once they are older than that, the
    figures kept are served while one background thread computes them again (the figures
    change slowly; a page that waits most of a second every five minutes would not).
    """
    cache = figure_cache(current_app)
    with cache.lock:
        if cache.computed_at is None:
            _compute_public_figures(cache)
        elif time.monotonic() >= cache.expires and not cache.refreshing:
            cache.refreshing = True
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            threading.Thread(target=_refresh_public_figures, args=(app, cache), daemon=True,
                             name="insight-figures").start()
        assert cache.computed_at is not None
        return dict(cache.figures), cache.computed_at


def _compute_public_figures(cache: FigureCache) -> None:
    with read_session() as db:
        figures = public_figures(db, search_backend())
    cache.figures, cache.computed_at = figures, utcnow()
    cache.expires = time.monotonic() + CACHE_SECONDS


def _refresh_public_figures(app: Flask, cache: FigureCache) -> None:
    try:
        with app.app_context(), read_session() as db:
            figures = public_figures(db, search_backend())
        with cache.lock:
            cache.figures, cache.computed_at = figures, utcnow()
            cache.expires = time.monotonic() + CACHE_SECONDS
    except Exception:
        # The figures kept stay served; the next request after a minute tries again.
        log.exception("insight figures could not be computed again")
        with cache.lock:
            cache.expires = time.monotonic() + RETRY_SECONDS
    finally:
        with cache.lock:
            cache.refreshing = False


def current_organisation_figures(organisation_id: int) -> tuple[dict[FigureName, Figure], datetime]:
    """The public figures of one organisation's materials, computed at most once per `CACHE_SECONDS`."""
    cache = figure_cache(current_app)
    with cache.lock:
        kept = cache.organisations.get(organisation_id)
        if kept is None or time.monotonic() >= kept[2]:
            with read_session() as db:
                figures = public_figures(db, search_backend(), organisation_scope(db, organisation_id))
            kept = (figures, utcnow(), time.monotonic() + CACHE_SECONDS)
            cache.organisations[organisation_id] = kept
        cache.organisations.move_to_end(organisation_id)
        while len(cache.organisations) > ORGANISATION_CACHE_SIZE:
            cache.organisations.popitem(last=False)
        return dict(kept[0]), kept[1]


def drawn_panels(figures: Mapping[FigureName, Figure], computed_at: datetime,
                 organisation_id: int | None) -> list[Panel]:
    """The public figures' panels, charts drawn, kept with the figures they were drawn from.

    Drawing the SVG charts costs more than the cached figures: a page would otherwise pay it on
    every request. Kept per language (the charts hold labels) and per figures computed.
    """
    cache = figure_cache(current_app)
    key = (computed_at, current_language(), organisation_id)
    with cache.lock:
        panels = cache.panels.get(key)
    if panels is None:
        panels = [panel_of(figures[name]) for name in PUBLIC_FIGURES]
        with cache.lock:
            # Figures computed again replace the drawings of the old ones.
            # and an organisation's figures no longer kept take their drawings along.
            for old in [k for k in cache.panels if (k[2] == organisation_id and k[0] != computed_at)
                        or (k[2] is not None and k[2] not in cache.organisations)]:
                del cache.panels[old]
            cache.panels[key] = panels
    return panels


def lookup_organisation(key: str) -> OrganisationRef | None:
    with read_session() as db:
        return find_organisation(db, key.strip())


def current_operator_figures_at() -> tuple[dict[FigureName, Figure], datetime]:
    """The operators' figures, computed at most once per `CACHE_SECONDS`, with when."""
    cache = figure_cache(current_app)
    with cache.lock:
        kept = cache.operators
        if kept is None or time.monotonic() >= kept[2]:
            with read_session() as db:
                figures = operator_figures(db)
            kept = cache.operators = (figures, utcnow(), time.monotonic() + CACHE_SECONDS)
        return dict(kept[0]), kept[1]


def current_operator_figures() -> dict[FigureName, Figure]:
    return current_operator_figures_at()[0]


def operator_allowed() -> bool:
    return can_see_operator_figures(current_actor())


def _sector_totals(figure: Figure) -> list[tuple[str, int]]:
    return [(str(r["sector"]), int(r["materials"] or 0)) for r in figure.records() if r["subject"] is None]


def _kerndoel_summary(figure: Figure) -> Figure:
    by_sector: dict[str, list[int]] = {}
    for record in figure.records():
        totals = by_sector.setdefault(str(record["sector"]), [0, 0, 0])
        totals[0] += 1
        totals[1 if not record["gap"] else 2] += 1
    return Figure(FigureName.KERNDOELEN, ("sector", "kerndoelen", "covered", "gaps"),
                  tuple((sector, *values) for sector, values in by_sector.items()))


def _months(figure: Figure) -> tuple[list[str], dict[str, list[int]]]:
    months = sorted({str(r["month"]) for r in figure.records()})
    sums = {column: [0] * len(months) for column in ("added", "changed", "withdrawn")}
    for record in figure.records():
        index = months.index(str(record["month"]))
        for column in sums:
            sums[column][index] += int(record[column] or 0)
    return months, sums


def panel_of(figure: Figure) -> Panel:
    """The chart, its table and any further table of one figure."""
    name = figure.name
    heading = str(HEADINGS[name])
    if name is FigureName.SECTOR_SUBJECT:
        totals = _sector_totals(figure)
        labels = [sector_name(s) for s, _count in totals]
        chart = bar_chart(heading, _("Aantal materialen per sector, SO, VSO en pro naast PO en VO."), labels,
                          [(_("Materialen"), [c for _s, c in totals])])
        return Panel(name, heading, _("Hoeveel materialen er per sector zijn, en per vak binnen elke sector."),
                     chart, table_of(figure, _("Materialen per sector"), ("sector", "materials"),
                                     lambda r: r["subject"] is None),
                     (table_of(figure, _("Materialen per sector en vak"), where=lambda r: r["subject"] is not None),))
    if name is FigureName.KERNDOELEN:
        summary = _kerndoel_summary(figure)
        rows = summary.records()
        chart = bar_chart(heading, _("Per sector: kerndoelen met en zonder genoeg open materiaal."),
                          [sector_name(str(r["sector"])) for r in rows],
                          [(_("Met open materiaal"), [int(r["covered"] or 0) for r in rows]),
                           (_("Tekorten"), [int(r["gaps"] or 0) for r in rows])], stacked=True)
        gaps = tuple(
            (sector_name(str(r["sector"])),
             tuple(f"{k['code']}: {k['label']} ({k['open_materials']})" for k in figure.records()
                   if k["sector"] == r["sector"] and k["gap"]))
            for r in rows)
        return Panel(name, heading,
                     _("Per kerndoel het aantal open materialen (vrij aan te passen) dat het noemt. Een kerndoel "
                       "met minder dan %(threshold)d is een tekort.", threshold=GAP_THRESHOLD),
                     chart, table_of(summary, _("Kerndoelen per sector")),
                     (table_of(figure, _("Open materialen per kerndoel"),
                               ("sector", "code", "label", "open_materials", "gap")),), gaps)
    if name is FigureName.LICENCES:
        records = figure.records()
        chart = bar_chart(heading, _("Aandeel materialen per soort gebruiksrechten."),
                          [cell_text("licence_family", r["licence_family"]) for r in records],
                          [(_("Aandeel"), [float(r["share"] or 0) for r in records])], percent=True)
        return Panel(name, heading, _("Open materialen mogen worden aangepast en gedeeld; een licentie kan "
                                      "zowel niet-commercieel als geen-afgeleide-werken zijn."),
                     chart, table_of(figure, _("Materialen per soort gebruiksrechten")))
    if name is FigureName.COMPLETENESS:
        records = figure.records()
        chart = bar_chart(heading, _("Gemiddelde volledigheid van de metadata per bron."),
                          [str(r["source"]) for r in records],
                          [(_("Volledigheid"), [float(r["completeness"] or 0) for r in records])], percent=True)
        return Panel(name, heading, _("Hoe volledig de records van elke bron zijn, gemiddeld over hun records."),
                     chart, table_of(figure, _("Volledigheid per bron")))
    if name is FigureName.QUALITY:
        records = figure.records()
        chart = bar_chart(heading, _("Aandeel materialen met kwaliteitsinformatie per criterium."),
                          [cell_text("criterion", r["criterion"]) for r in records],
                          [(_("Aandeel"), [float(r["share"] or 0) for r in records])], percent=True)
        return Panel(name, heading, _("Welk deel van de materialen getoonde kwaliteitsinformatie heeft, "
                                      "per criterium van het kwaliteitskader."),
                     chart, table_of(figure, _("Materialen met kwaliteitsinformatie per criterium")))
    if name is FigureName.TRENDS:
        months, sums = _months(figure)
        chart = line_chart(heading, _("Per maand: toegevoegde, gewijzigde en ingetrokken materialen."), months,
                           [(str(COLUMNS[c]), values) for c, values in sums.items()])
        return Panel(name, heading, _("Per maand en herkomst (geoogst, hier gepubliceerd, arrangement): wat "
                                      "erbij kwam, wat voor het laatst wijzigde en wat werd ingetrokken."),
                     chart, table_of(figure, _("Materialen per maand en herkomst")))
    if name is FigureName.HARVEST_HEALTH:
        sources = sorted({str(r["source"]) for r in figure.records()})
        succeeded = [sum(int(r["succeeded"] or 0) for r in figure.records() if r["source"] == s) for s in sources]
        failed = [sum(int(r["failed"] or 0) + int(r["interrupted"] or 0) for r in figure.records()
                      if r["source"] == s) for s in sources]
        chart = bar_chart(heading, _("Geslaagde en mislukte oogsten per bron."), sources,
                          [(_("Geslaagd"), succeeded), (_("Mislukt"), failed)], stacked=True)
        return Panel(name, heading, _("Per bron en maand: oogsten, hun uitkomst en wat ze veranderden."),
                     chart, table_of(figure, _("Oogsten per bron en maand")))
    records = figure.records()
    chart = bar_chart(heading, _("Geoogste en gepubliceerde materialen per organisatie."),
                      [str(r["name"]) for r in records],
                      [(_("Geoogste records"), [int(r["harvested_records"] or 0) for r in records]),
                       (_("Gepubliceerd"), [int(r["published"] or 0) for r in records])])
    return Panel(name, heading, _("Per organisatie: eigen bronnen, hun records en volledigheid, en wat zij "
                                  "hier publiceerde."), chart, table_of(figure, _("Cijfers per organisatie")))


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@blueprint.get("")
def overview() -> str | Response:
    operator = operator_allowed()
    wanted = request.args.get("organisatie", "").strip()
    organisation: OrganisationRef | None = None
    if wanted:
        # One organisation's figures are operators' figures: refused as those are.
        if not operator:
            abort(401 if current_actor() is None else 403)
        organisation = lookup_organisation(wanted)
        if organisation is None:
            return make_response(render_template("insights/unknown_organisation.html", wanted=wanted), 404)
        figures, computed_at = current_organisation_figures(organisation.id)
    else:
        figures, computed_at = current_public_figures()
    panels = drawn_panels(figures, computed_at, organisation.id if organisation else None)
    operator_panels = ([panel_of(f) for f in current_operator_figures().values()]
                       if operator and organisation is None else [])
    with read_session() as db:
        dates = snapshot_dates(db)
        organisations = list_organisations(db) if operator else ()
    # What teachers searched for and did not find, beside the kerndoelen without material.
    asked = [(gap, _codes_label("contexts", gap.sector), _codes_label("disciplines", gap.subject))
             for gap in demand_gaps(ASKED_GAPS)]
    return render_template("insights/index.html", panels=panels, operator_panels=operator_panels,
                           computed_at=computed_at, snapshot_dates=dates, sectors=SECTORS,
                           organisation=organisation, organisations=organisations,
                           asked=asked, asked_threshold=current_app.config["OER_SETTINGS"].demand_threshold)


# The most asked-for gaps /inzicht lists (all of them: /api/v1/insights/demand).
ASKED_GAPS = 20


def _codes_label(field_name: str, codes: str | None) -> str:
    """The names of a demand signal's comma-joined filter values, or a dash for none."""
    values = [code for code in (codes or "").split(",") if code]
    return ", ".join(value_label(field_name, code) for code in values) or "–"  # noqa: RUF001 - a dash for none


@blueprint.get("/vergelijk")
def compare() -> str:
    with read_session() as db:
        dates = snapshot_dates(db)
        wanted = _parse_date(request.args.get("van"))
        snapshot = find_snapshot(db, wanted) if wanted else None
    if request.args.get("van") and wanted is None:
        abort(400)
    panels: list[tuple[str, Table]] = []
    if snapshot is not None:
        now, _computed = current_public_figures()
        names: Sequence[FigureName] = PUBLIC_FIGURES
        if operator_allowed():
            now.update(current_operator_figures())
            names = (*PUBLIC_FIGURES, *OPERATOR_FIGURES)
        compared = compare_figures({n: now[n] for n in names}, snapshot.figures)
        panels = [(str(HEADINGS[n]), table_of(compared[n], str(HEADINGS[n]))) for n in names]
    return render_template("insights/compare.html", snapshot=snapshot, wanted=wanted, panels=panels,
                           snapshot_dates=dates)


@blueprint.get("/grafieken.css")
def stylesheet() -> Response:
    response = Response(chart_stylesheet(), mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


def warm_up(app: Flask) -> None:
    """Compute the public figures and draw their Dutch charts before the first visitor asks.

    Run by each server worker as it starts (`oer serve`); a failure only leaves the first
    request to compute them, as it would have.
    """
    try:
        with app.test_request_context("/inzicht"):
            figures, computed_at = current_public_figures()
            drawn_panels(figures, computed_at, None)
    except Exception:
        log.exception("insight figures not prepared ahead of the first request")


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = FigureCache()
    app.extensions.setdefault(WARM_UPS, []).append(warm_up)
    app.register_blueprint(blueprint)
