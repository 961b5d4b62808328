"""Arrangements over HTTP: the builder's forms, "add to", the licence panel, exports, the API and its contract."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from sickle import Sickle
from sqlalchemy.orm import Session, sessionmaker

from metadata.conformance import ims_cp_errors, ims_lom_errors
from oer.accounts import service as accounts
from oer.accounts.actor import SYSTEM
from oer.accounts.models import TokenScope
from oer.publishing import service as publishing
from tests.fixtures.loopback import serving
from tests.support.account_site import csrf_of
from tests.support.openapi import OpenApiContract
from tests.support.publishing import SITE, SUBMISSION
from tests.support.publishing_site import Publishers
from web.api.openapi import openapi_document


@pytest.fixture(scope="module")
def contract() -> OpenApiContract:
    return OpenApiContract(openapi_document())


@pytest.fixture
def materials(publishers: Publishers, sessions: sessionmaker[Session]) -> Iterator[dict[str, str]]:
    """Three published materials: CC BY-SA, CC BY-NC and CC BY-ND (by the school's redacteur)."""
    from oer.accounts.queries import load_actor

    made = {}
    with sessions.begin() as db:
        actor = load_actor(db, publishers.redacteur)
        for key, licence in (("sa", "cc-by-sa-40"), ("nc", "cc-by-nc-40"), ("nd", "cc-by-nd-40")):
            made[key] = publishing.publish_submission(
                db, actor, SITE, {**SUBMISSION, "title": f"Les {key}", "licence": licence,
                                  "location": f"https://lessen.example.org/{key}"},
                organisation_id=publishers.school).id
    yield made


def add(client: FlaskClient, resource_id: str, target: str, use: str = "include", title: str = "") -> str:
    page = client.get(f"/arrangementen/toevoegen/{resource_id}")
    assert page.status_code == 200
    answer = client.post(f"/arrangementen/toevoegen/{resource_id}", data={
        "csrf_token": csrf_of(page.get_data(as_text=True)), "target": target, "use": use, "title": title})
    return answer.get_data(as_text=True) if answer.status_code != 302 else answer.location


def test_build_adapt_refuse_resolve_publish_and_export(
    teacher: FlaskClient, materials: dict[str, str], publishing_app: Flask,
) -> None:
    location = add(teacher, materials["sa"], "new", title="Breuken, drie lessen")
    arrangement_id = location.split("/arrangementen/")[1].split("#")[0]
    page = teacher.get(f"/arrangementen/{arrangement_id}").get_data(as_text=True)
    section = re.search(r'/arrangementen/[^/]+/secties/(\d+)', page).group(1)  # type: ignore[union-attr]

    refused = add(teacher, materials["nd"], f"{arrangement_id}:{section}", use="adapt")
    assert "mag niet bewerkt worden" in refused.lower() or "ND" in refused
    add(teacher, materials["sa"], f"{arrangement_id}:{section}", use="adapt")
    add(teacher, materials["nc"], f"{arrangement_id}:{section}", use="adapt")
    page = teacher.get(f"/arrangementen/{arrangement_id}").get_data(as_text=True)
    assert "Zo kan het niet gedeeld worden." in page
    assert "Neem een van beide ongewijzigd op" in page

    # Resolve: drop the adapted NC part, include it unchanged instead.
    nc_parts = re.findall(r'<li id="part-(\d+)" class="part[^"]*">\s*<p class="part-title">\s*<a href="/arrangementen/'
                          r'[^"]+">Bewerking van Les nc', page)
    assert len(nc_parts) == 1
    teacher.post(f"/arrangementen/{arrangement_id}/onderdelen/{nc_parts[0]}",
                 data={"csrf_token": csrf_of(page), "action": "remove"})
    add(teacher, materials["nc"], f"{arrangement_id}:{section}")
    page = teacher.get(f"/arrangementen/{arrangement_id}").get_data(as_text=True)
    assert "Zo kan het niet gedeeld worden." not in page and "CC BY-SA 4.0" in page

    published = teacher.post(f"/arrangementen/{arrangement_id}/publiceren", data={"csrf_token": csrf_of(page)})
    assert published.status_code == 302 and published.location.endswith(f"/resources/{arrangement_id}")
    detail = teacher.get(f"/resources/{arrangement_id}").get_data(as_text=True)
    assert "Les nc" in detail and "bewerkt" in detail
    used = publishing_app.test_client().get(f"/resources/{materials['nc']}").get_data(as_text=True)
    assert "Gebruikt in 1 arrangement" in used and "Breuken, drie lessen" in used

    package = teacher.get(f"/arrangementen/{arrangement_id}/imscp.zip")
    assert package.status_code == 200 and package.mimetype == "application/zip"
    manifest = etree.fromstring(zipfile.ZipFile(io.BytesIO(package.data)).read("imsmanifest.xml"))
    assert ims_cp_errors(manifest) == []
    offline = zipfile.ZipFile(io.BytesIO(teacher.get(f"/arrangementen/{arrangement_id}/export.zip").data))
    assert "index.html" in offline.namelist()


def test_a_draft_is_not_found_by_others_and_only_its_maker_changes_it(
    teacher: FlaskClient, redacteur: FlaskClient, materials: dict[str, str], publishing_app: Flask,
) -> None:
    location = add(teacher, materials["sa"], "new", title="Mijn concept")
    arrangement_id = location.split("/arrangementen/")[1].split("#")[0]
    assert redacteur.get(f"/arrangementen/{arrangement_id}").status_code == 404
    assert publishing_app.test_client().get(f"/arrangementen/{arrangement_id}").status_code == 404
    page = redacteur.get("/arrangementen").get_data(as_text=True)
    refused = redacteur.post(f"/arrangementen/{arrangement_id}/secties",
                             data={"csrf_token": csrf_of(page), "title": "Ingebroken"})
    assert refused.status_code == 403
    visitor = publishing_app.test_client().get(f"/arrangementen/toevoegen/{materials['sa']}")
    assert visitor.status_code == 302 and "/account/inloggen" in visitor.location


def test_the_arrangements_api_writes_reads_and_refuses(
    publishing_app: Flask, publishers: Publishers, sessions: sessionmaker[Session], materials: dict[str, str],
    contract: OpenApiContract,
) -> None:
    with sessions.begin() as db:
        secret = accounts.create_token(db, SYSTEM, publishers.teacher, "arr", [TokenScope.PUBLISH]).secret
        annotate = accounts.create_token(db, SYSTEM, publishers.teacher, "ann", [TokenScope.ANNOTATE]).secret
    auth = {"Authorization": f"Bearer {secret}"}
    api = publishing_app.test_client()
    body = {"title": "Via de API", "sections": [
        {"title": "Les 1", "parts": [{"use": "include", "resource": materials["nd"]},
                                     {"use": "page", "title": "Uitleg", "body": "**Kijk** goed."}]}],
        "publish": True}
    created = api.post("/api/v1/arrangements", json=body, headers=auth)
    assert created.status_code == 201, created.get_data(as_text=True)
    shown = contract.check(created, "/arrangements", "post")
    assert shown["state"] == "published" and shown["licence"]["current"] == shown["licence"]["recommended"]
    assert [p["use"] for p in shown["sections"][0]["parts"]] == ["include", "page"]
    assert len(shown["attribution"]) == 1
    read = api.get(created.headers["Location"])
    assert contract.check(read, "/arrangements/{id}")["id"] == shown["id"]

    adapt_nd = {**body, "sections": [{"title": "Les 1", "parts": [{"use": "adapt", "resource": materials["nd"]}]}]}
    refused = api.put(f"/api/v1/arrangements/{shown['id']}", json=adapt_nd, headers=auth)
    assert contract.check(refused, "/arrangements/{id}", "put")["error"]["status"] == 422
    assert contract.check(api.post("/api/v1/arrangements", json=body), "/arrangements", "post")["error"][
        "status"] == 401
    assert api.post("/api/v1/arrangements", json=body, headers={"Authorization": f"Bearer {annotate}"}
                    ).status_code == 403
    unknown = {**body, "sections": [{"title": "x", "parts": [{"use": "include", "resource": "bestaat-niet"}]}]}
    assert contract.check(api.post("/api/v1/arrangements", json=unknown, headers=auth), "/arrangements",
                          "post")["error"]["status"] == 404
    assert contract.check(api.post("/api/v1/arrangements", json={"title": "x"}, headers=auth), "/arrangements",
                          "post")["error"]["status"] == 400


def test_the_feed_serves_a_published_arrangement_valid_with_its_haspart_relations(
    publishing_app: Flask, publishers: Publishers, sessions: sessionmaker[Session], materials: dict[str, str],
) -> None:
    with sessions.begin() as db:
        secret = accounts.create_token(db, SYSTEM, publishers.teacher, "arr", [TokenScope.PUBLISH]).secret
    body = {"title": "In de feed", "publish": True, "sections": [{"title": "Les 1", "parts": [
        {"use": "include", "resource": materials["sa"]}, {"use": "include", "resource": materials["nc"]}]}]}
    created = publishing_app.test_client().post("/api/v1/arrangements", json=body,
                                                headers={"Authorization": f"Bearer {secret}"}).get_json()
    with serving(publishing_app) as base_url:
        records = {r.header.identifier: r for r in
                   Sickle(f"{base_url}/oai", max_retries=0, timeout=30).ListRecords(metadataPrefix="lom")}
    record = records[f"oai:oer.local:{created['id']}"]
    [lom] = record.xml.find("{http://www.openarchives.org/OAI/2.0/}metadata")
    assert ims_lom_errors(lom) == []
    ns = "{http://www.imsglobal.org/xsd/imsmd_v1p2}"
    kinds = ["".join(r.find(f"{ns}kind/{ns}value").itertext()).split("nllom_20131211")[-1].strip()
             for r in lom.iter(f"{ns}relation")]
    assert kinds == ["haspart", "haspart"]
    aggregation = "".join(lom.find(f"{ns}general/{ns}aggregationlevel/{ns}value").itertext())
    assert aggregation.strip().endswith("3")


def test_what_the_parts_give_is_prefilled_and_what_the_teacher_changes_goes_first(
    teacher: FlaskClient, materials: dict[str, str], sessions: sessionmaker[Session],
) -> None:
    from oer.catalogue.models import Resource
    from oer.remix.models import Arrangement

    location = add(teacher, materials["sa"], "new", title="Met eigen leertijd")
    arrangement_id = location.split("/arrangementen/")[1].split("#")[0]
    page = teacher.get(f"/arrangementen/{arrangement_id}").get_data(as_text=True)
    assert 'name="typical_learning_time" value="45"' in page and 'value="PO" checked' in page
    teacher.post(f"/arrangementen/{arrangement_id}/gegevens", data={
        "csrf_token": csrf_of(page), "title": "Met eigen leertijd", "contexts": ["PO"],
        "typical_age_range": "9-11", "typical_learning_time": "120", "licence": "cc-by-sa-40"})
    with sessions() as db:
        stored = db.get(Arrangement, arrangement_id)
        assert stored is not None and stored.metadata_json["typical_learning_time"] == 120
        assert "contexts" not in stored.metadata_json, "unchanged values stay derived from the parts"
    page = teacher.get(f"/arrangementen/{arrangement_id}").get_data(as_text=True)
    teacher.post(f"/arrangementen/{arrangement_id}/publiceren", data={"csrf_token": csrf_of(page)})
    with sessions() as db:
        resource = db.get(Resource, arrangement_id)
        assert resource is not None and resource.record["typical_learning_time"] == 120 * 60
        assert resource.record["licence"]["code"] == "cc-by-sa-40"
