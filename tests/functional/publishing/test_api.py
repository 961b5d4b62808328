"""The write API over HTTP: 201/200/204, 401/403/404/409/422/429, the OpenAPI contract, and the feed it feeds."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from sickle import Sickle
from sqlalchemy.orm import Session, sessionmaker

from metadata.conformance import ims_lom_errors
from oer.accounts import service as accounts
from oer.accounts.actor import SYSTEM
from oer.accounts.models import TokenScope
from oer.settings import Settings
from tests.fixtures.loopback import serving
from tests.support.openapi import OpenApiContract
from tests.support.publishing import KERNDOEL_PO_26, SUBMISSION
from tests.support.publishing_site import Publishers
from web.accounts import limits
from web.api.openapi import openapi_document
from web.app import create_app

LOM = "{http://www.imsglobal.org/xsd/imsmd_v1p2}"


@pytest.fixture(scope="module")
def contract() -> OpenApiContract:
    return OpenApiContract(openapi_document())


def token(sessions: sessionmaker[Session], user_id: int, *scopes: TokenScope, organisation_id: int | None = None,
          ) -> dict[str, str]:
    with sessions.begin() as db:
        created = accounts.create_token(db, SYSTEM, user_id, "api-test", scopes or [TokenScope.PUBLISH],
                                        organisation_id=organisation_id)
    return {"Authorization": f"Bearer {created.secret}"}


@pytest.fixture
def api(publishing_app: Flask) -> FlaskClient:
    return publishing_app.test_client()


def test_publish_update_and_withdraw_through_the_api(
    api: FlaskClient, publishers: Publishers, sessions: sessionmaker[Session], contract: OpenApiContract,
) -> None:
    auth = token(sessions, publishers.redacteur)
    body = {**SUBMISSION, "organisation": "het-lyceum", "identifier": "les-7"}
    created = api.post("/api/v1/resources", json=body, headers=auth)
    assert created.status_code == 201, created.get_data(as_text=True)
    published = contract.check(created, "/resources", "post")
    assert created.headers["Location"].endswith(f"/api/v1/resources/{published['id']}")
    assert (published["version"], published["changed"]) == (1, True)
    assert published["record"]["contributors"][-1] == {
        "role": "publisher", "name": "Het Lyceum", "date": published["record"]["datestamp"][:10]}

    read = api.get(created.headers["Location"])
    assert read.status_code == 200 and read.get_json()["title"] == "Breuken vergelijken"

    again = api.post("/api/v1/resources", json={**body, "title": "Breuken vergelijken (herzien)"}, headers=auth)
    assert again.status_code == 200
    assert contract.check(again, "/resources", "post")["version"] == 2

    replaced = api.put(f"/api/v1/resources/{published['id']}", json={**SUBMISSION, "keywords": ["noemer"]},
                       headers=auth)
    assert contract.check(replaced, "/resources/{id}", "put")["version"] == 3
    unchanged = api.put(f"/api/v1/resources/{published['id']}", json={**SUBMISSION, "keywords": ["noemer"]},
                        headers=auth)
    assert contract.check(unchanged, "/resources/{id}", "put")["changed"] is False

    withdrawn = api.delete(f"/api/v1/resources/{published['id']}?reason=verouderd", headers=auth)
    contract.check(withdrawn, "/resources/{id}", "delete")
    assert withdrawn.status_code == 204
    assert api.get(created.headers["Location"]).status_code == 410
    assert contract.check(api.delete(f"/api/v1/resources/{published['id']}", headers=auth),
                          "/resources/{id}", "delete")["error"]["status"] == 409


def test_every_problem_is_a_422_with_field_code_and_both_languages(
    api: FlaskClient, publishers: Publishers, sessions: sessionmaker[Session], contract: OpenApiContract,
) -> None:
    auth = token(sessions, publishers.redacteur)
    bad = {**SUBMISSION, "organisation": "het-lyceum", "title": "", "licence": "cc-by-99",
           "location": "javascript:alert(1)", "educational_objectives": ["onbekend"], "kleur": "blauw"}
    answer = api.post("/api/v1/resources", json=bad, headers={**auth, "Accept-Language": "en"})
    assert answer.status_code == 422
    problems = contract.check(answer, "/resources", "post")["error"]["problems"]
    assert {(p["field"], p["code"]) for p in problems} == {
        ("title", "required"), ("licence", "unknown-value"), ("location", "invalid-url"),
        ("educational_objectives", "unknown-value"), ("kleur", "unknown-field")}
    assert all(p["message"] == p["message_en"] and p["message_nl"] != p["message_en"] for p in problems)
    unknown_org = api.post("/api/v1/resources", json={**SUBMISSION, "organisation": "nergens"}, headers=auth)
    assert [p["field"] for p in contract.check(unknown_org, "/resources", "post")["error"]["problems"]] == [
        "organisation"]
    not_json = api.post("/api/v1/resources", data="titel=x", headers=auth)
    assert contract.check(not_json, "/resources", "post")["error"]["status"] == 400


def test_tokens_and_roles_are_checked_from_both_sides(
    api: FlaskClient, publishers: Publishers, sessions: sessionmaker[Session], contract: OpenApiContract,
) -> None:
    school_body = {**SUBMISSION, "organisation": "het-lyceum"}
    assert contract.check(api.post("/api/v1/resources", json=school_body), "/resources", "post")["error"][
        "status"] == 401
    annotate = token(sessions, publishers.redacteur, TokenScope.ANNOTATE)
    assert api.post("/api/v1/resources", json=school_body, headers=annotate).status_code == 403
    lid = token(sessions, publishers.lid)
    refused = api.post("/api/v1/resources", json=school_body, headers=lid)
    assert contract.check(refused, "/resources", "post")["error"]["status"] == 403
    unverified = token(sessions, publishers.unverified)
    assert api.post("/api/v1/resources", json=SUBMISSION, headers=unverified).status_code == 403
    # Allowed: the lid in their own name, the redacteur with a token bound to the school.
    assert api.post("/api/v1/resources", json=SUBMISSION, headers=lid).status_code == 201
    bound = token(sessions, publishers.redacteur, organisation_id=publishers.school)
    created = api.post("/api/v1/resources", json=school_body, headers=bound)
    assert created.status_code == 201
    # Someone else's material: not theirs to change; unknown ones are 404.
    material = created.get_json()["id"]
    assert api.put(f"/api/v1/resources/{material}", json=SUBMISSION, headers=lid).status_code == 403
    assert api.delete(f"/api/v1/resources/{material}", headers=lid).status_code == 403
    missing = api.put("/api/v1/resources/00000000-0000-4000-8000-000000000000", json=SUBMISSION, headers=lid)
    assert contract.check(missing, "/resources/{id}", "put")["error"]["status"] == 404


def test_writes_per_token_are_limited_with_retry_after(
    store_settings: Settings, publishers: Publishers, sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "WRITES_PER_TOKEN", "3 per minute")
    app = create_app({"OER_SETTINGS": store_settings, "TESTING": True})
    try:
        client = app.test_client()
        auth = token(sessions, publishers.teacher)
        answers = [client.post("/api/v1/resources", json={**SUBMISSION, "identifier": f"x{i}"}, headers=auth)
                   for i in range(4)]
        assert [a.status_code for a in answers] == [201, 201, 201, 429]
        assert int(answers[-1].headers["Retry-After"]) > 0
        assert answers[-1].get_json()["error"]["status"] == 429
        other = token(sessions, publishers.redacteur)
        assert client.post("/api/v1/resources", json=SUBMISSION, headers=other).status_code == 201
    finally:
        app.extensions["oer_runtime"].close()


def test_the_feed_serves_the_published_record_valid_with_its_kerndoel_and_sickle_harvests_it(
    publishing_app: Flask, api: FlaskClient, publishers: Publishers, sessions: sessionmaker[Session],
) -> None:
    created = api.post("/api/v1/resources", json={**SUBMISSION, "organisation": "het-lyceum"},
                       headers=token(sessions, publishers.redacteur)).get_json()
    with serving(publishing_app) as base_url:
        sickle = Sickle(f"{base_url}/oai", max_retries=0, timeout=30)
        [record] = list(sickle.ListRecords(metadataPrefix="lom"))
    assert record.header.identifier == f"oai:oer.local:{created['id']}"
    [lom] = record.xml.find("{http://www.openarchives.org/OAI/2.0/}metadata")
    assert ims_lom_errors(lom) == []
    purposes = ["".join(c.find(f"{LOM}purpose/{LOM}value").itertext()).strip()
                for c in lom.iter(f"{LOM}classification")]
    assert "educational objective" in purposes
    assert KERNDOEL_PO_26 in etree.tostring(lom, encoding="unicode")
    entry = lom.find(f"{LOM}general/{LOM}catalogentry/{LOM}entry")
    assert "".join(entry.itertext()).strip() == created["id"]
