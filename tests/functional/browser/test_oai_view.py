"""The feed in Chromium: /oai rendered by its XSLT as a readable page, within the site's CSP."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.fixtures.browser import Screenshot
from tests.fixtures.loopback import serving
from tests.support.axe import describe, run_axe
from tests.support.oai_endpoint import settings_for
from tests.unit.oai.memory_feed import build_corpus
from web.app import create_app
from web.oai.views import init_app

pytestmark = pytest.mark.browser
PAGE_SIZE = 100


@pytest.fixture(scope="module")
def feed_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site with the in-memory feed of the OAI tests (several pages of records), over loopback."""
    repository = build_corpus()
    app = create_app({"OER_SETTINGS": settings_for(tmp_path_factory.mktemp("feed")), "TESTING": True})
    init_app(app, lambda: repository, page_size=PAGE_SIZE)
    with serving(app) as base_url:
        repository.base_url = f"{base_url}/oai"
        yield base_url


# Chromium, which deprecates XSLT, adds a warning banner of its own to every transformed page,
# with inline styles and an inline handler. The site's CSP refuses those, as it should: they are
# the browser's, not the stylesheet's (which has none; see tests/functional/oai/test_human_view.py).
BANNER = "xslt-warning-banner"
BROWSER_BANNER_REFUSALS = ("Applying inline style violates", "Executing inline event handler violates")


def console_errors(page: Page) -> list[str]:
    """Errors the page logs, CSP refusals among them (but those of the browser's own banner)."""
    messages: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error":
            messages.append(message.text)

    page.on("console", keep)
    return messages


def own_errors(page: Page, errors: list[str]) -> list[str]:
    banner = page.locator(BANNER).count() > 0
    return [e for e in errors if not (banner and e.startswith(BROWSER_BANNER_REFUSALS))]


def assert_no_inline_styles_of_ours(page: Page) -> None:
    styled = page.evaluate(
        "tag => [...document.querySelectorAll('[style], style, script')]"
        ".filter(e => !e.closest(tag)).map(e => e.outerHTML.slice(0, 80))", BANNER)
    assert styled == []


def test_identify_is_a_page(page: Page, feed_url: str, axe_source: str, screenshot: Screenshot) -> None:
    errors = console_errors(page)
    page.goto(feed_url + "/oai?verb=Identify")
    # the XSLT ran: an HTML page with the repository name as its heading, not run-on text
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_count(1)
    assert heading.inner_text().strip()
    expect(page.locator("dl.oai-fields dt").first).to_be_visible()
    expect(page.get_by_role("link", name="ListRecords")).to_be_visible()
    # the site's stylesheet applies (CSP allows it): the body uses its font, not the browser default
    assert page.evaluate("() => document.styleSheets.length") == 2
    assert "system-ui" in page.evaluate("() => getComputedStyle(document.body).fontFamily")
    screenshot(page, "oai-identify")
    assert_no_inline_styles_of_ours(page)
    assert not own_errors(page, errors), errors
    violations = run_axe(page, axe_source)
    assert not violations, describe(violations)


def test_list_records_pages_on(page: Page, feed_url: str, screenshot: Screenshot) -> None:
    errors = console_errors(page)
    page.goto(feed_url + "/oai?verb=ListRecords&metadataPrefix=oai_dc")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Records"))
    records = page.locator("article.oai-record")
    expect(records).to_have_count(PAGE_SIZE)
    expect(records.first.get_by_role("heading", level=2)).to_be_visible()
    expect(records.first.locator(".oai-header a")).to_have_attribute(
        "href", re.compile(r"^\?verb=GetRecord&metadataPrefix=oai_dc&identifier="))
    screenshot(page, "oai-list-records")
    first_identifier = records.first.locator(".oai-header a").inner_text()

    page.get_by_role("link", name=re.compile("Volgende pagina")).click()
    expect(page).to_have_url(re.compile(r"/oai\?verb=ListRecords&resumptionToken=."))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Records"))
    assert page.locator("article.oai-record .oai-header a").first.inner_text() != first_identifier

    page.locator("article.oai-record .oai-header a").first.click()
    expect(page).to_have_url(re.compile(r"verb=GetRecord"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Record"))
    expect(page.locator("article.oai-record")).to_have_count(1)
    assert_no_inline_styles_of_ours(page)
    assert not own_errors(page, errors), errors
