"""The OAI-PMH 2.0 data provider: answers the six verbs from a FeedRepository. Pure; no I/O of its own.

The provider reads storage only through the `FeedRepository` it is handed per
request and knows no web framework: a view passes it the raw arguments and
sends back the bytes it returns, always with HTTP status 200 (errors are
`<error>` elements in the body, spec 3.6).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from lxml import etree

from metadata.formats import MetadataFormat, MetadataFormats
from oer.feed.oai.arguments import OaiRequest, Verb, parse_request, quote_value
from oer.feed.oai.contract import FeedItem, FeedRepository, RepositoryIdentity
from oer.feed.oai.datestamps import to_second
from oer.feed.oai.errors import ErrorCode, ErrorCondition, OaiError
from oer.feed.oai.response import (
    ResponseDocument,
    add_identify,
    add_metadata_format,
    add_resumption_token,
    add_set,
    header_bytes,
    record_parts,
)
from oer.feed.oai.tokens import ListState, ResumptionTokens, TokenError

Clock = Callable[[], datetime]

# Harvest validators flag pages under 100 or over 500 records.
MIN_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 200


def utc_now() -> datetime:
    return datetime.now(UTC)


class OaiProvider:
    """Answers OAI-PMH requests; one instance serves any number of requests and repositories.

    `formats` are the metadata formats offered, `tokens` signs and reads
    resumption tokens, `page_size` is the number of headers or records per
    page of ListIdentifiers/ListRecords, `clock` gives the current UTC time
    (responseDate, token expiry, the frozen `until` of a list), and
    `compressions` are the content encodings Identify advertises (the web
    layer applies them).
    """

    def __init__(
        self,
        formats: MetadataFormats,
        tokens: ResumptionTokens,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        clock: Clock = utc_now,
        compressions: tuple[str, ...] = ("gzip",),
    ) -> None:
        if not MIN_PAGE_SIZE <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page size must be within {MIN_PAGE_SIZE}..{MAX_PAGE_SIZE}, not {page_size}")
        self.formats = formats
        self.tokens = tokens
        self.page_size = page_size
        self.clock = clock
        self.compressions = compressions

    def handle(self, repository: FeedRepository, arguments: Mapping[str, Sequence[str]]) -> bytes:
        """The response document (UTF-8 XML) for a request's raw arguments.

        `arguments` maps each argument name to every value it was given with,
        so that a repeated argument can be refused.
        """
        now = to_second(self.clock())
        identity = repository.identity()
        try:
            request = parse_request(arguments)
        except OaiError as error:
            return _error_response(now, identity, None, error)
        try:
            document = ResponseDocument(now, identity.base_url, request.echo())
            self._answer(request, document, repository, identity, now)
        except OaiError as error:
            return _error_response(now, identity, request, error)
        return document.to_bytes()

    def _answer(
        self,
        request: OaiRequest,
        document: ResponseDocument,
        repository: FeedRepository,
        identity: RepositoryIdentity,
        now: datetime,
    ) -> None:
        if request.verb is Verb.IDENTIFY:
            add_identify(document.add_container(request.verb.value), identity, self.compressions)
        elif request.verb is Verb.LIST_METADATA_FORMATS:
            self._list_metadata_formats(request, document, repository)
        elif request.verb is Verb.LIST_SETS:
            self._list_sets(request, document, repository)
        elif request.verb is Verb.GET_RECORD:
            self._get_record(request, document, repository)
        else:
            self._list(request, document, repository, now)

    def _list_metadata_formats(
        self, request: OaiRequest, document: ResponseDocument, repository: FeedRepository
    ) -> None:
        # Every item, deleted ones included, is available in every format the repository offers.
        if request.identifier is not None and _find_item(request, repository) is None:
            raise OaiError([_unknown_identifier(request)])
        if not len(self.formats):
            raise OaiError.single(ErrorCode.NO_METADATA_FORMATS, "no metadata formats are available")
        container = document.add_container(request.verb.value)
        for metadata_format in self.formats:
            add_metadata_format(container, metadata_format)

    def _list_sets(self, request: OaiRequest, document: ResponseDocument, repository: FeedRepository) -> None:
        if request.resumption_token is not None:
            # The set list always fits one response, so no ListSets token was ever issued.
            message = "ListSets is never split, so no token is valid for it"
            raise OaiError.single(ErrorCode.BAD_RESUMPTION_TOKEN, message)
        sets = repository.list_sets()
        if not sets:
            raise OaiError.single(ErrorCode.NO_SET_HIERARCHY, "this repository does not support sets")
        container = document.add_container(request.verb.value)
        for feed_set in sets:
            add_set(container, feed_set)

    def _get_record(
        self, request: OaiRequest, document: ResponseDocument, repository: FeedRepository
    ) -> None:
        assert request.identifier is not None and request.metadata_prefix is not None
        errors: list[ErrorCondition] = []
        metadata_format = self.formats.get(request.metadata_prefix)
        if metadata_format is None:
            errors.append(_cannot_disseminate(request.metadata_prefix))
        item = _find_item(request, repository, metadata_format.prefix if metadata_format else None)
        if item is None:
            errors.append(_unknown_identifier(request))
        if errors:
            raise OaiError(errors)
        assert item is not None and metadata_format is not None
        document.hold(document.add_container(request.verb.value), record_parts(item, metadata_format))

    def _list(
        self, request: OaiRequest, document: ResponseDocument, repository: FeedRepository, now: datetime
    ) -> None:
        """ListIdentifiers and ListRecords: one page of the list, and the token for the next."""
        if request.resumption_token is not None:
            state = self._read_token(request.resumption_token, request.verb, now)
            metadata_format = self.formats.get(state.metadata_prefix)
            if metadata_format is None:
                message = f"the token's format {state.metadata_prefix} is no longer offered"
                raise OaiError.single(ErrorCode.BAD_RESUMPTION_TOKEN, message)
        else:
            state, metadata_format = self._start_list(request, repository, now)
        # One item more than a page tells whether another page follows. The format goes along
        # for ListIdentifiers too: the list is of the items available in it (spec 4.3).
        items = repository.list_items(
            state.set_spec, state.from_, state.until, state.after, self.page_size + 1,
            metadata_prefix=metadata_format.prefix,
        )
        if not items:
            # Also the answer when every item a token still had to deliver changed meanwhile
            # (and so moved past the frozen `until`): the schema forbids an empty list.
            raise OaiError.single(ErrorCode.NO_RECORDS_MATCH, "no items match the arguments")
        page = items[: self.page_size]
        container = document.add_container(request.verb.value)
        if request.verb is Verb.LIST_RECORDS:
            document.hold(container, [part for item in page for part in record_parts(item, metadata_format)])
        else:
            document.hold(container, [header_bytes(item) for item in page])
        self._add_token(container, state, page, more=len(items) > self.page_size, now=now)

    def _start_list(
        self, request: OaiRequest, repository: FeedRepository, now: datetime
    ) -> tuple[ListState, MetadataFormat]:
        assert request.metadata_prefix is not None
        metadata_format = self.formats.get(request.metadata_prefix)
        if metadata_format is None:
            raise OaiError([_cannot_disseminate(request.metadata_prefix)])
        if request.set_spec is not None and not repository.has_set(request.set_spec):
            if not repository.list_sets():
                raise OaiError.single(ErrorCode.NO_SET_HIERARCHY, "this repository does not support sets")
            # The spec has no "unknown set" error: a set that does not exist has no
            # items, so the combination of arguments selects an empty list (spec 3.6).
            raise OaiError.single(ErrorCode.NO_RECORDS_MATCH, f"there is no set {request.set_spec}")
        from_ = request.from_.value if request.from_ else None
        # The list is frozen at the first request (an `until` in the future selects nothing
        # more now): items changed during the harvest move past `until` and are picked up by
        # the next incremental harvest, so every page is stable and no item comes twice.
        until = min(request.until.value, now) if request.until else now
        state = ListState(
            verb=request.verb,
            metadata_prefix=metadata_format.prefix,
            set_spec=request.set_spec,
            from_=from_,
            until=until,
            after=None,
            cursor=0,
            complete_list_size=repository.count_items(request.set_spec, from_, until),
        )
        return state, metadata_format

    def _read_token(self, token: str, verb: Verb, now: datetime) -> ListState:
        try:
            return self.tokens.read(token, verb, now)
        except TokenError as error:
            raise OaiError.single(ErrorCode.BAD_RESUMPTION_TOKEN, str(error)) from error

    def _add_token(
        self,
        container: etree._Element,
        state: ListState,
        page: Sequence[FeedItem],
        *,
        more: bool,
        now: datetime,
    ) -> None:
        delivered = state.cursor + len(page)
        if not more and state.cursor == 0:
            return  # A complete list in one response carries no token (spec 3.5).
        # completeListSize was counted at the first page; if items were added since, never
        # claim fewer than the harvester has been shown.
        size = max(state.complete_list_size, delivered + (1 if more else 0))
        if not more:
            # The last page of an incomplete list: an empty token, still with size and cursor.
            add_resumption_token(container, "", complete_list_size=size, cursor=state.cursor, expires=None)
            return
        next_state = ListState(
            verb=state.verb,
            metadata_prefix=state.metadata_prefix,
            set_spec=state.set_spec,
            from_=state.from_,
            until=state.until,
            after=page[-1].position,
            cursor=delivered,
            complete_list_size=size,
        )
        token, expires = self.tokens.issue(next_state, now)
        add_resumption_token(container, token, complete_list_size=size, cursor=state.cursor, expires=expires)


def _cannot_disseminate(prefix: str) -> ErrorCondition:
    return ErrorCondition(ErrorCode.CANNOT_DISSEMINATE_FORMAT, f"metadata format {prefix} is not offered")


def _find_item(
    request: OaiRequest, repository: FeedRepository, metadata_prefix: str | None = None
) -> FeedItem | None:
    """The item the request's identifier names (with its payload in `metadata_prefix`, when the
    repository keeps one); None for an unknown or malformed identifier."""
    if request.identifier is None or not request.identifier_is_uri:
        return None
    return repository.get_item(request.identifier, metadata_prefix)


def _unknown_identifier(request: OaiRequest) -> ErrorCondition:
    identifier = request.identifier or ""
    if not request.identifier_is_uri:
        message = f"identifier {quote_value(identifier)} is not a URI, so no item has it"
        return ErrorCondition(ErrorCode.ID_DOES_NOT_EXIST, message)
    return ErrorCondition(ErrorCode.ID_DOES_NOT_EXIST, f"no item has the identifier {identifier}")


def _error_response(
    now: datetime, identity: RepositoryIdentity, request: OaiRequest | None, error: OaiError
) -> bytes:
    # Spec 3.2: after badVerb or badArgument the request element carries the base URL only.
    hides = request is None or any(e.code.hides_arguments for e in error.errors)
    echo = [] if hides or request is None else request.echo()
    document = ResponseDocument(now, identity.base_url, echo)
    document.add_errors(error.errors)
    return document.to_bytes()
