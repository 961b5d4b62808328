"""What the replay server answers: OAI-PMH responses built, recorded or generated. I/O: reads files.

Only `RecordedPages.from_files` reads (the recorded pages, once); the rest is pure.

A page source is any callable from a `ReplayRequest` to a `Reply`; the server
(`harvester.replay_server`) only moves bytes. Two sources are provided:
`RecordedPages` replays real responses chained by their resumption tokens,
and `GeneratedCorpus` generates NL-LOM records on the fly, page by page, so a
corpus of any size costs no memory. Test fault plans wrap a page source and
change its replies (status, delay, a cut connection, a body that trickles).
"""

from __future__ import annotations

import html
import itertools
import math
import os
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from harvester.datestamps import format_datestamp, parse_datestamp
from metadata.formats import FORMATS, LOM
from metadata.oai import Granularity

OAI_NAMESPACE = "http://www.openarchives.org/OAI/2.0/"
XML_CONTENT_TYPE = "text/xml; charset=utf-8"

# Arguments each verb may carry besides `verb` (OAI-PMH 2.0 section 4).
_LIST_ARGUMENTS = frozenset({"metadataPrefix", "from", "until", "set", "resumptionToken"})


@dataclass(frozen=True, slots=True)
class ReplayRequest:
    """One request as the replay server received it (the provider's parsed request is `oer.feed.oai.arguments.OaiRequest`)."""

    method: str
    path: str
    arguments: Mapping[str, str]
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def verb(self) -> str | None:
        return self.arguments.get("verb")

    @property
    def resumption_token(self) -> str | None:
        return self.arguments.get("resumptionToken")


@dataclass(frozen=True, slots=True)
class Reply:
    """What the server sends back, including the transport faults it can simulate."""

    body: bytes = b""
    status: int = 200
    headers: tuple[tuple[str, str], ...] = (("Content-Type", XML_CONTENT_TYPE),)
    # Seconds to wait before answering (a slow or stalled source).
    delay: float = 0.0
    # Send only this many bytes of the body, then drop the connection.
    cut_after: int | None = None
    # Announce the body's length; without it the end of the body is the closed connection.
    content_length: bool = True
    # Seconds between the body's bytes, sent one at a time (a server that trickles); 0: at once.
    drip_interval: float = 0.0


PageSource = Callable[[ReplayRequest], Reply]


def now_utc() -> datetime:
    return datetime.now(UTC)


# -- building responses ----------------------------------------------------


def oai_response(verb: str | None, arguments: Mapping[str, str], inner: str, response_date: datetime,
                 base_url: str = "http://127.0.0.1/oai") -> bytes:
    """An OAI-PMH envelope around `inner` (section 3.2)."""
    request_attributes = "".join(
        f" {name}={quoteattr(value)}" for name, value in sorted(arguments.items())
        if name == "verb" or name in _LIST_ARGUMENTS or name == "identifier"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OAI-PMH xmlns="{OAI_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{OAI_NAMESPACE} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
        f"<responseDate>{format_datestamp(response_date, Granularity.SECOND)}</responseDate>\n"
        f"<request{request_attributes}>{escape(base_url)}</request>\n"
        f"{inner}\n"
        "</OAI-PMH>\n"
    ).encode()


def error_reply(request: ReplayRequest, code: str, message: str = "", response_date: datetime | None = None) -> Reply:
    """An OAI-PMH error, in an HTTP 200 response as the protocol requires (section 3.6)."""
    inner = f"<error code={quoteattr(code)}>{escape(message)}</error>"
    # Section 3.6: for badVerb/badArgument the request element carries no attributes.
    arguments = {} if code in ("badVerb", "badArgument") else request.arguments
    return Reply(body=oai_response(request.verb, arguments, inner, response_date or now_utc()))


