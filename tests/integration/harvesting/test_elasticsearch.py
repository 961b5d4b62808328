"""Harvesting into Elasticsearch, and Elasticsearch going away in the middle of a harvest."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace

import pytest

from harvester.backoff import RetryNotice
from harvester.progress import PageProgress
from harvester.replay_pages import GeneratedCorpus
from oer.harvesting.models import ErrorKind, ErrorSeverity, ErrorStage
from oer.harvesting.service import DatabaseHarvestSink, HarvestStatus, harvest
from oer.settings import Settings
from tests.fixtures.search import TcpProxy
from tests.support.harvesting import (
    StartServer,
    add,
    errors,
    indexed,
    runs,
    stored,
)

pytestmark = pytest.mark.elasticsearch


@pytest.fixture
def on_elasticsearch(instance: Settings, elasticsearch_url: str, search_session_prefix: str,
                     elasticsearch_cleanup: list[str]) -> Settings:
    """The instance with its search index in Elasticsearch (indexes removed after the session)."""
    elasticsearch_cleanup.append(elasticsearch_url)
    return replace(instance, search_url=elasticsearch_url,
                   search_index_prefix=f"{search_session_prefix}-{secrets.token_hex(4)}")


class CutAfterFirstPage:
    """Progress that cuts the connection to the search cluster once the first page is stored and indexed."""

    def __init__(self, cut: Callable[[], None]) -> None:
        self.cut = cut

    def page_committed(self, progress: PageProgress) -> None:
        if progress.pages == 1:
            self.cut()

    def retrying(self, notice: RetryNotice) -> None:
        return None


def test_harvested_records_reach_elasticsearch_and_an_outage_mid_harvest_is_caught_up(
        on_elasticsearch: Settings, oai_server: StartServer,
        tcp_proxy: Callable[[str], TcpProxy], monkeypatch: pytest.MonkeyPatch) -> None:
    # Send every page to the index as soon as it is stored, so the outage falls between pages.
    monkeypatch.setattr(DatabaseHarvestSink, "index_batch", 1)
    assert on_elasticsearch.search_url is not None
    proxy = tcp_proxy(on_elasticsearch.search_url)
    through_proxy = replace(on_elasticsearch, search_url=proxy.url_for(on_elasticsearch.search_url))
    server = oai_server(GeneratedCorpus(30, page_size=10))
    add(on_elasticsearch, "generated", server.url)

    [report] = harvest(through_proxy, ["generated"], progress=CutAfterFirstPage(proxy.cut))

    assert report.status is HarvestStatus.SUCCEEDED, "a search outage never blocks storing"
    assert report.index.indexed == 10 and report.index.pending == 20 and report.index.error
    state = stored(on_elasticsearch)
    assert len(state.live) == 30 and len(state.pending) == 20
    assert len(indexed(on_elasticsearch)) == 10
    [run] = runs(on_elasticsearch, "generated")
    assert any((e.severity, e.stage, e.kind) == (ErrorSeverity.WARNING, ErrorStage.INDEX, ErrorKind.SEARCH)
               and "search index unavailable" in e.message and e.run_id == run.id
               for e in errors(on_elasticsearch, "generated"))

    [next_run] = harvest(on_elasticsearch, ["generated"])

    assert next_run.index.pending == 0 and next_run.index.indexed == 20
    state = stored(on_elasticsearch)
    assert not state.pending
    assert set(indexed(on_elasticsearch)) == set(state.live)
