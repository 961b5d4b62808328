"""Finding and judging materials: the one service behind the discovery site and the JSON API. I/O: search index.

What it does, for both front ends alike:

- `parse_search_request` turns request parameters (a name -> list of values
  mapping) into a validated `SearchRequest`, collecting every problem as a
  `(parameter, message)` pair instead of stopping at the first.
- `search` runs it against a `SearchBackend` and shapes the answer
  (`SearchPage`): result items with safe snippets, facets with counts and
  selection state, paging, and a "did you mean" when nothing matched.
- `catalogue_overview` gives the facet counts of the whole catalogue.
- `describe_resource` and `json_ld` shape a stored resource for its detail page and its
  schema.org `LearningResource` description.

Harvested text is untrusted. This module never produces markup: highlight
fragments from the backend (HTML-escaped with `<mark>` around the matched
words, the `Hit` contract) are taken apart into `Snippet` segments of plain
text plus a "matched" flag, and HTML that sources put in descriptions is
reduced to its text. The templates escape every segment and add the marks
themselves.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import html
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from html.parser import HTMLParser
from typing import Any

from metadata.dublin_core import publication_date
from metadata.duration import seconds_to_duration
from metadata.facets import (
    FACET_FIELDS,
    FACETS,
    FACETS_BY_NAME,
    OVERVIEW_FACETS,
    SIDEBAR_FACETS,
    FacetValues,
)
from metadata.groepen import GROEP_CONTEXTS
from metadata.kerndoelen import known_kerndoel
from metadata.levels import level_name, level_term
from metadata.licence import (
    LicenceRights,
    canonical_url,
    licence_name,
    licence_rights,
)
from metadata.links import is_web_url
from metadata.record import Licence, Record, Term
from metadata.vocabulary import (
    OBK_SOURCE,
    VocabularyName,
    discipline_terms,
    educational_level_terms,
    obk_terms,
    vocabulary,
)
from oer.discovery.level_words import RecognisedTerm, recognise
from oer.discovery.queries import ProvenanceEntry, RelationEntry, ResourceDetail
from oer.errors import OerError
from oer.search import (
    Hit,
    Match,
    SearchBackend,
    SearchDocument,
    SearchQuery,
    SearchQueryError,
    SearchResult,
    Sort,
    Suggestion,
)
from oer.search.document import MaterialDate
from oer.search.query import MAX_RESULT_WINDOW
from oer.search.spelling import MIN_SPELLING_CHARS, edit_distance, max_edits
from oer.search.text import parse_text

# -- requests -------------------------------------------------------------------------------------

TEXT_PARAMETER = "q"
PAGE_PARAMETER = "page"
SIZE_PARAMETER = "size"
SORT_PARAMETER = "sort"
SEARCH_AFTER_PARAMETER = "search_after"
# Level and subject words the searcher wants read as text (`oer.discovery.level_words`):
# the keys of removed chips, or `*` for none at all.
LITERAL_PARAMETER = "literal"
# `no_correction=1`: search the text as typed, even when a spelling correction would find more.
NO_CORRECTION_PARAMETER = "no_correction"
MAX_TEXT_LENGTH = 500
MAX_FILTER_VALUES = 50
DEFAULT_PAGE_SIZE = 20
MAX_API_PAGE_SIZE = 100

# Which facets the site's sidebar and home page show is declared in `metadata.facets.FACETS`
# (SIDEBAR_FACETS, OVERVIEW_FACETS); the API returns every facet field.
# Facets whose values are OBK ids, named by the OBK table or by the labels records give them.
OBK_FIELDS = frozenset(facet.name for facet in FACETS if facet.values is FacetValues.OBK)


class SortOrder(enum.StrEnum):
    """The orders a user can ask for, by their public names."""

    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"

    @property
    def sort(self) -> Sort:
        return {
            SortOrder.RELEVANCE: Sort.RELEVANCE,
            SortOrder.NEWEST: Sort.DATE_DESC,
            SortOrder.OLDEST: Sort.DATE_ASC,
        }[self]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a request: the parameter and what is wrong with it."""

    parameter: str
    message: str


class DiscoveryRequestError(OerError):
    """A search request with bad parameters; `problems` lists every one of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.parameter}: {p.message}" for p in self.problems))


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A validated search: text, filters (OR within a field, AND across fields), order, page."""

    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: SortOrder = SortOrder.RELEVANCE
    page: int = 1
    size: int = DEFAULT_PAGE_SIZE
    search_after: str | None = None
    # Keys of level/subject words not to recognise in `text` (LITERAL_PARAMETER).
    literal: tuple[str, ...] = ()
    # Search `text` as typed: no spelling correction in its place (NO_CORRECTION_PARAMETER).
    no_correction: bool = False

    @property
    def has_filters(self) -> bool:
        return any(self.filters.values())

    def query(self, facets: Sequence[str], *, highlight: bool = True) -> SearchQuery:
        return SearchQuery(
            text=self.text,
            filters={name: values for name, values in self.filters.items() if values},
            facets=tuple(facets),
            sort=self.sort.sort,
            page=self.page,
            size=self.size,
            search_after=self.search_after,
            highlight=highlight and bool(self.text.strip()),
        )

    def parameters(
        self,
        *,
        text: str | None = None,
        sort: SortOrder | None = None,
        page: int | None = None,
        without: tuple[str, str] | None = None,
        with_filter: tuple[str, str] | None = None,
        without_filters: bool = False,
        with_literal: str | None = None,
        no_correction: bool = False,
    ) -> list[tuple[str, str]]:
        """The request as URL parameters, with some parts changed (for links and chips).

        Changing the text, the filters or the order goes back to page 1;
        `without` drops one (field, value) filter, `with_filter` adds one,
        `without_filters` drops them all; `with_literal` takes a recognised level or subject word
        back to the text (a removed chip).
        """
        changed = (text is not None or sort is not None or without or with_filter or without_filters
                   or with_literal)
        pairs: list[tuple[str, str]] = []
        value_text = self.text if text is None else text
        if value_text:
            pairs.append((TEXT_PARAMETER, value_text))
        for name in () if without_filters else FACET_FIELDS:
            for value in self.filters.get(name, ()):
                if (name, value) != without:
                    pairs.append((name, value))
            if with_filter and with_filter[0] == name and with_filter[1] not in self.filters.get(name, ()):
                pairs.append(with_filter)
        for key in dict.fromkeys((*self.literal, *((with_literal,) if with_literal else ()))):
            pairs.append((LITERAL_PARAMETER, key))
        # As typed, while the text is the same; `no_correction=True` asks for it.
        if no_correction or (self.no_correction and text is None):
            pairs.append((NO_CORRECTION_PARAMETER, "1"))
        order = self.sort if sort is None else sort
        if order is not SortOrder.RELEVANCE:
            pairs.append((SORT_PARAMETER, order.value))
        number = page if page is not None else (1 if changed else self.page)
        if number != 1:
            pairs.append((PAGE_PARAMETER, str(number)))
        return pairs


