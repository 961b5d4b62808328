"""The wensenlijst in Chromium: a teacher finds nothing, says what they looked for from the empty result
page, another visitor says "ik zoek dit ook"; the search page, the form, the wish and the list axe-clean."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from oer.accounts import service as accounts
from oer.accounts.actor import SYSTEM
from oer.accounts.models import MemberRole, OrganisationKind
from oer.demand import service
from tests.fixtures.loopback import serving
from tests.functional.browser.test_remix import PASSWORD, accessible, sign_in
from tests.support.browser_site import browser_app
from web.runtime import app_runtime

pytestmark = pytest.mark.browser


@pytest.fixture
def base_url(tmp_path: Path) -> Iterator[str]:
    app, _settings = browser_app(tmp_path)
    try:
        with serving(app) as url:
            yield url
    finally:
        app.extensions["oer_runtime"].close()


def test_add_a_wish_from_an_empty_result_page_and_support_it(
    page: Page, browser: Browser, base_url: str, axe_source: str,
) -> None:
    page.goto(f"{base_url}/search?q=zeepkistenrace&contexts=SO")
    expect(page.get_by_role("heading", name="Niet gevonden wat je zocht?")).to_be_visible()
    accessible(page, axe_source)
    page.get_by_role("link", name="Vertel wat je zocht").click()

    expect(page.get_by_role("heading", name="Vertel wat je zocht")).to_be_visible()
    expect(page.get_by_label("Sector")).to_have_value("SO")
    accessible(page, axe_source)
    page.get_by_label("Wat zocht je?").fill("Een les over zeepkistenraces voor het speciaal onderwijs")
    page.get_by_label("Niveau of leerjaar").fill("so, bovenbouw")
    page.get_by_role("button", name="Op de wensenlijst zetten").click()

    expect(page.get_by_role("heading", name="Een les over zeepkistenraces voor het speciaal onderwijs")).to_be_visible()
    expect(page.get_by_text("1 leraar zoekt dit")).to_be_visible()
    expect(page.get_by_text("Je hebt laten weten dat je dit ook zoekt.")).to_be_visible()
    accessible(page, axe_source)
    wish_url = page.url

    other_context = browser.new_context(locale="nl-NL")
    try:
        other = other_context.new_page()
        other.goto(wish_url)
        other.get_by_role("button", name="Ik zoek dit ook").click()
        expect(other.get_by_text("2 leraren zoeken dit")).to_be_visible()
        expect(other.get_by_role("button", name="Ik zoek dit ook")).to_have_count(0)
        accessible(other, axe_source)
        other.goto(f"{base_url}/wensen")
        wish = other.get_by_role("listitem").filter(has_text="zeepkistenraces")
        expect(wish).to_contain_text("2 leraren zoeken dit")
        accessible(other, axe_source)
    finally:
        other_context.close()


def test_a_maker_answers_a_wish_and_the_page_stays_accessible(
    page: Page, tmp_path: Path, axe_source: str,
) -> None:
    app, _settings = browser_app(tmp_path)
    runtime = app_runtime(app)
    with runtime.sessions.begin() as db:
        rik = accounts.add_user(db, SYSTEM, "rik@school.example.org", "Rik Redacteur", password=PASSWORD,
                                email_verified=True).id
        school = accounts.add_organisation(db, SYSTEM, "het-lyceum", "Het Lyceum", OrganisationKind.SCHOOL).id
        accounts.add_member(db, SYSTEM, school, rik, MemberRole.REDACTEUR)
        wish_id = service.create_wish(db, None, text="Een les over zeepkistenraces voor groep 8")
    try:
        with serving(app) as url:
            sign_in(page, url, "rik@school.example.org")
            page.goto(f"{url}/wensen/{wish_id}")
            expect(page.get_by_text("Namens: Het Lyceum")).to_be_visible()
            accessible(page, axe_source)
            page.get_by_label("Toelichting (wat, voor wanneer)").fill("Klaar in mei.")
            page.get_by_role("button", name="Wij maken dit").click()
            expect(page.get_by_text("Klaar in mei.")).to_be_visible()
            expect(page.get_by_label("Adres of id van het gepubliceerde materiaal")).to_be_visible()
            accessible(page, axe_source)
    finally:
        runtime.close()
