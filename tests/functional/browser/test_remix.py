"""Remix in Chromium: build from a harvested and a published material, adapt, a refused combination resolved,
publish, "Gebruikt in", fork, both exports; every form operated as a teacher would, every page axe-clean."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from metadata.licence import canonical_url
from metadata.record import Identifier, Licence, Record, Term
from oer.accounts import service as accounts
from oer.accounts.actor import SYSTEM
from oer.accounts.models import MemberRole, OrganisationKind
from oer.accounts.queries import load_actor
from oer.catalogue.models import Origin, Resource
from oer.harvesting.models import Source
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from oer.publishing import service as publishing
from tests.fixtures.browser import Screenshot
from tests.fixtures.loopback import serving
from tests.support.axe import describe, run_axe
from tests.support.browser_site import browser_app
from tests.support.publishing import SITE, SUBMISSION
from web.runtime import app_runtime

pytestmark = pytest.mark.browser

PASSWORD = "zeven-lange-woorden-op-een-rij"
HARVESTED_TITLE = "Breuken op de getallenlijn"
NC_TITLE = "Breukenspel (niet commercieel)"


@dataclass(frozen=True)
class Catalogue:
    base_url: str
    harvested: str
    published_nc: str


def _harvested_record() -> Record:
    return Record(
        oai_identifier="oai:wikiwijs:1", title=HARVESTED_TITLE, titles={"nl": HARVESTED_TITLE}, languages=("nl",),
        description="Zet breuken op een getallenlijn en vergelijk ze.",
        identifiers=(Identifier("URI", "urn:uuid:00000000-0000-4000-8000-000000000001"),),
        location="https://wikiwijs.example.org/breuken", aggregation_level=2, end_user_roles=("learner",),
        contexts=("PO",), educational_levels=(Term("512e4729-03a4-43a2-95ba-758071d1b725", "Primair onderwijs"),),
        disciplines=(Term("b48fa351-4561-44c7-a071-ebfd6103eec3", "Rekenen"),), typical_age_range="9-11",
        typical_learning_time=30 * 60, cost=False, licence=Licence("cc-by-sa-40", canonical_url("cc-by-sa-40")),
    )


@pytest.fixture
def catalogue(tmp_path: Path) -> Iterator[Catalogue]:
    app, _settings = browser_app(tmp_path)
    runtime = app_runtime(app)
    with runtime.sessions.begin() as db:
        accounts.add_user(db, SYSTEM, "tess@school.example.org", "Tess Leraar", password=PASSWORD,
                          email_verified=True)
        accounts.add_user(db, SYSTEM, "otto@elders.example.org", "Otto Andere", password=PASSWORD,
                          email_verified=True)
        rik = accounts.add_user(db, SYSTEM, "rik@school.example.org", "Rik Redacteur", password=PASSWORD,
                                email_verified=True).id
        school = accounts.add_organisation(db, SYSTEM, "het-lyceum", "Het Lyceum", OrganisationKind.SCHOOL).id
        accounts.add_member(db, SYSTEM, school, rik, MemberRole.REDACTEUR)
        source = Source(name="wikiwijs", base_url="https://wikiwijs.example.org/oai", metadata_prefix="lom")
        db.add(source)
        db.flush()
        apply_harvested_page(db, source, [HarvestedRecord("oai:wikiwijs:1", "2026-01-01", _harvested_record())])
        nc = publishing.publish_submission(db, load_actor(db, rik), SITE,
                                           {**SUBMISSION, "title": NC_TITLE, "licence": "cc-by-nc-40"},
                                           organisation_id=school).id
    with runtime.sessions() as db:
        harvested = db.scalars(select(Resource.id).where(Resource.origin == Origin.HARVESTED)).one()
    runtime.index_now([harvested, nc])
    try:
        with serving(app) as base_url:
            yield Catalogue(base_url, harvested, nc)
    finally:
        app.extensions["oer_runtime"].close()


def accessible(page: Page, axe_source: str) -> None:
    violations = run_axe(page, axe_source)
    assert violations == [], describe(violations)


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/account/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Mijn account")).to_be_visible()


def add_from_search(page: Page, base_url: str, query: str, title: str, *, where: str, use: str,
                    new_title: str | None = None) -> None:
    page.goto(f"{base_url}/search?q={query}")
    result = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=title))
    result.get_by_role("link", name="Voeg toe aan arrangement").click()
    if new_title is not None:
        page.get_by_label("Een nieuw arrangement").check()
        page.get_by_label("Titel van het nieuwe arrangement").fill(new_title)
    else:
        page.get_by_label(where).check()
    page.get_by_label(use).check()
    page.get_by_role("button", name="Toevoegen").click()


def test_build_publish_fork_and_export_an_arrangement(
    page: Page, catalogue: Catalogue, axe_source: str, screenshot: Screenshot,
) -> None:
    base_url = catalogue.base_url
    sign_in(page, base_url, "tess@school.example.org")
    # The harvested material, adapted, in a new arrangement.
    add_from_search(page, base_url, "getallenlijn", HARVESTED_TITLE, where="", use="Bewerken",
                    new_title="Breuken in drie stappen")
    expect(page.get_by_role("heading", name="Breuken in drie stappen", level=1)).to_be_visible()
    accessible(page, axe_source)
    # The published NC material, adapted too: SA and NC adaptations cannot be combined.
    add_from_search(page, base_url, "breukenspel", NC_TITLE, where="Breuken in drie stappen · Deel 1",
                    use="Bewerken")
    expect(page.get_by_text("Zo kan het niet gedeeld worden.")).to_be_visible()
    expect(page.get_by_text("Neem een van beide ongewijzigd op").first).to_be_visible()
    expect(page.get_by_role("button", name="Publiceren")).to_be_disabled()
    accessible(page, axe_source)
    screenshot(page, "refused-combination")

    # Resolved: the NC material unchanged instead of adapted.
    page.get_by_role("button", name=f"Verwijderen: Bewerking van {NC_TITLE}").click()
    add_from_search(page, base_url, "breukenspel", NC_TITLE, where="Breuken in drie stappen · Deel 1",
                    use="Ongewijzigd opnemen")
    expect(page.get_by_text("Dit arrangement mag je delen onder:")).to_be_visible()
    expect(page.locator(".licence-name")).to_contain_text("CC BY-SA 4.0")
    # An own page, written in Markdown.
    page.get_by_label("Titel van een eigen pagina in Deel 1").fill("Terugblik")
    page.get_by_role("button", name="Eigen pagina schrijven").click()
    page.get_by_label("Tekst").fill("# Terugblik\n\nWat weet je nu over **breuken**?")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("link", name="Terugblik", exact=True)).to_be_visible()
    # Drag and drop, as an enhancement of the buttons: the page to the top of its section.
    # (The drag events are dispatched: headless Chromium does not start a native drag from the mouse.)
    parts = page.locator("ol.parts-list > li.part")
    transfer = page.evaluate_handle("() => new DataTransfer()")
    parts.nth(2).dispatch_event("dragstart", {"dataTransfer": transfer})
    parts.nth(0).dispatch_event("dragover", {"dataTransfer": transfer})
    parts.nth(0).dispatch_event("drop", {"dataTransfer": transfer})
    expect(page.locator("ol.parts-list > li.part").first.locator(".part-title a")).to_have_text("Terugblik")
    attribution = page.get_by_label("Naamsvermelding als tekst").input_value()
    assert HARVESTED_TITLE in attribution and NC_TITLE in attribution and "bewerkt" in attribution
    accessible(page, axe_source)
    screenshot(page, "builder")

    page.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_text("Het arrangement is gepubliceerd onder CC BY-SA 4.0.")).to_be_visible()
    arrangement_url = page.url
    expect(page.get_by_role("heading", name="Onderdelen")).to_be_visible()
    accessible(page, axe_source)

    page.goto(f"{base_url}/resources/{catalogue.published_nc}")
    used_in = page.get_by_role("heading", name="Gebruikt in 1 arrangement")
    expect(used_in).to_be_visible()
    page.locator("section", has=used_in).get_by_role("link", name="Breuken in drie stappen").click()
    for link, name in (("Als webpagina's", "index.html"), ("Als IMS Content Package", "imsmanifest.xml")):
        with page.expect_download() as download:
            page.get_by_role("link", name=link).click()
        archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
        assert name in archive.namelist()

    # Someone else makes their own version of it.
    page.get_by_role("button", name="Uitloggen").click()
    sign_in(page, base_url, "otto@elders.example.org")
    page.goto(arrangement_url)
    page.get_by_role("link", name="Bekijk het arrangement").click()
    page.get_by_role("button", name="Maak er een eigen versie van").click()
    expect(page.get_by_role("heading", name="Breuken in drie stappen (eigen versie)")).to_be_visible()
    expect(page.get_by_role("link", name="een ander arrangement")).to_be_visible()
    accessible(page, axe_source)
