"""/inzicht and its downloads on the populated app: charts with tables, CSV and JSON, who sees what, snapshots."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from oer.accounts import service as accounts
from oer.accounts.actor import SYSTEM
from oer.accounts.models import Organisation, User
from oer.insights.figures import OPERATOR_FIGURES, PUBLIC_FIGURES, FigureName
from oer.insights.models import InsightSnapshot
from oer.insights.service import take_snapshot
from tests.functional.site.test_pages import parse
from tests.support.account_site import sign_in
from tests.support.insights import PASSWORD
from tests.support.openapi import OpenApiContract
from web.runtime import app_runtime


def _svgs(html: str) -> list[str]:
    return re.findall(r'<svg[^>]*class="pygal-chart".*?</svg>', html, re.S)


def test_every_public_figure_has_a_chart_its_table_and_downloads(client: FlaskClient) -> None:
    response = client.get("/inzicht")
    assert response.status_code == 200
    html = response.text
    page = parse(html)
    assert re.findall(r'<h2 id="heading-[a-z-]+">([^<]+)</h2>', html)[:len(PUBLIC_FIGURES)] == [
        "Materialen per sector en vak", "Kerndoelen: open materialen en tekorten", "Mag ik het aanpassen? Licenties",
        "Volledigheid van de metadata per bron", "Kwaliteitsinformatie per criterium", "Ontwikkeling per maand"]
    charts = _svgs(html)
    assert len(charts) == len(PUBLIC_FIGURES)
    for chart in charts:
        # An image with a name and a description; nothing the CSP would block.
        assert 'role="img"' in chart and "aria-labelledby=" in chart
        assert "<title id=" in chart and "<desc id=" in chart
        assert "<script" not in chart and "<style" not in chart and " style=" not in chart
    # Each figure's section, up to the next one.
    sections = dict(re.findall(r'<section class="insight-panel" id="([a-z-]+)"(.*?)(?=<section class="insight-panel"|$)',
                               html, re.S))
    for name in PUBLIC_FIGURES:
        section = sections[name.value]
        assert "<table" in section and "<caption>" in section
        assert f'href="/api/v1/insights/{name.value}.csv"' in section
        assert f'href="/api/v1/insights/{name.value}.json"' in section
    # Special and practical education as prominent as PO and VO: rows in the sector table, gap lists per sector.
    for sector in ("Speciaal onderwijs", "Voortgezet speciaal onderwijs (VSO)", "Praktijkonderwijs (pro)"):
        assert sector in page.plain
    gap_sectors = re.findall(r'<section class="insight-gap-sector" aria-label="([^"]+)">', html)
    assert len(gap_sectors) == 4
    # The charts' stylesheet is the site's own, and the page's CSP has no inline styles or scripts.
    assert client.get("/inzicht/grafieken.css").status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "cdn" not in html.lower()
    # Operators' figures are not on the public page.
    assert "Oogstgezondheid per bron" not in html


def test_downloads_as_csv_and_json_match_the_openapi_document(client: FlaskClient) -> None:
    contract = OpenApiContract(client.get("/api/v1/openapi.json").get_json())
    index = contract.check(client.get("/api/v1/insights"), "/insights")
    assert [f["name"] for f in index["figures"]] == [n.value for n in (*PUBLIC_FIGURES, *OPERATOR_FIGURES)]
    for name in PUBLIC_FIGURES:
        body = contract.check(client.get(f"/api/v1/insights/{name.value}"), "/insights/{name}")
        # The populated app has no quality annotations yet: that figure is an empty table.
        assert body["name"] == name.value and (bool(body["rows"]) or name is FigureName.QUALITY)
        download = client.get(f"/api/v1/insights/{name.value}.csv")
        assert download.status_code == 200 and download.mimetype == "text/csv"
        assert download.headers["Content-Disposition"] == f'attachment; filename="{name.value}.csv"'
        rows = list(csv.reader(io.StringIO(download.text)))
        assert rows[0] == body["columns"] and len(rows) == len(body["rows"]) + 1
        saved = client.get(f"/api/v1/insights/{name.value}.json")
        assert saved.headers["Content-Disposition"] == f'attachment; filename="{name.value}.json"'
        assert saved.get_json()["rows"] == body["rows"]
    sectors = client.get("/api/v1/insights/sector-subject").get_json()["rows"]
    assert {row["sector"] for row in sectors} >= {"PO", "VO", "SO", "VSO", "pro"}
    contract.check(client.get("/api/v1/insights/nope"), "/insights/{name}")
    contract.check(client.get("/api/v1/insights/licences?van=gisteren"), "/insights/{name}")


def test_operator_figures_are_refused_to_visitors_and_ordinary_users(
        app: Flask, insight_users: tuple[str, str]) -> None:
    _operator, teacher = insight_users
    visitor = app.test_client()
    assert visitor.get("/api/v1/insights/harvest-health").status_code == 401
    assert visitor.get("/api/v1/insights/organisations.csv").status_code == 401
    assert "Oogstgezondheid per bron" not in visitor.get("/inzicht").text

    ordinary = app.test_client()
    assert sign_in(ordinary, teacher, PASSWORD).status_code in (302, 303)
    for name in OPERATOR_FIGURES:
        assert ordinary.get(f"/api/v1/insights/{name.value}").status_code == 403
        assert ordinary.get(f"/api/v1/insights/{name.value}.csv").status_code == 403
    assert "Oogstgezondheid per bron" not in ordinary.get("/inzicht").text


def test_operator_figures_are_shown_to_a_platform_role(app: Flask, insight_users: tuple[str, str]) -> None:
    operator, _teacher = insight_users
    client = app.test_client()
    assert sign_in(client, operator, PASSWORD).status_code in (302, 303)
    html = client.get("/inzicht").text
    assert "Oogstgezondheid per bron" in html and "Cijfers per organisatie" in html
    assert len(_svgs(html)) == len(PUBLIC_FIGURES) + len(OPERATOR_FIGURES)
    contract = OpenApiContract(client.get("/api/v1/openapi.json").get_json())
    health = contract.check(client.get("/api/v1/insights/harvest-health"), "/insights/{name}")
    assert health["columns"][:3] == ["source", "month", "runs"]
    csv_rows = list(csv.reader(io.StringIO(client.get("/api/v1/insights/organisations.csv").text)))
    assert csv_rows[0] == ["organisation", "name", "sources", "harvested_records", "completeness", "published"]


def test_now_against_a_snapshot(app: Flask, client: FlaskClient) -> None:
    runtime = app_runtime(app)
    assert "Er zijn nog geen metingen" in client.get("/inzicht/vergelijk").text
    with runtime.sessions.begin() as db:
        take_snapshot(db, runtime.search_backend(), date(2001, 9, 1))
    try:
        page = client.get("/inzicht")
        assert '<option value="2001-09-01">' in page.text
        compared = client.get("/inzicht/vergelijk?van=2001-12-31")
        assert compared.status_code == 200
        assert "De cijfers van nu naast die van de meting van 2001-09-01." in compared.text
        assert "Materialen (toen)" in compared.text and "Materialen (verschil)" in compared.text
        assert "Oogstgezondheid per bron" not in compared.text
        body = client.get("/api/v1/insights/licences?van=2001-09-01").get_json()
        assert body["columns"][:4] == ["licence_family", "materials_then", "materials_now", "materials_change"]
        # Nothing changed since the snapshot: every change is zero.
        assert {row["materials_change"] for row in body["rows"]} == {0}
        assert "Er is geen meting van 2000-01-01 of eerder." in client.get("/inzicht/vergelijk?van=2000-01-01").text
        assert client.get("/inzicht/vergelijk?van=morgen").status_code == 400
        assert client.get("/api/v1/insights/licences?van=2000-01-01").status_code == 404
    finally:
        with runtime.sessions.begin() as db:
            db.execute(delete(InsightSnapshot))


def test_the_footer_links_to_insight_and_the_page_speaks_english_too(app: Flask) -> None:
    client = app.test_client()
    assert 'href="/inzicht"' in client.get("/").text
    client.set_cookie("lang", "en")
    html = client.get("/inzicht").text
    assert "Insight: coverage and gaps" in html and "May I adapt it? Licences" in html
    assert "Secondary special education (VSO)" in html and "Gaps per sector" in html
    assert client.get(f"/api/v1/insights/{FigureName.KERNDOELEN.value}").status_code == 200


def test_an_api_token_of_a_platform_role_reads_operator_figures(app: Flask, insight_users: tuple[str, str]) -> None:
    operator, teacher = insight_users
    runtime = app_runtime(app)
    with runtime.sessions.begin() as db:
        ids = dict(db.execute(select(User.email, User.id).where(User.email.in_([operator, teacher]))).all())
        secrets = {email: accounts.create_token(db, SYSTEM, ids[email], "inzicht", ["annotate"]).secret
                   for email in (operator, teacher)}
    client = app.test_client()
    allowed = client.get("/api/v1/insights/harvest-health",
                         headers={"Authorization": f"Bearer {secrets[operator]}"})
    assert allowed.status_code == 200
    refused = client.get("/api/v1/insights/harvest-health", headers={"Authorization": f"Bearer {secrets[teacher]}"})
    assert refused.status_code == 403
    assert client.get("/api/v1/insights/harvest-health", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_one_organisation_s_figures_are_refused_to_visitors_and_ordinary_users(
        app: Flask, insight_users: tuple[str, str], insight_organisation: tuple[str, str]) -> None:
    _operator, teacher = insight_users
    slug, _source = insight_organisation
    visitor = app.test_client()
    assert visitor.get(f"/inzicht?organisatie={slug}").status_code == 401
    contract = OpenApiContract(visitor.get("/api/v1/openapi.json").get_json())
    contract.check(visitor.get(f"/api/v1/insights/licences?organisation={slug}"), "/insights/{name}")
    assert visitor.get(f"/api/v1/insights/licences?organisation={slug}").status_code == 401
    assert visitor.get(f"/api/v1/insights/licences.csv?organisation={slug}").status_code == 401
    assert 'name="organisatie"' not in visitor.get("/inzicht").text

    ordinary = app.test_client()
    assert sign_in(ordinary, teacher, PASSWORD).status_code in (302, 303)
    assert ordinary.get(f"/inzicht?organisatie={slug}").status_code == 403
    refused = contract.check(ordinary.get(f"/api/v1/insights/trends?organisation={slug}"), "/insights/{name}")
    assert "operators" in refused["error"]["detail"]
    assert ordinary.get(f"/api/v1/insights/trends.csv?organisation={slug}").status_code == 403
    # An unknown organisation is no secret worth keeping, but it is still refused first.
    assert ordinary.get("/inzicht?organisatie=nergens").status_code == 403
    assert 'name="organisatie"' not in ordinary.get("/inzicht").text


def test_a_platform_role_sees_one_organisation_s_figures_with_downloads(
        app: Flask, client: FlaskClient, insight_users: tuple[str, str],
        insight_organisation: tuple[str, str]) -> None:
    operator, _teacher = insight_users
    slug, source = insight_organisation
    signed_in = app.test_client()
    assert sign_in(signed_in, operator, PASSWORD).status_code in (302, 303)
    # The choice is a plain GET form on /inzicht.
    overview = signed_in.get("/inzicht").text
    assert '<form class="insight-organisation-form" method="get" action="/inzicht">' in overview
    assert f'<option value="{slug}">Inzicht Bron</option>' in overview

    page = signed_in.get(f"/inzicht?organisatie={slug}")
    assert page.status_code == 200
    html = page.text
    assert "Cijfers over de materialen van Inzicht Bron" in html
    assert f'<option value="{slug}" selected>' in html
    assert len(_svgs(html)) == len(PUBLIC_FIGURES)
    assert "Oogstgezondheid per bron" not in html and 'id="gevraagd"' not in html
    for name in PUBLIC_FIGURES:
        assert f'href="/api/v1/insights/{name.value}.csv?organisation={slug}"' in html
        assert f'href="/api/v1/insights/{name.value}.json?organisation={slug}"' in html

    contract = OpenApiContract(signed_in.get("/api/v1/openapi.json").get_json())
    everything = client.get("/api/v1/insights/completeness").get_json()["rows"]
    for name in PUBLIC_FIGURES:
        body = contract.check(signed_in.get(f"/api/v1/insights/{name.value}?organisation={slug}"),
                              "/insights/{name}")
        assert body["name"] == name.value
        download = signed_in.get(f"/api/v1/insights/{name.value}.csv?organisation={slug}")
        assert download.status_code == 200 and download.mimetype == "text/csv"
        assert len(list(csv.reader(io.StringIO(download.text)))) == len(body["rows"]) + 1
    # Only its own source's completeness; the whole catalogue has more.
    own = signed_in.get(f"/api/v1/insights/completeness?organisation={slug}").get_json()["rows"]
    assert [row["source"] for row in own] == [source] and len(everything) >= 1
    assert own[0] == next(row for row in everything if row["source"] == source)
    # By id as well as by slug.
    with app_runtime(app).sessions() as db:
        organisation_id = db.scalars(select(Organisation.id).where(Organisation.slug == slug)).one()
    assert signed_in.get(f"/api/v1/insights/completeness?organisation={organisation_id}").get_json()["rows"] == own

    unknown = signed_in.get("/inzicht?organisatie=nergens")
    assert unknown.status_code == 404 and "Er is geen organisatie met het nummer of de korte naam" in unknown.text
    missing = contract.check(signed_in.get("/api/v1/insights/licences?organisation=nergens"), "/insights/{name}")
    assert "no organisation" in missing["error"]["detail"]
    contract.check(signed_in.get(f"/api/v1/insights/licences?organisation={slug}&van=2026-01-01"),
                   "/insights/{name}")
    assert signed_in.get(f"/api/v1/insights/harvest-health?organisation={slug}").status_code == 400


def test_charts_are_drawn_once_per_figures_and_language(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from web.insights import views

    drawn: list[str] = []
    panel_of = views.panel_of
    monkeypatch.setattr(views, "panel_of", lambda figure: drawn.append(figure.name.value) or panel_of(figure))
    views.figure_cache(client.application).panels.clear()
    first = client.get("/inzicht").text
    assert len(drawn) == len(PUBLIC_FIGURES)
    assert client.get("/inzicht").text.count("pygal-chart") == first.count("pygal-chart")
    assert len(drawn) == len(PUBLIC_FIGURES)  # the second page reused the drawings
    client.set_cookie("lang", "en")
    client.get("/inzicht")
    assert len(drawn) == 2 * len(PUBLIC_FIGURES)  # English labels: drawn once more


def test_old_figures_are_served_while_they_are_computed_again(client: FlaskClient) -> None:
    import time

    from web.insights import views

    client.get("/inzicht")
    cache = views.figure_cache(client.application)
    kept = cache.computed_at
    assert kept is not None
    cache.expires = time.monotonic() - 1  # the figures have grown old
    response = client.get("/inzicht")
    assert response.status_code == 200 and kept.strftime("%Y-%m-%d %H:%M") in response.text
    deadline = time.monotonic() + 30
    while (cache.refreshing or cache.computed_at == kept) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cache.computed_at is not None and cache.computed_at > kept and not cache.refreshing
    assert cache.expires > time.monotonic()


def test_each_server_worker_prepares_the_figures_before_the_first_request(app: Flask) -> None:
    import time
    from types import SimpleNamespace

    from oer.commands.serve import gunicorn_options, start_warm_ups
    from web.insights import views

    assert gunicorn_options(app.config["OER_SETTINGS"])["post_worker_init"] is start_warm_ups
    cache = views.figure_cache(app)
    cache.computed_at = None
    cache.panels.clear()
    start_warm_ups(SimpleNamespace(wsgi=app))  # what gunicorn calls in a worker once it started
    deadline = time.monotonic() + 30
    while not cache.panels and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cache.computed_at is not None
    assert [key[1:] for key in cache.panels] == [("nl", None)]
