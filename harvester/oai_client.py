"""The OAI-PMH client: sickle plus what it lacks, handing out plain values. I/O: network.

This is the only module that imports sickle (and requests). sickle builds the
requests and reads the protocol's objects; this module adds what real
repositories need (DOMAIN.md): retries on connection errors, timeouts, 5xx
and 429 with capped exponential backoff and jitter; Retry-After as seconds or
as an HTTP date, cut to a maximum; an immediate stop on 401/403; unadvertised
gzip; removal of characters XML 1.0 forbids; strict, safe parsing (a truncated
page must never pass as a shorter list, which sickle's recovering parser
allows); a polite User-Agent. It works page by page, because the harvest loop
checkpoints after every page, and turns sickle's objects into `RawRecord`/`Page`
values and every failure into a `HarvestError`.

What a hostile source cannot do to it: hold a response open longer than
`response_deadline` on the wall clock, however slowly the bytes come (a
watchdog cuts the connection); make it hold more than `max_response_bytes`
(bodies are decompressed while streaming, with the output bounded); make it
connect where `address_policy` forbids (every connection, redirects included,
is judged on the address actually connected to); lead it off http(s) with a
redirect, or round in redirects.
"""

from __future__ import annotations

import contextlib
import html
import importlib.metadata
import ipaddress
import random as random_module
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from lxml import etree
from requests.adapters import HTTPAdapter
from sickle import Sickle
from sickle.models import Header, Identify
from sickle.response import OAIResponse
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import allowed_gai_family, create_connection

from harvester.backoff import RetryNotice, RetryPolicy, parse_retry_after, retry_delay
from harvester.errors import (
    AccessForbiddenError,
    BadResumptionTokenError,
    HarvestError,
    MalformedResponseError,
    OaiRequestError,
    ProtocolError,
    SourceHttpError,
    SourceTimeoutError,
    SourceUnavailableError,
)
from harvester.records import DeletedRecordPolicy, Page, RawRecord, RepositoryInfo
from metadata.errors import XMLInputError
from metadata.oai import Granularity, origin_identifiers
from metadata.xml_input import parse_xml

OAI_NAMESPACE = "http://www.openarchives.org/OAI/2.0/"
_NS = "{" + OAI_NAMESPACE + "}"

# Protocol spellings (OAI-PMH 2.0 sections 3.6 and 4).
VERB_IDENTIFY = "Identify"
VERB_LIST_RECORDS = "ListRecords"
VERB_LIST_METADATA_FORMATS = "ListMetadataFormats"
ERROR_NO_RECORDS_MATCH = "noRecordsMatch"
ERROR_BAD_RESUMPTION_TOKEN = "badResumptionToken"

# Placeholder until the operator sets a real page that says who harvests and how to reach them.
DEFAULT_CONTACT_URL = "https://example.org/oer-repository/harvester"

_GZIP_MAGIC = b"\x1f\x8b"
_XML_SPACE = b"xml:space"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# 501 Not Implemented and 505 HTTP Version Not Supported will not change by waiting.
_PERMANENT_5XX = frozenset({501, 505})
# The content codings this module decodes itself, with a bound (RFC 9110 section 8.4.1).
_GZIP_CODINGS = frozenset({"gzip", "x-gzip"})
_DEFLATE_CODING = "deflate"
_ACCEPT_ENCODING = "gzip, deflate"
# Raw bytes read from the socket at a time; what they decompress to is bounded separately.
_READ_SIZE = 64 * 1024
_REDIRECT_SCHEMES = frozenset({"http", "https"})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Why the client may not connect to an address (None: it may).
AddressPolicy = Callable[[IPAddress], str | None]
RetryObserver = Callable[[RetryNotice], None]


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """How the client talks to a source; the defaults suit a public repository."""

    # Named in the User-Agent so a repository operator can reach whoever harvests them.
    contact_url: str = DEFAULT_CONTACT_URL
    # Seconds to establish a connection, and to wait for each chunk of a response.
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    # Seconds a whole response may take on the wall clock, redirects included, however slowly
    # its bytes come: a trickling server must not hold a harvest forever.
    response_deadline: float = 300.0
    # A page larger than this (after decompression) is refused, not read into memory.
    max_response_bytes: int = 256 * 1024 * 1024
    # GET suits every repository we know; POST (OAI-PMH 2.0 section 3.1.1.2) for very long tokens.
    http_method: str = "GET"
    # Also holds the longest Retry-After honoured (`RetryPolicy.max_retry_after`).
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Judges the address of every connection (the source's and every redirect's), at the
    # moment of connecting; None: any address. The product passes its own policy
    # (`oer.harvesting.addresses`), so this package needs no notion of which networks are private.
    address_policy: AddressPolicy | None = None
    # Redirects followed per request (only to http and https URLs).
    max_redirects: int = 5

    def __post_init__(self) -> None:
        if self.http_method not in ("GET", "POST"):
            raise ValueError("http_method must be GET or POST")
        if self.response_deadline <= 0 or self.max_response_bytes <= 0 or self.max_redirects < 0:
            raise ValueError("response_deadline and max_response_bytes must be positive, max_redirects >= 0")

    @property
    def user_agent(self) -> str:
        return user_agent(self.contact_url)