def parse_search_request(
    arguments: Mapping[str, Sequence[str]],
    *,
    strict: bool,
    allow_size: bool = False,
    allow_search_after: bool = False,
    default_size: int = DEFAULT_PAGE_SIZE,
) -> SearchRequest:
    """Validate request parameters into a SearchRequest; DiscoveryRequestError lists all problems.

    `strict` (the API) refuses parameters it does not know; the site ignores
    them, since links from elsewhere carry tracking parameters. Filter names
    are the facet field names (`contexts=PO&disciplines=<OBK id>`); repeating
    one ORs its values.
    """
    problems: list[Problem] = []
    known = {TEXT_PARAMETER, PAGE_PARAMETER, SORT_PARAMETER, LITERAL_PARAMETER,
             NO_CORRECTION_PARAMETER, *FACET_FIELDS}
    if allow_size:
        known.add(SIZE_PARAMETER)
    if allow_search_after:
        known.add(SEARCH_AFTER_PARAMETER)
    if strict:
        for name in sorted(set(arguments) - known):
            problems.append(Problem(
                name,
                f"unknown parameter; filters are: {', '.join(FACET_FIELDS)}; "
                f"other parameters: {', '.join(sorted(known - set(FACET_FIELDS)))}",
            ))
        for name in (TEXT_PARAMETER, PAGE_PARAMETER, SIZE_PARAMETER, SORT_PARAMETER,
                     SEARCH_AFTER_PARAMETER):
            if len(arguments.get(name, ())) > 1:
                problems.append(Problem(name, "give this parameter at most once"))

    text = _first(arguments, TEXT_PARAMETER).strip()
    if len(text) > MAX_TEXT_LENGTH:
        problems.append(Problem(TEXT_PARAMETER, f"at most {MAX_TEXT_LENGTH} characters"))

    filters: dict[str, tuple[str, ...]] = {}
    for name in FACET_FIELDS:
        values = tuple(dict.fromkeys(v.strip() for v in arguments.get(name, ()) if v.strip()))
        if len(values) > MAX_FILTER_VALUES:
            problems.append(Problem(name, f"at most {MAX_FILTER_VALUES} values"))
        elif strict and len(values) != len(arguments.get(name, ())):
            problems.append(Problem(name, "filter values must not be empty or repeated"))
        if values:
            filters[name] = values

    sort = SortOrder.RELEVANCE
    sort_text = _first(arguments, SORT_PARAMETER).strip()
    if sort_text:
        try:
            sort = SortOrder(sort_text)
        except ValueError:
            problems.append(Problem(
                SORT_PARAMETER, f"use one of: {', '.join(order.value for order in SortOrder)}"))

    size = default_size
    if allow_size and SIZE_PARAMETER in arguments:
        size = _positive_int(arguments, SIZE_PARAMETER, problems, maximum=MAX_API_PAGE_SIZE) or size

    page = 1
    if PAGE_PARAMETER in arguments:
        page = _positive_int(arguments, PAGE_PARAMETER, problems) or 1
        if page * size > MAX_RESULT_WINDOW:
            problems.append(Problem(
                PAGE_PARAMETER,
                f"pages end at result {MAX_RESULT_WINDOW}"
                + ("; page further with search_after" if allow_search_after else "")))

    search_after = None
    if allow_search_after and SEARCH_AFTER_PARAMETER in arguments:
        search_after = _first(arguments, SEARCH_AFTER_PARAMETER).strip() or None
        if search_after is None:
            problems.append(Problem(SEARCH_AFTER_PARAMETER, "must not be empty"))
        elif PAGE_PARAMETER in arguments:
            problems.append(Problem(
                SEARCH_AFTER_PARAMETER, "use either page or search_after, not both"))

    literal = tuple(dict.fromkeys(
        v.strip() for v in arguments.get(LITERAL_PARAMETER, ()) if v.strip()))[:MAX_FILTER_VALUES]

    no_correction = _first(arguments, NO_CORRECTION_PARAMETER).strip()
    if no_correction not in ("", "0", "1"):
        problems.append(Problem(NO_CORRECTION_PARAMETER, "use 1 (or 0)"))

    if problems:
        raise DiscoveryRequestError(problems)
    return SearchRequest(
        text=text, filters=filters, sort=sort, page=page, size=size, search_after=search_after,
        literal=literal, no_correction=no_correction == "1",
    )


def _first(arguments: Mapping[str, Sequence[str]], name: str) -> str:
    values = arguments.get(name) or ()
    return values[0] if values else ""


def _positive_int(
    arguments: Mapping[str, Sequence[str]],
    name: str,
    problems: list[Problem],
    *,
    maximum: int | None = None,
) -> int | None:
    text = _first(arguments, name).strip()
    if not text.isdigit() or int(text) < 1 or (maximum is not None and int(text) > maximum):
        bound = f" up to {maximum}" if maximum is not None else ""
        problems.append(Problem(name, f"must be a whole number from 1{bound}"))
        return None
    return int(text)


