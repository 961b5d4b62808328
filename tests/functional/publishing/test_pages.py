"""Publishing through the site over HTTP: the form, problems by field, uploads, preview, versions, withdrawal."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from oer.catalogue.models import Resource
from oer.publishing.models import Publication
from tests.support.account_site import csrf_of, sign_in
from tests.support.accounts import PASSWORD
from tests.support.publishing_site import Publishers, form_of, post_form
from web.app import create_app

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.domain)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def only_publication(sessions: sessionmaker[Session]) -> Publication:
    with sessions() as db:
        return db.scalars(select(Publication)).one()


def publish_new(client: FlaskClient, publishers: Publishers, **changes: object) -> str:
    answer = post_form(client, "/publiceren/nieuw", form_of(**changes), extra={"organisatie": str(publishers.school)})
    assert answer.status_code == 302 and "/publiceren/" in answer.location
    publication_id = answer.location.split("/publiceren/")[1].split("/")[0].split("?")[0]
    preview = client.get(f"/publiceren/{publication_id}")
    published = client.post(f"/publiceren/{publication_id}/publiceren",
                            data={"csrf_token": csrf_of(preview.get_data(as_text=True))})
    assert published.status_code == 302, published.get_data(as_text=True)
    return publication_id


def test_every_problem_is_shown_next_to_its_field_then_fixed_and_published(
    redacteur: FlaskClient, publishers: Publishers, sessions: sessionmaker[Session],
) -> None:
    assert redacteur.get("/publiceren/nieuw").status_code == 200
    saved = post_form(redacteur, "/publiceren/nieuw", form_of(title="", licence="", location="javascript:alert(1)"),
                      action="save", extra={"organisatie": str(publishers.school)})
    assert saved.status_code == 302 and "gecontroleerd=1" in saved.location
    page = redacteur.get(saved.location).get_data(as_text=True)
    assert 'id="form-errors"' in page
    for field, message in (("title", "Geef het materiaal een titel."), ("licence", "Kies een licentie."),
                           ("location", "Alleen een volledige http- of https-link is toegestaan.")):
        block = page[page.index(f'id="field-{field}"'):]
        assert message in block[:4000], field
        assert f'{field}-error' in block[:4000]
    assert 'aria-invalid="true"' in page
    draft = only_publication(sessions)
    assert draft.organisation_id == publishers.school and draft.current_version == 0

    fixed = post_form(redacteur, f"/publiceren/{draft.id}/bewerken", form_of())
    assert fixed.status_code == 302 and fixed.location.endswith(f"/publiceren/{draft.id}")
    preview = redacteur.get(fixed.location).get_data(as_text=True)
    assert "Breuken vergelijken" in preview and "PO 26: Structuren doorzien" in preview
    published = redacteur.post(f"/publiceren/{draft.id}/publiceren", data={"csrf_token": csrf_of(preview)})
    assert published.status_code == 302 and published.location.endswith(f"/resources/{draft.id}")

    detail = redacteur.get(f"/resources/{draft.id}").get_data(as_text=True)
    assert "Het Lyceum" in detail and "versie 1" in detail and "PO 26: Structuren doorzien" in detail
    assert redacteur.get("/api/v1/resources?q=breuken").get_json()["total"] == 1


def test_editing_makes_version_two_and_the_history_is_public(
    redacteur: FlaskClient, publishers: Publishers, publishing_app: Flask,
) -> None:
    publication_id = publish_new(redacteur, publishers)
    edited = post_form(redacteur, f"/publiceren/{publication_id}/bewerken", form_of(title="Breuken ordenen"))
    assert edited.status_code == 302
    assert "Breuken vergelijken" in redacteur.get(f"/resources/{publication_id}").get_data(as_text=True), \
        "an unpublished edit changes nothing public"
    preview = redacteur.get(f"/publiceren/{publication_id}").get_data(as_text=True)
    assert "Versie 2 publiceren" in preview
    redacteur.post(f"/publiceren/{publication_id}/publiceren", data={"csrf_token": csrf_of(preview)})

    visitor = publishing_app.test_client()
    history = visitor.get(f"/resources/{publication_id}/versies")
    assert history.status_code == 200
    text = history.get_data(as_text=True)
    assert text.index("Breuken ordenen") < text.index("Breuken vergelijken")
    assert "Breuken ordenen" in visitor.get(f"/resources/{publication_id}").get_data(as_text=True)


def test_withdrawing_answers_410_with_the_reason_and_a_deleted_header_in_the_feed(
    redacteur: FlaskClient, publishers: Publishers, publishing_app: Flask,
) -> None:
    publication_id = publish_new(redacteur, publishers)
    preview = redacteur.get(f"/publiceren/{publication_id}").get_data(as_text=True)
    withdrawn = redacteur.post(f"/publiceren/{publication_id}/intrekken",
                               data={"csrf_token": csrf_of(preview), "reason": "Vervangen door een nieuwe les."})
    assert withdrawn.status_code == 302

    visitor = publishing_app.test_client()
    gone = visitor.get(f"/resources/{publication_id}")
    assert gone.status_code == 410
    assert "Het Lyceum heeft dit materiaal" in gone.get_data(as_text=True)
    assert "Vervangen door een nieuwe les." in gone.get_data(as_text=True)
    assert visitor.get(f"/api/v1/resources/{publication_id}").status_code == 410
    record = visitor.get(f"/oai?verb=GetRecord&metadataPrefix=lom&identifier=oai:oer.local:{publication_id}")
    assert re.search(r'<header status="deleted">', record.get_data(as_text=True))
    assert visitor.get("/api/v1/resources?q=breuken").get_json()["total"] == 0


def test_a_file_is_downloaded_as_an_attachment_and_html_never_runs(
    teacher: FlaskClient, publishers: Publishers, publishing_app: Flask, sessions: sessionmaker[Session],
) -> None:
    answer = post_form(teacher, "/publiceren/nieuw", form_of(location=""), files=[(PDF, "les.pdf"), (HTML, "les.html")])
    assert answer.status_code == 302
    publication = only_publication(sessions)
    assert publication.organisation_id is None, "a teacher publishes in their own name"
    preview = teacher.get(f"/publiceren/{publication.id}").get_data(as_text=True)
    teacher.post(f"/publiceren/{publication.id}/publiceren", data={"csrf_token": csrf_of(preview)})
    with sessions() as db:
        resource = db.get(Resource, publication.id)
        assert resource is not None
        assert resource.record["location"] == f"http://localhost/resources/{publication.id}"
        assert resource.record["formats"] == ["application/pdf", "text/html"]

    visitor = publishing_app.test_client()
    detail = visitor.get(f"/resources/{publication.id}").get_data(as_text=True)
    links = sorted(set(re.findall(r'href="(/bestanden/[^"]+)"', detail)))
    assert len(links) == 2
    for link in links:
        with visitor.get(link) as download:
            assert download.status_code == 200
            assert download.headers["Content-Disposition"].startswith("attachment;")
            assert download.headers["X-Content-Type-Options"] == "nosniff"
            assert download.headers["Content-Security-Policy"].startswith("sandbox;")
            assert "default-src 'none'" in download.headers["Content-Security-Policy"]
    with visitor.get(next(link for link in links if link.endswith("les.html"))) as html:
        assert html.data == HTML and html.mimetype == "text/html"


@pytest.mark.parametrize(("content", "name", "message"), [
    (EXE, "les.pdf", "kan niet worden gepubliceerd"),
    (HTML, "les.pdf", "De naam zegt PDF"),
    (PDF * 40, "groot.pdf", "groter dan"),
])
def test_refused_uploads_are_said_and_nothing_is_kept(
    store_settings: object, publishers: Publishers, content: bytes, name: str, message: str,
) -> None:
    settings = dataclasses.replace(publishers.app.config["OER_SETTINGS"], upload_max_bytes=1024 * 1024)
    app = create_app({"OER_SETTINGS": settings, "TESTING": True})
    try:
        client = app.test_client()
        sign_in(client, "tess@elders.example.org", PASSWORD)
        if "groter" in message:
            app.config["OER_SETTINGS"] = dataclasses.replace(settings, upload_max_bytes=len(content) - 1)
        answer = post_form(client, "/publiceren/nieuw", form_of(location=""), files=[(content, name)])
        assert answer.status_code == 200
        assert message in answer.get_data(as_text=True)
        files = settings.files_dir
        assert not files.exists() or [p for p in files.rglob("*") if p.is_file()] == []
    finally:
        app.extensions["oer_runtime"].close()


def test_a_draft_is_not_found_by_others_and_a_published_one_not_editable(
    redacteur: FlaskClient, teacher: FlaskClient, publishers: Publishers, publishing_app: Flask,
) -> None:
    published = publish_new(redacteur, publishers)
    draft = post_form(redacteur, "/publiceren/nieuw", form_of(), action="save",
                      extra={"organisatie": str(publishers.school)})
    draft_id = draft.location.split("/publiceren/")[1].split("/")[0]
    assert teacher.get(f"/publiceren/{draft_id}").status_code == 404
    assert teacher.get(f"/publiceren/{draft_id}/bewerken").status_code == 404
    assert teacher.get(f"/publiceren/{published}/bewerken").status_code == 403
    page = teacher.get("/publiceren").get_data(as_text=True)
    refused = teacher.post(f"/publiceren/{published}/intrekken", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 403
    assert publishing_app.test_client().get(f"/resources/{published}").status_code == 200


def test_a_lid_publishes_only_in_their_own_name(
    publishing_app: Flask, publishers: Publishers, sessions: sessionmaker[Session],
) -> None:
    lid = publishing_app.test_client()
    sign_in(lid, "lisa@school.example.org", PASSWORD)
    assert "Het Lyceum" not in lid.get("/publiceren/nieuw").get_data(as_text=True)
    answer = post_form(lid, "/publiceren/nieuw", form_of(), action="save",
                       extra={"organisatie": str(publishers.school)})
    assert answer.status_code == 302
    assert only_publication(sessions).organisation_id is None


def test_a_visitor_is_sent_to_sign_in(publishing_app: Flask) -> None:
    answer = publishing_app.test_client().get("/publiceren/nieuw")
    assert answer.status_code == 302 and "/account/inloggen" in answer.location


def test_the_meter_checks_the_form_as_it_is_filled_in(teacher: FlaskClient) -> None:
    page = teacher.get("/publiceren/nieuw").get_data(as_text=True)
    empty = teacher.post("/publiceren/controleren", data={"csrf_token": csrf_of(page)}).get_json()
    assert not empty["ok"] and "licence" in empty["required_missing"]
    assert empty["summary"].startswith("Nog 6 verplichte")
    full = teacher.post("/publiceren/controleren", data={**form_of(), "csrf_token": csrf_of(page)}).get_json()
    assert full["ok"] and full["summary"] == "Alles ingevuld: klaar om te publiceren."


def test_a_school_imports_its_sheet_after_a_dry_run(
    redacteur: FlaskClient, publishers: Publishers, sessions: sessionmaker[Session],
) -> None:
    template = redacteur.get("/publiceren/sjabloon.csv")
    assert template.status_code == 200 and template.mimetype == "text/csv"
    sheet = template.data + b"les-2,,,,,,,,,,,,,,,,\n"
    page = redacteur.get("/publiceren/importeren").get_data(as_text=True)
    for dry_run, created in (("1", 0), ("", 1)):
        answer = redacteur.post("/publiceren/importeren", content_type="multipart/form-data", data={
            "csrf_token": csrf_of(page), "organisatie": str(publishers.school), "dry_run": dry_run,
            "file": (io.BytesIO(sheet), "lessen.csv")})
        text = answer.get_data(as_text=True)
        assert answer.status_code == 200
        assert "1 nieuw, 0 bijgewerkt, 0 ongewijzigd, 1 geweigerd." in text
        assert "lessen.csv: regel 3" in text and "Geef het materiaal een titel." in text
        with sessions() as db:
            assert len(list(db.scalars(select(Resource)))) == created
    unreadable = redacteur.post("/publiceren/importeren", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(page), "file": (io.BytesIO(b"naam\nx\n"), "blad.csv")})
    assert unreadable.status_code == 400 and "no column" in unreadable.get_data(as_text=True)
