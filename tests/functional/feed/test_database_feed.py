"""/oai served from the database through create_app: every answer schema-valid, datestamps and sets as the store keeps them."""

from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from metadata.record import Record
from oer.catalogue.models import Resource
from oer.feed.oai.contract import FeedRepository
from oer.feed.repository import DatabaseFeedRepository
from oer.harvesting.models import Provenance, Source
from oer.harvesting.provenance import HarvestedRecord
from oer.settings import Settings
from tests.integration.feed.harvests import (
    EDUREP_DELTA,
    EDUREP_INITIAL,
    FIXTURE_MATERIALS,
    Catalogue,
    Clock,
    harvest,
    page_records,
)
from tests.support.feed_app import COPIES, dispose, feed_app
from tests.unit.oai.validation import NS, error_codes, validate_response
from web.oai.store import StoreFeedRepository

Header = tuple[str, str, bool, tuple[str, ...]]


def oai(client: FlaskClient, method: str = "GET", **arguments: str) -> etree._Element:
    """Send a request, assert HTTP 200 and schema validity (lom payloads too), return the root."""
    arguments = {name.rstrip("_"): value for name, value in arguments.items()}
    if method == "GET":
        response = client.get("/oai?" + urlencode(arguments))
    else:
        response = client.post("/oai", data=arguments)
    assert response.status_code == 200
    return validate_response(response.get_data())


def headers_of(container: etree._Element) -> list[Header]:
    return [
        (
            h.findtext("oai:identifier", namespaces=NS),
            h.findtext("oai:datestamp", namespaces=NS),
            h.get("status") == "deleted",
            tuple(h.xpath("oai:setSpec/text()", namespaces=NS)),
        )
        for h in container.iterfind(".//oai:header", NS)
    ]


def harvest_list(client: FlaskClient, verb: str, method: str = "GET", **arguments: str) -> list[Header]:
    """Follow resumption tokens to the end; check cursor and completeListSize on every page."""
    root = oai(client, method, verb=verb, **arguments)
    if error_codes(root) == ["noRecordsMatch"]:
        return []
    assert error_codes(root) == []
    headers: list[Header] = []
    sizes = set()
    while True:
        container = root.find(f"oai:{verb}", NS)
        page = headers_of(container)
        if verb == "ListRecords":
            for record in container.iterfind("oai:record", NS):
                deleted = record.find("oai:header", NS).get("status") == "deleted"
                assert (record.find("oai:metadata", NS) is None) == deleted
        token = container.find("oai:resumptionToken", NS)
        if token is not None:
            assert int(token.get("cursor")) == len(headers)
            sizes.add(int(token.get("completeListSize")))
        headers += page
        if token is None or not token.text:
            break
        root = oai(client, method, verb=verb, resumptionToken=token.text)
    assert len(sizes) <= 1 and (not sizes or sizes == {len(headers)})
    return headers


def stored(session: Session) -> dict[str, Resource]:
    session.expire_all()
    return {f"oai:oer.local:{r.id}": r for r in session.scalars(select(Resource))}


def live_provenance(session: Session, source: str, number: int = 0) -> Provenance:
    return session.scalars(
        select(Provenance).join(Source).where(Source.name == source, Provenance.deleted.is_(False)).order_by(Provenance.id)
    ).all()[number]