def list_metadata_formats_reply(request: ReplayRequest, prefixes: Iterable[str], response_date: datetime) -> Reply:
    """ListMetadataFormats (section 4.4) for `prefixes`, with the namespace and schema of the known ones."""
    formats = "".join(
        "<metadataFormat>"
        f"<metadataPrefix>{escape(prefix)}</metadataPrefix>"
        f"<schema>{escape(known.schema if known else 'http://example.org/' + prefix + '.xsd')}</schema>"
        f"<metadataNamespace>{escape(known.namespace if known else 'http://example.org/' + prefix)}"
        "</metadataNamespace></metadataFormat>"
        for prefix in prefixes
        for known in (FORMATS.get(prefix),)
    )
    return Reply(body=oai_response(request.verb, request.arguments,
                                   f"<ListMetadataFormats>{formats}</ListMetadataFormats>", response_date))


_PAYLOAD_START = re.compile(rb"<(?:[\w.-]+:)?metadata\b[^>]*>\s*(<[^>]*>)")


def _prefixes_in(page: bytes) -> tuple[str, ...]:
    """The format of a recorded page's first payload (by the namespace its start tag declares); else `lom`."""
    start = _PAYLOAD_START.search(page)
    tag = start.group(1) if start else b""
    found = tuple(known.prefix for known in FORMATS if b'"' + known.namespace.encode() + b'"' in tag)
    return found[:1] or (LOM.prefix,)


def identify_inner(*, name: str, base_url: str, earliest: str, granularity: Granularity,
                   deleted_record: str = "persistent") -> str:
    return (
        "<Identify>"
        f"<repositoryName>{escape(name)}</repositoryName>"
        f"<baseURL>{escape(base_url)}</baseURL>"
        "<protocolVersion>2.0</protocolVersion>"
        "<adminEmail>nobody@example.org</adminEmail>"
        f"<earliestDatestamp>{escape(earliest)}</earliestDatestamp>"
        f"<deletedRecord>{deleted_record}</deletedRecord>"
        f"<granularity>{granularity.value}</granularity>"
        "</Identify>"
    )


def record_element(identifier: str, datestamp: str, metadata: bytes | None, *,
                   set_specs: Sequence[str] = (), deleted: bool = False, about: bytes | None = None) -> bytes:
    """One `<record>` (section 2.5); `metadata` (and `about`'s content) inserted as is, so tests can break it."""
    status = ' status="deleted"' if deleted else ""
    sets = "".join(f"<setSpec>{escape(spec)}</setSpec>" for spec in set_specs)
    header = (
        f"<record><header{status}><identifier>{escape(identifier)}</identifier>"
        f"<datestamp>{escape(datestamp)}</datestamp>{sets}</header>"
    ).encode()
    if deleted or metadata is None:
        return header + b"</record>"
    about_element = b"<about>" + about + b"</about>" if about else b""
    return header + b"<metadata>" + metadata + b"</metadata>" + about_element + b"</record>"


def resumption_token_element(token: str | None, *, cursor: int | None = None,
                             complete_list_size: int | None = None) -> str:
    """The token element; an empty one ends the list (section 3.5)."""
    attributes = ""
    if complete_list_size is not None:
        attributes += f' completeListSize="{complete_list_size}"'
    if cursor is not None:
        attributes += f' cursor="{cursor}"'
    if not token:
        return f"<resumptionToken{attributes}/>"
    return f"<resumptionToken{attributes}>{escape(token)}</resumptionToken>"


def list_records_body(request: ReplayRequest, records: Iterable[bytes], token_element: str,
                      response_date: datetime) -> bytes:
    """A complete ListRecords response around already built record elements."""
    inner = "<ListRecords>\n" + b"\n".join(records).decode("utf-8") + f"\n{token_element}</ListRecords>"
    return oai_response(request.verb, request.arguments, inner, response_date)


# -- recorded pages ----------------------------------------------------------

_TOKEN_TEXT = re.compile(rb"<(?:[\w.-]+:)?resumptionToken\b[^>]*?>([^<]+)</", re.DOTALL)


def _token_of(page: bytes) -> str | None:
    match = _TOKEN_TEXT.search(page)
    if match is None:
        return None
    return html.unescape(match.group(1).decode("utf-8")).strip() or None