# -- snippets -------------------------------------------------------------------------------------

# Descriptions are snipped at this many characters when the backend gave no highlight.
SNIPPET_CHARS = 280

_MARK = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)
# Tags that make a description HTML rather than text that happens to contain "<".
_HTML_TAG = re.compile(
    r"</?(?:p|br|div|span|ul|ol|li|a|b|i|u|em|strong|strike|s|h[1-6]|script|style|table|tr|td|"
    r"th|img|iframe|font|blockquote|pre|code|sub|sup|hr)\b[^>]*>",
    re.IGNORECASE,
)
_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
                         "tr", "table", "blockquote", "pre", "hr"})
# The tail of a tag at a fragment's start, and the head of one at its end.
_CUT_TAG_START = re.compile(r"""^[^<>]*?(?:=\s*"[^"]*"|=\s*'[^']*'|/)\s*>""")
_CUT_TAG_END = re.compile(r"<\/?[a-zA-Z][^<>]*$")
# Private-use characters stand for <mark> and </mark> while HTML is reduced to text.
_OPEN, _CLOSE = "\ue000", "\ue001"


@dataclass(frozen=True, slots=True)
class Snippet:
    """Plain text in segments; `True` segments matched the search words."""

    segments: tuple[tuple[str, bool], ...]

    @classmethod
    def plain(cls, text: str) -> Snippet:
        return cls(((text, False),) if text else ())

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.segments)

    @property
    def marked(self) -> bool:
        return any(matched for _, matched in self.segments)

    def to_html(self) -> str:
        """Escaped HTML with <mark> around the matched segments (the API's `*_html` fields)."""
        return "".join(
            f"<mark>{html.escape(text)}</mark>" if matched else html.escape(text)
            for text, matched in self.segments
        )

    def __bool__(self) -> bool:
        return bool(self.segments)


class _TextExtractor(HTMLParser):
    """The text of an HTML fragment: script and style dropped, blocks on their own lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def text_of(value: str | None) -> str:
    """Harvested text for display: HTML (which some sources send) reduced to its text.

    Paragraphs are kept as blank-line breaks; runs of spaces are collapsed.
    The result is plain text, to be escaped by whoever renders it.
    """
    if not value:
        return ""
    if _HTML_TAG.search(value):
        extractor = _TextExtractor()
        extractor.feed(value)
        extractor.close()
        value = "".join(extractor.parts)
    lines = [" ".join(line.split()) for line in value.splitlines()]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def snippet_from_highlight(fragment: str) -> Snippet:
    """Take an escaped-with-<mark> fragment (the `Hit.highlights` contract) apart into segments.

    Only `<mark>` and `</mark>` are read as markup; everything else is
    unescaped to the original text, and HTML the source put in that text is
    reduced to its words like any description.
    """
    joined = html.unescape(_MARK.sub(lambda m: _OPEN + m.group(1) + _CLOSE, fragment))
    # A fragment is cut out of the text without regard for tags: drop a tag cut in two.
    joined = _CUT_TAG_END.sub("", _CUT_TAG_START.sub("", joined))
    text = " ".join(text_of(joined).split())
    segments: list[tuple[str, bool]] = []
    for part in re.split(f"({_OPEN}[^{_OPEN}{_CLOSE}]*{_CLOSE})", text):
        if part.startswith(_OPEN) and part.endswith(_CLOSE):
            inner = part[1:-1]
            if inner:
                segments.append((inner, True))
        else:
            rest = part.replace(_OPEN, "").replace(_CLOSE, "")
            if rest:
                segments.append((rest, False))
    return Snippet(tuple(segments))


def shorten(text: str, limit: int = SNIPPET_CHARS) -> str:
    """`text` cut at a word boundary before `limit` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",.;:-")
    return cut + "…"


# -- search results -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Label:
    """A vocabulary code with the label the data gives it (OBK terms, licences), if any."""

    value: str
    label: str | None = None


@dataclass(frozen=True, slots=True)
class ResultItem:
    id: str
    title: Snippet
    description: Snippet
    url: str | None
    licence: LicenceRights | None
    contexts: tuple[str, ...]
    educational_levels: tuple[Label, ...]
    disciplines: tuple[Label, ...]
    learning_resource_types: tuple[str, ...]
    languages: tuple[str, ...]
    sources: tuple[str, ...]
    updated_at: datetime
    document: SearchDocument
    # What a teacher scans for besides the above: the material's own date (published, or
    # changed at its source), its learning time in seconds, and whether quality information
    # (a shown annotation on some criterion) exists.
    date: MaterialDate | None = None
    learning_time: int | None = None
    has_quality: bool = False


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    count: int
    selected: bool
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Facet:
    field: str
    values: tuple[FacetValue, ...]

    @property
    def selected(self) -> tuple[FacetValue, ...]:
        return tuple(value for value in self.values if value.selected)


