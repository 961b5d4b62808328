"""Independent harvesters (sickle, pyoai) take the whole feed through resumption tokens over loopback HTTP."""

from __future__ import annotations

import types
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import oaipmh.client
import oaipmh.metadata
import pytest
from lxml import etree
from oaipmh.client import Client
from oaipmh.metadata import MetadataRegistry, oai_dc_reader
from sickle import Sickle

from tests.unit.oai.memory_feed import InMemoryFeedRepository

Feed = tuple[str, InMemoryFeedRepository]


class _EvaluatorWithEvaluate:
    """lxml's XPathEvaluator plus the `evaluate` alias that lxml 5 removed and pyoai 2.5.0 still calls."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._evaluator = etree.XPathEvaluator(*args, **kwargs)

    def evaluate(self, expression: str) -> Any:
        return self._evaluator(expression)


@pytest.fixture(autouse=True)
def pyoai_on_current_lxml(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # pyoai 2.5.0 breaks on lxml >= 5 (infrae/pyoai#59, unfixed upstream). Only the name
    # pyoai's modules see is swapped; its protocol handling runs unchanged.
    patched = types.SimpleNamespace(**{name: getattr(etree, name) for name in dir(etree) if not name.startswith("__")})
    patched.XPathEvaluator = _EvaluatorWithEvaluate
    monkeypatch.setattr(oaipmh.client, "etree", patched)
    monkeypatch.setattr(oaipmh.metadata, "etree", patched)
    yield


def expected(repository: InMemoryFeedRepository, set_spec: str | None = None) -> dict[str, bool]:
    """identifier -> deleted, for every item of the list."""
    return {i.oai_identifier: i.deleted for i in repository.list_items(set_spec, None, None, None, 10**9)}


@pytest.mark.parametrize("http_method", ["GET", "POST"])
@pytest.mark.parametrize("prefix", ["lom", "oai_dc"])
def test_sickle_harvests_every_record_once(live_feed: Feed, http_method: str, prefix: str) -> None:
    base_url, repository = live_feed
    sickle = Sickle(base_url, http_method=http_method, max_retries=0, timeout=30)
    records = list(sickle.ListRecords(metadataPrefix=prefix, ignore_deleted=False))
    identifiers = Counter(record.header.identifier for record in records)
    assert max(identifiers.values()) == 1
    assert {r.header.identifier: r.header.deleted for r in records} == expected(repository)
    live = [r for r in records if not r.header.deleted]
    assert all(r.metadata for r in live)


def test_sickle_harvests_a_set_with_its_departures(live_feed: Feed) -> None:
    base_url, repository = live_feed
    headers = list(Sickle(base_url, timeout=30).ListIdentifiers(metadataPrefix="lom", set="curated", ignore_deleted=False))
    assert {h.identifier: h.deleted for h in headers} == expected(repository, "curated")
    assert len(headers) == len({h.identifier for h in headers})


def test_sickle_reads_identify_and_sets(live_feed: Feed) -> None:
    base_url, _ = live_feed
    sickle = Sickle(base_url, timeout=30)
    identify = sickle.Identify()
    assert (identify.granularity, identify.deletedRecord, identify.protocolVersion) == (
        "YYYY-MM-DDThh:mm:ssZ", "persistent", "2.0",
    )
    assert "curated" in [s.setSpec for s in sickle.ListSets()]
    assert [f.metadataPrefix for f in sickle.ListMetadataFormats()] == ["lom", "nl_lom", "oai_dc"]


@pytest.mark.parametrize("force_http_get", [False, True], ids=["POST", "GET"])
def test_pyoai_harvests_every_record_once(live_feed: Feed, force_http_get: bool) -> None:
    base_url, repository = live_feed
    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    client = Client(base_url, registry, force_http_get=force_http_get)
    client.updateGranularity()
    records = list(client.listRecords(metadataPrefix="oai_dc"))
    identifiers = Counter(header.identifier() for header, _, _ in records)
    assert max(identifiers.values()) == 1
    assert {h.identifier(): h.isDeleted() for h, _, _ in records} == expected(repository)
    assert all(metadata is not None for header, metadata, _ in records if not header.isDeleted())


def test_pyoai_incremental_window(live_feed: Feed) -> None:
    base_url, repository = live_feed
    client = Client(base_url)
    start, end = datetime(2024, 1, 3, 0, 0, 0), datetime(2024, 1, 6, 23, 59, 59)
    headers = list(client.listIdentifiers(metadataPrefix="lom", from_=start, until=end))
    in_window = {
        i.oai_identifier for i in repository.list_items(None, None, None, None, 10**9)
        if start <= i.datestamp.replace(tzinfo=None) <= end
    }
    assert in_window and {h.identifier() for h in headers} == in_window
    assert len(headers) == len(in_window)
