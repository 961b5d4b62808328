"""Publishing in Chromium: the form with its problems, a file, search, version 2, withdrawal; a school's own source.

Every page is checked with axe-core; the form is filled in and submitted as a teacher would,
by label, so its labels and error messages are what a screen reader reads too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from harvester.replay_pages import PageSource, RecordedPages
from harvester.replay_server import OaiReplayServer
from oer.accounts import service
from oer.accounts.actor import SYSTEM
from oer.accounts.models import MemberRole, OrganisationKind
from oer.settings import Settings
from tests.fixtures.browser import Screenshot
from tests.fixtures.loopback import serving
from tests.fixtures.oai_server import EDUREP_PAGES
from tests.support.axe import describe, run_axe
from tests.support.browser_site import browser_app
from web.runtime import app_runtime

pytestmark = pytest.mark.browser

PASSWORD = "zeven-lange-woorden-op-een-rij"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@dataclass(frozen=True)
class School:
    base_url: str
    settings: Settings


@pytest.fixture
def school(tmp_path: Path) -> Iterator[School]:
    app, settings = browser_app(tmp_path, allow_private_sources=True)
    with app_runtime(app).sessions.begin() as db:
        rik = service.add_user(db, SYSTEM, "rik@school.example.org", "Rik Redacteur", password=PASSWORD,
                               email_verified=True).id
        school_id = service.add_organisation(db, SYSTEM, "het-lyceum", "Het Lyceum", OrganisationKind.SCHOOL).id
        service.add_member(db, SYSTEM, school_id, rik, MemberRole.BEHEERDER)
    try:
        with serving(app) as base_url:
            yield School(base_url, settings)
    finally:
        app.extensions["oer_runtime"].close()


def accessible(page: Page, axe_source: str) -> None:
    violations = run_axe(page, axe_source)
    assert violations == [], describe(violations)


def sign_in(page: Page, base_url: str) -> None:
    page.goto(base_url + "/account/inloggen")
    page.get_by_label("E-mailadres").fill("rik@school.example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Mijn account")).to_be_visible()


def test_publish_with_a_file_fix_the_problems_edit_and_withdraw(
    page: Page, school: School, axe_source: str, screenshot: Screenshot, tmp_path: Path,
) -> None:
    base_url = school.base_url
    sign_in(page, base_url)
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Mijn materialen").click()
    accessible(page, axe_source)
    page.get_by_role("link", name="Nieuw materiaal publiceren").click()
    expect(page.get_by_role("heading", name="Nieuw materiaal publiceren")).to_be_visible()
    accessible(page, axe_source)

    # A first attempt with only a title and a file: every missing field is said next to it.
    page.get_by_label("Het Lyceum").check()
    page.get_by_label("Titel").fill("Breuken vergelijken")
    lesson = tmp_path / "breuken.pdf"
    lesson.write_bytes(PDF)
    page.get_by_label("Bestanden toevoegen").set_input_files(str(lesson))
    page.get_by_role("button", name="Opslaan en voorbeeld bekijken").click()
    expect(page.get_by_role("heading", name="Breuken vergelijken")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Kies een licentie.")
    page.get_by_role("link", name="Kies een licentie.").click()
    expect(page.get_by_text("Kies een licentie.").first).to_be_visible()
    accessible(page, axe_source)
    screenshot(page, "publish-problems")

    # Fixed: sector, level, subject, a kerndoel found with the filter, the rest; the file is kept.
    page.get_by_role("group", name="Sector").get_by_label("Primair onderwijs").check()
    page.get_by_role("group", name="Onderwijsniveau").get_by_label("Primair onderwijs").check()
    page.get_by_role("group", name="Vak").get_by_label("Rekenen", exact=True).check()
    page.get_by_label("Zoek in de kerndoelen").fill("structuren")
    page.get_by_text("PO 26: Structuren doorzien").click()
    page.get_by_role("group", name="Soort materiaal").get_by_label("Open opdracht").check()
    page.get_by_role("group", name="Bedoeld voor").get_by_label("Leerling").check()
    page.get_by_role("group", name="Omvang").get_by_label("Een les of lesactiviteit").check()
    page.get_by_label("Leeftijd van de leerlingen").fill("9-11")
    page.get_by_label("Leertijd in minuten").fill("45")
    page.get_by_label("Beschrijving").fill("Breuken vergelijken op een getallenlijn.")
    page.get_by_label("Trefwoorden").fill("breuken, getallenlijn")
    page.get_by_label("CC BY-SA 4.0").check()
    expect(page.locator("#meter-text")).to_have_text(re.compile("klaar om te publiceren", re.I))
    page.get_by_role("button", name="Opslaan en voorbeeld bekijken").click()
    expect(page.get_by_role("heading", name="Zo ziet het eruit in de catalogus")).to_be_visible()
    accessible(page, axe_source)
    page.get_by_role("button", name="Publiceren").click()

    expect(page.get_by_text("Gepubliceerd! Je materiaal staat nu in de catalogus")).to_be_visible()
    expect(page.get_by_role("link", name="Download breuken.pdf")).to_be_visible()
    expect(page.get_by_role("link", name="breuken.pdf", exact=True)).to_be_visible()
    expect(page.get_by_text("PO 26: Structuren doorzien")).to_be_visible()
    accessible(page, axe_source)
    screenshot(page, "published")
    material_url = page.url

    page.goto(base_url + "/search?q=breuken")
    expect(page.get_by_role("link", name="Breuken vergelijken")).to_be_visible()

    # Version 2.
    page.goto(material_url)
    page.get_by_role("link", name="Beheren").click()
    page.get_by_role("link", name="Bewerken").click()
    page.get_by_label("Titel").fill("Breuken vergelijken en ordenen")
    page.get_by_role("button", name="Opslaan en voorbeeld bekijken").click()
    page.get_by_role("button", name="Versie 2 publiceren").click()
    expect(page.get_by_text("Versie 2 is gepubliceerd.")).to_be_visible()
    page.get_by_role("link", name="alle versies").click()
    expect(page.get_by_role("cell", name="Breuken vergelijken", exact=True)).to_be_visible()
    accessible(page, axe_source)

    # Withdrawn: the page says so (410), the feed shows a deleted header.
    page.goto(material_url)
    page.get_by_role("link", name="Beheren").click()
    page.get_by_label("Waarom trek je het in?").fill("Vervangen door een nieuwe les.")
    page.get_by_role("button", name="Materiaal intrekken").click()
    expect(page.get_by_text("Het materiaal is ingetrokken.")).to_be_visible()
    gone = page.goto(material_url)
    assert gone is not None and gone.status == 410
    expect(page.get_by_text("Vervangen door een nieuwe les.")).to_be_visible()
    accessible(page, axe_source)
    resource_id = material_url.rsplit("/", 1)[-1]
    feed = page.request.get(f"{base_url}/oai?verb=GetRecord&metadataPrefix=lom&identifier=oai:oer.local:{resource_id}")
    assert '<header status="deleted">' in feed.text()


def test_register_the_school_s_repository_and_read_its_health(
    page: Page, school: School, axe_source: str, oai_server: Callable[[PageSource], OaiReplayServer],
    screenshot: Screenshot,
) -> None:
    server = oai_server(RecordedPages.from_files(EDUREP_PAGES))
    sign_in(page, school.base_url)
    page.goto(school.base_url + "/organisaties/het-lyceum")
    page.get_by_role("link", name="Bronnen en volledigheid").click()
    accessible(page, axe_source)
    page.get_by_label("Adres van de OAI-PMH-koppeling").fill(server.url)
    page.get_by_role("button", name="Controleren en toevoegen").click()
    expect(page.get_by_text("De bron het-lyceum is toegevoegd")).to_be_visible()
    expect(page.get_by_role("cell", name="gelukt")).to_be_visible()
    expect(page.get_by_role("heading", name="Wat de records missen")).to_be_visible()
    accessible(page, axe_source)
    screenshot(page, "own-source")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download als CSV").click()
    assert download.value.suggested_filename == "volledigheid-het-lyceum.csv"