class RecordedPages:
    """Replays recorded ListRecords pages, chained by the tokens written in them.

    A ListRecords request without a token gets the first page (or, if it
    has `from` and incremental pages were given, the first incremental page);
    a token gets the page after the one that named it; an unknown token gets
    badResumptionToken. Recorded pages cannot honour `from`/`set`: they are
    served as recorded. Identify answers with `identify` if given, else with
    a generated one (second granularity).
    """

    def __init__(self, pages: Sequence[bytes], *, incremental_pages: Sequence[bytes] = (),
                 identify: bytes | None = None, name: str = "Recorded repository",
                 now: Callable[[], datetime] = now_utc) -> None:
        if not pages:
            raise ValueError("RecordedPages needs at least one page")
        self._first = pages[0]
        self._first_incremental = incremental_pages[0] if incremental_pages else None
        self._by_token: dict[str, bytes] = {}
        for chain in (pages, incremental_pages):
            for page, following in itertools.pairwise(chain):
                token = _token_of(page)
                if token is None:
                    raise ValueError("a recorded page that is followed by another names no resumption token")
                self._by_token[token] = following
        self._identify = identify
        self._name = name
        self._now = now

    @classmethod
    def from_files(cls, paths: Sequence[str | os.PathLike[str]], *,
                   incremental: Sequence[str | os.PathLike[str]] = (),
                   identify: str | os.PathLike[str] | None = None,
                   name: str = "Recorded repository") -> RecordedPages:
        """Read the pages from files (I/O: reads the files once, here)."""
        return cls([Path(path).read_bytes() for path in paths],
                   incremental_pages=[Path(path).read_bytes() for path in incremental],
                   identify=Path(identify).read_bytes() if identify is not None else None, name=name)

    def __call__(self, request: ReplayRequest) -> Reply:
        if request.verb == "Identify":
            if self._identify is not None:
                return Reply(body=self._identify)
            inner = identify_inner(name=self._name, base_url="http://127.0.0.1/oai",
                                   earliest="1970-01-01T00:00:00Z", granularity=Granularity.SECOND)
            return Reply(body=oai_response("Identify", request.arguments, inner, self._now()))
        if request.verb == "ListMetadataFormats":
            return list_metadata_formats_reply(request, _prefixes_in(self._first), self._now())
        if request.verb != "ListRecords":
            return error_reply(request, "badVerb", f"not replayed: {request.verb}", self._now())
        token = request.resumption_token
        if token is None:
            if "from" in request.arguments and self._first_incremental is not None:
                return Reply(body=self._first_incremental)
            return Reply(body=self._first)
        page = self._by_token.get(token)
        if page is None:
            return error_reply(request, "badResumptionToken", "unknown or expired token", self._now())
        return Reply(body=page)


# -- a generated corpus -------------------------------------------------------

_SUBJECTS = (
    ("2b363227-8633-4652-ad57-c61f1efc02c8", "Biologie", "cellen"),
    ("b48fa351-4561-44c7-a071-ebfd6103eec3", "Rekenen", "breuken"),
)
_LEVELS = (
    ("VO", "2a1401e9-c223-493b-9b86-78f6993b1a8d", "12-16"),
    ("PO", "512e4729-03a4-43a2-95ba-758071d1b725", "8-12"),
)
_LICENCES = ("cc-by-sa-40", "cc-by-40", "cc0-10", "cc-by-nc-sa-40")
_RESOURCE_TYPES = ("informatiebron", "open opdracht", "gesloten opdracht", "evaluatie- en toetsmateriaal")


def _vocabulary(element: str, source: str, value: str) -> str:
    return (
        f"<{element}><source><langstring xml:lang=\"x-none\">{source}</langstring></source>"
        f"<value><langstring xml:lang=\"x-none\">{escape(value)}</langstring></value></{element}>"
    )


