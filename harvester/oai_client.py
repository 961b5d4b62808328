"""The OAI-PMH client: sickle plus what it lacks, handing out plain values. I/O: network.

This is the only module that imports sickle (and requests). sickle builds the
requests and reads the protocol's objects; this module adds what real
repositories need (DOMAIN.md): retries on connection errors, timeouts, 5xx
and 429 with capped exponential backoff and jitter; Retry-After as seconds or
as an HTTP date; an immediate stop on 401/403; unadvertised gzip; removal of
characters XML 1.0 forbids; strict, safe parsing (a truncated page must never
pass as a shorter list, which sickle's recovering parser allows); a polite
User-Agent. It works page by page, because the harvest loop checkpoints after
every page, and turns sickle's objects into `RawRecord`/`Page` values and
every failure into a `HarvestError`.
"""

from __future__ import annotations

import contextlib
import html
import importlib.metadata
import random as random_module
import re
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn

import requests
from lxml import etree
from sickle import Sickle
from sickle.models import Header, Identify
from sickle.response import OAIResponse

from harvester.backoff import RetryNotice, RetryPolicy, parse_retry_after, retry_delay
from harvester.errors import (
    AccessForbiddenError,
    BadResumptionTokenError,
    MalformedResponseError,
    OaiRequestError,
    ProtocolError,
    SourceHttpError,
    SourceTimeoutError,
    SourceUnavailableError,
)
from harvester.records import DeletedRecordPolicy, Page, RawRecord, RepositoryInfo
from metadata.errors import XMLInputError
from metadata.oai import Granularity
from metadata.xml_input import parse_xml

OAI_NAMESPACE = "http://www.openarchives.org/OAI/2.0/"
_NS = "{" + OAI_NAMESPACE + "}"

# Protocol spellings (OAI-PMH 2.0 sections 3.6 and 4).
VERB_IDENTIFY = "Identify"
VERB_LIST_RECORDS = "ListRecords"
ERROR_NO_RECORDS_MATCH = "noRecordsMatch"
ERROR_BAD_RESUMPTION_TOKEN = "badResumptionToken"

# Placeholder until the operator sets a real page that says who harvests and how to reach them.
DEFAULT_CONTACT_URL = "https://example.org/oer-repository/harvester"

_GZIP_MAGIC = b"\x1f\x8b"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# 501 Not Implemented and 505 HTTP Version Not Supported will not change by waiting.
_PERMANENT_5XX = frozenset({501, 505})

