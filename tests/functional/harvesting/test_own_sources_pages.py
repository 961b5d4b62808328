"""An organisation's own repository through the site: register, first harvest, health and completeness, CSV."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from harvester.replay_pages import PageSource, RecordedPages
from harvester.replay_server import OaiReplayServer
from oer.accounts import service
from oer.accounts.actor import SYSTEM
from oer.accounts.models import MemberRole, OrganisationKind
from oer.settings import Settings
from tests.fixtures.oai_server import EDUREP_PAGES
from tests.support.account_site import csrf_of, sign_in
from tests.support.accounts import PASSWORD
from web.app import create_app
from web.runtime import app_runtime


@pytest.fixture
def school_app(store_settings: Settings) -> Iterator[Flask]:
    store_settings.home.mkdir(parents=True, exist_ok=True)
    settings = dataclasses.replace(store_settings, allow_private_sources=True)
    app = create_app({"OER_SETTINGS": settings, "TESTING": True})
    with app_runtime(app).sessions.begin() as db:
        olga = service.add_user(db, SYSTEM, "olga@school.example.org", "Olga", password=PASSWORD,
                                email_verified=True).id
        lisa = service.add_user(db, SYSTEM, "lisa@school.example.org", "Lisa", password=PASSWORD,
                                email_verified=True).id
        school = service.add_organisation(db, SYSTEM, "het-lyceum", "Het Lyceum", OrganisationKind.SCHOOL).id
        service.add_member(db, SYSTEM, school, olga, MemberRole.BEHEERDER)
        service.add_member(db, SYSTEM, school, lisa, MemberRole.LID)
    yield app
    app.extensions["oer_runtime"].close()


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, email, PASSWORD).status_code == 302
    return client


def test_a_beheerder_registers_the_school_s_repository_and_reads_its_report(
    school_app: Flask, oai_server: Callable[[PageSource], OaiReplayServer],
) -> None:
    server = oai_server(RecordedPages.from_files(EDUREP_PAGES))
    olga = signed_in(school_app, "olga@school.example.org")
    page = olga.get("/organisaties/het-lyceum")
    assert "Bronnen en volledigheid" in page.get_data(as_text=True)
    overview = olga.get("/organisaties/het-lyceum/bronnen").get_data(as_text=True)
    added = olga.post("/organisaties/het-lyceum/bronnen", data={
        "csrf_token": csrf_of(overview), "url": server.url, "prefix": "lom"})
    assert added.status_code == 302 and added.location.endswith("/organisaties/het-lyceum/bronnen/het-lyceum")

    report = olga.get(added.location).get_data(as_text=True)
    assert "gelukt" in report, "the first harvest ran (in-process on the embedded defaults)"
    assert "Wat de records missen" in report and "<code>educational/typicallearningtime</code>" in report
    download = olga.get("/organisaties/het-lyceum/bronnen/het-lyceum/volledigheid.csv")
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert download.mimetype == "text/csv" and len(rows) == 11
    assert all(row["oai_identifier"] for row in rows)
    # The harvested materials are in the catalogue.
    assert school_app.test_client().get("/api/v1/resources?source=het-lyceum").get_json()["total"] == 11


def test_a_private_address_without_the_setting_and_a_lid_are_refused(
    store_settings: Settings, school_app: Flask, oai_server: Callable[[PageSource], OaiReplayServer],
) -> None:
    server = oai_server(RecordedPages.from_files(EDUREP_PAGES))
    lisa = signed_in(school_app, "lisa@school.example.org")
    assert lisa.get("/organisaties/het-lyceum/bronnen").status_code == 403
    page = lisa.get("/organisaties/het-lyceum").get_data(as_text=True)
    refused = lisa.post("/organisaties/het-lyceum/bronnen", data={"csrf_token": csrf_of(page), "url": server.url})
    assert refused.status_code == 403
    assert school_app.test_client().get("/organisaties/het-lyceum/bronnen").status_code == 302

    strict = create_app({"OER_SETTINGS": store_settings, "TESTING": True})
    try:
        olga = signed_in(strict, "olga@school.example.org")
        overview = olga.get("/organisaties/het-lyceum/bronnen").get_data(as_text=True)
        answer = olga.post("/organisaties/het-lyceum/bronnen", data={
            "csrf_token": csrf_of(overview), "url": server.url})
        assert answer.status_code == 400
        assert "OER_ALLOW_PRIVATE_SOURCES" in answer.get_data(as_text=True)
        assert server.received == [], "a refused address is never fetched"
    finally:
        strict.extensions["oer_runtime"].close()