def nl_lom_record(index: int) -> bytes:
    """A plausible, complete NL-LOM record (IMS binding, as Edurep's `lom`) for corpus position `index`."""
    material = uuid.UUID(int=index + 1)
    subject_id, subject, topic = _SUBJECTS[index % len(_SUBJECTS)]
    context, level_id, ages = _LEVELS[index % len(_LEVELS)]
    licence = _LICENCES[index % len(_LICENCES)]
    resource_type = _RESOURCE_TYPES[index % len(_RESOURCE_TYPES)]
    return (
        f'<lom xmlns="{LOM.namespace}">'
        "<general>"
        f'<title><langstring xml:lang="nl">{subject}: {topic}, les {index + 1}</langstring></title>'
        f'<catalogentry><catalog>URI</catalog><entry><langstring xml:lang="x-none">urn:uuid:{material}'
        "</langstring></entry></catalogentry>"
        "<language>nl</language>"
        f'<description><langstring xml:lang="nl">Lesmateriaal over {topic} voor {context}, '
        f"deel {index + 1}, met uitleg, opdrachten en een toets.</langstring></description>"
        f'<keyword><langstring xml:lang="nl">{topic}</langstring></keyword>'
        f'<keyword><langstring xml:lang="nl">{subject.lower()}</langstring></keyword>'
        + _vocabulary("aggregationlevel", "http://purl.edustandaard.nl/vdex_aggregationlevel_czp_20060628.xml",
                      "2")
        + "</general>"
        "<lifecycle><contribute>"
        + _vocabulary("role", "LOMv1.0", "author")
        + f"<centity><vcard>BEGIN:VCARD\nVERSION:3.0\nFN:Docent {index % 97}\nEND:VCARD</vcard></centity>"
        "<date><datetime>2020-01-01</datetime></date>"
        "</contribute></lifecycle>"
        "<metametadata><metadatascheme>LOMv1.0</metadatascheme><metadatascheme>nl_lom_v1p0</metadatascheme>"
        "<language>nl</language></metametadata>"
        f"<technical><format>text/html</format><location>https://materiaal.example.org/{material}</location>"
        "</technical>"
        "<educational>"
        + _vocabulary("learningresourcetype",
                      "http://purl.edustandaard.nl/vdex_learningresourcetype_czp_20060628.xml", resource_type)
        + _vocabulary("intendedenduserrole",
                      "http://purl.edustandaard.nl/vdex_intendedenduserrole_lomv1p0_20060628.xml", "learner")
        + _vocabulary("context", "http://purl.edustandaard.nl/vdex_context_czp_20060628.xml", context)
        + f'<typicalagerange><langstring xml:lang="x-none">{ages}</langstring></typicalagerange>'
        "</educational>"
        "<rights>"
        + _vocabulary("cost", "http://purl.edustandaard.nl/vdex_cost_lomv1p0_20060628.xml", "no")
        + _vocabulary("copyrightandotherrestrictions",
                      "https://purl.edustandaard.nl/copyrightsandotherrestrictions_nllom_20180530", licence)
        + "</rights>"
        "<classification>"
        + _vocabulary("purpose", "http://purl.edustandaard.nl/classification_purpose_nllom_20180530",
                      "discipline")
        + "<taxonpath><source><langstring xml:lang=\"x-none\">http://purl.edustandaard.nl/begrippenkader"
        f"</langstring></source><taxon><id>{subject_id}</id><entry><langstring xml:lang=\"nl\">{subject}"
        "</langstring></entry></taxon></taxonpath>"
        "</classification>"
        "<classification>"
        + _vocabulary("purpose", "http://purl.edustandaard.nl/classification_purpose_nllom_20180530",
                      "educational level")
        + "<taxonpath><source><langstring xml:lang=\"x-none\">http://purl.edustandaard.nl/begrippenkader"
        f"</langstring></source><taxon><id>{level_id}</id><entry><langstring xml:lang=\"nl\">{context}"
        "</langstring></entry></taxon></taxonpath>"
        "</classification>"
        "</lom>"
    ).encode("utf-8")


