"""/inzicht in Chromium: charts beside their tables, a CSV downloaded, no console errors, axe-core."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from tests.fixtures.browser import Screenshot
from tests.support.axe import describe, run_axe

pytestmark = pytest.mark.browser


def test_open_insight_and_download_a_csv(page: Page, site_url: str, screenshot: Screenshot) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(site_url + "/")
    page.get_by_role("link", name="Inzicht", exact=True).click()
    expect(page).to_have_url(site_url + "/inzicht")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inzicht: dekking en tekorten")
    section = page.locator("section#licences")
    chart = section.get_by_role("img", name="Mag ik het aanpassen? Licenties")
    expect(chart).to_be_visible()
    table = section.get_by_role("table", name="Materialen per soort gebruiksrechten")
    expect(table).to_be_visible()
    # Beside it on a wide screen: the table starts to the right of the chart, on the same row.
    chart_box, table_box = chart.bounding_box(), table.bounding_box()
    assert chart_box is not None and table_box is not None
    assert table_box["x"] > chart_box["x"] + chart_box["width"] - 1
    screenshot(page, "insight")

    with page.expect_download() as info:
        section.get_by_role("link", name="CSV").click()
    download = info.value
    assert download.suggested_filename == "licences.csv"
    path = download.path()
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0] == ["licence_family", "materials", "share"]
    assert [row[0] for row in rows[1:]] == ["open", "non-commercial", "no-derivatives", "all-rights-reserved",
                                           "unknown"]
    # Served inline, no script and no style blocked by the CSP.
    assert not errors, errors


def test_axe_finds_no_serious_violations_on_insight(
        page: Page, site_url: str, axe_source: str, screenshot: Screenshot) -> None:
    for path in ("/inzicht", "/inzicht/vergelijk"):
        page.goto(site_url + path)
        violations = run_axe(page, axe_source)
        screenshot(page, path.strip("/").replace("/", "-"))
        assert not violations, describe(violations)
