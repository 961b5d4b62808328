"""Quality and curation in Chromium: annotate as a teacher, moderate as the redactie, read the profile,
filter search by a criterion, build a collection and find it in the feed; every page axe-clean."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from playwright.sync_api import Page, expect
from sqlalchemy import select

from metadata.licence import canonical_url
from metadata.record import Identifier, Licence, Record, Term
from oer.accounts import service as accounts
from oer.accounts.actor import SYSTEM
from oer.accounts.models import PlatformRole
from oer.catalogue.models import Resource
from oer.harvesting.models import Source
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from tests.fixtures.browser import Screenshot
from tests.fixtures.loopback import serving
from tests.functional.browser.test_remix import accessible, sign_in
from tests.support.browser_site import browser_app
from tests.unit.oai.validation import validate_response
from web.runtime import app_runtime

pytestmark = pytest.mark.browser

PASSWORD = "zeven-lange-woorden-op-een-rij"
TITLES = ("Breuken op de getallenlijn", "Kommagetallen vergelijken")
OAI = "{http://www.openarchives.org/OAI/2.0/}"


@dataclass(frozen=True)
class Site:
    base_url: str
    materials: dict[str, str]


def _record(number: int, title: str) -> Record:
    return Record(
        oai_identifier=f"oai:wikiwijs:{number}", title=title, titles={"nl": title}, languages=("nl",),
        description=f"{title}: een les voor groep 6.",
        identifiers=(Identifier("URI", f"urn:uuid:00000000-0000-4000-8000-00000000000{number}"),),
        location=f"https://wikiwijs.example.org/{number}", aggregation_level=2, contexts=("PO",),
        disciplines=(Term("b48fa351-4561-44c7-a071-ebfd6103eec3", "Rekenen"),),
        licence=Licence("cc-by-40", canonical_url("cc-by-40")),
    )


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    app, _settings = browser_app(tmp_path)
    runtime = app_runtime(app)
    with runtime.sessions.begin() as db:
        accounts.add_user(db, SYSTEM, "tess@school.example.org", "Tess Leraar", password=PASSWORD,
                          email_verified=True)
        redactie = accounts.add_user(db, SYSTEM, "rosa@oer.example.org", "Rosa Redactie", password=PASSWORD,
                                     email_verified=True).id
        accounts.grant_role(db, SYSTEM, redactie, PlatformRole.REDACTIE)
        source = Source(name="wikiwijs", base_url="https://wikiwijs.example.org/oai", metadata_prefix="lom")
        db.add(source)
        db.flush()
        apply_harvested_page(db, source, [HarvestedRecord(f"oai:wikiwijs:{n}", "2026-01-01", _record(n, title))
                                          for n, title in enumerate(TITLES, start=1)])
    with runtime.sessions() as db:
        materials = {str(title): id_ for id_, title in db.execute(select(Resource.id, Resource.title))}
    runtime.index_now(list(materials.values()))
    try:
        with serving(app) as base_url:
            yield Site(base_url, materials)
    finally:
        app.extensions["oer_runtime"].close()


def test_annotate_moderate_read_filter_and_curate(
    page: Page, site: Site, axe_source: str, screenshot: Screenshot,
) -> None:
    base_url, material = site.base_url, site.materials[TITLES[0]]
    # The empty profile invites a first annotation.
    page.goto(f"{base_url}/resources/{material}")
    expect(page.get_by_text("Nog niemand heeft iets over de kwaliteit van dit materiaal gezegd.")).to_be_visible()
    expect(page.get_by_text("Dit is geen keurmerk en geen totaalscore")).to_be_visible()

    # A teacher annotates two criteria; the lowest value asks for a justification first.
    sign_in(page, base_url, "tess@school.example.org")
    page.goto(f"{base_url}/resources/{material}")
    page.get_by_role("link", name="Annoteer de kwaliteit").click()
    expect(page.get_by_role("heading", name="Kwaliteit annoteren")).to_be_visible()
    accessible(page, axe_source)
    goals = page.get_by_role("group", name="Leerdoelen zijn duidelijk")
    goals.get_by_label("Onvoldoende", exact=True).check()
    page.get_by_role("group", name="Direct bruikbaar in de klas").get_by_label("Goed", exact=True).check()
    page.get_by_role("button", name="Annotaties opslaan").click()
    expect(page.get_by_text("Licht de laagste waarde toe: wat ontbreekt er?")).to_be_visible()
    accessible(page, axe_source)
    page.get_by_role("group", name="Leerdoelen zijn duidelijk").get_by_role("textbox").fill(
        "De les noemt geen doelen.")
    page.get_by_role("button", name="Annotaties opslaan").click()
    expect(page.get_by_text("Je annotatie wordt eerst bekeken door de redactie.")).to_be_visible()
    expect(page.get_by_text("Je hebt 2 annotaties die nog door de redactie worden bekeken.")).to_be_visible()
    page.get_by_role("button", name="Uitloggen").click()

    # The redactie approves both.
    sign_in(page, base_url, "rosa@oer.example.org")
    page.get_by_role("link", name="Moderatie").click()
    expect(page.get_by_text("De les noemt geen doelen.")).to_be_visible()
    accessible(page, axe_source)
    screenshot(page, "moderation")
    for _ in range(2):
        page.get_by_role("button", name="Goedkeuren").first.click()
        expect(page.get_by_text("Goedgekeurd.")).to_be_visible()
    expect(page.get_by_text("Er wacht niets.")).to_be_visible()

    # The profile: per criterion, per role, the values with their counts and the justification.
    page.goto(f"{base_url}/resources/{material}")
    profile = page.locator("section.quality-profile")
    criterion = profile.locator("section", has=page.get_by_role("heading", name="Leerdoelen zijn duidelijk"))
    expect(criterion.get_by_role("row", name="Leraar")).to_contain_text("Onvoldoende (1)")
    expect(criterion.get_by_role("row", name="Leraar")).to_contain_text("De les noemt geen doelen.")
    expect(profile).not_to_contain_text("sterren")
    accessible(page, axe_source)
    screenshot(page, "profile")

    # Search: the criterion as a facet, and refined by role and value.
    page.goto(f"{base_url}/search")
    page.get_by_role("group", name="Kwaliteitsinformatie").get_by_label("Direct bruikbaar in de klas").check()
    page.get_by_role("button", name="Filters toepassen").click()
    expect(page.get_by_role("heading", name=TITLES[0])).to_be_visible()
    expect(page.get_by_role("heading", name=TITLES[1])).to_have_count(0)
    page.goto(f"{base_url}/search")
    page.get_by_text("Verfijn op kwaliteit").click()
    page.get_by_label("Criterium", exact=True).select_option(label="Leerdoelen zijn duidelijk")
    page.get_by_label("Door", exact=True).select_option(label="Leraar")
    page.get_by_label("Waarde", exact=True).select_option(label="ten minste voldoende")
    page.get_by_role("button", name="Verfijnen").click()
    expect(page.get_by_text("Leerdoelen zijn duidelijk, door leraar: ten minste voldoende")).to_be_visible()
    expect(page.get_by_role("heading", name=TITLES[0])).to_have_count(0)
    accessible(page, axe_source)

    # A collection of the redactie, featured on the home page, is a set of the feed and part of `curated`.
    page.goto(f"{base_url}/collecties")
    page.get_by_role("link", name="Nieuwe collectie").click()
    page.get_by_label("Titel (verplicht)").fill("Rekenen in groep 6")
    page.get_by_label("Korte naam in het webadres en de feed").fill("rekenen-groep-6")
    page.get_by_label("Beschrijving").fill("Een keuze van de redactie.")
    page.get_by_role("button", name="Collectie maken").click()
    expect(page.get_by_role("heading", name="Beheren: Rekenen in groep 6")).to_be_visible()
    page.get_by_label("Toon op de voorpagina").check()
    page.get_by_role("button", name="Opslaan").click()
    for title in TITLES:
        page.goto(f"{base_url}/resources/{site.materials[title]}")
        page.get_by_role("link", name="Voeg toe aan collectie").click()
        page.get_by_label("Notitie bij dit materiaal").fill(f"Waarom: {title}.")
        page.get_by_role("button", name="Toevoegen").click()
        expect(page.get_by_text(f"{title} staat in Rekenen in groep 6.")).to_be_visible()
    accessible(page, axe_source)
    page.locator(f"#item-{site.materials[TITLES[1]]}").get_by_role("button", name="Omhoog").click()
    page.goto(base_url + "/")
    page.get_by_role("link", name="Rekenen in groep 6").click()
    expect(page.locator(".collection-item h3").first).to_have_text(TITLES[1])
    expect(page.get_by_text(f"Waarom: {TITLES[0]}.")).to_be_visible()
    accessible(page, axe_source)
    screenshot(page, "collection")

    listed = page.request.get(f"{base_url}/oai?verb=ListIdentifiers&metadataPrefix=lom&set=collection:rekenen-groep-6")
    root = validate_response(listed.body())
    identifiers = [h.findtext(f"{OAI}identifier") for h in root.iter(f"{OAI}header")]
    assert sorted(identifiers) == sorted(f"oai:oer.local:{site.materials[t]}" for t in TITLES)
    curated = validate_response(page.request.get(
        f"{base_url}/oai?verb=ListRecords&metadataPrefix=lom&set=curated").body())
    assert len(curated.findall(f"{OAI}ListRecords/{OAI}record")) == 2
    assert "De les noemt geen doelen." in etree.tostring(curated, encoding="unicode")