@dataclass(frozen=True, slots=True)
class SearchPage:
    request: SearchRequest
    total: int
    items: tuple[ResultItem, ...]
    facets: tuple[Facet, ...]
    next_search_after: str | None = None
    # A corrected search text that finds something, offered when nothing matched.
    did_you_mean: str | None = None
    # The results match most of the words, not all: all of them found nothing or too little
    # (then the first `all_words` results match every word).
    relaxed: bool = False
    all_words: int = 0
    # The results are for this correction of the text, which found nothing as typed.
    corrected: str | None = None
    # Level and subject words of the text searched as filters (the site's removable chips).
    recognised: tuple[RecognisedTerm, ...] = ()

    @property
    def page_count(self) -> int:
        size = max(self.request.size, 1)
        reachable = min(self.total, MAX_RESULT_WINDOW)
        return max(1, -(-reachable // size))

    @property
    def first_number(self) -> int:
        return (self.request.page - 1) * self.request.size + 1 if self.items else 0

    @property
    def last_number(self) -> int:
        return self.first_number + len(self.items) - 1 if self.items else 0

    def facet(self, name: str) -> Facet | None:
        return next((facet for facet in self.facets if facet.field == name), None)

    @property
    def selected_filters(self) -> tuple[tuple[Facet, FacetValue], ...]:
        """Every active filter with its facet, in facet order (the removable chips)."""
        return tuple((facet, value) for facet in self.facets for value in facet.selected)


# -- what teachers type, understood --------------------------------------------------------------

# How many discipline ids of the catalogue a subject name is looked up among.
SUBJECT_LOOKUP_LIMIT = 1_000


def understand(
    backend: SearchBackend, request: SearchRequest, labels: TermLabels
) -> tuple[SearchRequest, tuple[RecognisedTerm, ...]]:
    """The request as searched, and the level and subject words recognised in its text.

    `oer.discovery.level_words` finds them; their filters are added to the
    request's (OR within a field, as always) and the rest of the text is
    searched. A subject becomes the ids of every discipline of that name the
    catalogue uses (records carry OBK ids the table does not know, with their
    own label); a subject no material is classified by stays text.
    """
    literal = tuple(request.literal)
    recognition = recognise(request.text, literal=literal)
    terms: list[RecognisedTerm] = []
    for term in recognition.terms:
        if term.subject is not None:
            ids = subject_ids(backend, term.subject, labels)
            if not ids:
                literal += (term.key,)
                continue
            term = dataclasses.replace(term, filters={"disciplines": ids})
        terms.append(term)
    if not terms:
        return request, ()
    if len(terms) != len(recognition.terms):
        recognition = recognise(request.text, literal=literal)
    filters = {name: list(values) for name, values in request.filters.items()}
    for term in terms:
        for name, values in term.filters.items():
            filters.setdefault(name, []).extend(values)
    searched = dataclasses.replace(
        request,
        text=recognition.rest,
        filters={name: tuple(dict.fromkeys(values)) for name, values in filters.items() if values},
    )
    return searched, tuple(terms)


def subject_ids(backend: SearchBackend, name: str, labels: TermLabels) -> tuple[str, ...]:
    """The discipline ids the catalogue uses that are named `name` (case-insensitively), by the
    OBK table or by the records' own labels."""
    return labels.disciplines(backend).get(name.casefold(), ())


def search(
    backend: SearchBackend,
    request: SearchRequest,
    *,
    facets: Sequence[str] = SIDEBAR_FACETS,
    labels: TermLabels | None = None,
) -> SearchPage:
    """Run `request` and shape the result; SearchUnavailableError propagates (an outage is
    never an empty result). A bad search_after cursor becomes a DiscoveryRequestError.

    Level and subject words in the text are searched as filters (`understand`); the page
    keeps the request as asked, for its links, and lists the words it recognised."""
    labels = labels if labels is not None else TermLabels()
    asked = request
    request, recognised = understand(backend, asked, labels)
    try:
        answered = answer(backend, request.query(facets), correct=not asked.no_correction,
                          labels=labels)
        corrected = (_with_corrections(asked.text, request.text, answered.corrected)
                     if answered.corrected else None)
        if not answered.result.total and answered.did_you_mean and not asked.no_correction:
            # The correction may name a level or subject ("gescheidenis vwo" is "geschiedenis
            # vwo"), which the text as corrected does not find: understood again, it may.
            text = _with_corrections(asked.text, request.text, answered.did_you_mean)
            again, terms = understand(backend, dataclasses.replace(asked, text=text), labels)
            second = answer(backend, again.query(facets), correct=False, labels=labels)
            if second.result.total:
                answered, corrected, recognised = second, text, terms
    except SearchQueryError as error:
        raise DiscoveryRequestError([Problem(_query_parameter(request), str(error))]) from error
    result = answered.result
    for hit in result.hits:
        labels.learn(hit.document.labels)
    shaped_facets = tuple(
        _facet(name, result.facets.get(name, {}), asked.filters.get(name, ()), backend, labels)
        for name in facets
    )
    return SearchPage(
        request=asked,
        total=result.total,
        items=tuple(item_from_hit(hit) for hit in result.hits),
        facets=shaped_facets,
        next_search_after=result.next_search_after,
        # Offered as the teacher would type it: with the level words taken out of the text.
        did_you_mean=(_with_corrections(asked.text, request.text, answered.did_you_mean)
                      if answered.did_you_mean else None),
        recognised=recognised,
        relaxed=answered.relaxed,
        all_words=answered.all_words,
        corrected=corrected,
    )


@dataclass(frozen=True, slots=True)
class Answer:
    """A search's result, and how it was found when the text as typed found nothing or too little.

    `relaxed`: the result matches most of the words, not all; its first
    `all_words` results (when any) match every word, the rest most of them.
    `corrected`: the result is for this spelling correction of the text.
    `did_you_mean`: a correction offered, when nothing was found at all.
    """

    result: SearchResult
    relaxed: bool = False
    corrected: str | None = None
    did_you_mean: str | None = None
    all_words: int = 0


# Fewer results than this for every word is "too little": most of the words are searched too,
# and what they find follows. Three is a short row a teacher scans at a glance; a search that
# finds that many for every word has found what was asked for.
ENOUGH_RESULTS = 3


def answer(
    backend: SearchBackend,
    query: SearchQuery,
    *,
    correct: bool = True,
    labels: TermLabels | None = None,
) -> Answer:
    """Run `query` (every word must match); when that finds nothing or too little, look further.

    Nothing for every word: first a confident spelling correction
    (`did_you_mean`: unknown words replaced by close ones, and the result is
    not empty), unless `correct` is False (the text as typed was asked for):
    a typo in one of several words would otherwise only lose that word. Then
    most of the words (`Match.MOST`; phrases and exclusions still hold). When
    that finds nothing either, the correction is only offered.

    Too little (fewer than ENOUGH_RESULTS for every word, some): when most of
    the words find more, the results for every word come first and those for
    most of the words follow (`all_words` says where they begin). The site,
    the API and `oer search` all answer this way. `labels`: as for `did_you_mean`.
    """
    strict = backend.search(query)
    relaxable = query.has_text and len(parse_text(query.text).words) > 1
    if strict.total >= ENOUGH_RESULTS or not query.has_text:
        return Answer(strict)
    if strict.total:
        if relaxable:
            return _supplemented(backend, query, strict)
        return Answer(strict)
    correction = did_you_mean(
        backend, SearchRequest(text=query.text, filters=query.filters), labels=labels
    )
    if correction is not None and correct:
        corrected = backend.search(dataclasses.replace(query, text=correction))
        if corrected.total:
            return Answer(corrected, corrected=correction)
    if relaxable:
        most = backend.search(dataclasses.replace(query, match=Match.MOST))
        if most.total:
            return Answer(most, relaxed=True)
    return Answer(strict, did_you_mean=correction)


def _supplemented(backend: SearchBackend, query: SearchQuery, strict: SearchResult) -> Answer:
    """The few results for every word, then those for most of the words (`answer`).

    The combined list is every strict hit (fewer than ENOUGH_RESULTS) and then
    the relaxed hits without them, in the relaxed order. A page by number is cut
    from the start of that list (strict hits count against it); a `search_after`
    cursor, taken from a page of this list, continues the relaxed order without
    the strict hits, which the first page showed. Totals and facets are the
    relaxed search's: they count what the list holds.
    """
    relaxed_query = dataclasses.replace(query, match=Match.MOST)
    if query.search_after is not None:
        # Every strict hit is on the first page of the list, before any relaxed hit.
        most = backend.search(relaxed_query)
        if most.total <= strict.total:
            return Answer(strict)
        shown = {hit.id for hit in _all_hits(backend, query, strict)}
        kept = tuple(hit for hit in most.hits if hit.id not in shown)
        return Answer(dataclasses.replace(most, hits=kept), relaxed=True, all_words=strict.total)
    start, end = query.offset, query.offset + query.size
    most = backend.search(dataclasses.replace(relaxed_query, page=1, size=end))
    if most.total <= strict.total:
        return Answer(strict)
    strict_hits = _all_hits(backend, query, strict)
    strict_ids = {hit.id for hit in strict_hits}
    combined = [*strict_hits, *(hit for hit in most.hits if hit.id not in strict_ids)]
    hits = tuple(combined[start:end])
    cursor = None
    relaxed_shown = [hit.id for hit in hits if hit.id not in strict_ids]
    if relaxed_shown and end < most.total:
        # The relaxed search's own cursor just after the last relaxed hit shown.
        position = [hit.id for hit in most.hits].index(relaxed_shown[-1]) + 1
        cursor = (most.next_search_after if position == len(most.hits) else backend.search(
            dataclasses.replace(relaxed_query, page=1, size=position, facets=(), highlight=False),
        ).next_search_after)
    result = SearchResult(total=most.total, hits=hits, facets=most.facets, next_search_after=cursor)
    return Answer(result, relaxed=True, all_words=strict.total)


def _all_hits(backend: SearchBackend, query: SearchQuery, strict: SearchResult) -> tuple[Hit, ...]:
    """Every hit of a strict result with fewer than ENOUGH_RESULTS hits in all, in its order."""
    if query.search_after is None and query.offset == 0 and len(strict.hits) == strict.total:
        return strict.hits
    return backend.search(dataclasses.replace(
        query, page=1, size=strict.total, search_after=None, facets=())).hits


def _with_corrections(text: str, searched: str, corrected: str) -> str:
    """`text` with the words that `corrected` changed in `searched` (a part of it) changed too."""
    before, after = _WORD.findall(searched), _WORD.findall(corrected)
    if len(before) != len(after):
        return corrected
    for old, new in zip(before, after, strict=True):
        if old != new:
            text = re.sub(rf"\b{re.escape(old)}\b", new, text)
    return text


def _query_parameter(request: SearchRequest) -> str:
    return SEARCH_AFTER_PARAMETER if request.search_after else TEXT_PARAMETER


def item_from_hit(hit: Hit) -> ResultItem:
    document = hit.document
    title_fragments = hit.highlights.get("title", ())
    title = snippet_from_highlight(title_fragments[0]) if title_fragments else Snippet.plain(
        " ".join(text_of(document.title).split()))
    description_fragments = hit.highlights.get("description", ())
    if description_fragments:
        description = snippet_from_highlight(" … ".join(description_fragments))
    else:
        description = Snippet.plain(shorten(text_of(document.description)))
    licence_code = document.licence[0] if document.licence else None
    return ResultItem(
        id=document.id,
        title=title,
        description=description,
        url=document.url,
        licence=licence_rights(Licence(licence_code, canonical_url(licence_code))) if licence_code else None,
        contexts=document.contexts,
        educational_levels=tuple(
            Label(v, document.labels.get(v) or _obk_label(v)) for v in document.educational_levels),
        disciplines=tuple(
            Label(v, document.labels.get(v) or _obk_label(v)) for v in document.disciplines),
        learning_resource_types=document.learning_resource_types,
        languages=document.languages,
        sources=document.source,
        updated_at=document.updated_at,
        document=document,
        date=document.date,
        learning_time=document.learning_time,
        has_quality=bool(document.quality),
    )


class TermLabels:
    """Labels of OBK ids: the product's table, then labels seen in search results.

    Records may carry OBK terms the table does not know, with their own
    label; a facet shows such an id by that label, found once with a
    one-hit search and remembered (bounded).
    """

    LIMIT = 10_000
    # How long the catalogue's disciplines by name are kept (a new subject id waits this long).
    DISCIPLINES_SECONDS = 300.0

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}
        self._disciplines: tuple[float, Mapping[str, tuple[str, ...]]] | None = None

    def disciplines(self, backend: SearchBackend) -> Mapping[str, tuple[str, ...]]:
        """The discipline ids the catalogue uses, by case-folded label (kept a few minutes)."""
        now = time.monotonic()
        if self._disciplines is not None and now - self._disciplines[0] < self.DISCIPLINES_SECONDS:
            return self._disciplines[1]
        result = backend.search(SearchQuery(
            facets=("disciplines",), size=0, facet_limit=SUBJECT_LOOKUP_LIMIT))
        by_label: dict[str, list[str]] = {}
        for value in result.facets.get("disciplines", {}):
            label = self.label(value, "disciplines", backend)
            if label is not None:
                by_label.setdefault(label.casefold(), []).append(value)
        found = {label: tuple(ids) for label, ids in by_label.items()}
        self._disciplines = (now, found)
        return found

    def learn(self, labels: Mapping[str, str]) -> None:
        if len(self._seen) < self.LIMIT:
            self._seen.update(labels)

    def label(self, value: str, field_name: str, backend: SearchBackend) -> str | None:
        known = _obk_label(value) or self._seen.get(value)
        if known is not None:
            return known or None
        result = backend.search(SearchQuery(filters={field_name: (value,)}, size=1))
        for hit in result.hits:
            self.learn(hit.document.labels)
        if value not in self._seen and len(self._seen) < self.LIMIT:
            # No record names it: remember that too (as ""), not to ask on every page.
            self._seen[value] = ""
        return self._seen.get(value) or None


def _obk_label(value: str) -> str | None:
    usual = level_name(value)
    if usual is not None:
        return usual
    term = obk_terms().get(value.lower())
    if term is not None:
        return term.label
    kerndoel = known_kerndoel(value)
    return kerndoel.display if kerndoel else None


def _facet(
    name: str,
    counts: Mapping[str, int],
    selected: Iterable[str],
    backend: SearchBackend,
    labels: TermLabels,
) -> Facet:
    chosen = tuple(selected)
    values = [
        FacetValue(value, count, value in chosen, _value_label(name, value, backend, labels))
        for value, count in counts.items()
    ]
    # A selected value that no longer matches anything stays visible, so it can be removed.
    for value in chosen:
        if value not in counts:
            values.append(FacetValue(value, 0, True, _value_label(name, value, backend, labels)))
    return Facet(name, tuple(values))


# Sector roots among the level terms (Primair onderwijs, HBO...): the sector facet names them already.
_SECTOR_ROOT_FAMILIES = frozenset({"po", "vo", "so", "sbao", "vve", "bve", "hbo", "wo"})


def sidebar_page(page: SearchPage) -> SearchPage:
    """The page as the site's sidebar shows it: its level facets one hierarchy level at a time."""
    return dataclasses.replace(page, facets=hierarchical_facets(page.facets, page.request))


def hierarchical_facets(facets: Sequence[Facet], request: SearchRequest) -> tuple[Facet, ...]:
    """The level facets one hierarchy level at a time, below the sector facet (`contexts`).

    The level facet shows the levels of the chosen sectors (havo, vmbo, vwo for VO; mbo
    levels for BVE), none before a sector is chosen, never a sector's own root term, and for
    primary education no groep terms: the groep facet, shown once PO or SBaO is chosen,
    says those (numbered 1-8 in order). A selected value always stays, to be removed.
    """
    sectors = set(request.filters.get("contexts", ()))
    for value in request.filters.get("educational_levels", ()):
        chosen = level_term(value)
        if chosen is not None and chosen.root and chosen.sector:
            sectors.add(chosen.sector)
    shaped: list[Facet] = []
    for facet in facets:
        if facet.field == "educational_levels":
            facet = Facet(facet.field, tuple(
                value for value in facet.values if value.selected or _level_shown(value.value, sectors)))
        elif facet.field == "groep":
            shown = bool(sectors & GROEP_CONTEXTS) or bool(facet.selected)
            values = sorted(facet.values, key=lambda value: (len(value.value), value.value))
            facet = Facet(facet.field, tuple(values) if shown else ())
        shaped.append(facet)
    return tuple(shaped)


def _level_shown(value: str, sectors: set[str]) -> bool:
    if not sectors:
        return False
    term = level_term(value)
    if term is None:
        # A level the tables do not know: the results counted are of the chosen sectors.
        return True
    if term.root and term.family in _SECTOR_ROOT_FAMILIES:
        return False
    if term.groepen:
        return False
    return term.sector in sectors


def _value_label(name: str, value: str, backend: SearchBackend, labels: TermLabels) -> str | None:
    """The name the data gives a value (OBK terms, licences); None when the front end names it."""
    kind = FACETS_BY_NAME[name].values
    if kind is FacetValues.OBK:
        return labels.label(value, name, backend)
    if kind is FacetValues.LICENCE:
        return licence_name(value)
    return None


def catalogue_overview(backend: SearchBackend, labels: TermLabels | None = None) -> SearchPage:
    """The whole catalogue's counts by sector, level, subject and licence family (no hits).

    Levels at one depth, as in the sidebar: the school types (havo, vmbo, vwo, mbo,
    praktijkonderwijs...), not the sectors the sector counts already give, nor years or groepen.
    """
    request = SearchRequest(size=0)
    result = backend.search(request.query(OVERVIEW_FACETS, highlight=False))
    labels = labels if labels is not None else TermLabels()
    facets = tuple(
        _facet(name, result.facets.get(name, {}), (), backend, labels) for name in OVERVIEW_FACETS
    )
    facets = tuple(
        Facet(facet.field, tuple(value for value in facet.values if _school_type(value.value)))
        if facet.field == "educational_levels" else facet
        for facet in facets
    )
    return SearchPage(request=request, total=result.total, items=(), facets=facets)


def _school_type(value: str) -> bool:
    term = level_term(value)
    return term is not None and term.root and term.family not in _SECTOR_ROOT_FAMILIES


def suggestions(backend: SearchBackend, text: str, limit: int = 8) -> tuple[Suggestion, ...]:
    """Titles completing what was typed so far (empty for blank input)."""
    if not text.strip():
        return ()
    return tuple(
        Suggestion(text=" ".join(text_of(s.text).split()), id=s.id)
        for s in backend.suggest(text[:MAX_TEXT_LENGTH], limit)
    )


# -- did you mean ---------------------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)
# Close spellings asked of the index per unknown word.
SPELLING_CANDIDATES = 5
# How alike (difflib's ratio) a vocabulary name must be to be weighed as a correction at all.
VOCABULARY_CUTOFF = 0.6


def did_you_mean(
    backend: SearchBackend, request: SearchRequest, *, labels: TermLabels | None = None
) -> str | None:
    """A corrected search text that finds materials, or None.

    Each word the index does not know (searching it alone finds nothing) is
    replaced by the closest of: the words the backend's spelling lookup
    offers from indexed titles and keywords, and the names of the subjects,
    levels and material types the product knows, within the edits
    `oer.search.spelling` allows. The corrected text is offered only if
    searching it (with the same filters) finds something.

    `labels`: the caller's long-lived TermLabels (the site's), whose
    disciplines by name the check reads (`understand`); without them they
    are looked up anew, a facet count over the whole catalogue.
    """
    corrected_text = request.text
    changed = False
    # Words to find, not words to exclude (a typo there excludes nothing).
    searched = " ".join(part.text for part in parse_text(request.text).parts if not part.excluded)
    for word in dict.fromkeys(_WORD.findall(searched)):
        if len(word) < MIN_SPELLING_CHARS or word.isdigit():
            continue
        spelling = backend.spelling(word, SPELLING_CANDIDATES)
        if spelling.known:
            continue
        replacement = _closest_spelling(word.lower(), spelling.candidates)
        if replacement is not None:
            replacement = _same_case(word, replacement)
            corrected_text = re.sub(rf"\b{re.escape(word)}\b", replacement, corrected_text)
            changed = True
    if not changed:
        return None
    # Understood as a search is: a correction to a subject's name finds that subject's materials.
    check, _ = understand(backend, SearchRequest(text=corrected_text, filters=request.filters, size=0),
                          labels if labels is not None else TermLabels())
    result = backend.search(check.query((), highlight=False))
    return corrected_text if result.total else None


def _closest_spelling(word: str, candidates: Sequence[str]) -> str | None:
    """The fewest edits away; on a tie the index's own order (by frequency), then vocabulary."""
    allowed = max_edits(word)
    options = [
        (edit_distance(word, candidate), 0, rank, candidate)
        for rank, candidate in enumerate(candidates)
    ]
    names = difflib.get_close_matches(word, _vocabulary_words(), n=3, cutoff=VOCABULARY_CUTOFF)
    options += [(edit_distance(word, name), 1, rank, name) for rank, name in enumerate(names)]
    close = [option for option in options if 0 < option[0] <= allowed]
    return min(close)[-1] if close else None


def _same_case(typed: str, correction: str) -> str:
    """The correction written as the word was typed: capitalised or in capitals."""
    if len(typed) > 1 and typed.isupper():
        return correction.upper()
    if typed[:1].isupper():
        return correction[:1].upper() + correction[1:]
    return correction


@cache
def _vocabulary_words() -> frozenset[str]:
    words: set[str] = set()
    terms: Iterable[Any] = (*educational_level_terms(), *discipline_terms())
    names = [term.label for term in terms]
    names += list(vocabulary(VocabularyName.LEARNING_RESOURCE_TYPE).values)
    for name in names:
        words.update(w.lower() for w in _WORD.findall(name) if len(w) > 3)
    return frozenset(words)


# -- the detail page ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    """Another resource this one relates to: known here (with id and title) or just a target."""

    kind: str
    target: str
    resource_id: str | None
    title: str | None


@dataclass(frozen=True, slots=True)
class SourceCopy:
    """One source's copy of the material: where it came from and when it was harvested.

    Not `oer.catalogue.models.Origin`, which says how the resource came into the
    catalogue (harvested, published, arranged); a resource has one origin and a
    copy per source that serves it.
    """

    source: str
    oai_identifier: str
    datestamp: datetime
    harvested_at: datetime
    deleted: bool
    # What this source itself says the material is called, in which languages, and about:
    # a merged material shows the first source's record, and the others' stay readable here.
    title: str | None = None
    languages: tuple[str, ...] = ()
    description: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "oai_identifier": self.oai_identifier,
            "datestamp": _iso(self.datestamp),
            "harvested_at": _iso(self.harvested_at),
            "deleted": self.deleted,
            "title": self.title,
            "languages": list(self.languages),
            "description": self.description,
        }


