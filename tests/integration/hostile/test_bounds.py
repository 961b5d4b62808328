"""Sources that would keep a harvest going forever, or lead it where it must not go: every run ends.

Each source is a loopback server; each harvest goes through the product's own path
(`oer.harvesting.service.harvest`) with the product's client settings, bounds and address
policy, and small limits set in the instance's settings. Every test checks that the run
ended within a bound, kept what it had committed, and says why it stopped in the run's
errors; where the bound is the run's own (pages, time), that the next run continues.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import ipaddress
import resource
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harvester.oai_client import ClientSettings
from harvester.replay_pages import (
    GeneratedCorpus,
    PageSource,
    ReplayRequest,
    Reply,
    list_records_body,
    resumption_token_element,
)
from harvester.replay_server import OaiReplayServer
from harvester.run import LoopLimits
from oer.harvesting import service as harvesting
from oer.harvesting.addresses import judge_address
from oer.harvesting.checkpoints import load_checkpoint
from oer.harvesting.models import ErrorKind, ErrorSeverity
from oer.harvesting.service import HarvestReport, default_client_settings, harvest, loop_limits
from oer.harvesting.sources import get_source
from oer.settings import Settings
from oer.store.database import store_sessions
from tests.support.harvesting import add, errors, list_requests, stored

StartServer = Callable[[PageSource], OaiReplayServer]
MEBIBYTE = 1024 * 1024
# Wall-clock bound on one harvest in these tests: the limits below are a second or less.
QUICK = 5.0
REFUSED_HOST = "127.0.0.2"


def quick(settings: ClientSettings, **retry: Any) -> ClientSettings:
    """The product's client settings with short connection timeouts and quick, few retries."""
    changes = {"max_attempts": 2, "base_delay": 0.01, "max_delay": 0.05, **retry}
    return dataclasses.replace(settings, connect_timeout=2.0, read_timeout=10.0,
                               retry=dataclasses.replace(settings.retry, **changes))


@pytest.fixture(autouse=True)
def fast_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unlike the rest of this suite, the product's client settings (bounds, address policy)."""
    monkeypatch.setattr(harvesting, "default_client_settings", lambda settings: quick(default_client_settings(settings)))


def bounded(instance: Settings, **bounds: Any) -> Settings:
    """The instance, allowed to harvest loopback, with small bounds."""
    return dataclasses.replace(instance, allow_private_sources=True, **bounds)


def harvest_timed(settings: Settings, name: str) -> tuple[HarvestReport, float]:
    started = time.monotonic()
    [report] = harvest(settings, [name])
    return report, time.monotonic() - started


def stored_identifiers(settings: Settings, source: str) -> set[str]:
    return {identifier for name, identifier in stored(settings).provenances if name == source}


def checkpoint_token(settings: Settings, source: str) -> str | None:
    with store_sessions(settings) as sessions, sessions() as session:
        state = load_checkpoint(session, get_source(session, source))
    return state.resumption_token if state is not None else None


def fatal_error(settings: Settings, source: str) -> tuple[ErrorKind, str]:
    [last] = [error for error in errors(settings, source) if error.severity is ErrorSeverity.FATAL][-1:]
    return last.kind, last.message


def on_later_pages(pages: PageSource, spoil: Callable[[ReplayRequest, Reply], Reply]) -> PageSource:
    """Every ListRecords reply after the first page spoiled (the first page is stored first)."""

    def source(request: ReplayRequest) -> Reply:
        reply = pages(request)
        return spoil(request, reply) if request.resumption_token is not None else reply

    return source


def endless(corpus: GeneratedCorpus, *, delay: float = 0.0) -> PageSource:
    """A list that never ends: two new records and a new token on every page, no list size."""

    def source(request: ReplayRequest) -> Reply:
        if request.verb != "ListRecords":
            return corpus(request)
        page = int((request.resumption_token or "p0")[1:])
        records = [corpus.record_element(index) for index in (2 * page, 2 * page + 1)]
        body = list_records_body(request, records, resumption_token_element(f"p{page + 1}"), corpus.now())
        return Reply(body=body, delay=delay)

    return source


def growing_tokens(corpus: GeneratedCorpus) -> PageSource:
    """A source keeping its state in the token: every page's token is 21 characters longer."""

    def source(request: ReplayRequest) -> Reply:
        if request.verb != "ListRecords":
            return corpus(request)
        page = int((request.resumption_token or "0:").split(":")[0])
        records = [corpus.record_element(index) for index in (2 * page, 2 * page + 1)]
        token = f"{page + 1}:".ljust(21 * (page + 1), "x")
        return Reply(body=list_records_body(request, records, resumption_token_element(token), corpus.now()))

    return source