class TestEveryAnswerValidates:
    @pytest.mark.parametrize("prefix", ["lom", "nl_lom", "oai_dc"])
    def test_list_records_of_the_whole_feed(self, client: FlaskClient, prefix: str, store_sessions: sessionmaker[Session]) -> None:
        headers = harvest_list(client, "ListRecords", metadataPrefix=prefix)
        with store_sessions() as session:
            resources = stored(session)
        assert len(resources) == FIXTURE_MATERIALS + COPIES
        assert sorted(h[0] for h in headers) == sorted(resources)
        assert [h[1] for h in headers] == sorted(h[1] for h in headers)

    @pytest.mark.parametrize(
        "arguments",
        [
            {"verb": "Identify"},
            {"verb": "ListSets"},
            {"verb": "ListMetadataFormats"},
            {"verb": "ListIdentifiers", "metadataPrefix": "lom", "set": "sector:HBO"},
            {"verb": "ListRecords", "metadataPrefix": "lom", "set": "source:school"},
            {"verb": "ListRecords", "metadataPrefix": "lom", "set": "curated"},
            {"verb": "ListRecords", "metadataPrefix": "lom", "set": "sector:XX"},
            {"verb": "ListRecords", "metadataPrefix": "lom", "from": "2024-03-01T12:04:00Z", "until": "2024-03-01"},
            {"verb": "GetRecord", "metadataPrefix": "lom", "identifier": "oai:oer.local:00000000-0000-4000-8000-000000000000"},
            {"verb": "ListRecords", "metadataPrefix": "marc"},
        ],
    )
    def test_other_requests(self, client: FlaskClient, arguments: dict[str, str]) -> None:
        oai(client, **arguments)

    def test_identify_speaks_for_this_repository(self, client: FlaskClient, store_sessions: sessionmaker[Session]) -> None:
        identify = oai(client, verb="Identify").find("oai:Identify", NS)
        assert identify.findtext("oai:repositoryName", namespaces=NS) == "OER repository"
        assert identify.findtext("oai:baseURL", namespaces=NS) == "http://localhost/oai"
        assert identify.findtext("oai:adminEmail", namespaces=NS) == "admin@oer.local"
        assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
        assert identify.findtext(".//id:repositoryIdentifier", namespaces=NS) == "oer.local"
        with store_sessions() as session:
            earliest = min(r.feed_datestamp for r in stored(session).values())
        assert identify.findtext("oai:earliestDatestamp", namespaces=NS) == earliest.strftime("%Y-%m-%dT%H:%M:%SZ")

    def test_list_sets_in_dutch(self, client: FlaskClient) -> None:
        sets = {
            s.findtext("oai:setSpec", namespaces=NS): s.findtext("oai:setName", namespaces=NS)
            for s in oai(client, verb="ListSets").iterfind("oai:ListSets/oai:set", NS)
        }
        assert sets["curated"] == "Geselecteerd door de redactie"
        assert sets["source:edurep"] == "Bron: edurep"
        assert sets["sector:PO"] == "Primair onderwijs (PO)"
        assert len(sets) == 1 + 4 + 9

    def test_get_record_of_live_and_deleted_items(
        self, client: FlaskClient, store_sessions: sessionmaker[Session], catalogue: Catalogue, clock: Clock, fixtures_dir: Path
    ) -> None:
        with store_sessions() as session:
            clock.advance()
            [gone] = harvest(session, catalogue.sources["edurep"], page_records(fixtures_dir, EDUREP_DELTA)).deleted_ids
            resources = stored(session)
        for identifier, resource in resources.items():
            for prefix in ("lom", "nl_lom", "oai_dc"):
                record = oai(client, verb="GetRecord", metadataPrefix=prefix, identifier=identifier).find("oai:GetRecord/oai:record", NS)
                [(got, datestamp, deleted, _)] = headers_of(record)
                assert (got, deleted) == (identifier, resource.deleted)
                assert datestamp == resource.feed_datestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
                assert (record.find("oai:metadata", NS) is None) == resource.deleted
        assert resources[f"oai:oer.local:{gone}"].deleted


class TestWhatMovesADatestamp:
    def test_an_edit_a_departure_and_a_deletion_show_up_incrementally_and_nothing_else(
        self, client: FlaskClient, store_sessions: sessionmaker[Session], catalogue: Catalogue, clock: Clock, fixtures_dir: Path
    ) -> None:
        everything = {h[0]: h for h in harvest_list(client, "ListIdentifiers", metadataPrefix="lom")}
        with store_sessions() as session:
            clock.advance(3600)
            # Re-harvesting the same records changes nothing the feed shows.
            for pattern in EDUREP_INITIAL:
                harvest(session, catalogue.sources["edurep"], page_records(fixtures_dir, pattern))
            since = clock.advance(3600).strftime("%Y-%m-%dT%H:%M:%SZ")
            assert harvest_list(client, "ListIdentifiers", metadataPrefix="lom", from_=since) == []

            edited = live_provenance(session, "edurep", 0)
            joined = live_provenance(session, "edurep", 1)
            record = Record.from_dict(edited.record)
            harvest(session, catalogue.sources["edurep"], [HarvestedRecord(edited.oai_identifier, "2024-05-01T00:00:00Z", record.with_changes(title="Nieuwe titel"))])
            # A second source joins with the same material, then drops it again.
            harvest(session, catalogue.sources["school"], [HarvestedRecord("oai:school:copy", "2024-05-01T00:00:00Z", Record.from_dict(joined.record))])
            clock.advance()
            harvest(session, catalogue.sources["school"], [HarvestedRecord("oai:school:copy", "2024-05-02T00:00:00Z", deleted=True)])
            [gone] = harvest(session, catalogue.sources["edurep"], page_records(fixtures_dir, EDUREP_DELTA)).deleted_ids
            resources = stored(session)
            edited_id, joined_id = edited.resource_id, joined.resource_id

        changed = {h[0]: h for h in harvest_list(client, "ListIdentifiers", metadataPrefix="lom", from_=since)}
        delta_resources = {i for i, r in resources.items() if r.feed_datestamp.strftime("%Y-%m-%dT%H:%M:%SZ") >= since}
        assert set(changed) == delta_resources
        for resource_id in (edited_id, joined_id, gone):
            identifier = f"oai:oer.local:{resource_id}"
            assert identifier in changed and changed[identifier][1] > everything[identifier][1]
        assert changed[f"oai:oer.local:{gone}"][2] is True
        assert "source:school" not in changed[f"oai:oer.local:{joined_id}"][3]

        school = {h[0]: h for h in harvest_list(client, "ListIdentifiers", metadataPrefix="lom", set="source:school")}
        assert school[f"oai:oer.local:{joined_id}"][2] is True, "left the set: deleted there"
        edurep = {h[0]: h for h in harvest_list(client, "ListIdentifiers", metadataPrefix="oai_dc", set="source:edurep")}
        assert edurep[f"oai:oer.local:{joined_id}"][2] is False, "still live where it still is"
        assert edurep[f"oai:oer.local:{gone}"][2] is True