def user_agent(contact_url: str) -> str:
    """The User-Agent the harvester sends: product, version, purpose and a contact URL."""
    try:
        version = importlib.metadata.version("oer-repository")
    except importlib.metadata.PackageNotFoundError:
        version = "dev"
    return f"oer-repository/{version} (OAI-PMH harvester; +{contact_url})"


class _RetryableFailure(Exception):
    """One attempt failed in a way that waiting may cure; never leaves this module."""

    def __init__(self, reason: str, *, retry_after: float | None = None, malformed: bool = False,
                 timeout: bool = False, status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.malformed = malformed
        # How the last attempt failed, so giving up raises the error that says so.
        self.timeout = timeout
        self.status = status


@dataclass(frozen=True, slots=True)
class _Document:
    """A response body after decompression and cleaning; `root` is None if it did not parse."""

    body: bytes
    root: Any
    parse_error: str | None = None
    removed_characters: int = 0


class _DocumentResponse(OAIResponse):  # type: ignore[misc]
    """sickle's response object over a document this module already fetched and parsed strictly."""

    def __init__(self, document: _Document, params: Mapping[str, str]) -> None:
        super().__init__(http_response=None, params=dict(params))
        self.document = document

    @property
    def raw(self) -> str:
        return self.document.body.decode("utf-8", errors="replace")

    @property
    def xml(self) -> Any:
        return self.document.root


class _ResilientSickle(Sickle):  # type: ignore[misc]
    """sickle with its HTTP seam replaced by the client's retrying, cleaning fetch.

    sickle's own `harvest` retries only listed status codes, never connection
    errors, sleeps with `time.sleep` and int()s Retry-After; `get_retry_after`
    is overridden too so nothing in sickle can take that path.
    """

    def __init__(self, endpoint: str, fetch: Callable[[Mapping[str, str]], _Document], http_method: str):
        super().__init__(endpoint, http_method=http_method, max_retries=0)
        self._fetch = fetch

    def harvest(self, **kwargs: str) -> _DocumentResponse:
        return _DocumentResponse(self._fetch(kwargs), kwargs)

    def get_retry_after(self, http_response: Any) -> float:
        delay = parse_retry_after(http_response.headers.get("retry-after"), datetime.now(UTC))
        return 0.0 if delay is None else delay


class OaiClient:
    """An OAI-PMH client for one repository base URL, page by page.

    Network access happens only in the methods, never in the constructor.
    `sleep`, `now` and `random` are injectable so retries are tested without
    waiting. Not thread-safe: use one client per thread (one request at a
    time). A session passed in gets the client's own http(s) adapters.
    """

    def __init__(
        self,
        base_url: str,
        settings: ClientSettings | None = None,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        random: Callable[[], float] = random_module.random,
    ) -> None:
        self.base_url = base_url
        self.settings = settings or ClientSettings()
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self._session.headers["User-Agent"] = self.settings.user_agent
        # Only the codings this module decodes itself, with a bound on the output.
        self._session.headers["Accept-Encoding"] = _ACCEPT_ENCODING
        adapter = _GuardedAdapter()
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._guard = _ConnectionGuard(self.settings.address_policy)
        self._sleep = sleep
        self._now = now
        self._random = random
        self._retry_observer: RetryObserver | None = None
        self._sickle = _ResilientSickle(base_url, self._fetch, self.settings.http_method)

    def close(self) -> None:
        if self._owns_session:
            self._session.close()
        self._guard.close()

    def __enter__(self) -> OaiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def observing_retries(self, observer: RetryObserver | None) -> Iterator[None]:
        """Tell `observer` about every retry made inside the `with` block."""
        previous, self._retry_observer = self._retry_observer, observer
        try:
            yield
        finally:
            self._retry_observer = previous

    def identify(self) -> RepositoryInfo:
        """Issue Identify: granularity, earliest datestamp, deletion policy."""
        response = self._sickle.harvest(verb=VERB_IDENTIFY)
        root = _require_oai_root(response.document)
        _raise_oai_error(root)
        if root.find(_NS + VERB_IDENTIFY) is None:
            raise MalformedResponseError("the Identify response has no <Identify> element")
        identify = Identify(response)

        def field_text(name: str) -> str | None:
            value = getattr(identify, name, None)
            return value.strip() if isinstance(value, str) else None

        return RepositoryInfo(
            name=field_text("repositoryName") or "",
            base_url=field_text("baseURL") or self.base_url,
            protocol_version=field_text("protocolVersion") or "",
            granularity=Granularity.from_identify(field_text("granularity")),
            earliest_datestamp=field_text("earliestDatestamp"),
            deleted_record=DeletedRecordPolicy.from_identify(field_text("deletedRecord")),
        )

    def list_metadata_formats(self) -> tuple[str, ...]:
        """Issue ListMetadataFormats: the metadataPrefixes the repository offers, in its order."""
        response = self._sickle.harvest(verb=VERB_LIST_METADATA_FORMATS)
        root = _require_oai_root(response.document)
        _raise_oai_error(root)
        listing = root.find(_NS + VERB_LIST_METADATA_FORMATS)
        if listing is None:
            raise MalformedResponseError("the ListMetadataFormats response has no <ListMetadataFormats> element")
        prefixes = (_text(element.find(_NS + "metadataPrefix")) for element in listing.iterfind(_NS + "metadataFormat"))
        return tuple(prefix for prefix in prefixes if prefix)

    def list_records(
        self,
        *,
        metadata_prefix: str,
        set_spec: str | None = None,
        from_date: str | None = None,
        until: str | None = None,
    ) -> Page:
        """Issue the first ListRecords request of a list; `noRecordsMatch` gives an empty last page."""
        arguments = {"metadataPrefix": metadata_prefix}
        if set_spec:
            arguments["set"] = set_spec
        if from_date:
            arguments["from"] = from_date
        if until:
            arguments["until"] = until
        return self._page(arguments)

    def resume_list(self, resumption_token: str) -> Page:
        """Ask for the next page of a list; the token is the request's only argument (section 3.5)."""
        return self._page({"resumptionToken": resumption_token})

    def _page(self, arguments: Mapping[str, str]) -> Page:
        response = self._sickle.harvest(verb=VERB_LIST_RECORDS, **arguments)
        document: _Document = response.document
        if document.root is None:
            return _salvage_page(document)
        return _page_from_root(_require_oai_root(document), document.removed_characters, document.body)

    # -- HTTP with retries -------------------------------------------------

    def _fetch(self, params: Mapping[str, str]) -> _Document:
        policy = self.settings.retry
        waited = 0.0
        attempt = 0
        cut_waits = 0
        while True:
            attempt += 1
            try:
                return self._attempt(params)
            except _RetryableFailure as failure:
                delay = retry_delay(attempt, failure.retry_after, policy, self._random)
                if failure.retry_after is not None and failure.retry_after > policy.max_retry_after:
                    # Waiting longer than the source asked is pointless, and its wish is longer
                    # than a harvest waits: one wait of the cap, then it is asked again next run.
                    cut_waits += 1
                    if cut_waits > 1:
                        _give_up(failure, attempt, policy.max_retry_after)
                if attempt >= policy.max_attempts or waited + delay > policy.max_total_delay:
                    _give_up(failure, attempt, policy.max_retry_after)
                if self._retry_observer is not None:
                    self._retry_observer(RetryNotice(attempt=attempt, delay=delay, reason=failure.reason))
                self._sleep(delay)
                waited += delay

    def _attempt(self, params: Mapping[str, str]) -> _Document:
        deadline = self.settings.response_deadline
        with self._guard.deadline(deadline):
            try:
                return self._exchange(params)
            except (_RetryableFailure, HarvestError):
                if not self._guard.expired:
                    raise
        # The watchdog cut the connection: whatever the cut looked like to the layers above
        # (a reset, a short or truncated body), the cause is the deadline.
        raise _RetryableFailure(f"the response took longer than {deadline:g} s", timeout=True)

    def _exchange(self, params: Mapping[str, str]) -> _Document:
        """One request and its redirects, followed here so every hop is checked."""
        settings = self.settings
        method, url = settings.http_method, self.base_url
        arguments: dict[str, str] | None = dict(params)
        for _hop in range(settings.max_redirects + 1):
            response = self._send(method, url, arguments)
            with response:
                if not response.is_redirect:
                    return self._answer(url, response)
                method, url, arguments = _redirected(method, url, arguments, response)
        raise SourceUnavailableError(
            f"{self.base_url} redirected more than {settings.max_redirects} times; not followed further"
        )

    def _send(self, method: str, url: str, arguments: dict[str, str] | None) -> requests.Response:
        settings = self.settings
        try:
            return self._session.request(
                method,
                url,
                params=arguments if method == "GET" else None,
                data=arguments if method == "POST" else None,
                timeout=(settings.connect_timeout, settings.read_timeout),
                stream=True,
                allow_redirects=False,
            )
        except _AddressRefusedError as refused:
            raise SourceUnavailableError(f"refused to connect to {url}: {refused}; not retrying") from None
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema, requests.exceptions.URLRequired) as error:
            raise SourceUnavailableError(f"invalid source URL {url!r}: {error}") from None
        except requests.exceptions.SSLError as error:
            # A certificate problem does not cure itself within minutes.
            raise SourceUnavailableError(f"TLS failure talking to {url}: {error}") from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as error:
            raise _RetryableFailure(f"connection to {_netloc(url)} failed: {_connection_problem(error)}",
                                    timeout=_timed_out(error)) from None

    def _answer(self, url: str, response: requests.Response) -> _Document:
        status = response.status_code
        if status in (401, 403):
            raise AccessForbiddenError(f"{url} refused access (HTTP {status}); not retrying")
        if status == 429 or (500 <= status <= 599 and status not in _PERMANENT_5XX):
            retry_after = parse_retry_after(response.headers.get("Retry-After"), self._now())
            raise _RetryableFailure(f"HTTP {status}", retry_after=retry_after, status=status)
        body = self._read_body(response)
        if status != 200:
            # Some providers send OAI errors with a 4xx status (Invenio uses 422):
            # if the body is an OAI-PMH document, its <error> is the real answer.
            with contextlib.suppress(_RetryableFailure):
                document = self._document(body)
                if document.root is not None and document.root.tag == _NS + "OAI-PMH":
                    return document
            raise SourceHttpError(f"{url} answered HTTP {status}", status)
        return self._document(body)

    def _read_body(self, response: requests.Response) -> bytes:
        """The body, decoded here from the raw bytes so that no layer decompresses without a bound."""
        limit = self.settings.max_response_bytes
        decoder = _BodyDecoder(response.headers.get("Content-Encoding"), limit)
        declared = _int_or_none(response.headers.get("Content-Length"))
        if decoder.identity and declared is not None and declared > limit:
            raise ProtocolError(_too_large(limit))
        body = bytearray()
        try:
            for chunk in response.raw.stream(_READ_SIZE, decode_content=False):
                body += decoder.feed(chunk)
            body += decoder.finish()
        except (urllib3.exceptions.HTTPError, OSError) as error:
            raise _RetryableFailure(f"connection broken while reading: {_one_line(error)}",
                                    timeout=_timed_out(error)) from None
        return bytes(body)

    def _document(self, body: bytes) -> _Document:
        if body[:2] in _UTF16_BOMS:
            # The shared cleaner works byte-wise on ASCII-compatible encodings only.
            body = body.decode("utf-16").encode("utf-8")
            body = re.sub(rb"^(<\?xml[^>]*?)\s+encoding=[\"'][^\"']*[\"']", rb"\1", body)
        try:
            parsed = parse_xml(body)
        except XMLInputError as error:
            if _envelope_is_complete(body):
                # The server sent all of it and it is broken: retrying gives the
                # same bytes, so the page salvages what it can.
                return _Document(body=body, root=None, parse_error=str(error))
            raise _RetryableFailure(f"malformed response: {error}", malformed=True) from None
        return _Document(body=body, root=parsed.root, removed_characters=parsed.removed_count)


