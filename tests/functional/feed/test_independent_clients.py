"""Independent harvesters (sickle, pyoai) take the whole database-backed feed through tokens over loopback HTTP."""

from __future__ import annotations

from collections import Counter

import pytest
from oaipmh.client import Client
from oaipmh.metadata import MetadataRegistry, oai_dc_reader
from sickle import Sickle
from sickle.oaiexceptions import NoRecordsMatch
from sqlalchemy.orm import Session, sessionmaker

from oer.feed.repository import DatabaseFeedRepository

# pyoai 2.5.0 needs lxml's removed XPathEvaluator.evaluate; the fixture (autouse) lends it.
from tests.functional.oai.test_independent_clients import pyoai_on_current_lxml  # noqa: F401


def expected(sessions: sessionmaker[Session], set_spec: str | None = None) -> dict[str, bool]:
    """identifier -> deleted, for every item of the list, straight from the store."""
    with sessions() as session:
        entries = DatabaseFeedRepository(session).list_items(set_spec, None, None, None, 10**9)
        return {e.oai_identifier: e.deleted for e in entries}


@pytest.mark.parametrize("http_method", ["GET", "POST"])
@pytest.mark.parametrize("prefix", ["lom", "nl_lom", "oai_dc"])
def test_sickle_harvests_every_record_once(
    live_feed: str, store_sessions: sessionmaker[Session], http_method: str, prefix: str
) -> None:
    sickle = Sickle(live_feed, http_method=http_method, max_retries=0, timeout=30)
    records = list(sickle.ListRecords(metadataPrefix=prefix, ignore_deleted=False))
    assert max(Counter(r.header.identifier for r in records).values()) == 1
    assert {r.header.identifier: r.header.deleted for r in records} == expected(store_sessions)
    assert len(records) > 200, "several pages"
    # Every live record carries its payload (one fixture record is an empty LOM document,
    # so its oai_dc is empty and sickle's parsed `metadata` is {}: look at the XML).
    metadata = "{http://www.openarchives.org/OAI/2.0/}metadata"
    assert all(len(r.xml.find(metadata)) == 1 for r in records if not r.header.deleted)


@pytest.mark.parametrize("set_spec", ["source:copies", "sector:WO", "curated"])
def test_sickle_harvests_a_set(live_feed: str, store_sessions: sessionmaker[Session], set_spec: str) -> None:
    sickle = Sickle(live_feed, timeout=30)
    if set_spec == "curated":
        # An empty set is noRecordsMatch (spec 3.6), which sickle raises.
        with pytest.raises(NoRecordsMatch):
            list(sickle.ListIdentifiers(metadataPrefix="lom", set=set_spec))
        return
    headers = list(sickle.ListIdentifiers(metadataPrefix="lom", set=set_spec, ignore_deleted=False))
    assert {h.identifier: h.deleted for h in headers} == expected(store_sessions, set_spec)
    assert all(set_spec in h.setSpecs for h in headers)


def test_sickle_reads_identify_and_sets(live_feed: str) -> None:
    sickle = Sickle(live_feed, timeout=30)
    identify = sickle.Identify()
    assert (identify.repositoryName, identify.baseURL, identify.deletedRecord) == ("OER repository", live_feed, "persistent")
    specs = [s.setSpec for s in sickle.ListSets()]
    assert specs[0] == "curated" and "source:copies" in specs and "sector:PO" in specs


@pytest.mark.parametrize("force_http_get", [False, True], ids=["POST", "GET"])
def test_pyoai_harvests_every_record_once(
    live_feed: str, store_sessions: sessionmaker[Session], force_http_get: bool
) -> None:
    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    client = Client(live_feed, registry, force_http_get=force_http_get)
    client.updateGranularity()
    records = list(client.listRecords(metadataPrefix="oai_dc"))
    assert max(Counter(header.identifier() for header, _, _ in records).values()) == 1
    assert {h.identifier(): h.isDeleted() for h, _, _ in records} == expected(store_sessions)
    assert all(metadata is not None for header, metadata, _ in records if not header.isDeleted())


def test_pyoai_lists_identifiers_of_a_set(live_feed: str, store_sessions: sessionmaker[Session]) -> None:
    headers = list(Client(live_feed).listIdentifiers(metadataPrefix="lom", set="source:edurep"))
    assert {h.identifier(): h.isDeleted() for h in headers} == expected(store_sessions, "source:edurep")
