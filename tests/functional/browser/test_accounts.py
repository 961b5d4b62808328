"""Accounts in Chromium: register, confirm through the mail outbox, sign in and out, reset, tokens, axe."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.fixtures.browser import Screenshot
from tests.fixtures.loopback import serving
from tests.support.account_site import Mailbox
from tests.support.axe import describe, run_axe
from tests.support.browser_site import browser_app
from tests.support.oidc_provider import running_provider

pytestmark = pytest.mark.browser

EMAIL = "tess@school.example.org"
PASSWORD = "zeven-lange-woorden-op-een-rij"
NEW_PASSWORD = "een-heel-ander-wachtwoord-nu"


@pytest.fixture
def account_site(tmp_path: Path) -> Iterator[tuple[str, Mailbox]]:
    app, settings = browser_app(tmp_path)
    try:
        with serving(app) as base_url:
            yield base_url, Mailbox(settings)
    finally:
        app.extensions["oer_runtime"].close()


def link_in_mail(mailbox: Mailbox, base_url: str, contains: str) -> str:
    return base_url + mailbox.last_link_to(EMAIL, contains)


def assert_accessible(page: Page, axe_source: str) -> None:
    violations = run_axe(page, axe_source)
    assert violations == [], describe(violations)


def sign_in_by_keyboard(page: Page, base_url: str, password: str) -> None:
    page.goto(base_url + "/account/inloggen")
    page.get_by_label("E-mailadres").focus()
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")


def test_register_confirm_sign_in_and_out(
    page: Page, account_site: tuple[str, Mailbox], axe_source: str, screenshot: Screenshot,
) -> None:
    base_url, mailbox = account_site
    page.goto(base_url + "/")
    page.get_by_role("link", name="Inloggen").click()
    page.get_by_role("link", name="Account aanmaken").click()
    assert_accessible(page, axe_source)
    page.get_by_label("Naam").fill("Tess Leraar")
    page.get_by_label("E-mailadres").fill(EMAIL)
    page.get_by_label("Wachtwoord").fill("kort")
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_text("Een wachtwoord heeft minstens 12 tekens.")).to_be_visible()
    expect(page.get_by_label("Wachtwoord")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, axe_source)
    screenshot(page, "register-error")

    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_role("heading", name="Kijk in je mail")).to_be_visible()

    page.goto(link_in_mail(mailbox, base_url, "/account/bevestigen/"))
    expect(page.get_by_text("Je e-mailadres is bevestigd.")).to_be_visible()
    assert_accessible(page, axe_source)

    sign_in_by_keyboard(page, base_url, PASSWORD)
    expect(page.get_by_role("heading", name="Mijn account")).to_be_visible()
    expect(page.get_by_role("navigation", name="Account").get_by_role("link", name="Tess Leraar")).to_be_visible()
    assert_accessible(page, axe_source)
    screenshot(page, "profile")

    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_text("Je bent uitgelogd.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Account").get_by_role("link", name="Inloggen")).to_be_visible()


def test_reset_a_forgotten_password(page: Page, account_site: tuple[str, Mailbox], axe_source: str) -> None:
    base_url, mailbox = account_site
    page.goto(base_url + "/account/registreren")
    page.get_by_label("Naam").fill("Tess Leraar")
    page.get_by_label("E-mailadres").fill(EMAIL)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Account aanmaken").click()
    page.goto(link_in_mail(mailbox, base_url, "/account/bevestigen/"))

    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    assert_accessible(page, axe_source)
    page.get_by_label("E-mailadres").fill(EMAIL)
    page.get_by_role("button", name="Stuur de link").click()
    expect(page.get_by_role("heading", name="Kijk in je mail")).to_be_visible()

    reset_link = link_in_mail(mailbox, base_url, "/account/wachtwoord-herstellen/")
    page.goto(reset_link)
    assert_accessible(page, axe_source)
    page.get_by_label("Nieuw wachtwoord").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Wachtwoord instellen").click()
    expect(page.get_by_text("Je nieuwe wachtwoord is ingesteld.")).to_be_visible()

    sign_in_by_keyboard(page, base_url, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Mijn account")).to_be_visible()

    page.goto(reset_link)
    expect(page.get_by_role("heading", name="Deze link werkt niet (meer)")).to_be_visible()
    assert_accessible(page, axe_source)


def test_create_and_revoke_a_token(page: Page, account_site: tuple[str, Mailbox], axe_source: str) -> None:
    base_url, mailbox = account_site
    page.goto(base_url + "/account/registreren")
    page.get_by_label("Naam").fill("Tess Leraar")
    page.get_by_label("E-mailadres").fill(EMAIL)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Account aanmaken").click()
    page.goto(link_in_mail(mailbox, base_url, "/account/bevestigen/"))
    sign_in_by_keyboard(page, base_url, PASSWORD)

    page.get_by_role("link", name="Sleutels beheren").click()
    assert_accessible(page, axe_source)
    page.get_by_label("Naam van de sleutel").fill("mijn script")
    page.get_by_label("Publiceren").check()
    page.get_by_role("button", name="Sleutel maken").click()
    secret = page.locator("#new-secret").inner_text()
    assert secret.startswith("oer_")
    assert_accessible(page, axe_source)

    me = page.request.get(base_url + "/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status == 200 and me.json()["email"] == EMAIL

    page.get_by_role("button", name=re.compile("Intrekken")).click()
    expect(page.get_by_text("De sleutel is ingetrokken.")).to_be_visible()
    expect(page.get_by_role("cell", name="ingetrokken")).to_be_visible()
    gone = page.request.get(base_url + "/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert gone.status == 401


def test_the_privacy_page_is_accessible(page: Page, account_site: tuple[str, Mailbox], axe_source: str) -> None:
    base_url, _mailbox = account_site
    page.goto(base_url + "/")
    page.get_by_role("link", name="Privacy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy: wat we bewaren en waarom")
    assert_accessible(page, axe_source)


class _Deferred:
    """A WSGI app set after its server listens: the provider needs the app's callback URL first."""

    app: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)


def test_sign_in_with_the_school_account_through_the_provider(
    page: Page, tmp_path: Path, axe_source: str, screenshot: Screenshot,
) -> None:
    deferred = _Deferred()
    with serving(deferred) as base_url, \
            running_provider(redirect_uri=f"{base_url}/account/sso/callback") as provider:
        deferred.app, _settings = browser_app(tmp_path, oidc_issuer=provider.issuer,
                                              oidc_client_id=provider.client_id,
                                              oidc_client_secret=provider.client_secret)
        try:
            page.goto(base_url + "/account/inloggen")
            assert_accessible(page, axe_source)
            page.get_by_role("link", name="Inloggen met je schoolaccount").click()
            # The provider's own (development) sign-in and consent forms.
            page.wait_for_url(f"{provider.issuer}/**")
            page.locator("input[name=login]").fill("anna")
            page.locator("input[name=password]").fill("wat-dan-ook")
            page.locator("button[type=submit]").click()
            page.locator("button[type=submit]").click()
            expect(page.get_by_role("navigation", name="Account").get_by_role(
                "link", name="Anna de Vries")).to_be_visible()
            assert page.url.startswith(base_url)
            page.get_by_role("link", name="Anna de Vries").click()
            expect(page.get_by_role("heading", name="Mijn account")).to_be_visible()
            expect(page.get_by_text("anna@school.example.org")).to_be_visible()
            assert_accessible(page, axe_source)
            screenshot(page, "sso-profile")
        finally:
            deferred.app.extensions["oer_runtime"].close()
