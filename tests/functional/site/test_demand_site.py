"""The wensenlijst and the demand figures over HTTP: thin searches counted without who searched, a wish
from an empty result page (CSRF, limits), support, "wij maken dit" from both sides, the mail through a
real SMTP server, and `/api/v1/insights/demand` as JSON and CSV in the OpenAPI document."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select

from metadata.record import Record
from oer.accounts import service as accounts
from oer.accounts.actor import SYSTEM
from oer.accounts.models import MemberRole, OrganisationKind
from oer.catalogue.models import Resource
from oer.demand.models import DemandCount, WishSupport
from oer.harvesting.models import Source
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from tests.integration.mail.test_mail import Collecting, smtp_server  # noqa: F401 - the SMTP server fixture
from tests.support.account_site import csrf_of, sign_in, submit
from tests.support.browser_site import browser_app
from web.api.openapi import openapi_document
from web.runtime import app_runtime

PASSWORD = "zeven-lange-woorden-op-een-rij"
NOTHING = "zeepkistenrace kerndoel 33"


@dataclass(frozen=True)
class Site:
    app: Flask
    smtp: Collecting
    school: int
    material: str


@pytest.fixture
def site(tmp_path: Path, smtp_server: tuple[str, Collecting]) -> Iterator[Site]:  # noqa: F811
    url, handler = smtp_server
    app, _settings = browser_app(tmp_path, smtp_url=url, demand_threshold=3)
    runtime = app_runtime(app)
    with runtime.sessions.begin() as db:
        people = {}
        for email, name in (("tess@school.example.org", "Tess Leraar"), ("rik@school.example.org", "Rik Redacteur"),
                            ("lisa@school.example.org", "Lisa Lid"), ("otto@elders.example.org", "Otto")):
            people[email] = accounts.add_user(db, SYSTEM, email, name, password=PASSWORD, email_verified=True).id
        school = accounts.add_organisation(db, SYSTEM, "het-lyceum", "Het Lyceum", OrganisationKind.SCHOOL).id
        accounts.add_member(db, SYSTEM, school, people["rik@school.example.org"], MemberRole.REDACTEUR)
        accounts.add_member(db, SYSTEM, school, people["lisa@school.example.org"], MemberRole.LID)
        source = Source(name="elders", base_url="https://elders.example.org/oai", metadata_prefix="lom")
        db.add(source)
        db.flush()
        apply_harvested_page(db, source, [HarvestedRecord("oai:elders:1", "2026-01-01", Record(
            title="Zeepkisten bouwen", location="https://elders.example.org/1", languages=("nl",)))])
    with runtime.sessions() as db:
        material = db.scalar(select(Resource.id))
    assert material is not None
    runtime.index_now([material])
    try:
        yield Site(app, handler, school, material)
    finally:
        runtime.close()


def _signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, email, PASSWORD).status_code == 302
    return client


def _rows(app: Flask) -> list[DemandCount]:
    with app_runtime(app).sessions() as db:
        return list(db.scalars(select(DemandCount)))


def test_thin_searches_are_counted_without_address_account_or_session(site: Site) -> None:
    addresses = ("192.0.2.10", "198.51.100.7", "203.0.113.99")
    for address in addresses:
        client = site.app.test_client()
        assert client.get("/search", query_string={"q": NOTHING}, environ_base={"REMOTE_ADDR": address}).status_code == 200
    signed_in = _signed_in(site.app, "tess@school.example.org")
    assert signed_in.get("/search", query_string={"q": NOTHING.upper() + "!", "contexts": "PO"}).status_code == 200
    # A search that finds enough, a later page and a personal-looking text are not counted.
    site.app.test_client().get("/search", query_string={"q": "", "page": "2"})
    site.app.test_client().get("/search", query_string={"q": "tess@school.example.org"})

    with app_runtime(site.app).sessions() as db:
        columns = {column["name"] for column in inspect(db.get_bind()).get_columns("demand_count")}
    assert columns == {"day", "query", "sector", "subject", "searches", "empty"}
    rows = sorted(((row.query, row.sector, row.subject, row.searches, row.empty) for row in _rows(site.app)),
                  key=lambda row: row[1])
    assert rows == [(NOTHING, "", "", 3, 3), (NOTHING, "PO", "", 1, 1)]
    stored = " ".join(f"{row.day} {row.query} {row.sector} {row.subject}" for row in _rows(site.app))
    for personal in (*addresses, "tess", "Tess", "session"):
        assert personal not in stored


def test_a_wish_from_an_empty_result_page_is_csrf_protected_and_supported_once_per_visitor(site: Site) -> None:
    visitor = site.app.test_client()
    results = visitor.get("/search", query_string={"q": NOTHING, "contexts": "VO"}).get_data(as_text=True)
    assert "Niet gevonden wat je zocht?" in results
    link = re.search(r'href="(/wensen/nieuw\?[^"]+)"', results)
    assert link is not None
    form_path = link.group(1).replace("&amp;", "&")
    form = visitor.get(form_path).get_data(as_text=True)
    assert '<option selected value="VO">' in form
    text = "Een les over zeepkistenraces voor vmbo, met een bouwtekening"
    assert visitor.post("/wensen/nieuw", data={"text": text}).status_code == 400, "no CSRF token, no wish"
    too_long = submit(visitor, "/wensen/nieuw", {"text": "x" * 501}, form_page=form_path)
    assert too_long.status_code == 422
    made = submit(visitor, "/wensen/nieuw", {"text": f"<script>alert(1)</script>{text}", "sector": "VO",
                                            "query": NOTHING}, form_page=form_path)
    assert made.status_code == 302
    wish_path = made.headers["Location"]
    page = visitor.get(wish_path).get_data(as_text=True)
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert "1 leraar zoekt dit" in page and "Je hebt laten weten dat je dit ook zoekt." in page

    other = site.app.test_client()
    for _ in range(2):
        assert submit(other, wish_path + "/ook", {}, form_page=wish_path).status_code == 302
    assert "2 leraren zoeken dit" in other.get(wish_path).get_data(as_text=True)
    tess = _signed_in(site.app, "tess@school.example.org")
    for _ in range(2):
        submit(tess, wish_path + "/ook", {"notify": "y"}, form_page=wish_path)
    assert "3 leraren zoeken dit" in tess.get(wish_path).get_data(as_text=True)
    assert "3 leraren zoeken dit" in site.app.test_client().get("/wensen").get_data(as_text=True)


def _wish(site: Site) -> str:
    tess = _signed_in(site.app, "tess@school.example.org")
    made = submit(tess, "/wensen/nieuw", {"text": "Een les over zeepkistenraces voor groep 8", "notify": "y"})
    assert made.status_code == 302
    otto = _signed_in(site.app, "otto@elders.example.org")
    # Otto asks too, but wants no mail.
    submit(otto, made.headers["Location"] + "/ook", {}, form_page=made.headers["Location"])
    path: str = made.headers["Location"]
    return path


def test_only_an_organisations_publishers_answer_and_link_and_those_who_agreed_get_mail(site: Site) -> None:
    wish_path = _wish(site)
    lisa, visitor = _signed_in(site.app, "lisa@school.example.org"), site.app.test_client()
    assert "Wij maken dit" not in lisa.get(wish_path).get_data(as_text=True)
    token = csrf_of(lisa.get(wish_path).get_data(as_text=True))
    assert lisa.post(wish_path + "/antwoord", data={"csrf_token": token, "owner": str(site.school)}).status_code == 403
    assert visitor.post(wish_path + "/antwoord", data={}).status_code in (400, 302)

    rik = _signed_in(site.app, "rik@school.example.org")
    page = rik.get(wish_path).get_data(as_text=True)
    assert "Namens: Het Lyceum" in page
    assert submit(rik, wish_path + "/antwoord", {"owner": str(site.school), "note": "Klaar in mei."},
                  form_page=wish_path).status_code == 302
    page = rik.get(wish_path).get_data(as_text=True)
    assert "Het Lyceum" in page and "Klaar in mei." in page
    answer_id = re.search(r'id="answer-(\d+)"', page).group(1)  # type: ignore[union-attr]
    link = f"{wish_path}/antwoord/{answer_id}/materiaal"
    token = csrf_of(lisa.get(wish_path).get_data(as_text=True))
    assert lisa.post(link, data={"csrf_token": token, "resource": site.material}).status_code == 403
    assert not site.smtp.messages

    linked = submit(rik, link, {"resource": f"http://localhost/resources/{site.material}"}, form_page=wish_path)
    assert linked.status_code == 302
    assert "Zeepkisten bouwen" in rik.get(wish_path).get_data(as_text=True)
    assert [recipients for _sender, recipients in site.smtp.envelopes] == [["tess@school.example.org"]]
    [message] = site.smtp.messages
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and f"/resources/{site.material}" in body.get_content()
    assert wish_path in body.get_content()
    with app_runtime(site.app).sessions() as db:
        assert {row.notify for row in db.scalars(select(WishSupport))} == {True, False}


def test_the_demand_api_shows_gaps_above_the_threshold_as_json_and_csv(site: Site) -> None:
    client = site.app.test_client()
    for number in range(3):
        client.get("/search", query_string={"q": NOTHING}, environ_base={"REMOTE_ADDR": f"192.0.2.{number}"})
    for _ in range(2):
        client.get("/search", query_string={"q": "onderwaterrugby"})
    body = client.get("/api/v1/insights/demand").get_json()
    assert body["threshold"] == 3
    assert [(gap["query"], gap["searches"]) for gap in body["gaps"]] == [(NOTHING, 3)]
    response = client.get("/api/v1/insights/demand?format=csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(row["query"], row["searches"], row["sector"]) for row in rows] == [(NOTHING, "3", "")]
    assert client.get("/api/v1/insights/demand", headers={"Accept": "text/csv"}).mimetype == "text/csv"
    assert client.get("/api/v1/insights/demand?limit=0").status_code == 400
    operation = openapi_document()["paths"]["/insights/demand"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv"}


def test_insight_lists_the_most_asked_gaps_beside_the_kerndoel_gaps(site: Site) -> None:
    client = site.app.test_client()
    for number in range(3):
        client.get("/search", query_string={"q": NOTHING}, environ_base={"REMOTE_ADDR": f"192.0.2.{number}"})
    client.get("/search", query_string={"q": "onderwaterrugby"})
    html = client.get("/inzicht").get_data(as_text=True)
    section = html[html.index('id="gevraagd"'):]
    section = section[: section.index("</section>")]
    assert f'<th scope="row">{NOTHING}</th>' in section
    assert "onderwaterrugby" not in section  # asked once: under the threshold
    assert 'href="/api/v1/insights/demand?format=csv"' in section and 'href="/wensen"' in section