def test_the_bounds_and_the_address_policy_come_from_the_settings(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, database_url="sqlite://", search_url=None, broker_url=None, secret_key="s",
                        harvest_response_seconds=7, harvest_max_response_mb=3, harvest_max_retry_after=11,
                        harvest_max_pages=13, harvest_max_run_minutes=17, harvest_max_token_chars=19)
    client = default_client_settings(settings)
    assert (client.response_deadline, client.max_response_bytes, client.retry.max_retry_after) == (
        7.0, 3 * MEBIBYTE, 11.0)
    assert loop_limits(settings) == LoopLimits(max_pages=13, max_run_seconds=17 * 60.0, max_token_chars=19)
    loopback = ipaddress.ip_address("127.0.0.1")
    assert client.address_policy is not None and "OER_ALLOW_PRIVATE_SOURCES" in (client.address_policy(loopback) or "")
    allowed = default_client_settings(dataclasses.replace(settings, allow_private_sources=True)).address_policy
    assert allowed is not None and allowed(loopback) is None
    assert allowed(ipaddress.ip_address("169.254.169.254")) == "a link-local or cloud metadata address"


# -- one response: its time, its size, its Retry-After ------------------------------------------


def test_a_body_that_trickles_is_cut_at_the_response_deadline(instance: Settings, oai_server: StartServer) -> None:
    # A byte every 20 ms: the page (several kB) would take minutes; the read timeout never trips.
    server = oai_server(on_later_pages(GeneratedCorpus(6, page_size=2),
                                       lambda request, reply: dataclasses.replace(reply, drip_interval=0.02)))
    settings = bounded(instance, harvest_response_seconds=1)
    add(settings, "trickle", server.url)

    report, seconds = harvest_timed(settings, "trickle")

    assert not report.ok and seconds < QUICK
    assert report.records == 2 and len(stored_identifiers(settings, "trickle")) == 2
    [message] = report.errors
    assert "after 2 attempts: the response took longer than 1 s" in message
    assert fatal_error(settings, "trickle") == (ErrorKind.TIMEOUT, message)


@functools.cache
def gzip_bomb() -> bytes:
    """About 1 MB of gzip that inflates to 1 GiB: 64 members of 16 MiB of zeros each."""
    return gzip.compress(bytes(16 * MEBIBYTE), compresslevel=9) * 64


@functools.cache
def deflate_bomb() -> bytes:
    """About 64 kB of zlib-wrapped deflate that inflates to 64 MiB."""
    return zlib.compress(bytes(64 * MEBIBYTE), 9)


@pytest.mark.parametrize(("bomb", "content_encoding"), [
    (gzip_bomb, "gzip"),
    (gzip_bomb, None),
    (deflate_bomb, "deflate"),
], ids=["gzip-announced", "gzip-unannounced", "deflate-announced"])
def test_a_compression_bomb_is_refused_while_it_inflates(
    instance: Settings, oai_server: StartServer, bomb: Callable[[], bytes], content_encoding: str | None,
) -> None:
    headers = (("Content-Type", "text/xml"),) + ((("Content-Encoding", content_encoding),) if content_encoding else ())
    body = bomb()
    server = oai_server(on_later_pages(GeneratedCorpus(6, page_size=2),
                                       lambda request, reply: Reply(body=body, headers=headers)))
    settings = bounded(instance, harvest_max_response_mb=1)
    add(settings, "bomb", server.url)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    report, seconds = harvest_timed(settings, "bomb")

    assert not report.ok and seconds < QUICK
    # ru_maxrss is in KiB: nothing near what the bomb inflates to was ever held.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 48 * 1024
    assert report.records == 2 and len(stored_identifiers(settings, "bomb")) == 2
    assert report.errors == ("the response is larger than 1 MiB (after decompression); refused",)
    assert fatal_error(settings, "bomb")[0] is ErrorKind.PROTOCOL
    # Refused, not retried: the bomb was asked for once.
    assert [request.resumption_token for request in list_requests(server)] == [None, "0.2.6"]