# -- transport: redirects, the address policy, the deadline, bounded decoding ----------------


def _redirected(method: str, url: str, arguments: dict[str, str] | None,
                response: requests.Response) -> tuple[str, str, dict[str, str] | None]:
    """The request a redirect asks for; only to http(s) URLs, and the error names where it pointed."""
    target = urljoin(url, response.headers["Location"].strip())
    if urlsplit(target).scheme.lower() not in _REDIRECT_SCHEMES:
        raise SourceUnavailableError(
            f"{url} redirected to {target!r}, which is not an http or https URL; not followed"
        )
    if response.status_code == 303:
        # See Other: GET what it points at (RFC 9110 section 15.4.4), whose URL says it all.
        return "GET", target, None
    # 301/302/307/308 keep the method: an OAI-PMH request is nothing without its arguments,
    # which a POST carries in its body and a GET already in the URL the server redirected.
    return method, target, arguments if method == "POST" else None


class _AddressRefusedError(Exception):
    """Every address of a host was refused by the address policy; never leaves this module.

    Not an OSError, so neither urllib3 nor requests mistakes it for a network
    failure to retry or wrap.
    """

    def __init__(self, host: str, refusals: list[tuple[IPAddress, str]]) -> None:
        # "db.internal is 10.0.0.5, a private address"; "127.0.0.2 is a loopback address".
        judged = [reason if str(address) == host.strip("[]") else f"{address}, {reason}"
                  for address, reason in refusals]
        super().__init__(f"{host} is {'; '.join(judged) or 'not an address to connect to'}")