class GeneratedCorpus:
    """A repository of `total` generated records, served `page_size` at a time, never held in memory.

    Record i has identifier `{identifier_prefix}{i}` and datestamp
    `base + i * step`, so lists are in datestamp order and `from`/`until`
    select a contiguous range. Tokens are stateless (`{first}.{offset}.{end}`)
    and never expire. With `deleted_every=n`, every n-th record is deleted.
    """

    def __init__(
        self,
        total: int,
        page_size: int = 200,
        *,
        metadata_prefix: str = LOM.prefix,
        base: datetime = datetime(2020, 1, 1, tzinfo=UTC),
        step: timedelta = timedelta(seconds=60),
        record: Callable[[int], bytes] = nl_lom_record,
        identifier_prefix: str = "oai:generated.example.org:",
        set_spec: str = "generated",
        deleted_every: int | None = None,
        granularity: Granularity = Granularity.SECOND,
        now: Callable[[], datetime] = now_utc,
        about: Callable[[int], bytes | None] | None = None,
    ) -> None:
        if total < 0 or page_size < 1:
            raise ValueError("total must be >= 0 and page_size >= 1")
        self.total = total
        self.page_size = page_size
        self.metadata_prefix = metadata_prefix
        self.base = base
        self.step = step
        self.record = record
        self.identifier_prefix = identifier_prefix
        self.set_spec = set_spec
        self.deleted_every = deleted_every
        self.granularity = granularity
        self.now = now
        # Record i's `<about>` content (e.g. a provenance container), if any.
        self.about = about

    def identifier(self, index: int) -> str:
        return f"{self.identifier_prefix}{index}"

    def datestamp(self, index: int) -> str:
        return format_datestamp(self.base + index * self.step, self.granularity)

    def is_deleted(self, index: int) -> bool:
        return self.deleted_every is not None and (index + 1) % self.deleted_every == 0

    def record_element(self, index: int) -> bytes:
        deleted = self.is_deleted(index)
        return record_element(self.identifier(index), self.datestamp(index),
                              None if deleted else self.record(index),
                              set_specs=(self.set_spec,), deleted=deleted,
                              about=self.about(index) if self.about else None)

    def __call__(self, request: ReplayRequest) -> Reply:
        if request.verb == "Identify":
            inner = identify_inner(name="Generated corpus", base_url="http://127.0.0.1/oai",
                                   earliest=self.datestamp(0), granularity=self.granularity)
            return Reply(body=oai_response("Identify", request.arguments, inner, self.now()))
        if request.verb == "ListMetadataFormats":
            return list_metadata_formats_reply(request, (self.metadata_prefix,), self.now())
        if request.verb != "ListRecords":
            return error_reply(request, "badVerb", f"not served: {request.verb}", self.now())
        token = request.resumption_token
        if token is not None:
            position = self._parse_token(token)
            if position is None:
                return error_reply(request, "badResumptionToken", "unknown token", self.now())
            first, offset, end = position
        else:
            prefix = request.arguments.get("metadataPrefix")
            if prefix != self.metadata_prefix:
                return error_reply(request, "cannotDisseminateFormat", f"unknown prefix {prefix}", self.now())
            selection = self._select(request.arguments.get("from"), request.arguments.get("until"))
            if selection is None:
                return error_reply(request, "badArgument", "bad from/until", self.now())
            first, end = selection
            offset = first
            if first >= end:
                return error_reply(request, "noRecordsMatch", "", self.now())
        stop = min(end, offset + self.page_size)
        records = (self.record_element(index) for index in range(offset, stop))
        next_token = f"{first}.{stop}.{end}" if stop < end else None
        token_element = resumption_token_element(next_token, cursor=offset - first,
                                                 complete_list_size=end - first)
        return Reply(body=list_records_body(request, records, token_element, self.now()))

    def _select(self, from_text: str | None, until_text: str | None) -> tuple[int, int] | None:
        step = self.step.total_seconds()
        try:
            first = 0
            if from_text:
                delta = (parse_datestamp(from_text) - self.base).total_seconds()
                first = min(self.total, max(0, math.ceil(delta / step)))
            end = self.total
            if until_text:
                moment = parse_datestamp(until_text)
                if self.granularity is Granularity.DAY or len(until_text.strip()) == 10:
                    # A day `until` includes the whole day (section 3.3.1).
                    moment += timedelta(days=1) - timedelta(microseconds=1)
                delta = (moment - self.base).total_seconds()
                end = min(self.total, max(0, math.floor(delta / step) + 1))
        except ValueError:
            return None
        return first, end

    def _parse_token(self, token: str) -> tuple[int, int, int] | None:
        parts = token.split(".")
        if len(parts) != 3 or not all(part.isdigit() for part in parts):
            return None
        first, offset, end = (int(part) for part in parts)
        if not first <= offset < end <= self.total:
            return None
        return first, offset, end
