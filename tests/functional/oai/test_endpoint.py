"""/oai through Flask's test client: GET and POST, HTTP 200 for every answer, gzip when asked."""

from __future__ import annotations

import gzip
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from metadata.formats import FORMATS
from oer.errors import ConfigurationError
from tests.support.oai_endpoint import fixture_records_feed, settings_for
from tests.support.oai_requests import FakeClock
from tests.unit.oai.memory_feed import InMemoryFeedRepository
from tests.unit.oai.validation import NS, error_codes, validate_response
from web.app import create_app
from web.oai.views import init_app


def body_of(response: TestResponse) -> bytes:
    assert response.status_code == 200
    assert response.content_type == "text/xml; charset=utf-8"
    return response.get_data()


def oai_get(client: FlaskClient, **arguments: str) -> TestResponse:
    return client.get("/oai?" + urlencode({k.rstrip("_"): v for k, v in arguments.items()}))


def oai_post(client: FlaskClient, **arguments: str) -> TestResponse:
    return client.post("/oai", data={k.rstrip("_"): v for k, v in arguments.items()})


class TestMethods:
    def test_get_identify(self, client: FlaskClient) -> None:
        root = validate_response(body_of(oai_get(client, verb="Identify")))
        assert root.findtext("oai:Identify/oai:baseURL", namespaces=NS) == "http://oer.example.org/oai"

    @pytest.mark.parametrize(
        "arguments",
        [
            {"verb": "Identify"},
            {"verb": "ListSets"},
            {"verb": "ListMetadataFormats"},
            {"verb": "ListRecords", "metadataPrefix": "lom", "set": "curated"},
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from_": "2024-01-02"},
            {"verb": "Bogus"},
        ],
    )
    def test_post_answers_as_get_does(self, client: FlaskClient, arguments: dict[str, str]) -> None:
        assert body_of(oai_post(client, **arguments)) == body_of(oai_get(client, **arguments))

    def test_post_reads_a_form_encoded_body(self, client: FlaskClient) -> None:
        response = client.post(
            "/oai", data="verb=ListSets", headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert validate_response(body_of(response)).find("oai:ListSets", NS) is not None

    def test_repeated_query_arguments_are_seen(self, client: FlaskClient) -> None:
        root = validate_response(body_of(client.get("/oai?verb=ListRecords&metadataPrefix=lom&metadataPrefix=lom")))
        assert error_codes(root) == ["badArgument"]

    @pytest.mark.parametrize(
        ("query", "code"),
        [
            ("", "badVerb"),
            ("verb=Identify&x=1", "badArgument"),
            ("verb=ListRecords&resumptionToken=forged", "badResumptionToken"),
            ("verb=ListRecords&metadataPrefix=mods", "cannotDisseminateFormat"),
            ("verb=GetRecord&metadataPrefix=lom&identifier=oai:nowhere:1", "idDoesNotExist"),
            # Spec 3.6: "unknown or illegal in this repository"; not badArgument.
            ("verb=GetRecord&metadataPrefix=lom&identifier=not%20an%20identifier", "idDoesNotExist"),
            ("verb=GetRecord&metadataPrefix=lom&identifier=%ff%00", "idDoesNotExist"),
            ("verb=ListRecords&metadataPrefix=lom&set=collection:empty", "noRecordsMatch"),
        ],
    )
    def test_errors_are_http_200_with_an_error_body(self, client: FlaskClient, query: str, code: str) -> None:
        assert error_codes(validate_response(body_of(client.get(f"/oai?{query}")))) == [code]

    def test_other_methods_are_not_allowed(self, client: FlaskClient) -> None:
        assert client.put("/oai").status_code == 405

    def test_repository_factory_is_called_per_request(self, tmp_path: Path, repository: InMemoryFeedRepository) -> None:
        calls = []

        def factory() -> InMemoryFeedRepository:
            calls.append(1)
            return repository

        app = create_app({"OER_SETTINGS": settings_for(tmp_path)})
        init_app(app, factory)
        client = app.test_client()
        oai_get(client, verb="Identify")
        oai_get(client, verb="ListSets")
        assert len(calls) == 2


class TestGzip:
    def test_gzip_when_the_harvester_asks(self, client: FlaskClient) -> None:
        response = client.get("/oai?verb=ListRecords&metadataPrefix=lom", headers={"Accept-Encoding": "gzip, deflate"})
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        plain = body_of(client.get("/oai?verb=ListRecords&metadataPrefix=lom"))
        assert gzip.decompress(body_of(response)) == plain
        assert len(body_of(response)) < len(plain) / 3

    @pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0", "br"])
    def test_plain_otherwise(self, client: FlaskClient, accept: str | None) -> None:
        headers = {"Accept-Encoding": accept} if accept else {}
        response = client.get("/oai?verb=Identify", headers=headers)
        assert "Content-Encoding" not in response.headers
        validate_response(body_of(response))

    def test_identify_advertises_gzip(self, client: FlaskClient) -> None:
        root = validate_response(body_of(oai_get(client, verb="Identify")))
        assert root.findtext("oai:Identify/oai:compression", namespaces=NS) == "gzip"


class TestHarvestThroughTheApp:
    @pytest.mark.parametrize("method", ["GET", "POST"])
    def test_token_chain_visits_every_item_once(
        self, client: FlaskClient, repository: InMemoryFeedRepository, method: str
    ) -> None:
        send = oai_get if method == "GET" else oai_post
        root = validate_response(body_of(send(client, verb="ListRecords", metadataPrefix="oai_dc")))
        identifiers: list[str] = []
        while True:
            identifiers += root.xpath("oai:ListRecords/oai:record/oai:header/oai:identifier/text()", namespaces=NS)
            token = root.findtext("oai:ListRecords/oai:resumptionToken", namespaces=NS)
            if not token:
                break
            root = validate_response(body_of(send(client, verb="ListRecords", resumptionToken=token)))
        assert sorted(identifiers) == sorted(repository.items)

    def test_expired_token_through_the_app(self, client: FlaskClient, clock: FakeClock) -> None:
        root = validate_response(body_of(oai_get(client, verb="ListIdentifiers", metadataPrefix="lom")))
        token = root.findtext("oai:ListIdentifiers/oai:resumptionToken", namespaces=NS)
        clock.advance(hours=25)
        root = validate_response(body_of(oai_get(client, verb="ListIdentifiers", resumptionToken=token)))
        assert error_codes(root) == ["badResumptionToken"]


class TestRealSerialisers:
    """The production formats (the metadata package's writers) on real normalised fixture records."""

    @pytest.fixture
    def fixture_client(self, tmp_path: Path, fixtures_dir: Path) -> FlaskClient:
        app = create_app({"OER_SETTINGS": settings_for(tmp_path)})
        init_app(app, lambda: fixture_records_feed(fixtures_dir), clock=FakeClock())
        return app.test_client()

    @pytest.mark.parametrize("prefix", ["lom", "nl_lom", "oai_dc"])
    def test_every_payload_validates(self, fixture_client: FlaskClient, prefix: str) -> None:
        # validate_response also validates every `lom` payload against imsmd_v1p2p4.xsd.
        root = validate_response(body_of(oai_get(fixture_client, verb="ListRecords", metadataPrefix=prefix)))
        records = root.findall("oai:ListRecords/oai:record", NS)
        assert len(records) >= 20
        assert all(len(r.find("oai:metadata", NS)) == 1 for r in records)

    def test_lom_payloads_carry_the_nl_lom_metadata_schemes(self, fixture_client: FlaskClient) -> None:
        root = validate_response(body_of(oai_get(fixture_client, verb="ListRecords", metadataPrefix="lom")))
        found = []
        for payload in root.iterfind("oai:ListRecords/oai:record/oai:metadata/lom:lom", NS):
            schemes = payload.xpath("lom:metametadata/lom:metadatascheme/text()", namespaces=NS)
            assert {"LOMv1.0", "nl_lom_v1p0"} <= set(schemes) and len(set(schemes)) == len(schemes)
            found += schemes
        # A source's own scheme stays beside them (Kennisnet's QTI package names QTIv3.0).
        assert set(found) == {"LOMv1.0", "nl_lom_v1p0", "QTIv3.0"}

    def test_the_feed_offers_the_metadata_format_registry(self, fixture_client: FlaskClient) -> None:
        root = validate_response(body_of(oai_get(fixture_client, verb="ListMetadataFormats")))
        offered = [
            (f.findtext("oai:metadataPrefix", namespaces=NS), f.findtext("oai:metadataNamespace", namespaces=NS),
             f.findtext("oai:schema", namespaces=NS))
            for f in root.iterfind("oai:ListMetadataFormats/oai:metadataFormat", NS)
        ]
        assert offered == [(f.prefix, f.namespace, f.schema) for f in FORMATS]


def test_init_app_needs_a_secret_key(tmp_path: Path, repository: InMemoryFeedRepository) -> None:
    app = create_app({"OER_SETTINGS": settings_for(tmp_path, secret_key=None)})
    with pytest.raises(ConfigurationError, match="OER_SECRET_KEY"):
        init_app(app, lambda: repository)


def test_blueprint_serves_several_apps(tmp_path: Path, repository: InMemoryFeedRepository) -> None:
    apps: list[Flask] = []
    for name in ("one", "two"):
        app = create_app({"OER_SETTINGS": settings_for(tmp_path / name)})
        init_app(app, lambda: repository)
        apps.append(app)
    for app in apps:
        validate_response(body_of(app.test_client().get("/oai?verb=Identify")))
