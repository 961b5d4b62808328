"""A run's errors as rows: each failure once, with the stage it arose in and its kind."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.exc import OperationalError

from harvester.backoff import RetryPolicy
from harvester.oai_client import ClientSettings
from harvester.replay_pages import GeneratedCorpus, PageSource
from oer.harvesting import service as harvesting
from oer.harvesting.models import ErrorKind, ErrorSeverity, ErrorStage
from oer.harvesting.service import HarvestStatus, harvest
from oer.settings import Settings
from tests.fixtures.oai_server import (
    FaultPlan,
    body,
    expired_token,
    slow,
    status,
    token_is,
    unavailable,
)
from tests.integration.harvesting.test_pipeline import closed_port_url
from tests.support.harvesting import StartServer, add, errors, runs

# Faults on every ListRecords request (Identify stays fine, so it adds no warning of its own).
FETCH_FAILURES: dict[str, tuple[Callable[[GeneratedCorpus], PageSource], ErrorKind, str]] = {
    "http-404": (lambda corpus: FaultPlan(corpus).add(status(404), times=None), ErrorKind.HTTP, "HTTP 404"),
    "http-503": (lambda corpus: FaultPlan(corpus).add(unavailable(), times=None), ErrorKind.HTTP, "HTTP 503"),
    "xml": (lambda corpus: FaultPlan(corpus).add(body(b"<html>not OAI-PMH"), times=None), ErrorKind.XML,
            "malformed"),
    "timeout": (lambda corpus: FaultPlan(corpus).add(slow(1.5), times=None), ErrorKind.TIMEOUT, "timed out"),
}

IMPATIENT = ClientSettings(retry=RetryPolicy(max_attempts=1), connect_timeout=2.0, read_timeout=0.3)


@pytest.mark.parametrize("failure", sorted(FETCH_FAILURES))
def test_a_fetch_failure_is_one_fatal_row_with_its_kind(instance: Settings, oai_server: StartServer,
                                                        failure: str) -> None:
    pages, kind, words = FETCH_FAILURES[failure]
    server = oai_server(pages(GeneratedCorpus(5)))
    add(instance, "failing", server.url)

    [report] = harvest(instance, ["failing"], client_settings=IMPATIENT if failure == "timeout" else None)

    assert report.status is HarvestStatus.FAILED
    [run] = runs(instance, "failing")
    # Recorded once: not also as a second "error" entry, nor again when the run is finished.
    [row] = errors(instance, "failing")
    assert (row.severity, row.stage, row.kind) == (ErrorSeverity.FATAL, ErrorStage.FETCH, kind)
    assert row.run_id == run.id and row.oai_identifier is None
    assert row.message == report.errors[-1] and words in row.message


def test_a_source_that_is_down_is_a_network_failure(instance: Settings) -> None:
    add(instance, "down", closed_port_url())

    harvest(instance, ["down"])

    [row] = errors(instance, "down")
    assert (row.severity, row.stage, row.kind) == (ErrorSeverity.FATAL, ErrorStage.FETCH, ErrorKind.NETWORK)


def test_an_oai_protocol_error_is_a_protocol_failure(instance: Settings, oai_server: StartServer) -> None:
    server = oai_server(GeneratedCorpus(5))
    # The replay server answers an unknown prefix with OAI-PMH cannotDisseminateFormat.
    add(instance, "wrongprefix", server.url, prefix="marc21")

    [report] = harvest(instance, ["wrongprefix"])

    assert report.status is HarvestStatus.FAILED
    [row] = errors(instance, "wrongprefix")
    assert (row.severity, row.stage, row.kind) == (ErrorSeverity.FATAL, ErrorStage.FETCH, ErrorKind.PROTOCOL)
    assert "cannotDisseminateFormat" in row.message


def test_a_restarted_list_is_one_protocol_warning_and_the_run_succeeds(instance: Settings,
                                                                     oai_server: StartServer) -> None:
    corpus = GeneratedCorpus(30, page_size=10)
    server = oai_server(FaultPlan(corpus).add(expired_token(), when=token_is("0.20.30")))
    add(instance, "expiring", server.url)

    [report] = harvest(instance, ["expiring"])

    assert report.status is HarvestStatus.SUCCEEDED
    [row] = errors(instance, "expiring")
    assert (row.severity, row.stage, row.kind) == (ErrorSeverity.WARNING, ErrorStage.FETCH, ErrorKind.PROTOCOL)
    assert "badResumptionToken" in row.message and row.message in report.warnings


def test_a_database_failure_is_a_store_failure(instance: Settings, oai_server: StartServer,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    server = oai_server(GeneratedCorpus(5))
    add(instance, "brokenstore", server.url)

    def broken(*args: object, **kwargs: object) -> None:
        raise OperationalError("INSERT ...", {}, Exception("disk I/O error"))

    monkeypatch.setattr(harvesting, "apply_harvested_page", broken)
    [report] = harvest(instance, ["brokenstore"])

    assert report.status is HarvestStatus.FAILED
    [row] = errors(instance, "brokenstore")
    assert (row.severity, row.stage, row.kind) == (ErrorSeverity.FATAL, ErrorStage.STORE, ErrorKind.DATABASE)
    assert "disk I/O error" in row.message and row.message == report.errors[-1]
