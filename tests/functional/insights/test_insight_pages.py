"""/inzicht and its downloads on the populated app: charts with tables, CSV and JSON, who sees what, snapshots."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from oer.accounts import service as accounts
from oer.accounts.actor import SYSTEM
from oer.accounts.models import User
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