@dataclass(frozen=True, slots=True)
class ResourceView:
    """Everything the detail page shows of one resource."""

    id: str
    record: Record
    title: str
    description: str
    deleted: bool
    licence: LicenceRights | None
    learning_time: int | None
    authors: tuple[str, ...]
    publishers: tuple[str, ...]
    source_copies: tuple[SourceCopy, ...]
    # Parts of this material, and materials it is part of (relations both ways).
    parts: tuple[Link, ...]
    part_of: tuple[Link, ...]
    related: tuple[Link, ...]
    updated_at: datetime


PART_KINDS = ("haspart",)
PART_OF_KINDS = ("ispartof",)


def describe_resource(detail: ResourceDetail) -> ResourceView:
    """Shape a stored resource for its detail page (and the API's provenance)."""
    record = detail.record
    parts = [_link(r) for r in detail.relations if r.kind in PART_KINDS]
    parts += [_incoming(r) for r in detail.incoming if r.kind in PART_OF_KINDS]
    part_of = [_link(r) for r in detail.relations if r.kind in PART_OF_KINDS]
    part_of += [_incoming(r) for r in detail.incoming if r.kind in PART_KINDS]
    related = [_link(r) for r in detail.relations if r.kind not in (*PART_KINDS, *PART_OF_KINDS)]
    title = clean_text(record.title or next(iter(record.titles.values()), "")) or ""
    return ResourceView(
        id=detail.id,
        record=record,
        title=title,
        description=text_of(record.description),
        deleted=detail.deleted,
        licence=licence_rights(record.licence),
        learning_time=record.typical_learning_time,
        authors=_names(record, ("author",)),
        publishers=_names(record, ("publisher",)),
        source_copies=tuple(_source_copy(p) for p in detail.provenances),
        parts=_unique_links(parts),
        part_of=_unique_links(part_of),
        related=_unique_links(related),
        updated_at=detail.updated_at,
    )


