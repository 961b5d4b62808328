"""What the client does with redirects, Retry-After and encoded bodies, over canned responses (no network).

A `requests.Session` whose `request` answers from a script stands in for the
source; the client's own redirect following, retry rules and bounded decoding
run as they do against a real server.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import requests
import urllib3
from requests.structures import CaseInsensitiveDict

from harvester.backoff import RetryPolicy
from harvester.errors import ProtocolError, SourceHttpError, SourceUnavailableError
from harvester.oai_client import ClientSettings, OaiClient, _BodyDecoder, _RetryableFailure
from harvester.replay_pages import identify_inner, oai_response
from metadata.oai import Granularity
from tests.support.harvester_client import FIXED_NOW, RecordingSleep

BASE_URL = "http://source.example.org/oai"
IDENTIFY = oai_response("Identify", {"verb": "Identify"}, identify_inner(
    name="Canned", base_url=BASE_URL, earliest="2020-01-01", granularity=Granularity.DAY), FIXED_NOW)
Reply = tuple[int, Mapping[str, str], bytes]


class CannedSession(requests.Session):
    """Answers each request with the next scripted reply and remembers what was asked."""

    def __init__(self, *replies: Reply) -> None:
        super().__init__()
        self.replies = list(replies)
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        assert isinstance(method, str) and isinstance(url, str)
        self.calls.append((method, url, kwargs))
        status, headers, body = self.replies.pop(0)
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        response.url = url
        response.raw = urllib3.HTTPResponse(body=io.BytesIO(body), headers=dict(headers), status=status,
                                            preload_content=False)
        return response


@pytest.fixture
def sleeps() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def clients(sleeps: RecordingSleep) -> Iterator[list[OaiClient]]:
    made: list[OaiClient] = []
    yield made
    for client in made:
        client.close()


def client_for(clients: list[OaiClient], sleeps: RecordingSleep, session: CannedSession,
               **settings: Any) -> OaiClient:
    client = OaiClient(BASE_URL, ClientSettings(**settings), session=session, sleep=sleeps,
                       now=lambda: FIXED_NOW, random=lambda: 1.0)
    clients.append(client)
    return client


# -- Retry-After ----------------------------------------------------------------------------------


def unavailable(retry_after: str) -> Reply:
    return 503, {"Retry-After": retry_after}, b"later\n"


def test_a_retry_after_beyond_the_cap_is_waited_once_then_given_up(
        clients: list[OaiClient], sleeps: RecordingSleep) -> None:
    session = CannedSession(*[unavailable("999999")] * 6)
    client = client_for(clients, sleeps, session, retry=RetryPolicy(max_retry_after=300.0))

    with pytest.raises(SourceHttpError) as caught:
        client.identify()

    assert sleeps.delays == [300.0] and len(session.calls) == 2
    assert str(caught.value) == ("source unavailable after 2 attempts: HTTP 503; it asks to wait 999999 s "
                                 "(Retry-After), longer than the 300 s a harvest waits: the next run asks again")


def test_a_retry_after_beyond_the_cap_once_then_an_answer_is_a_success(
        clients: list[OaiClient], sleeps: RecordingSleep) -> None:
    session = CannedSession(unavailable("86400"), (200, {}, IDENTIFY))
    assert client_for(clients, sleeps, session).identify().name == "Canned"
    assert sleeps.delays == [300.0]


def test_waits_within_the_cap_are_honoured_until_the_attempts_run_out(
        clients: list[OaiClient], sleeps: RecordingSleep) -> None:
    session = CannedSession(*[unavailable("120")] * 3, (200, {}, IDENTIFY))
    assert client_for(clients, sleeps, session).identify().name == "Canned"
    assert sleeps.delays == [120.0, 120.0, 120.0]


# -- redirects --------------------------------------------------------------------------------------


def redirect(location: str, status: int = 302) -> Reply:
    return status, {"Location": location}, b""


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://source.example.org/oai", "javascript:alert(1)"])
def test_a_redirect_off_http_names_its_target_and_is_not_followed(
        clients: list[OaiClient], sleeps: RecordingSleep, target: str) -> None:
    session = CannedSession(redirect(target))
    with pytest.raises(SourceUnavailableError) as caught:
        client_for(clients, sleeps, session).identify()
    assert str(caught.value) == f"{BASE_URL} redirected to {target!r}, which is not an http or https URL; not followed"
    assert len(session.calls) == 1 and sleeps.delays == []


def test_a_relative_redirect_is_followed_to_the_url_it_names(clients: list[OaiClient], sleeps: RecordingSleep) -> None:
    session = CannedSession(redirect("/v2/oai?verb=Identify", 301), (200, {}, IDENTIFY))
    assert client_for(clients, sleeps, session).identify().name == "Canned"
    [(_, first, asked), (method, second, followed)] = session.calls
    assert (first, asked["params"], asked["allow_redirects"]) == (BASE_URL, {"verb": "Identify"}, False)
    # The URL the server redirected to carries the query: nothing is added to it.
    assert (method, second, followed["params"]) == ("GET", "http://source.example.org/v2/oai?verb=Identify", None)


@pytest.mark.parametrize(("status", "method", "data"), [
    (303, "GET", None), (307, "POST", {"verb": "Identify"}), (301, "POST", {"verb": "Identify"}),
])
def test_a_post_keeps_its_arguments_unless_told_to_get_elsewhere(
        clients: list[OaiClient], sleeps: RecordingSleep, status: int, method: str, data: Any) -> None:
    session = CannedSession(redirect("https://mirror.example.org/oai", status), (200, {}, IDENTIFY))
    client_for(clients, sleeps, session, http_method="POST").identify()
    [_, (followed_method, url, followed)] = session.calls
    assert (followed_method, url, followed["data"]) == (method, "https://mirror.example.org/oai", data)


def test_redirects_round_and_round_end(clients: list[OaiClient], sleeps: RecordingSleep) -> None:
    session = CannedSession(*[redirect(BASE_URL)] * 3)
    with pytest.raises(SourceUnavailableError, match="redirected more than 2 times; not followed further"):
        client_for(clients, sleeps, session, max_redirects=2).identify()
    assert len(session.calls) == 3


# -- bodies -----------------------------------------------------------------------------------------


def test_an_announced_length_beyond_the_limit_is_refused_before_reading(
        clients: list[OaiClient], sleeps: RecordingSleep) -> None:
    session = CannedSession((200, {"Content-Length": str(2 * 1024 * 1024)}, IDENTIFY))
    with pytest.raises(ProtocolError, match=r"^the response is larger than 1 MiB \(after decompression\); refused$"):
        client_for(clients, sleeps, session, max_response_bytes=1024 * 1024).identify()


def test_a_coding_the_client_cannot_bound_is_refused(clients: list[OaiClient], sleeps: RecordingSleep) -> None:
    session = CannedSession((200, {"Content-Encoding": "br"}, b"\x0b\x02\x80"))
    with pytest.raises(ProtocolError, match="encoded as 'br'"):
        client_for(clients, sleeps, session).identify()


def test_the_client_asks_only_for_codings_it_decodes(clients: list[OaiClient], sleeps: RecordingSleep) -> None:
    session = CannedSession((200, {"Content-Encoding": "gzip"}, gzip.compress(IDENTIFY)))
    assert client_for(clients, sleeps, session).identify().name == "Canned"
    assert session.headers["Accept-Encoding"] == "gzip, deflate"


def decode(encoding: str | None, body: bytes, limit: int = 1024 * 1024, piece: int = 7) -> bytes:
    """Feed `body` in small pieces, as the network hands it over."""
    decoder = _BodyDecoder(encoding, limit)
    output = b"".join(decoder.feed(body[start:start + piece]) for start in range(0, len(body), piece))
    return output + decoder.finish()


TEXT = b"<OAI-PMH>" + b"lesmateriaal " * 200 + b"</OAI-PMH>"


@pytest.mark.parametrize(("encoding", "body"), [
    (None, TEXT),
    ("identity", TEXT),
    ("gzip", gzip.compress(TEXT)),
    ("x-gzip", gzip.compress(TEXT)),
    # Several members, as `cat a.gz b.gz` makes.
    ("gzip", gzip.compress(TEXT[:100]) + gzip.compress(TEXT[100:])),
    # Gzip nobody announced, also inside an announced coding.
    (None, gzip.compress(TEXT)),
    ("gzip", gzip.compress(gzip.compress(TEXT))),
    # Deflate as HTTP means it (zlib-wrapped) and raw, as some servers send it.
    ("deflate", zlib.compress(TEXT)),
    ("deflate", zlib.compress(TEXT)[2:-4]),
    # Codings in the order they were applied.
    ("deflate, gzip", gzip.compress(zlib.compress(TEXT))),
], ids=["none", "identity", "gzip", "x-gzip", "gzip-members", "gzip-unannounced", "gzip-twice", "deflate",
        "deflate-raw", "deflate-then-gzip"])
def test_bodies_are_decoded_while_streaming(encoding: str | None, body: bytes) -> None:
    assert decode(encoding, body) == TEXT


@pytest.mark.parametrize(("encoding", "body"), [
    (None, bytes(1025)),
    ("gzip", gzip.compress(bytes(10 * 1024 * 1024))),
    (None, gzip.compress(bytes(10 * 1024 * 1024))),
    ("deflate", zlib.compress(bytes(10 * 1024 * 1024))),
])
def test_output_beyond_the_limit_is_refused_without_producing_it(encoding: str | None, body: bytes) -> None:
    decoder = _BodyDecoder(encoding, 1024)
    produced = 0
    with pytest.raises(ProtocolError, match=r"larger than 1024 bytes \(after decompression\); refused"):
        for start in range(0, len(body), 64 * 1024):
            produced += len(decoder.feed(body[start:start + 64 * 1024]))
        decoder.finish()
    assert produced <= 1024


def test_a_truncated_compressed_body_is_retried_as_malformed() -> None:
    with pytest.raises(_RetryableFailure, match="truncated gzip body") as caught:
        decode("gzip", gzip.compress(TEXT)[:-20])
    assert caught.value.malformed


def test_a_broken_compressed_body_is_retried_as_malformed() -> None:
    with pytest.raises(_RetryableFailure, match="broken gzip body") as caught:
        decode("gzip", b"\x1f\x8b\x08\x00garbage that is not deflate at all")
    assert caught.value.malformed


def test_an_empty_or_one_byte_body_passes_through() -> None:
    assert decode(None, b"") == b""
    assert decode(None, b"x") == b"x"
    assert decode("gzip", b"") == b""