class TestHarvestThroughTokens:
    @pytest.mark.parametrize("method", ["GET", "POST"])
    def test_every_item_once_and_sets_add_up(self, client: FlaskClient, store_sessions: sessionmaker[Session], method: str) -> None:
        headers = harvest_list(client, "ListIdentifiers", method, metadataPrefix="lom")
        assert len(headers) == len({h[0] for h in headers}) == FIXTURE_MATERIALS + COPIES
        with store_sessions() as session:
            repository = DatabaseFeedRepository(session)
            for spec in [s.spec for s in repository.list_sets()]:
                in_set = harvest_list(client, "ListIdentifiers", method, metadataPrefix="lom", set=spec)
                assert len(in_set) == repository.count_items(spec, None, None)
                assert all(spec in h[3] or h[2] for h in in_set)
        copies = harvest_list(client, "ListRecords", method, metadataPrefix="lom", set="source:copies")
        assert len(copies) == COPIES


class TestSearchIsNotNeeded:
    def test_feed_works_with_search_down(self, store_settings: Settings, catalogue: Catalogue) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed_port = probe.getsockname()[1]
        for settings in (
            replace(store_settings, search_url=f"http://127.0.0.1:{closed_port}"),
            # The embedded default with no tantivy index on disk at all.
            replace(store_settings, search_url=None, home=store_settings.home / "no-such-home"),
        ):
            assert not settings.index_dir.exists()
            app = feed_app(settings)
            try:
                headers = harvest_list(app.test_client(), "ListRecords", metadataPrefix="lom", set="sector:WO")
                assert headers and all("sector:WO" in h[3] for h in headers)
            finally:
                dispose(app)


def test_no_database_yet_is_503_with_retry_after_and_creates_nothing(tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path, database_url=f"sqlite:///{tmp_path / 'oer.sqlite3'}", search_url=None, broker_url=None,
        secret_key="s",
    )
    app = feed_app(settings)
    try:
        response = app.test_client().get("/oai?verb=Identify")
    finally:
        dispose(app)
    # OAI-PMH flow control (spec 3.1.2.2): a harvester retries after Retry-After.
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert not (tmp_path / "oer.sqlite3").exists()


def test_without_a_secret_key_the_app_is_built_without_the_feed(tmp_path: Path) -> None:
    # Before `oer init` there is no key to sign resumption tokens; the CLI builds the app all the same.
    settings = Settings(
        home=tmp_path, database_url=f"sqlite:///{tmp_path / 'oer.sqlite3'}", search_url=None, broker_url=None,
        secret_key=None,
    )
    app = feed_app(settings)
    try:
        assert "oai.endpoint" not in app.view_functions
    finally:
        dispose(app)


def test_the_adapter_is_a_feed_repository(store_session: Session, store_settings: Settings) -> None:
    repository = StoreFeedRepository(DatabaseFeedRepository(store_session), store_settings, "http://oer.example.org/oai")
    assert isinstance(repository, FeedRepository)
    identity = repository.identity()
    assert (identity.repository_identifier, identity.admin_emails) == ("oer.local", ("admin@oer.local",))
    assert [s.spec for s in repository.list_sets()][:1] == ["curated"]