# The guard of the request being made on this thread (set by `_ConnectionGuard.deadline`):
# connections are created deep inside urllib3, which has no parameter to pass it through.
_current_guard: ContextVar[_ConnectionGuard | None] = ContextVar("oai_connection_guard", default=None)


class _ConnectionGuard:
    """A client's watch over its connections: where they may go, and a deadline per request.

    The deadline is kept by a timer that shuts the watched sockets down when it
    passes. A timeout set on the socket cannot do this: it bounds each recv(),
    and one read of urllib3 or http.client loops over as many recv() calls as
    the bytes come in (a status line, headers, chunk sizes, TLS records), so a
    server sending a byte a second never trips it. Shutting the socket down
    ends whatever read is blocked, in whichever layer, at the moment the
    deadline passes. Each connection's socket is watched through a duplicate
    of its descriptor: TLS wraps (and detaches) the original, but a shutdown
    reaches the connection through any descriptor of it.
    """

    def __init__(self, policy: AddressPolicy | None) -> None:
        self.policy = policy
        self.expired = False
        self._lock = threading.Lock()
        self._watched: dict[int, socket.socket] = {}
        self._generation = 0

    @contextlib.contextmanager
    def deadline(self, seconds: float) -> Iterator[None]:
        """Cut this client's connections if the `with` block is still running after `seconds`."""
        with self._lock:
            self._generation += 1
            generation = self._generation
            self.expired = False
        timer = threading.Timer(seconds, self._expire, args=(generation,))
        timer.name = "oai-response-deadline"
        timer.daemon = True
        token = _current_guard.set(self)
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
            _current_guard.reset(token)
            with self._lock:
                # A timer that fires late must not cut the next request's connection.
                self._generation += 1

    def watch(self, connection: object, sock: socket.socket) -> None:
        handle = sock.dup()
        with self._lock:
            previous = self._watched.pop(id(connection), None)
            self._watched[id(connection)] = handle
        if previous is not None:
            previous.close()

    def forget(self, connection: object) -> None:
        with self._lock:
            handle = self._watched.pop(id(connection), None)
        if handle is not None:
            handle.close()

    def close(self) -> None:
        """Cut every connection still open: a request in flight now (one fetched ahead for a
        run that has ended) would otherwise hold its thread for as long as the source likes."""
        with self._lock:
            handles, self._watched = list(self._watched.values()), {}
        for handle in handles:
            with contextlib.suppress(OSError):
                handle.shutdown(socket.SHUT_RDWR)
            handle.close()

    def _expire(self, generation: int) -> None:
        with self._lock:
            if generation != self._generation:
                return
            self.expired = True
            for handle in self._watched.values():
                with contextlib.suppress(OSError):
                    handle.shutdown(socket.SHUT_RDWR)