def provenance_of(detail: ResourceDetail) -> list[dict[str, Any]]:
    """The API's `provenance` list: one entry per source that served the resource."""
    return [_source_copy(p).to_dict() for p in detail.provenances]


def _source_copy(provenance: ProvenanceEntry) -> SourceCopy:
    record = provenance.record
    return SourceCopy(
        source=provenance.source,
        oai_identifier=provenance.oai_identifier,
        datestamp=provenance.source_datestamp,
        harvested_at=provenance.harvested_at,
        deleted=provenance.deleted,
        title=clean_text(record.title),
        languages=tuple(record.languages),
        description=clean_text(record.description),
    )


def _link(relation: RelationEntry) -> Link:
    return Link(relation.kind, relation.target, relation.resource_id, clean_text(relation.title))


def _incoming(relation: RelationEntry) -> Link:
    # For an incoming relation, `resource_id` is the resource that points here.
    return Link(relation.kind, relation.resource_id or relation.target, relation.resource_id,
                clean_text(relation.title))


def clean_text(text: str | None) -> str | None:
    """Harvested text (a title, a description) as plain text on one line; None when nothing is left."""
    return " ".join(text_of(text).split()) or None if text else None


def _unique_links(links: Iterable[Link]) -> tuple[Link, ...]:
    seen: dict[str, Link] = {}
    for link in links:
        seen.setdefault(link.resource_id or link.target, link)
    return tuple(seen.values())


