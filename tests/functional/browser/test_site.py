"""The site in Chromium: search, facets and chips, detail, language, keyboard, phone, axe-core."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.fixtures.browser import TIMEOUT_MS, Screenshot
from tests.fixtures.webapp import WebInstance
from tests.support.axe import describe, run_axe

pytestmark = pytest.mark.browser


def _no_csp_errors(page: Page) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if m.type == "error" else None)
    return messages


def test_search_apply_and_remove_a_facet(page: Page, site_url: str, screenshot: Screenshot) -> None:
    errors = _no_csp_errors(page)
    page.goto(site_url + "/")
    screenshot(page, "home")
    page.get_by_label("Zoek leermaterialen").fill("breuken")
    page.get_by_role("button", name="Zoeken").click()
    expect(page).to_have_url(re.compile(r"/search\?q=breuken$"))
    expect(page.get_by_role("heading", level=2, name=re.compile("10 materialen"))).to_be_visible()
    expect(page.locator(".result-title mark").first).to_have_text(re.compile("breuken", re.I))
    screenshot(page, "search")

    page.get_by_role("group", name="Sector").get_by_role("checkbox", name=re.compile("Primair onderwijs")).check()
    page.get_by_role("group", name="Gebruiksrechten").get_by_role(
        "checkbox", name=re.compile("Vrij te gebruiken")).check()
    page.get_by_role("button", name="Filters toepassen").click()
    expect(page).to_have_url(re.compile(r"contexts=PO.*licence_family=open"))
    chips = page.locator("a.chip")
    expect(chips).to_have_count(2)
    expect(chips.first).to_contain_text("Primair onderwijs")
    expect(page.get_by_role("heading", level=2, name=re.compile("6 materialen"))).to_be_visible()
    screenshot(page, "search-filtered")

    page.locator("a.chip", has_text="Vrij te gebruiken").click()
    expect(page).to_have_url(re.compile(r"/search\?q=breuken&contexts=PO$"))
    expect(page.locator("a.chip")).to_have_count(1)
    expect(page.get_by_role("heading", level=2, name=re.compile("9 materialen"))).to_be_visible()
    assert not errors, errors


def test_detail_page(page: Page, site_url: str, web_instance: WebInstance, screenshot: Screenshot) -> None:
    errors = _no_csp_errors(page)
    page.goto(site_url + "/search?q=lessenserie")
    page.get_by_role("link", name=re.compile("Lessenserie breuken")).click()
    expect(page).to_have_url(site_url + f"/resources/{web_instance.ids['arrangement']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lessenserie breuken voor groep 7 en 8")
    expect(page.locator(".licence-card .licence-badge")).to_have_text("CC BY 4.0")
    expect(page.get_by_role("link", name="Open het materiaal")).to_have_attribute(
        "href", "https://maken.wikiwijs.nl/100001/")
    expect(page.get_by_role("region", name=re.compile("Onderdelen")).get_by_role("link")).to_have_count(3)
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content() or "")
    assert data["@type"] == "LearningResource"
    screenshot(page, "detail")
    page.get_by_role("link", name="Breuken optellen").click()
    expect(page.get_by_role("region", name="Onderdeel van")).to_contain_text("Lessenserie breuken")
    assert not errors, errors


def test_hostile_record_runs_no_script(page: Page, site_url: str, web_instance: WebInstance,
                                       screenshot: Screenshot) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(site_url + f"/resources/{web_instance.ids['hostile']}")
    page.goto(site_url + "/search?q=kommagetallen")
    expect(page.locator(".result-title")).to_contain_text("Breuken & kommagetallen")
    screenshot(page, "hostile-escaped")
    assert dialogs == []


def test_switch_language(page: Page, site_url: str, web_instance: WebInstance, screenshot: Screenshot) -> None:
    page.goto(site_url + f"/resources/{web_instance.ids['arrangement']}")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(site_url + f"/resources/{web_instance.ids['arrangement']}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="What may you do with it?")).to_be_visible()
    screenshot(page, "detail-english")
    page.goto(site_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find open learning materials for your lesson")
    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")


def test_english_site_names_facets_and_cards_in_english(
    browser: Browser, site_url: str, axe_source: str, screenshot: Screenshot,
) -> None:
    # A browser that asks for English still lands on Dutch; the switch makes the site English.
    context = browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(site_url + "/search?q=breuken")
        expect(page.locator("html")).to_have_attribute("lang", "nl")
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        sector = page.get_by_role("group", name="Sector")
        expect(sector.get_by_role("checkbox", name=re.compile("Primary education"))).to_be_visible()
        expect(sector).not_to_contain_text("Primair onderwijs")
        cards = page.locator(".result")
        expect(cards.first.locator(".result-facts time")).to_have_text(
            re.compile(r"^(published|changed at the source|updated) "))
        tags = " ".join(cards.locator(".result-tags").all_inner_texts())
        assert "Primary education" in tags
        for dutch in ("Primair onderwijs", "Voortgezet onderwijs", "Informatiebron", "Open opdracht"):
            assert dutch not in tags, dutch
        screenshot(page, "search-english")
        violations = run_axe(page, axe_source)
        assert not violations, describe(violations)
        # Remembered: the next page is English too.
        page.goto(site_url + "/")
        expect(page.locator("html")).to_have_attribute("lang", "en")
    finally:
        context.close()


def _focused(page: Page) -> str:
    return str(page.evaluate(
        "() => { const e = document.activeElement; return e.tagName + '#' + (e.id || '') + '.' + "
        "(e.className || '') + '|' + (e.closest('.result-title') ? 'result' : '') }"))


def _tab_until(page: Page, predicate: str, limit: int) -> int:
    for count in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(predicate):
            return count
    raise AssertionError(f"not reached in {limit} tabs; focus is on {_focused(page)}")


def test_groep_chip_filters_and_is_taken_back_by_keyboard(
    page: Page, site_url: str, screenshot: Screenshot,
) -> None:
    errors = _no_csp_errors(page)
    page.goto(site_url + "/")
    page.get_by_label("Zoek leermaterialen").fill("breuken groep 7")
    page.get_by_role("button", name="Zoeken").click()
    # "groep 7" is read as the groep filter, shown as a chip; "breuken" searches the text.
    chip = page.get_by_role("link", name=re.compile(r"^Groep 7 \(niet als filter gebruiken"))
    expect(chip).to_have_count(1)
    expect(page.locator(".chips-recognised a.chip")).to_contain_text("Groep 7")
    expect(page.get_by_role("heading", level=2, name=re.compile("^3 materialen"))).to_be_visible()
    titles = page.locator(".result-title")
    expect(titles).to_have_count(3)
    expect(titles.filter(has_text="Lessenserie breuken")).to_have_count(0)
    screenshot(page, "search-groep-chip")

    page.get_by_label("Zoek leermaterialen").focus()
    _tab_until(page, "() => document.activeElement.dataset.recognised === 'groep-7'", 10)
    page.keyboard.press("Enter")
    # Taken back, the words search the text and are not recognised again.
    expect(page).to_have_url(re.compile(r"q=breuken\+groep\+7&literal=groep-7$"))
    expect(page.locator(".chips-recognised")).to_have_count(0)
    expect(page.get_by_label("Zoek leermaterialen")).to_have_value("breuken groep 7")
    expect(page.get_by_role("heading", level=2, name=re.compile("^4 materialen"))).to_be_visible()
    assert not errors, errors


def test_corrected_results_link_to_the_search_as_typed_by_keyboard(
    page: Page, site_url: str, screenshot: Screenshot,
) -> None:
    errors = _no_csp_errors(page)
    page.goto(site_url + "/")
    page.get_by_label("Zoek leermaterialen").fill("rekkenen")
    page.get_by_role("button", name="Zoeken").click()
    # Nothing says "rekkenen": the results are for the correction, and the note says so.
    note = page.locator(".search-corrected")
    expect(note).to_have_text(re.compile(r"^Resultaten voor rekenen; zoek in plaats daarvan naar rekkenen$"))
    expect(page.locator(".result-title").first).to_be_visible()
    expect(page.get_by_text("Geen materialen gevonden")).to_have_count(0)
    screenshot(page, "search-corrected")

    page.get_by_label("Zoek leermaterialen").focus()
    _tab_until(page, "() => !!document.activeElement.closest('.search-corrected')", 40)
    page.keyboard.press("Enter")
    # The search as typed: nothing, with the correction offered.
    expect(page).to_have_url(re.compile(r"/search\?q=rekkenen&no_correction=1$"))
    expect(page.locator(".search-corrected")).to_have_count(0)
    expect(page.get_by_text("Geen materialen gevonden")).to_be_visible()
    expect(page.locator(".did-you-mean a")).to_have_text("rekenen")
    assert not errors, errors


def test_results_for_part_of_the_words_say_so(page: Page, site_url: str, screenshot: Screenshot) -> None:
    errors = _no_csp_errors(page)
    # No material has both words: results for one of them, with the note.
    page.goto(site_url + "/search?q=breuken+fotosynthese")
    note = page.locator(".search-relaxed")
    expect(note).to_have_text("Resultaten voor een deel van je woorden")
    expect(note).to_have_attribute("role", "status")
    expect(page.locator(".result-title").first).to_be_visible()
    screenshot(page, "search-relaxed")
    # One material has both words (too little): it comes first, then those with one of them.
    page.goto(site_url + "/search?q=breuken+kommagetallen")
    expect(page.locator(".search-relaxed")).to_have_text(
        "Resultaten voor een deel van je woorden: alleen het eerste resultaat bevat ze allemaal.")
    expect(page.locator(".result-title").first).to_contain_text("Breuken & kommagetallen")
    expect(page.locator(".result-title")).to_have_count(10)
    # Every word found enough: no note.
    page.goto(site_url + "/search?q=breuken")
    expect(page.locator(".search-note")).to_have_count(0)
    assert not errors, errors


def test_keyboard_only(page: Page, site_url: str, screenshot: Screenshot) -> None:
    page.goto(site_url + "/")
    page.keyboard.press("Tab")
    assert "skip-link" in _focused(page)
    page.keyboard.press("Enter")
    _tab_until(page, "() => document.activeElement.matches('input[type=search]')", 5)
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.type("breuken")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=breuken$"))
    _tab_until(page, "() => !!document.activeElement.closest('.result-title')", 80)
    shadow = page.evaluate("() => getComputedStyle(document.activeElement).boxShadow")
    assert shadow != "none", "focused links must show where the focus is"
    screenshot(page, "keyboard-focus")
    target = page.evaluate("() => document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    expect(page).to_have_url(site_url + target)
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_suggestions_with_the_keyboard(page: Page, site_url: str, web_instance: WebInstance) -> None:
    page.goto(site_url + "/")
    box = page.get_by_role("combobox", name="Zoek leermaterialen")
    box.fill("lessen")
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option").first).to_have_text("Lessenserie breuken voor groep 7 en 8")
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", re.compile("-0$"))
    box.press("Enter")
    expect(page).to_have_url(site_url + f"/resources/{web_instance.ids['arrangement']}")


def test_phone(browser: Browser, site_url: str, axe_source: str, screenshot: Screenshot) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True,
        locale="nl-NL")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        for name, url in (("home", "/"), ("search", "/search?q=breuken&contexts=PO")):
            page.goto(site_url + url)
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{url} scrolls sideways on a phone ({overflow}px)"
            violations = run_axe(page, axe_source)
            assert not violations, describe(violations)
            screenshot(page, f"phone-{name}")
        # Filters start folded on a phone; the results come first.
        expect(page.locator("details.filter-panel")).not_to_have_attribute("open", "")
        page.get_by_text("Filters", exact=True).click()
        expect(page.get_by_role("button", name="Filters toepassen")).to_be_visible()
        page.locator(".result-title a").first.click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        violations = run_axe(page, axe_source)
        assert not violations, describe(violations)
        screenshot(page, "phone-detail")
    finally:
        context.close()


AXE_PAGES = {
    "home": "/",
    "search": "/search?q=breuken",
    "search-filtered": "/search?contexts=PO&licence_family=open&page=2",
    "search-empty": "/search?q=fotosyntese",
    "detail": "/resources/{arrangement}",
    "detail-restricted": "/resources/{hostile}",
    "not-found": "/resources/does-not-exist",
}


@pytest.mark.parametrize("name", list(AXE_PAGES))
def test_axe_finds_no_serious_violations(page: Page, site_url: str, web_instance: WebInstance,
                                         axe_source: str, screenshot: Screenshot, name: str) -> None:
    page.goto(site_url + AXE_PAGES[name].format(**web_instance.ids))
    violations = run_axe(page, axe_source)
    screenshot(page, name)
    assert not violations, describe(violations)


def test_axe_harness_reports_a_real_violation(page: Page, site_url: str, axe_source: str) -> None:
    """The check above is only worth something if it can fail: break a page on purpose."""
    page.goto(site_url + "/")
    page.evaluate("() => { const i = document.createElement('input'); i.type = 'text'; "
                  "document.querySelector('main').appendChild(i); }")
    violations = run_axe(page, axe_source)
    assert "label" in {v["id"] for v in violations}, describe(violations)