class _GuardedHTTPConnection(HTTPConnection):
    """An urllib3 connection that connects only where the client's policy allows, and is watched.

    Resolving, judging and connecting happen together here, on the address
    actually connected to: a check made earlier on the host name would let a
    DNS answer that changes in between (rebinding) through. TLS still checks
    the certificate against the host name (urllib3 wraps this socket with
    `server_hostname=self.host`). Through a proxy the proxy connects, so the
    policy is its job; the deadline still applies.
    """

    _guard: _ConnectionGuard | None = None

    def _new_conn(self) -> socket.socket:
        guard = _current_guard.get()
        if guard is None or guard.policy is None or self.proxy is not None:
            sock = super()._new_conn()
        else:
            sock = self._connect_allowed(guard.policy)
        if guard is not None:
            if self._guard is not None and self._guard is not guard:
                self._guard.forget(self)
            self._guard = guard
            guard.watch(self, sock)
        return sock

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._guard is not None:
                self._guard.forget(self)

    def _connect_allowed(self, policy: AddressPolicy) -> socket.socket:
        try:
            answers = socket.getaddrinfo(self._dns_host, self.port, allowed_gai_family(), socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error
        refusals: list[tuple[IPAddress, str]] = []
        failure: OSError | None = None
        for *_, sockaddr in answers:
            literal = str(sockaddr[0])
            address = ipaddress.ip_address(literal.split("%")[0])
            reason = policy(address)
            if reason is not None:
                refusals.append((address, reason))
                continue
            try:
                return create_connection((literal, self.port), self.timeout,
                                         source_address=self.source_address, socket_options=self.socket_options)
            except OSError as error:
                failure = error
        if failure is None:
            raise _AddressRefusedError(self.host, refusals)
        if isinstance(failure, TimeoutError):
            raise ConnectTimeoutError(
                self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
            ) from failure
        raise NewConnectionError(self, f"Failed to establish a new connection: {failure}") from failure


class _GuardedHTTPSConnection(_GuardedHTTPConnection, HTTPSConnection):
    pass


class _GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


_GUARDED_POOLS: dict[str, type[HTTPConnectionPool]] = {
    "http": _GuardedHTTPConnectionPool,
    "https": _GuardedHTTPSConnectionPool,
}


class _GuardedAdapter(HTTPAdapter):
    """requests' adapter with the guarded connections, direct and through an HTTP(S) proxy."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _GUARDED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            # A SOCKS proxy manager has connection classes of its own.
            manager.pool_classes_by_scheme = _GUARDED_POOLS
        return manager


class _Inflater:
    """One content coding undone while streaming, never producing more than `limit` bytes in all."""

    def __init__(self, coding: str, limit: int) -> None:
        self.coding = coding
        self._gzip = coding in _GZIP_CODINGS
        self._limit = limit
        self._produced = 0
        self._received = False
        self._raw_deflate = False
        self._decompressor = self._new()

    def _new(self) -> Any:
        if self._gzip:
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        return zlib.decompressobj(-zlib.MAX_WBITS if self._raw_deflate else zlib.MAX_WBITS)

    def feed(self, data: bytes) -> bytes:
        output: list[bytes] = []
        while data:
            if self._decompressor.eof:
                # Gzip may hold several members in a row (RFC 1952 section 2.2); anything else
                # after the end of the stream is trailing garbage, ignored as browsers do.
                if not (self._gzip and data.startswith(_GZIP_MAGIC)):
                    break
                self._decompressor = self._new()
            first = not self._received
            self._received = True
            try:
                # At most one byte more than the limit allows: enough to know it was exceeded.
                chunk = self._decompressor.decompress(data, self._limit - self._produced + 1)
            except zlib.error as error:
                if first and not self._gzip and not self._raw_deflate:
                    # "deflate" means zlib-wrapped (RFC 9110 section 8.4.1.2), but some servers
                    # send it raw; browsers accept both.
                    self._raw_deflate = True
                    self._received = False
                    self._decompressor = self._new()
                    continue
                raise _RetryableFailure(f"broken {self.coding} body: {error}", malformed=True) from None
            self._produced += len(chunk)
            if self._produced > self._limit:
                raise ProtocolError(_too_large(self._limit))
            output.append(chunk)
            decompressor = self._decompressor
            data = decompressor.unused_data if decompressor.eof else decompressor.unconsumed_tail
        return b"".join(output)

    def finish(self) -> None:
        if self._received and not self._decompressor.eof:
            raise _RetryableFailure(f"truncated {self.coding} body", malformed=True)


class _BodyDecoder:
    """Undoes the announced content codings, then a gzip nobody announced, within `limit` bytes."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        codings = [name.strip().lower() for name in (content_encoding or "").split(",")]
        codings = [name for name in codings if name and name != "identity"]
        for name in codings:
            if name not in _GZIP_CODINGS and name != _DEFLATE_CODING:
                raise ProtocolError(f"the response is encoded as {name!r} (Content-Encoding), "
                                    f"which this harvester does not decode")
        # Codings are listed in the order they were applied (RFC 9110 section 8.4): undo the last first.
        self._stages = [_Inflater(name, limit) for name in reversed(codings)]
        self.identity = not codings
        self._limit = limit
        self._size = 0
        # The first bytes, until they show whether an unannounced gzip follows.
        self._head: bytes | None = b""

    def feed(self, data: bytes) -> bytes:
        for stage in self._stages:
            data = stage.feed(data)
        if self._head is not None:
            self._head += data
            if len(self._head) < len(_GZIP_MAGIC):
                return b""
            data, self._head = self._head, None
            if data.startswith(_GZIP_MAGIC):
                # Gzip the server did not announce in Content-Encoding.
                stage = _Inflater("gzip", self._limit)
                self._stages.append(stage)
                data = stage.feed(data)
        return self._counted(data)

    def finish(self) -> bytes:
        data, self._head = self._head or b"", None
        for stage in self._stages:
            stage.finish()
        return self._counted(data)

    def _counted(self, data: bytes) -> bytes:
        self._size += len(data)
        if self._size > self._limit:
            raise ProtocolError(_too_large(self._limit))
        return data


def _too_large(limit: int) -> str:
    mebibyte = 1024 * 1024
    size = f"{limit // mebibyte} MiB" if limit % mebibyte == 0 else f"{limit} bytes"
    return f"the response is larger than {size} (after decompression); refused"


def _timed_out(error: BaseException) -> bool:
    # requests raises Timeout while connecting or waiting for the headers, but wraps a read
    # timeout met while streaming the body in a ConnectionError around urllib3's ReadTimeoutError;
    # the body itself is read from urllib3, which raises its own.
    if isinstance(error, (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)):
        return True
    return any("Timeout" in type(argument).__name__ for argument in error.args)


def _give_up(failure: _RetryableFailure, attempts: int, max_retry_after: float | None = None) -> NoReturn:
    tried = f"after {attempts} attempt{'s' if attempts != 1 else ''}"
    if failure.malformed:
        raise MalformedResponseError(f"{failure.reason} ({tried})")
    message = f"source unavailable {tried}: {failure.reason}"
    if failure.retry_after is not None and max_retry_after is not None and failure.retry_after > max_retry_after:
        message += (
            f"; it asks to wait {failure.retry_after:g} s (Retry-After), longer than the "
            f"{max_retry_after:g} s a harvest waits: the next run asks again"
        )
    if failure.timeout:
        raise SourceTimeoutError(message)
    if failure.status is not None:
        raise SourceHttpError(message, failure.status)
    raise SourceUnavailableError(message)


def _envelope_is_complete(body: bytes) -> bool:
    return re.search(rb"</(?:[\w.-]+:)?OAI-PMH>\s*$", body[-256:]) is not None


def _require_oai_root(document: _Document) -> Any:
    root = document.root
    if root is None:
        raise MalformedResponseError(f"the response is not well-formed XML: {document.parse_error}")
    if root.tag != _NS + "OAI-PMH":
        raise MalformedResponseError(f"not an OAI-PMH response (root element {root.tag!r})")
    return root


def _raise_oai_error(root: Any) -> None:
    """Raise the OAI error a response carries; `noRecordsMatch` is left to the caller."""
    errors = root.findall(_NS + "error")
    if not errors:
        return
    for error in errors:
        code = error.get("code", "")
        message = " ".join((error.text or "").split())
        if code == ERROR_BAD_RESUMPTION_TOKEN:
            raise BadResumptionTokenError(code, message)
        if code != ERROR_NO_RECORDS_MATCH:
            raise OaiRequestError(code or "unknown", message)


def _text(element: Any) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _page_from_root(root: Any, removed_characters: int, body: bytes) -> Page:
    response_date = _text(root.find(_NS + "responseDate"))
    _raise_oai_error(root)
    if root.find(_NS + "error") is not None:
        # Only noRecordsMatch is left: an empty list is a result, not a failure.
        return Page(records=(), resumption_token=None, cursor=None, complete_list_size=None,
                    response_date=response_date, removed_characters=removed_characters)
    listing = root.find(_NS + VERB_LIST_RECORDS)
    if listing is None:
        raise MalformedResponseError("the ListRecords response has no <ListRecords> element")
    # A payload read in this tree is the payload `metadata_xml` parses to, unless xml:space="preserve"
    # around it keeps white space that the payload read on its own loses: then only `metadata_xml`
    # is handed on (no `RawRecord.payload`, no `Page.body`).
    same_payloads = _XML_SPACE not in body
    records = tuple(_raw_record(element, keep_payload=same_payloads) for element in record_elements(root))
    reread: bytes | None = body if same_payloads else None
    token = listing.find(_NS + "resumptionToken")
    if token is None:
        return Page(records=records, resumption_token=None, cursor=None, complete_list_size=None,
                    response_date=response_date, removed_characters=removed_characters, body=reread)
    return Page(
        records=records,
        resumption_token=(token.text or "").strip() or None,
        cursor=_int_or_none(token.get("cursor")),
        complete_list_size=_int_or_none(token.get("completeListSize")),
        response_date=response_date,
        expiration_date=token.get("expirationDate"),
        removed_characters=removed_characters,
        body=reread,
    )


def record_elements(root: Any) -> list[Any]:
    """The `<record>` elements of a parsed ListRecords response, in the order `Page.records` has them.

    Whoever reads a page's records again from `Page.body` (the harvest's
    normaliser process) finds them with this, so its records are the page's,
    one for one.
    """
    listing = root.find(_NS + VERB_LIST_RECORDS)
    return [] if listing is None else list(listing.iterfind(_NS + "record"))


def metadata_payload(element: Any) -> Any:
    """The metadata payload of a `<record>` element (the first element in `<metadata>`), or None."""
    container = element.find(_NS + "metadata")
    if container is None:
        return None
    return next((child for child in container if isinstance(child.tag, str)), None)


def _serialise(element: Any) -> bytes:
    return bytes(etree.tostring(element, encoding="UTF-8", xml_declaration=False, with_tail=False))


def _raw_record(element: Any, *, keep_payload: bool = False) -> RawRecord:
    raw_xml = _serialise(element)
    header_element = element.find(_NS + "header")
    if header_element is None:
        return RawRecord(oai_identifier="", datestamp="", deleted=False, set_specs=(),
                         metadata_xml=None, raw_xml=raw_xml, problem="record has no <header>")
    header = Header(header_element)
    identifier = (header.identifier or "").strip()
    datestamp = (header.datestamp or "").strip()
    set_specs = tuple(spec.strip() for spec in header.setSpecs if spec and spec.strip())
    deleted = bool(header.deleted)
    problem = None if identifier else "record header has no identifier"
    metadata_xml = payload = None
    if not deleted:
        payload = metadata_payload(element)
        if payload is not None:
            metadata_xml = _serialise(payload)
        else:
            problem = problem or "record has no metadata"
    return RawRecord(oai_identifier=identifier, datestamp=datestamp, deleted=deleted,
                     set_specs=set_specs, metadata_xml=metadata_xml, raw_xml=raw_xml, problem=problem,
                     origin_identifiers=origin_identifiers(element), payload=payload if keep_payload else None)


_RECORD_START = re.compile(rb"<(?:[\w.-]+:)?record[\s>]")
_RECORD = re.compile(rb"<((?:[\w.-]+:)?)record[\s>].*?</\1record\s*>", re.DOTALL)
_ROOT_START = re.compile(rb"<((?:[\w.-]+:)?)OAI-PMH\b[^>]*>")
_TOKEN = re.compile(rb"<(?:[\w.-]+:)?resumptionToken\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?resumptionToken\s*>)",
                    re.DOTALL)
_ATTRIBUTE = re.compile(rb"([\w:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _salvage_page(document: _Document) -> Page:
    """Read a complete but not well-formed page record by record, isolating the broken ones.

    One bad record (a stray `<` or `&` in a description) must not cost the
    others, nor stop the harvest: every `<record>` is parsed on its own inside
    a copy of the envelope's start tag (for its namespace declarations); the
    ones that still fail become RawRecords with a `problem`. If the break is
    outside the records, or records cannot be delimited, the page is refused.
    """
    body = document.body
    root_start = _ROOT_START.search(body)
    if root_start is None or b"ListRecords" not in body:
        raise MalformedResponseError(f"the response is not well-formed XML: {document.parse_error}")
    chunks = list(_RECORD.finditer(body))
    if len(chunks) != len(_RECORD_START.findall(body)):
        raise MalformedResponseError(
            f"the response is not well-formed XML and its records cannot be told apart: "
            f"{document.parse_error}"
        )
    prefix = root_start.group(1)
    opening, closing = root_start.group(0), b"</" + prefix + b"OAI-PMH>"
    records: list[RawRecord] = []
    broken = 0
    for chunk in chunks:
        try:
            wrapped = parse_xml(opening + chunk.group(0) + closing)
        except XMLInputError as error:
            broken += 1
            records.append(_unreadable_record(chunk.group(0), str(error)))
            continue
        element = wrapped.root.find(_NS + "record")
        if element is None:
            raise MalformedResponseError("a record of the response is not in the OAI-PMH namespace")
        records.append(_raw_record(element))
    if broken == 0:
        raise MalformedResponseError(
            f"the response is not well-formed XML outside its records: {document.parse_error}"
        )
    tail = body[chunks[-1].end():] if chunks else body
    token_match = _TOKEN.search(tail)
    response_date = re.search(rb"<(?:[\w.-]+:)?responseDate>([^<]*)<", body)
    token, cursor, size, expiration = None, None, None, None
    if token_match is not None:
        attributes = {
            match.group(1).decode("ascii", "replace"): _unescape(match.group(2) or match.group(3) or b"")
            for match in _ATTRIBUTE.finditer(token_match.group(1))
        }
        token = _unescape(token_match.group(2) or b"").strip() or None
        cursor = _int_or_none(attributes.get("cursor"))
        size = _int_or_none(attributes.get("completeListSize"))
        expiration = attributes.get("expirationDate")
    return Page(
        records=tuple(records),
        resumption_token=token,
        cursor=cursor,
        complete_list_size=size,
        response_date=_unescape(response_date.group(1)).strip() if response_date else "",
        expiration_date=expiration,
        removed_characters=document.removed_characters,
    )


def _unreadable_record(chunk: bytes, reason: str) -> RawRecord:
    header_end = chunk.find(b"</header>")
    header = chunk[: header_end if header_end >= 0 else len(chunk)]
    identifier = re.search(rb"<(?:[\w.-]+:)?identifier>([^<]*)<", header)
    datestamp = re.search(rb"<(?:[\w.-]+:)?datestamp>([^<]*)<", header)
    return RawRecord(
        oai_identifier=_unescape(identifier.group(1)).strip() if identifier else "",
        datestamp=_unescape(datestamp.group(1)).strip() if datestamp else "",
        deleted=re.search(rb"status\s*=\s*[\"']deleted[\"']", header) is not None,
        set_specs=(),
        metadata_xml=None,
        raw_xml=chunk,
        problem=f"record is not well-formed XML: {reason}",
    )


def _unescape(value: bytes) -> str:
    return html.unescape(value.decode("utf-8", errors="replace"))


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


# urllib3 words a failed connection as a chain of reprs ("HTTPConnectionPool(host=..., port=9):
# Max retries exceeded with url: ... (Caused by NewConnectionError(...: [Errno 111] Connection
# refused))"); an operator needs its last link, on one line.
_CONNECTION_NOISE = re.compile(
    r"^(?:\w+\(host='[^']*', port=\d+\): )?(?:Failed to establish a new connection: )?(?:\[Errno -?\d+\] )?"
)


def _connection_problem(error: BaseException) -> str:
    """Why a connection failed, in a few words: the innermost reason urllib3 wraps, without its reprs."""
    reason: BaseException = error
    for _ in range(10):
        inner = getattr(reason, "reason", None)
        if not isinstance(inner, BaseException) and reason.args and isinstance(reason.args[0], BaseException):
            inner = reason.args[0]
        if not isinstance(inner, BaseException) or inner is reason:
            break
        reason = inner
    if isinstance(reason, urllib3.exceptions.NameResolutionError):
        return "the host name cannot be resolved"
    # NewConnectionError subclasses ConnectTimeoutError (urllib3 keeps it for compatibility).
    if isinstance(reason, urllib3.exceptions.ConnectTimeoutError) and not isinstance(
            reason, urllib3.exceptions.NewConnectionError):
        return "timed out while connecting"
    text = _CONNECTION_NOISE.sub("", _one_line(reason))
    return text or type(reason).__name__


def _netloc(url: str) -> str:
    return urlsplit(url).netloc or url