RetryObserver = Callable[[RetryNotice], None]


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """How the client talks to a source; the defaults suit a public repository."""

    # Named in the User-Agent so a repository operator can reach whoever harvests them.
    contact_url: str = DEFAULT_CONTACT_URL
    # Seconds to establish a connection, and to wait for each chunk of a response.
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    # Seconds a whole response may take: a trickling server must not hold a harvest forever.
    response_deadline: float = 300.0
    # A page larger than this (after decompression) is refused, not read into memory.
    max_response_bytes: int = 256 * 1024 * 1024
    # GET suits every repository we know; POST (OAI-PMH 2.0 section 3.1.1.2) for very long tokens.
    http_method: str = "GET"
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        if self.http_method not in ("GET", "POST"):
            raise ValueError("http_method must be GET or POST")

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
    `sleep`, `monotonic`, `now` and `random` are injectable so retries are
    tested without waiting. Not thread-safe: use one client per thread.
    """

    def __init__(
        self,
        base_url: str,
        settings: ClientSettings | None = None,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        random: Callable[[], float] = random_module.random,
    ) -> None:
        self.base_url = base_url
        self.settings = settings or ClientSettings()
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self._session.headers["User-Agent"] = self.settings.user_agent
        self._sleep = sleep
        self._monotonic = monotonic
        self._now = now
        self._random = random
        self._retry_observer: RetryObserver | None = None
        self._sickle = _ResilientSickle(base_url, self._fetch, self.settings.http_method)

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

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
        return _page_from_root(_require_oai_root(document), document.removed_characters)

    # -- HTTP with retries -------------------------------------------------

    def _fetch(self, params: Mapping[str, str]) -> _Document:
        policy = self.settings.retry
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._attempt(params)
            except _RetryableFailure as failure:
                delay = retry_delay(attempt, failure.retry_after, policy, self._random)
                if attempt >= policy.max_attempts or waited + delay > policy.max_total_delay:
                    _give_up(failure, attempt)
                if self._retry_observer is not None:
                    self._retry_observer(RetryNotice(attempt=attempt, delay=delay, reason=failure.reason))
                self._sleep(delay)
                waited += delay

    def _attempt(self, params: Mapping[str, str]) -> _Document:
        settings = self.settings
        query = dict(params)
        try:
            response = self._session.request(
                settings.http_method,
                self.base_url,
                params=query if settings.http_method == "GET" else None,
                data=query if settings.http_method == "POST" else None,
                timeout=(settings.connect_timeout, settings.read_timeout),
                stream=True,
            )
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema, requests.exceptions.URLRequired) as error:
            raise SourceUnavailableError(f"invalid source URL {self.base_url!r}: {error}") from None
        except requests.exceptions.SSLError as error:
            # A certificate problem does not cure itself within minutes.
            raise SourceUnavailableError(f"TLS failure talking to {self.base_url}: {error}") from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as error:
            raise _RetryableFailure(f"connection failed: {_one_line(error)}",
                                    timeout=_timed_out(error)) from None
        with response:
            status = response.status_code
            if status in (401, 403):
                raise AccessForbiddenError(
                    f"{self.base_url} refused access (HTTP {status}); not retrying"
                )
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
            raise SourceHttpError(f"{self.base_url} answered HTTP {status}", status)
        return self._document(body)

    def _read_body(self, response: requests.Response) -> bytes:
        settings = self.settings
        deadline = self._monotonic() + settings.response_deadline
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(chunk_size=64 * 1024):
                size += len(chunk)
                if size > settings.max_response_bytes:
                    raise ProtocolError(
                        f"response larger than {settings.max_response_bytes} bytes; refused"
                    )
                chunks.append(chunk)
                if self._monotonic() > deadline:
                    raise _RetryableFailure(
                        f"response took longer than {settings.response_deadline:g} s", timeout=True
                    )
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError,
                requests.exceptions.Timeout, requests.exceptions.ContentDecodingError) as error:
            raise _RetryableFailure(f"connection broken while reading: {_one_line(error)}",
                                    timeout=_timed_out(error)) from None
        body = b"".join(chunks)
        if body.startswith(_GZIP_MAGIC):
            # Gzip the server did not announce in Content-Encoding (requests
            # already undid the announced kind).
            body = _gunzip(body, settings.max_response_bytes)
        return body

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


def _timed_out(error: BaseException) -> bool:
    # requests raises Timeout while connecting or waiting for the headers, but wraps a read
    # timeout met while streaming the body in a ConnectionError around urllib3's ReadTimeoutError.
    return isinstance(error, requests.exceptions.Timeout) or any(
        "Timeout" in type(argument).__name__ for argument in error.args
    )


def _give_up(failure: _RetryableFailure, attempts: int) -> NoReturn:
    tried = f"after {attempts} attempt{'s' if attempts != 1 else ''}"
    if failure.malformed:
        raise MalformedResponseError(f"{failure.reason} ({tried})")
    message = f"source unavailable {tried}: {failure.reason}"
    if failure.timeout:
        raise SourceTimeoutError(message)
    if failure.status is not None:
        raise SourceHttpError(message, failure.status)
    raise SourceUnavailableError(message)


def _gunzip(body: bytes, limit: int) -> bytes:
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = decompressor.decompress(body, limit + 1)
    except zlib.error as error:
        raise _RetryableFailure(f"broken gzip body: {error}", malformed=True) from None
    if len(data) > limit:
        raise ProtocolError(f"response larger than {limit} bytes after decompression; refused")
    if not decompressor.eof:
        raise _RetryableFailure("truncated gzip body", malformed=True)
    return data


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


def _page_from_root(root: Any, removed_characters: int) -> Page:
    response_date = _text(root.find(_NS + "responseDate"))
    _raise_oai_error(root)
    if root.find(_NS + "error") is not None:
        # Only noRecordsMatch is left: an empty list is a result, not a failure.
        return Page(records=(), resumption_token=None, cursor=None, complete_list_size=None,
                    response_date=response_date, removed_characters=removed_characters)
    listing = root.find(_NS + VERB_LIST_RECORDS)
    if listing is None:
        raise MalformedResponseError("the ListRecords response has no <ListRecords> element")
    records = tuple(_raw_record(element) for element in listing.iterfind(_NS + "record"))
    token = listing.find(_NS + "resumptionToken")
    if token is None:
        return Page(records=records, resumption_token=None, cursor=None, complete_list_size=None,
                    response_date=response_date, removed_characters=removed_characters)
    return Page(
        records=records,
        resumption_token=(token.text or "").strip() or None,
        cursor=_int_or_none(token.get("cursor")),
        complete_list_size=_int_or_none(token.get("completeListSize")),
        response_date=response_date,
        expiration_date=token.get("expirationDate"),
        removed_characters=removed_characters,
    )


def _serialise(element: Any) -> bytes:
    return bytes(etree.tostring(element, encoding="UTF-8", xml_declaration=False, with_tail=False))


def _raw_record(element: Any) -> RawRecord:
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
    metadata_xml = None
    if not deleted:
        container = element.find(_NS + "metadata")
        payload = [child for child in container if isinstance(child.tag, str)] if container is not None else []
        if payload:
            metadata_xml = _serialise(payload[0])
        else:
            problem = problem or "record has no metadata"
    return RawRecord(oai_identifier=identifier, datestamp=datestamp, deleted=deleted,
                     set_specs=set_specs, metadata_xml=metadata_xml, raw_xml=raw_xml, problem=problem)


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