def test_a_retry_after_beyond_the_cap_is_waited_once_then_the_run_ends(
    instance: Settings, oai_server: StartServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The product's six attempts: what ends the run is the second Retry-After beyond the cap.
    monkeypatch.setattr(harvesting, "default_client_settings",
                        lambda settings: quick(default_client_settings(settings), max_attempts=6))
    unavailable = Reply(body=b"later\n", status=503, headers=(("Content-Type", "text/plain"), ("Retry-After", "999999")))
    server = oai_server(on_later_pages(GeneratedCorpus(6, page_size=2), lambda request, reply: unavailable))
    settings = bounded(instance, harvest_max_retry_after=1)
    add(settings, "later", server.url)

    report, seconds = harvest_timed(settings, "later")

    assert not report.ok and 1.0 <= seconds < QUICK
    assert report.records == 2 and len(stored_identifiers(settings, "later")) == 2
    [message] = report.errors
    assert message == ("source unavailable after 2 attempts: HTTP 503; it asks to wait 999999 s (Retry-After), "
                       "longer than the 1 s a harvest waits: the next run asks again")
    assert len(list_requests(server)) == 3


# -- one run: its pages, its time, its tokens ------------------------------------------------------


def test_an_endless_list_stops_at_the_page_cap_and_the_next_run_continues(
    instance: Settings, oai_server: StartServer,
) -> None:
    server = oai_server(endless(GeneratedCorpus(1000)))
    settings = bounded(instance, harvest_max_pages=3)
    add(settings, "endless", server.url)

    first, seconds = harvest_timed(settings, "endless")

    assert not first.ok and seconds < QUICK
    assert first.errors == ("endless: stopped after 3 pages (OER_HARVEST_MAX_PAGES); "
                            "the next run continues from here",)
    assert first.records == 6 and len(stored_identifiers(settings, "endless")) == 6
    assert checkpoint_token(settings, "endless") == "p3"
    assert fatal_error(settings, "endless")[0] is ErrorKind.LOOP
    asked = len(list_requests(server))

    second, _ = harvest_timed(settings, "endless")

    assert second.resumed and second.records == 6 and not second.ok
    assert list_requests(server)[asked].resumption_token == "p3"
    assert stored_identifiers(settings, "endless") == {f"oai:generated.example.org:{i}" for i in range(12)}
    assert checkpoint_token(settings, "endless") == "p6"


def test_a_run_that_outlasts_its_time_stops_and_the_next_run_continues(
    instance: Settings, oai_server: StartServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The setting is in minutes; the same bound, in seconds, through the same seam.
    monkeypatch.setattr(harvesting, "loop_limits",
                        lambda settings: dataclasses.replace(loop_limits(settings), max_run_seconds=0.5))
    server = oai_server(endless(GeneratedCorpus(1000), delay=0.15))
    settings = bounded(instance)
    add(settings, "slow", server.url)

    first, seconds = harvest_timed(settings, "slow")

    assert not first.ok and seconds < QUICK
    assert first.errors == (f"slow: stopped after 0.5 seconds (OER_HARVEST_MAX_RUN_MINUTES), {first.pages} pages in; "
                            "the next run continues from here",)
    assert first.records >= 2 and len(stored_identifiers(settings, "slow")) == first.records
    token = checkpoint_token(settings, "slow")
    assert token == f"p{first.pages}"
    asked = len(list_requests(server))

    second, _ = harvest_timed(settings, "slow")

    assert second.resumed and list_requests(server)[asked].resumption_token == token
    assert len(stored_identifiers(settings, "slow")) == first.records + second.records


def test_a_token_that_keeps_growing_ends_the_run_naming_the_limit(
    instance: Settings, oai_server: StartServer,
) -> None:
    server = oai_server(growing_tokens(GeneratedCorpus(1000)))
    settings = bounded(instance, harvest_max_token_chars=64)
    add(settings, "growing", server.url)

    report, seconds = harvest_timed(settings, "growing")

    assert not report.ok and seconds < QUICK
    # Tokens of 21, 42 and 63 characters pass; the page naming one of 84 is not stored.
    assert report.records == 6 and len(stored_identifiers(settings, "growing")) == 6
    assert report.errors == ("growing: the source sent a resumption token of 84 characters, longer than the 64 "
                             "accepted (OER_HARVEST_MAX_TOKEN_CHARS); stopped before storing that page",)
    assert fatal_error(settings, "growing")[0] is ErrorKind.PROTOCOL
    kept = checkpoint_token(settings, "growing")
    assert kept is not None and len(kept) == 63
    asked = len(list_requests(server))

    # The next run asks for that page again (and stops again until the limit is raised).
    again, _ = harvest_timed(settings, "growing")
    assert again.resumed and list_requests(server)[asked].resumption_token == kept
    assert again.records == 0 and again.errors == report.errors


# -- where a harvest may connect -----------------------------------------------------------------


@pytest.fixture
def refused_server() -> Iterator[Callable[[PageSource], OaiReplayServer]]:
    """Servers on 127.0.0.2, an address the policy of `refusing_loopback_two` refuses."""
    servers: list[OaiReplayServer] = []

    def start(pages: PageSource) -> OaiReplayServer:
        server = OaiReplayServer(pages, host=REFUSED_HOST).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def refusing_loopback_two(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Everything here is loopback: the product's policy with private addresses allowed, but not 127.0.0.2."""
    if address == ipaddress.ip_address(REFUSED_HOST):
        return "an address this test refuses"
    return judge_address(address, allow_private=True)


def redirecting(target: Callable[[ReplayRequest], str], pages: PageSource) -> PageSource:
    """Answers the first page, then redirects every ListRecords request to `target(request)`."""
    return on_later_pages(pages, lambda request, reply: Reply(
        status=302, headers=(("Location", target(request)), ("Content-Type", "text/plain"))))


def query(request: ReplayRequest) -> str:
    return "&".join(f"{name}={value}" for name, value in request.arguments.items())


def test_a_redirect_to_a_refused_address_is_refused_at_connect(
    instance: Settings, oai_server: StartServer, refused_server: StartServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(harvesting, "default_client_settings", lambda settings: quick(
        dataclasses.replace(default_client_settings(settings), address_policy=refusing_loopback_two)))
    elsewhere = refused_server(GeneratedCorpus(6, page_size=2))
    server = oai_server(redirecting(lambda request: f"{elsewhere.url}?{query(request)}",
                                    GeneratedCorpus(6, page_size=2)))
    settings = bounded(instance)
    add(settings, "redirected", server.url)

    report, seconds = harvest_timed(settings, "redirected")

    assert not report.ok and seconds < QUICK
    assert elsewhere.received == []
    [message] = report.errors
    assert message.startswith(f"refused to connect to {elsewhere.url}?")
    assert message.endswith(f": {REFUSED_HOST} is an address this test refuses; not retrying")
    assert fatal_error(settings, "redirected")[0] is ErrorKind.NETWORK
    assert report.records == 2 and len(stored_identifiers(settings, "redirected")) == 2
    # Not retried: the redirect was met once.
    assert len(list_requests(server)) == 2


def test_a_loopback_source_is_refused_unless_private_sources_are_allowed(
    instance: Settings, oai_server: StartServer,
) -> None:
    server = oai_server(GeneratedCorpus(2))
    add(instance, "inside", server.url)

    [report] = harvest(instance, ["inside"])

    assert not report.ok and server.received == []
    [message] = report.errors
    assert "127.0.0.1 is a loopback or private address (set OER_ALLOW_PRIVATE_SOURCES" in message
    assert harvest(bounded(instance), ["inside"])[0].ok


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/oai", "gopher://127.0.0.1:70/"])
def test_a_redirect_off_http_is_not_followed_and_named(
    instance: Settings, oai_server: StartServer, target: str,
) -> None:
    server = oai_server(redirecting(lambda request: target, GeneratedCorpus(6, page_size=2)))
    settings = bounded(instance)
    add(settings, "sideways", server.url)

    report, seconds = harvest_timed(settings, "sideways")

    assert not report.ok and seconds < QUICK
    [message] = report.errors
    assert f"redirected to {target!r}, which is not an http or https URL; not followed" in message
    assert report.records == 2


def test_redirects_are_followed_between_allowed_servers_but_not_round_and_round(
    instance: Settings, oai_server: StartServer,
) -> None:
    moved = oai_server(GeneratedCorpus(6, page_size=2))
    server = oai_server(redirecting(lambda request: f"{moved.url}?{query(request)}", GeneratedCorpus(6, page_size=2)))
    settings = bounded(instance)
    add(settings, "moved", server.url)
    report = harvest(settings, ["moved"])[0]
    assert report.ok and report.records == 6
    assert [request.resumption_token for request in list_requests(moved)] == ["0.2.6", "0.4.6"]

    circle: list[OaiReplayServer] = []
    circle.append(oai_server(redirecting(lambda request: f"{circle[0].url}?{query(request)}", GeneratedCorpus(6, page_size=2))))
    add(settings, "circle", circle[0].url)
    report, seconds = harvest_timed(settings, "circle")
    assert not report.ok and seconds < QUICK
    assert report.errors == (f"{circle[0].url} redirected more than 5 times; not followed further",)
    # The request and five redirects of it.
    assert len(list_requests(circle[0])) == 1 + 6
