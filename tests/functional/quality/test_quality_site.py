"""Quality and curation over HTTP: annotate, feedback, moderation, the profile, the search filter,
the annotations API and its contract, collections, and the curated feed harvested by sickle."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sickle import Sickle
from sqlalchemy.orm import Session, sessionmaker

from metadata.conformance import ims_lom_errors
from oer.accounts import service as accounts
from oer.accounts.actor import SYSTEM
from oer.accounts.models import PlatformRole, TokenScope
from oer.accounts.queries import load_actor
from oer.publishing import service as publishing
from tests.fixtures.loopback import serving
from tests.support.account_site import csrf_of, sign_in, submit
from tests.support.accounts import PASSWORD
from tests.support.openapi import OpenApiContract
from tests.support.publishing import SITE, SUBMISSION
from tests.support.publishing_site import Publishers
from tests.unit.oai.validation import validate_response
from web.api.openapi import openapi_document

OAI = "{http://www.openarchives.org/OAI/2.0/}"


@pytest.fixture
def materials(publishers: Publishers, sessions: sessionmaker[Session]) -> Iterator[dict[str, str]]:
    """Two materials published by the school (Het Lyceum) through its redacteur."""
    made = {}
    with sessions.begin() as db:
        actor = load_actor(db, publishers.redacteur)
        for key in ("breuken", "kommagetallen"):
            made[key] = publishing.publish_submission(
                db, actor, SITE, {**SUBMISSION, "title": f"Les over {key}", "location": f"https://l.example.org/{key}"},
                organisation_id=publishers.school).id
    yield made


@pytest.fixture
def redactie(publishing_app: Flask, publishers: Publishers, sessions: sessionmaker[Session]) -> FlaskClient:
    """The school's redacteur, who is also on the platform's redactie."""
    with sessions.begin() as db:
        accounts.grant_role(db, SYSTEM, publishers.redacteur, PlatformRole.REDACTIE)
    client = publishing_app.test_client()
    assert sign_in(client, "rik@school.example.org", PASSWORD).status_code == 302
    return client


def text_of(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_a_teacher_annotates_the_redactie_moderates_and_the_profile_shows_it(
    teacher: FlaskClient, redactie: FlaskClient, materials: dict[str, str], publishing_app: Flask,
) -> None:
    material = materials["breuken"]
    page = text_of(publishing_app.test_client(), f"/resources/{material}")
    assert "Nog niemand heeft iets over de kwaliteit van dit materiaal gezegd" in page
    assert "geen keurmerk" in page

    form = f"/kwaliteit/{material}/annoteren"
    assert "Leerdoelen zijn duidelijk" in text_of(teacher, form)
    # The lowest value needs a justification: nothing is stored, the field says why.
    refused = submit(teacher, form, {"rol": "leraar", "value-didactiek.doelen": "onvoldoende"})
    assert refused.status_code == 422
    assert "Licht de laagste waarde toe" in refused.get_data(as_text=True)
    stored = submit(teacher, form, {"rol": "leraar", "value-didactiek.doelen": "onvoldoende",
                                    "justification-didactiek.doelen": "Geen doelen per les.",
                                    "value-werkbaarheid.direct": "goed"})
    assert stored.status_code == 302
    # Tess's account is new: her annotations wait; she sees that, others see nothing yet.
    assert "nog door de redactie" in text_of(teacher, f"/resources/{material}")
    assert "Geen doelen per les." not in text_of(publishing_app.test_client(), f"/resources/{material}")

    assert teacher.get("/redactie/moderatie").status_code == 403
    queue = text_of(redactie, "/redactie/moderatie")
    assert "Geen doelen per les." in queue
    ids = [int(n) for n in re.findall(r'id="annotaties-(\d+)"', queue)]
    assert len(ids) == 2
    no_reason = redactie.post(f"/redactie/moderatie/annotaties/{ids[1]}", data={
        "csrf_token": csrf_of(queue), "action": "reject", "resource": material})
    assert no_reason.status_code == 302 and "Geef een reden" in text_of(redactie, "/redactie/moderatie")
    for number in ids:
        assert redactie.post(f"/redactie/moderatie/annotaties/{number}", data={
            "csrf_token": csrf_of(queue), "action": "approve", "resource": material}).status_code == 302
    assert "Er wacht niets." in text_of(redactie, "/redactie/moderatie")

    shown = text_of(publishing_app.test_client(), f"/resources/{material}")
    assert "Leerdoelen zijn duidelijk" in shown and "Geen doelen per les." in shown
    assert "Onvoldoende <span class=\"count\">(1)</span>" in shown
    # The school replies once, beside the annotation.
    school_page = text_of(redactie, f"/resources/{material}")
    annotation = re.search(r'action="/kwaliteit/annotaties/(\d+)/reactie"', school_page)
    assert annotation is not None
    assert redactie.post(f"/kwaliteit/annotaties/{annotation.group(1)}/reactie", data={
        "csrf_token": csrf_of(school_page), "reply": "Versie 2 noemt de doelen.", "resource": material,
    }).status_code == 302
    after = text_of(publishing_app.test_client(), f"/resources/{material}")
    assert "Reactie van de auteur" in after and "Versie 2 noemt de doelen." in after
    assert f'action="/kwaliteit/annotaties/{annotation.group(1)}/reactie"' not in text_of(
        redactie, f"/resources/{material}")
    # A teacher is not the author: no reply form for her.
    assert "/reactie\"" not in text_of(teacher, f"/resources/{material}")


def test_search_filters_on_a_criterion_a_role_and_a_least_value(
    teacher: FlaskClient, redactie: FlaskClient, materials: dict[str, str],
) -> None:
    material = materials["breuken"]
    assert submit(redactie, f"/kwaliteit/{material}/annoteren?rol=redactie", {
        "rol": "redactie", "value-didactiek.doelen": "voldoende"}).status_code == 302
    everything = text_of(teacher, "/search")
    assert "Kwaliteitsinformatie" in everything and "Verfijn op kwaliteit" in everything
    assert "Les over breuken" in text_of(teacher, "/search?quality=didactiek.doelen")
    assert "Les over kommagetallen" not in text_of(teacher, "/search?quality=didactiek.doelen")

    refine = teacher.get("/search?kwaliteit_criterium=didactiek.doelen&kwaliteit_rol=redactie"
                         "&kwaliteit_waarde=voldoende")
    assert refine.status_code == 302
    assert "quality_detail=didactiek.doelen%2Fredactie%3E%3Dvoldoende" in refine.location
    found = text_of(teacher, refine.location)
    assert "Les over breuken" in found
    assert "Leerdoelen zijn duidelijk, door redactie: ten minste voldoende" in found
    higher = teacher.get("/search?kwaliteit_criterium=didactiek.doelen&kwaliteit_waarde=goed").location
    assert "Les over breuken" not in text_of(teacher, higher)


def test_pupils_give_feedback_without_an_account_and_anyone_reports_abuse(
    publishing_app: Flask, redactie: FlaskClient, materials: dict[str, str],
) -> None:
    material = materials["kommagetallen"]
    visitor = publishing_app.test_client()
    form = f"/kwaliteit/{material}/feedback"
    page = text_of(visitor, form)
    assert "Taalniveau" in page or "taal" in page.lower()
    assert "Inhoud klopt" not in page, "a pupil is not asked about what only experts judge"
    sent = submit(visitor, form, {"rol": "leerling", "name": "Sam", "value-werkbaarheid.begrijpelijk": "goed"})
    assert sent.status_code == 302
    queue = text_of(redactie, "/redactie/moderatie")
    assert "Sam" in queue
    [number] = re.findall(r'id="annotaties-(\d+)"', queue)
    redactie.post(f"/redactie/moderatie/annotaties/{number}", data={
        "csrf_token": csrf_of(queue), "action": "approve", "resource": material})
    assert "Sam" in text_of(visitor, f"/resources/{material}")

    report = f"/kwaliteit/annotaties/{number}/melden?resource={material}"
    assert submit(visitor, report, {"reason": " "}).status_code == 422
    assert submit(visitor, report, {"reason": "Dit klopt niet.", "resource": material}).status_code == 302
    queue = text_of(redactie, "/redactie/moderatie")
    assert "Dit klopt niet." in queue
    [abuse] = re.findall(r'id="meldingen-(\d+)"', queue)
    redactie.post(f"/redactie/moderatie/meldingen/{abuse}", data={"csrf_token": csrf_of(queue), "action": "dismiss"})
    assert "Er wacht niets." in text_of(redactie, "/redactie/moderatie")


def test_the_annotations_api_reads_writes_and_refuses(
    publishing_app: Flask, publishers: Publishers, sessions: sessionmaker[Session], materials: dict[str, str],
) -> None:
    contract = OpenApiContract(openapi_document())
    material = materials["breuken"]
    with sessions.begin() as db:
        annotate = accounts.create_token(db, SYSTEM, publishers.redacteur, "ann", [TokenScope.ANNOTATE]).secret
        publish = accounts.create_token(db, SYSTEM, publishers.redacteur, "pub", [TokenScope.PUBLISH]).secret
    api = publishing_app.test_client()
    path = f"/api/v1/resources/{material}/annotations"
    empty = contract.check(api.get(path), "/resources/{id}/annotations")
    assert empty["annotations"] == [] and empty["framework_version"] == "1"

    body = {"criterion": "kerndoelen.aansluiting", "value": "goed", "role": "auteur",
            "justification": "Sluit aan op kerndoel 26."}
    created = api.post(path, json=body, headers={"Authorization": f"Bearer {annotate}"})
    stored = contract.check(created, "/resources/{id}/annotations", "post")
    assert created.status_code == 201 and stored["state"] == "approved"
    listed = contract.check(api.get(path), "/resources/{id}/annotations")["annotations"]
    assert [(a["criterion"], a["value"], a["role"], a["framework_version"], a["state"]) for a in listed] == [
        ("kerndoelen.aansluiting", "goed", "auteur", "1", "approved")]
    assert listed[0]["justification"] == "Sluit aan op kerndoel 26." and listed[0]["date"]

    refused = api.post(path, json=body, headers={"Authorization": f"Bearer {publish}"})
    assert contract.check(refused, "/resources/{id}/annotations", "post")["error"]["status"] == 403
    assert contract.check(api.post(path, json=body), "/resources/{id}/annotations", "post")["error"][
        "status"] == 401
    redactie_role = api.post(path, json={**body, "role": "redactie"}, headers={"Authorization": f"Bearer {annotate}"})
    assert contract.check(redactie_role, "/resources/{id}/annotations", "post")["error"]["status"] == 403
    wrong = api.post(path, json={"criterion": "x", "value": "goed", "role": "koning", "extra": 1},
                     headers={"Authorization": f"Bearer {annotate}"})
    problems = contract.check(wrong, "/resources/{id}/annotations", "post")["error"]["problems"]
    assert {p["field"] for p in problems} == {"extra", "role"}
    lowest = api.post(path, json={**body, "value": "onvoldoende", "justification": None},
                      headers={"Authorization": f"Bearer {annotate}"})
    assert [p["field"] for p in contract.check(lowest, "/resources/{id}/annotations", "post")["error"][
        "problems"]] == ["justification"]
    unknown = api.get("/api/v1/resources/no-such-material/annotations")
    assert contract.check(unknown, "/resources/{id}/annotations")["error"]["status"] == 404


def test_a_collection_is_built_on_the_site_featured_and_harvested_from_the_feed(
    publishing_app: Flask, redactie: FlaskClient, teacher: FlaskClient, materials: dict[str, str],
) -> None:
    assert teacher.get("/collecties/nieuw").status_code == 403
    made = submit(redactie, "/collecties/nieuw", {"owner": "redactie", "title": "Breuken in groep 6",
                                                  "slug": "breuken-groep-6", "description": "Een keuze."})
    assert made.status_code == 302 and made.location.endswith("/collecties/breuken-groep-6/beheren")
    for key in ("breuken", "kommagetallen"):
        added = submit(redactie, f"/collecties/toevoegen/{materials[key]}", {
            "collection": re.search(r'name="collection" value="(\d+)"', text_of(
                redactie, f"/collecties/toevoegen/{materials[key]}")).group(1),  # type: ignore[union-attr]
            "note": "Begin hiermee." if key == "breuken" else ""})
        assert added.status_code == 302
    manage = text_of(redactie, "/collecties/breuken-groep-6/beheren")
    assert redactie.post("/collecties/breuken-groep-6/beheren", data={
        "csrf_token": csrf_of(manage), "action": "details", "title": "Breuken in groep 6",
        "description": "Een keuze.", "featured": "on"}).status_code == 302
    assert teacher.get("/collecties/breuken-groep-6/beheren").status_code == 403

    public = text_of(publishing_app.test_client(), "/collecties/breuken-groep-6")
    assert "Les over breuken" in public and "Begin hiermee." in public and "collection:breuken-groep-6" in public
    home = text_of(publishing_app.test_client(), "/")
    assert "Uitgelichte collecties" in home and "Breuken in groep 6" in home

    with serving(publishing_app) as base_url:
        sickle = Sickle(f"{base_url}/oai", max_retries=0, timeout=30)
        specs = {s.setSpec: s.setName for s in sickle.ListSets()}
        curated = [r for r in sickle.ListRecords(metadataPrefix="lom", set="curated")]
        collected = [h.identifier for h in sickle.ListIdentifiers(metadataPrefix="lom", set="collection:breuken-groep-6")]
    assert specs["collection:breuken-groep-6"] == "Collectie: Breuken in groep 6"
    expected = {f"oai:oer.local:{materials[k]}" for k in ("breuken", "kommagetallen")}
    assert {r.header.identifier for r in curated} == expected
    assert set(collected) == expected
    for record in curated:
        [lom] = record.xml.find(f"{OAI}metadata")
        assert ims_lom_errors(lom) == []


def test_the_feed_carries_annotations_valid_in_lom_and_nl_lom(
    publishing_app: Flask, redactie: FlaskClient, materials: dict[str, str],
) -> None:
    material = materials["breuken"]
    submit(redactie, f"/kwaliteit/{material}/annoteren?rol=redactie", {
        "rol": "redactie", "value-didactiek.doelen": "goed", "justification-didactiek.doelen": "Heldere <doelen>."})
    client = publishing_app.test_client()
    for prefix in ("lom", "nl_lom"):
        body = client.get(f"/oai?verb=ListRecords&metadataPrefix={prefix}&set=curated").get_data()
        root = validate_response(body)
        records = root.findall(f"{OAI}ListRecords/{OAI}record")
        assert len(records) == 1, prefix
        text = " ".join(records[0].itertext())
        assert "Kwaliteitskader versie 1" in text and "Heldere <doelen>." in text and "redactie" in text.lower()


def test_a_users_data_export_holds_what_they_wrote_about_quality(
    teacher: FlaskClient, materials: dict[str, str],
) -> None:
    material = materials["breuken"]
    submit(teacher, f"/kwaliteit/{material}/annoteren", {"rol": "leraar", "value-didactiek.doelen": "goed"})
    submit(teacher, f"/kwaliteit/{material}/ervaring", {"group_level": "groep 6", "worked": "De getallenlijn."})
    exported = teacher.get("/account/gegevens").get_json()
    quality = exported["quality"]
    assert [(a["resource"], a["criterion"], a["state"]) for a in quality["annotations"]] == [
        (material, "didactiek.doelen", "pending")]
    assert [(e["resource"], e["group_level"]) for e in quality["experiences"]] == [(material, "groep 6")]
