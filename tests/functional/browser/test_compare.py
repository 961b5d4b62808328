"""Comparing materials in Chromium: picked by keyboard from the search page, side by side, in print, axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.fixtures.browser import Screenshot
from tests.fixtures.webapp import WebInstance
from tests.support.axe import describe, run_axe

pytestmark = pytest.mark.browser

UNCHECKED_BOX = "() => document.activeElement.matches('input[type=checkbox][name=ids]:not(:checked)')"
COMPARE_BUTTON = "() => document.activeElement.matches('#compare-form button')"


def _tab_until(page: Page, predicate: str, limit: int) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate):
            return
    raise AssertionError(f"not reached in {limit} tabs")


def test_compare_three_materials_from_the_search_page_by_keyboard(
        page: Page, site_url: str, screenshot: Screenshot) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(site_url + "/search?q=breuken")
    page.locator("main").focus()
    picked = []
    for _ in range(3):
        _tab_until(page, UNCHECKED_BOX, 40)
        picked.append(page.evaluate("() => document.activeElement.value"))
        page.keyboard.press("Space")
    expect(page.locator("input[name=ids]:checked")).to_have_count(3)
    screenshot(page, "search-picked")
    _tab_until(page, COMPARE_BUTTON, 40)
    page.keyboard.press("Enter")

    # The comparison is its URL: the one shareable form, whatever the form sent.
    expect(page).to_have_url(site_url + "/vergelijk?ids=" + ",".join(picked))
    expect(page.get_by_role("heading", level=1)).to_have_text("Materialen vergelijken")
    table = page.get_by_role("table", name="3 materialen naast elkaar")
    expect(table).to_be_visible()
    headers = table.locator("thead th[scope=col]")
    expect(headers).to_have_count(4)
    expect(headers.nth(1).get_by_role("link").first).to_have_attribute("href", f"/resources/{picked[0]}")
    # Differing rows say so in words, in the row header a screen reader reads with each cell.
    differing = table.locator("tbody tr.differs")
    assert differing.count() >= 1
    for index in range(differing.count()):
        expect(differing.nth(index).get_by_role("rowheader")).to_contain_text("verschilt")
    same = table.locator("tbody tr.same")
    assert same.count() >= 1
    expect(same.first.get_by_role("rowheader")).not_to_contain_text("verschilt")
    # The three materials sit side by side: their columns start left to right on one row.
    boxes = [headers.nth(n).bounding_box() for n in range(1, 4)]
    assert all(box is not None for box in boxes)
    lefts = [box["x"] for box in boxes if box is not None]
    tops = {round(box["y"]) for box in boxes if box is not None}
    assert lefts == sorted(lefts) and len(tops) == 1
    screenshot(page, "compare")

    # Printed: no site header or add-a-material form, the table and its marks stay.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".compare-add")).to_be_hidden()
    expect(table).to_be_visible()
    expect(differing.first.locator(".differs-mark")).to_be_visible()
    screenshot(page, "compare-print")
    page.emulate_media(media="screen")
    assert not errors, errors


def test_from_a_detail_page_add_a_material_and_remove_one(
        page: Page, site_url: str, web_instance: WebInstance) -> None:
    page.goto(site_url + f"/resources/{web_instance.ids['arrangement']}")
    page.get_by_role("link", name="Vergelijk met andere materialen").click()
    expect(page.locator("#compare-message")).to_contain_text("Kies nog minstens één materiaal")
    page.get_by_label("Zoek een materiaal om toe te voegen").fill("nepnieuws")
    page.get_by_label("Zoek een materiaal om toe te voegen").press("Enter")
    page.get_by_role("link", name="Voeg toe").first.click()
    ids = f"{web_instance.ids['arrangement']},{web_instance.ids['unknown_subject']}"
    expect(page).to_have_url(site_url + f"/vergelijk?ids={ids}")
    expect(page.get_by_role("table", name="2 materialen naast elkaar")).to_be_visible()
    page.get_by_role("link", name=re.compile("Weghalen uit de vergelijking: Nepnieuws")).click()
    expect(page).to_have_url(site_url + f"/vergelijk?ids={web_instance.ids['arrangement']}")


AXE_PAGES = {
    "compare": "/vergelijk?ids={arrangement},{hostile},{unknown_subject}",
    "compare-one-with-hits": "/vergelijk?ids={arrangement}&q=breuken",
    "compare-too-many": "/vergelijk?ids={part1},{part2},{part3},{hostile},{arrangement}",
    "compare-unknown": "/vergelijk?ids={part1},does-not-exist",
}


@pytest.mark.parametrize("name", list(AXE_PAGES))
def test_axe_finds_no_serious_violations_on_compare_pages(
        page: Page, site_url: str, web_instance: WebInstance, axe_source: str, screenshot: Screenshot,
        name: str) -> None:
    page.goto(site_url + AXE_PAGES[name].format(**web_instance.ids))
    violations = run_axe(page, axe_source)
    screenshot(page, name)
    assert not violations, describe(violations)
