"""Two sources' records of one material, merged into one resource: nothing either source said is hidden.

The detail page and the JSON API show each source's own title, languages and
description; the feed's ``source:NAME`` set serves that source's own record
(with the platform's shown annotations), while GetRecord and every other list
serve the merged one. A new record from the source whose record is not shown
moves the datestamp, and its set follows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from metadata.formats import FORMATS
from metadata.lom import with_tree_annotations
from metadata.quality import AnnotatorRole
from metadata.record import Record
from oer.accounts.models import User
from oer.catalogue.models import Resource
from oer.feed.models import FeedPayload
from oer.feed.oai.formats import payload_bytes
from oer.feed.repository import DatabaseFeedRepository
from oer.harvesting.models import Provenance, Source
from oer.harvesting.provenance import HarvestedRecord
from oer.harvesting.sources import add_source
from oer.quality import service as quality
from oer.quality.queries import lom_annotations
from oer.settings import Settings
from tests.integration.feed.harvests import harvest
from tests.support.accounts import People
from tests.support.feed_app import dispose, feed_app
from tests.support.feed_payloads import assert_payloads_fresh
from tests.support.store import Clock, make_record
from tests.unit.oai.validation import NS, validate_response

SHARED = str(uuid.UUID(int=0x5EED))
ALFA_TITLE = "Breuken <oefenen> & vergelijken"
ALFA_DESCRIPTION = "Alfa legt uit: teller & noemer."
BETA_TITLE = "Fractions: compare & order"
BETA_DESCRIPTION = "Beta's own words: <b>bold</b> & <script>alert(1)</script> plain."
# Descriptions are shown as plain text (`oer.discovery.search.clean_text`): markup is taken out.
BETA_DESCRIPTION_TEXT = "Beta's own words: bold & plain."
ONLY_BETA = "Alleen bij beta: procenten"


def alfa_record() -> Record:
    return make_record(SHARED, title=ALFA_TITLE, description=ALFA_DESCRIPTION)


def beta_record(title: str = BETA_TITLE) -> Record:
    record = make_record(SHARED, title=title, description=BETA_DESCRIPTION)
    return record.with_changes(titles={"en": title}, languages=("en",))


@pytest.fixture
def merged(store_session: Session, clock: Clock) -> str:
    """alfa brings the material, beta gives its own record of it (same urn:uuid) and one of its own."""
    alfa = add_source(store_session, "alfa", "https://alfa.example.org/oai")
    beta = add_source(store_session, "beta", "https://beta.example.org/oai")
    store_session.commit()
    clock.advance()
    harvest(store_session, alfa, [HarvestedRecord("oai:alfa.example.org:1", "2024-01-15T10:00:00Z", alfa_record())])
    clock.advance()
    harvest(store_session, beta, [
        HarvestedRecord("oai:beta.example.org:9", "2024-02-01T10:00:00Z", beta_record()),
        HarvestedRecord("oai:beta.example.org:10", "2024-02-01T10:00:00Z", make_record(title=ONLY_BETA)),
    ])
    [resource_id] = store_session.scalars(select(Provenance.resource_id).where(
        Provenance.oai_identifier == "oai:beta.example.org:9"))
    assert store_session.scalar(select(Provenance.resource_id).where(
        Provenance.oai_identifier == "oai:alfa.example.org:1")) == resource_id, "the two records were merged"
    return resource_id


@pytest.fixture
def app(store_settings: Settings, merged: str) -> Iterator[Flask]:
    app = feed_app(store_settings)
    yield app
    dispose(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def oai(client: FlaskClient, **arguments: str) -> etree._Element:
    response = client.get("/oai?" + urlencode(arguments))
    assert response.status_code == 200
    return validate_response(response.get_data())


def titles_by_identifier(root: etree._Element) -> dict[str, list[str]]:
    """OAI identifier -> the LOM general titles of its record in a ListRecords or GetRecord answer."""
    found = {}
    for record in root.iterfind(".//oai:record", NS):
        identifier = record.findtext("oai:header/oai:identifier", namespaces=NS)
        found[identifier] = [
            text for text in record.xpath(".//*[local-name()='general']/*[local-name()='title']//text()")
            if text.strip()
        ]
    return found


def headers(root: etree._Element) -> list[tuple[str | None, str | None, tuple[str, ...]]]:
    return [
        (h.findtext("oai:identifier", namespaces=NS), h.findtext("oai:datestamp", namespaces=NS),
         tuple(h.xpath("oai:setSpec/text()", namespaces=NS)))
        for h in root.iterfind(".//oai:header", NS)
    ]


def test_each_source_set_serves_that_source_s_own_record_and_get_record_the_merged_one(
    client: FlaskClient, merged: str
) -> None:
    identifier = f"oai:oer.local:{merged}"
    alfa = titles_by_identifier(oai(client, verb="ListRecords", metadataPrefix="lom", set="source:alfa"))
    beta = titles_by_identifier(oai(client, verb="ListRecords", metadataPrefix="lom", set="source:beta"))
    assert alfa == {identifier: [ALFA_TITLE]}
    assert beta[identifier] == [BETA_TITLE] and len(beta) == 2
    assert [ONLY_BETA] in beta.values()
    # GetRecord and the whole feed serve the merged record: the source that brought it.
    get = titles_by_identifier(oai(client, verb="GetRecord", metadataPrefix="lom", identifier=identifier))
    assert get == {identifier: [ALFA_TITLE]}
    everything = titles_by_identifier(oai(client, verb="ListRecords", metadataPrefix="lom"))
    assert everything[identifier] == [ALFA_TITLE]
    # Every format of the source set is beta's own record, and schema-valid (validate_response).
    for prefix in ("nl_lom", "oai_dc"):
        text = client.get(f"/oai?verb=ListRecords&metadataPrefix={prefix}&set=source:beta").get_data(as_text=True)
        validate_response(text.encode())
        assert "Fractions: compare &amp; order" in text and "Breuken" not in text
    # The list's headers are those of ListIdentifiers of the same set: only the metadata differs.
    for spec in ("source:alfa", "source:beta"):
        records = oai(client, verb="ListRecords", metadataPrefix="lom", set=spec)
        identifiers = oai(client, verb="ListIdentifiers", metadataPrefix="lom", set=spec)
        assert headers(records) == headers(identifiers)
    merged_headers = [h for h in headers(oai(client, verb="ListIdentifiers", metadataPrefix="lom", set="source:beta"))
                      if h[0] == identifier]
    assert [{"source:alfa", "source:beta"} <= set(h[2]) for h in merged_headers] == [True]


def test_the_detail_page_and_the_api_show_each_source_s_own_title_and_description(
    client: FlaskClient, merged: str
) -> None:
    provenance = client.get(f"/api/v1/resources/{merged}").get_json()["provenance"]
    assert {entry["source"]: (entry["title"], entry["languages"], entry["description"]) for entry in provenance} == {
        "alfa": (ALFA_TITLE, ["nl"], ALFA_DESCRIPTION),
        "beta": (BETA_TITLE, ["en"], BETA_DESCRIPTION_TEXT),
    }
    assert {"source", "oai_identifier", "datestamp", "harvested_at", "deleted"} <= set(provenance[0])

    response = client.get(f"/resources/{merged}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    sources = page[page.index('id="sources-heading"'):]
    # Each source's own words, escaped (source text is never markup).
    assert "Breuken &lt;oefenen&gt; &amp; vergelijken" in sources
    assert "Fractions: compare &amp; order" in sources and 'lang="en"' in sources
    assert "Alfa legt uit: teller &amp; noemer." in sources
    assert "Beta&#39;s own words: bold &amp; plain." in sources
    assert "<b>bold</b>" not in page and "alert(1)" not in page
    assert "<oefenen>" not in page


def established(people: People, user_id: int) -> None:
    user = people.session.get(User, user_id)
    assert user is not None
    user.created_at = datetime.now(UTC) - timedelta(days=quality.NEW_ACCOUNT_DAYS + 1)
    user.email_verified = True
    people.session.commit()


def source_payloads(session: Session, spec: str, prefix: str = "lom") -> dict[str, bytes | None]:
    session.commit()
    repository = DatabaseFeedRepository(session)
    return {
        entry.oai_identifier.rsplit(":", 1)[-1]: entry.payload
        for entry in repository.list_items(spec, None, None, None, 100, metadata_prefix=prefix)
    }


def own_record(session: Session, oai_identifier: str) -> Record:
    record = session.scalar(select(Provenance.record).where(Provenance.oai_identifier == oai_identifier))
    assert record is not None
    return Record.from_dict(record)


def test_a_source_version_is_its_record_serialised_with_the_shown_annotations(
    store_session: Session, merged: str, people: People
) -> None:
    established(people, people.outsider)
    quality.annotate(store_session, people.actor(people.outsider), merged, AnnotatorRole.LERAAR,
                     "didactiek.instructie", "goed", "Duidelijke uitleg.")
    store_session.commit()
    assert_payloads_fresh(store_session)
    annotations = lom_annotations(store_session, [merged])[merged]
    for metadata_format in FORMATS:
        beta = source_payloads(store_session, "source:beta", metadata_format.prefix)
        alfa = source_payloads(store_session, "source:alfa", metadata_format.prefix)
        # Byte for byte what serialising beta's own record with the annotations gives.
        expected = payload_bytes(metadata_format, with_tree_annotations(own_record(store_session, "oai:beta.example.org:9"),
                                                                   annotations))
        assert beta[merged] == expected
        stored = store_session.scalars(select(FeedPayload.payload).where(
            FeedPayload.resource_id == merged, FeedPayload.metadata_prefix == metadata_format.prefix)).one()
        # The source whose record is shown, and a material of one source: the stored payload.
        assert alfa[merged] == stored != expected
        [only] = [resource_id for resource_id in beta if resource_id != merged]
        assert beta[only] == store_session.scalars(select(FeedPayload.payload).where(
            FeedPayload.resource_id == only, FeedPayload.metadata_prefix == metadata_format.prefix)).one()
    assert b"Otto Outsider" in (source_payloads(store_session, "source:beta")[merged] or b"")
    # The list's records (no format asked) follow the same rule.
    repository = DatabaseFeedRepository(store_session)
    [entry] = [e for e in repository.list_items("source:beta", None, None, None, 100)
               if e.oai_identifier.endswith(merged)]
    assert entry.record is not None and entry.record.title == BETA_TITLE and entry.record.annotations == annotations
    got = repository.get_item(repository.oai_identifier(merged), "lom")
    assert got is not None and got.payload is not None and b"Breuken" in got.payload


def test_a_new_record_from_the_source_not_shown_moves_the_datestamp_and_its_set_follows(
    store_session: Session, merged: str, clock: Clock
) -> None:
    before = store_session.get(Resource, merged)
    assert before is not None
    stamp, shown = before.feed_datestamp, before.record
    now = clock.advance()
    beta = store_session.scalars(select(Source).where(Source.name == "beta")).one()
    harvest(store_session, beta, [
        HarvestedRecord("oai:beta.example.org:9", "2024-03-01T10:00:00Z", beta_record("Fractions, revised"))])
    store_session.expire_all()
    after = store_session.get(Resource, merged)
    assert after is not None and after.record == shown, "the merged record stays alfa's"
    assert after.feed_datestamp == now.replace(microsecond=0) > stamp
    assert b"Fractions, revised" in (source_payloads(store_session, "source:beta")[merged] or b"")
    assert b"Fractions, revised" not in (source_payloads(store_session, "source:alfa")[merged] or b"")
    assert_payloads_fresh(store_session)