def _names(record: Record, roles: Sequence[str]) -> tuple[str, ...]:
    names = (c.name.strip() for c in record.contributors if c.name and c.role in roles)
    return tuple(dict.fromkeys(name for name in names if name))


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def json_ld(view: ResourceView, page_url: str, resource_url: Any) -> dict[str, Any]:
    """The schema.org `LearningResource` description of a material (for its detail page).

    `resource_url(id)` gives the page URL of another resource (parts, wholes). Every `url`
    in it is an http(s) URL: a part or whole known here by its page, else by its own web
    location; an identifier that is no web address (`oai:…`) is given as `identifier`.
    """
    record = view.record
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "LearningResource",
        "@id": page_url,
    }
    # The view's title is text already: one made only of markup leaves no name (schema.org allows none).
    if view.title:
        data["name"] = view.title
    if view.description:
        data["description"] = view.description
    if record.location and is_web_url(record.location):
        data["url"] = record.location.strip()
    if record.languages:
        data["inLanguage"] = list(record.languages)
    if record.keywords:
        data["keywords"] = ", ".join(record.keywords)
    if record.learning_resource_types:
        data["learningResourceType"] = list(record.learning_resource_types)
    levels = [_defined_term(t) for t in record.educational_levels]
    if levels:
        data["educationalLevel"] = levels
    subjects = [_defined_term(t) for t in record.disciplines]
    if subjects:
        data["about"] = subjects
    objectives = [_defined_term(t) for t in record.educational_objectives]
    if objectives:
        data["teaches"] = objectives
    if record.end_user_roles:
        data["audience"] = [
            {"@type": "EducationalAudience", "educationalRole": role} for role in record.end_user_roles
        ]
    if record.typical_age_range:
        data["typicalAgeRange"] = _age_range(record.typical_age_range)
    if view.learning_time:
        data["timeRequired"] = seconds_to_duration(view.learning_time)
    if view.licence is not None and view.licence.url:
        data["license"] = view.licence.url
    if record.cost is not None:
        data["isAccessibleForFree"] = not record.cost
    if view.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in view.authors]
    if view.publishers:
        data["publisher"] = [{"@type": "Organization", "name": name} for name in view.publishers]
    if record.identifiers:
        data["identifier"] = [
            {"@type": "PropertyValue", "propertyID": i.catalog, "value": i.entry}
            for i in record.identifiers
        ]
    if view.parts:
        data["hasPart"] = [_ld_link(link, resource_url) for link in view.parts]
    if view.part_of:
        data["isPartOf"] = [_ld_link(link, resource_url) for link in view.part_of]
    published = publication_date(record)
    if published is not None:
        data["datePublished"] = published
    data["dateModified"] = _iso(view.updated_at)
    return data


def _age_range(text: str) -> str:
    # schema.org writes an open range as "18-"; NL-LOM records write "16+".
    text = text.strip()
    return f"{text[:-1]}-" if text.endswith("+") else text


def _defined_term(term: Term) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "DefinedTerm", "termCode": term.id, "inDefinedTermSet": OBK_SOURCE}
    if term.label:
        data["name"] = term.label
    return data


def _ld_link(link: Link, resource_url: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "LearningResource"}
    if link.resource_id:
        page = resource_url(link.resource_id)
        data["@id"] = data["url"] = page
    elif is_web_url(link.target):
        data["url"] = link.target.strip()
    else:
        # An OAI identifier or URN of a material not known here: no page to link to.
        data["identifier"] = link.target
    if link.title:
        data["name"] = link.title
    return data
