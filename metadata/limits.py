"""Size limits on normalised records, and the cutting that keeps a record within them. Pure; no I/O.

Harvested metadata is untrusted: a source that sends a 10 MB description or
100 000 keywords must not make every page, API answer, index document and
feed response that shows the record that large. After a record is read,
`limit_record` brings each field within its limit below and records an issue
that names the field (its NL-LOM path), its size and the limit:

- prose (titles, descriptions, keywords, names, labels) is cut to the limit,
  at a word boundary where there is one, and ends in "…"
  (`value-too-long`);
- a value that a cut would turn into another value (a link, an identifier, a
  code, a date) is dropped instead (`value-too-long`);
- a list keeps its first values (`too-many-values`).

A record cut in any field loses its copy of the source's whole LOM
(`Record.lom`), which would say again what was cut: the feed then writes it
from its fields.

Nothing is lost for good: the harvest archives the record's XML as the
source sent it, before normalisation, so a record can be re-normalised from
the archive under other limits.

The limits are far above what real sources send (real NL-LOM records are a
few kilobytes), and at least as generous as what a publisher may submit here
(`metadata.submission`), so a record published here and harvested back is
never cut. A whole record's XML has a limit too (`RECORD_XML_MAX`): a larger
record is refused unread, as a failed record of its page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from metadata.errors import RecordTooLargeError
from metadata.issues import IssueCode, make_issue
from metadata.record import Annotation, Contributor, Identifier, Issue, Licence, Record, Relation, Term
from metadata.text import dedupe

# -- prose: cut at a word boundary -------------------------------------------------------------

# Real titles are under 300 characters; a result list shows about 100. Twice what a publisher
# may type (submission.TITLE_MAX).
TITLE_MAX = 1_000
# The longest real descriptions are whole lesson texts pasted in, a few thousand characters.
# 50 000 (some 8 000 words) keeps those whole, is 2.5 times what a publisher may type
# (submission.DESCRIPTION_MAX), and keeps a detail page and an index document to tens of kB.
DESCRIPTION_MAX = 50_000
# A keyword is a word or a short phrase; longer ones are sentences or lists pasted into one
# keyword. 2.5 times what a publisher may type (submission.KEYWORD_MAX).
KEYWORD_MAX = 500
# One line of prose: a contributor's or annotator's name, a vCard role, a classification
# term's label, an age range. 2.5 times a publisher's author name (submission.NAME_MAX).
LINE_MAX = 500
# A LOM annotation is a reviewer's comment: a paragraph or a few.
ANNOTATION_MAX = 10_000

# -- values a cut would change: dropped ----------------------------------------------------------

# A location, relation target, identifier entry or licence URL. Browsers and search engines
# reliably handle 2 048 characters (the sitemaps protocol's limit); twice that leaves room for
# long query strings, and is twice what a publisher may give (submission.LOCATION_MAX).
LINK_MAX = 4_096
# A language tag, vocabulary value, media type, classification term id, catalog name, date or
# licence code. None comes near: RFC 5646 section 4.4.1 asks room for 35-character language
# tags, RFC 6838 section 4.2 allows 127 characters for each half of a media type; ids are
# UUIDs or URIs. A longer one is no code at all.
VALUE_MAX = 500

# -- how many values a list keeps: the first ones ------------------------------------------------

# Edurep records carry under 20 keywords; some sources add every OBK label as a keyword, which
# is a few dozen. Four times what a publisher may give (submission.KEYWORDS_MAX).
KEYWORDS_MAX = 200
# Languages a material is in (general/language), and title translations.
LANGUAGES_MAX = 20
# Catalog entries: a record has one per catalog that lists it, rarely more than five.
IDENTIFIERS_MAX = 100
# Values of one vocabulary (formats, learning resource types, end-user roles, contexts): the
# vocabularies have at most a few dozen values, but unknown ones are kept verbatim.
VALUES_MAX = 100
# Terms of one classification (educational levels, disciplines, kerndoelen): a record for all
# of primary education lists its 58 kerndoelen; OBK's largest branch has a few hundred terms.
TERMS_MAX = 500
# lifecycle/contribute entries: a publisher may name 50 authors (submission.AUTHORS_MAX).
CONTRIBUTORS_MAX = 200
# Relations: a collection names its parts, at most a few hundred in real arrangements.
RELATIONS_MAX = 500
# Annotations (reviews, comments).
ANNOTATIONS_MAX = 50
# The issues found while reading, and the length of each message (messages quote the values
# they are about, which may be as long as the source likes). The limits' own issues, at most one
# per field, come on top.
ISSUES_MAX = 200
ISSUE_MESSAGE_MAX = 1_000

# -- a whole record -------------------------------------------------------------------------------

# One record's metadata XML, in bytes. Field limits make what is kept small whatever comes in,
# so this one only bounds what reading a record costs (several times its size in memory):
# more than three times the largest text the XML parser accepts in one element (10 MB without
# libxml2's huge-tree option), so a merely bloated record (a book pasted in as description,
# thousands of keywords) is still read and cut to the field limits, while a larger one is
# refused before it is parsed a second time. A page is bounded by the harvester's client.
RECORD_XML_MAX = 32 * 1024 * 1024

ELLIPSIS = "…"

_T = TypeVar("_T")


def check_record_size(size: int) -> None:
    """Raise `RecordTooLargeError` for a record of `size` bytes over `RECORD_XML_MAX`."""
    if size > RECORD_XML_MAX:
        raise RecordTooLargeError(
            f"record metadata is {size} bytes, more than the limit of {RECORD_XML_MAX} bytes "
            f"({RECORD_XML_MAX // (1024 * 1024)} MiB); refused unread")


def truncate_text(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in "…"; unchanged if it fits.

    The cut falls at the last white space before the limit, unless that would
    lose more than half of what fits (one very long word, or a script written
    without spaces): then it falls at the limit itself.
    """
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return text[:limit]
    room = limit - len(ELLIPSIS)
    head = text[:room]
    if not text[room].isspace():
        boundary = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
        if boundary >= room // 2:
            head = head[:boundary]
    return head.rstrip() + ELLIPSIS


def limit_record(record: Record) -> Record:
    """`record` with every field within its limit, and an issue for each field that was not.

    A record within every limit (the common case) is returned as it is, after
    one length check per value.
    """
    if _within_limits(record):
        return record
    return _limit_fields(record)


def _limit_fields(record: Record) -> Record:
    """`limit_record` the long way: every field through `_Limits`, which words an issue per excess."""
    limits = _Limits()
    changed: dict[str, Any] = {
        "title": limits.cut(record.title, TITLE_MAX, "general/title", "title"),
        "titles": limits.titles(record.titles),
        "description": limits.cut(record.description, DESCRIPTION_MAX, "general/description", "description"),
        "keywords": limits.keywords(record.keywords),
        "languages": limits.codes(record.languages, LANGUAGES_MAX, "general/language", "language"),
        "identifiers": limits.identifiers(record.identifiers),
        "location": limits.drop(record.location, LINK_MAX, "technical/location", "location"),
        "locations": limits.links(record.locations, "technical/location", "location"),
        "formats": limits.codes(record.formats, VALUES_MAX, "technical/format", "format"),
        "learning_resource_types": limits.codes(
            record.learning_resource_types, VALUES_MAX, "educational/learningresourcetype",
            "learning resource type"),
        "end_user_roles": limits.codes(
            record.end_user_roles, VALUES_MAX, "educational/intendedenduserrole", "end-user role"),
        "contexts": limits.codes(record.contexts, VALUES_MAX, "educational/context", "context"),
        "educational_levels": limits.terms(record.educational_levels, "educational level"),
        "disciplines": limits.terms(record.disciplines, "discipline"),
        "educational_objectives": limits.terms(record.educational_objectives, "educational objective"),
        "typical_age_range": limits.cut(
            record.typical_age_range, LINE_MAX, "educational/typicalagerange", "age range"),
        "licence": limits.licence(record.licence),
        "access_rights": limits.drop(
            record.access_rights, VALUE_MAX, "classification[access rights]/taxonpath/taxon/id",
            "access rights"),
        "contributors": limits.contributors(record.contributors),
        "relations": limits.relations(record.relations),
        "annotations": limits.annotations(record.annotations),
        "issues": _limit_issues(record.issues),
    }
    changes = {name: value for name, value in changed.items() if value is not getattr(record, name)}
    if record.lom is not None and set(changes) - {"issues"}:
        # The source's whole LOM would say again what was cut: the record is written from
        # its fields instead (the archived XML still has everything).
        changes["lom"] = None
    issues = limits.finish()
    if issues:
        changes["issues"] = (*changed["issues"], *issues)
    return record.with_changes(**changes) if changes else record


def _fits(text: str | None, limit: int) -> bool:
    return text is None or len(text) <= limit


def _codes_fit(values: tuple[str, ...], count: int) -> bool:
    if len(values) > count:
        return False
    for value in values:  # noqa: SIM110 - a loop, not all() over a generator: this runs for every record
        if value is not None and len(value) > VALUE_MAX:
            return False
    return True


def _terms_fit(terms: tuple[Term, ...]) -> bool:
    if len(terms) > TERMS_MAX:
        return False
    for term in terms:
        if term.id is None or len(term.id) > VALUE_MAX or (term.label is not None and len(term.label) > LINE_MAX):
            return False
    return True


def _within_limits(record: Record) -> bool:
    """Whether `limit_record` would change nothing: the same checks as `_Limits`, without building anything.

    Every condition here is one under which the corresponding `_Limits` method
    returns its input unchanged; anything else goes the long way, which also
    words the issues. (Loops, not `all()`: this runs for every record read.)
    """
    if not (_fits(record.title, TITLE_MAX) and _fits(record.description, DESCRIPTION_MAX)
            and _fits(record.location, LINK_MAX) and _fits(record.typical_age_range, LINE_MAX)
            and _fits(record.access_rights, VALUE_MAX)):
        return False
    titles = record.titles
    if len(titles) > LANGUAGES_MAX:
        return False
    for lang, text in titles.items():
        if len(lang) > VALUE_MAX or len(text) > TITLE_MAX:
            return False
    keywords = record.keywords
    if len(keywords) > KEYWORDS_MAX:
        return False
    for keyword in keywords:
        if keyword is not None and len(keyword) > KEYWORD_MAX:
            return False
    if not (_codes_fit(record.languages, LANGUAGES_MAX) and _codes_fit(record.formats, VALUES_MAX)
            and _codes_fit(record.learning_resource_types, VALUES_MAX)
            and _codes_fit(record.end_user_roles, VALUES_MAX) and _codes_fit(record.contexts, VALUES_MAX)
            and _terms_fit(record.educational_levels) and _terms_fit(record.disciplines)
            and _terms_fit(record.educational_objectives)):
        return False
    if len(record.identifiers) > IDENTIFIERS_MAX or len(record.locations) > VALUES_MAX:
        return False
    for location in record.locations:
        if len(location) > LINK_MAX:
            return False
    for identifier in record.identifiers:
        if (identifier.catalog is None or len(identifier.catalog) > VALUE_MAX
                or identifier.entry is None or len(identifier.entry) > LINK_MAX):
            return False
    licence = record.licence
    if licence is not None and (licence.code is None or len(licence.code) > VALUE_MAX
                                or not _fits(licence.url, LINK_MAX)):
        return False
    if len(record.contributors) > CONTRIBUTORS_MAX:
        return False
    for contributor in record.contributors:
        if not (_fits(contributor.role, VALUE_MAX) and _fits(contributor.name, LINE_MAX)
                and _fits(contributor.date, VALUE_MAX)):
            return False
    if len(record.relations) > RELATIONS_MAX:
        return False
    for relation in record.relations:
        if relation.target is None or len(relation.target) > LINK_MAX or not _fits(relation.kind, VALUE_MAX):
            return False
    if len(record.annotations) > ANNOTATIONS_MAX:
        return False
    for annotation in record.annotations:
        if not (_fits(annotation.name, LINE_MAX) and _fits(annotation.role, LINE_MAX)
                and _fits(annotation.date, VALUE_MAX) and _fits(annotation.description, ANNOTATION_MAX)):
            return False
    if len(record.issues) > ISSUES_MAX:
        return False
    for issue in record.issues:
        if len(issue.message) > ISSUE_MESSAGE_MAX or len(issue.path) > VALUE_MAX:
            return False
    return True


def _limit_issues(issues: tuple[Issue, ...]) -> tuple[Issue, ...]:
    kept = issues[:ISSUES_MAX]
    shortened = tuple(
        issue if len(issue.message) <= ISSUE_MESSAGE_MAX and len(issue.path) <= VALUE_MAX
        else Issue(issue.code, truncate_text(issue.path, VALUE_MAX),
                   truncate_text(issue.message, ISSUE_MESSAGE_MAX))
        for issue in kept)
    if len(issues) > ISSUES_MAX:
        shortened += (make_issue(
            IssueCode.TOO_MANY_VALUES, "",
            f"{len(issues)} issues, more than the limit of {ISSUES_MAX}; the first {ISSUES_MAX} are kept"),)
    if len(shortened) == len(issues) and all(a is b for a, b in zip(shortened, issues, strict=True)):
        return issues
    return shortened


class _Limits:
    """Brings values within limits, noting each excess; `finish` turns the notes into issues.

    Excesses are noted per (path, what) and reported once each, so 100 000
    over-long keywords make one issue, not 100 000.
    """

    def __init__(self) -> None:
        self._counted: list[Issue] = []
        # (path, what, limit, dropped) -> the lengths over the limit
        self._long: dict[tuple[str, str, int, bool], list[int]] = {}

    def finish(self) -> list[Issue]:
        issues = list(self._counted)
        for (path, what, limit, dropped), lengths in self._long.items():
            outcome = "not kept" if dropped else "cut to fit"
            if len(lengths) == 1:
                message = f"{what} has {lengths[0]} characters, more than the limit of {limit}; {outcome}"
            else:
                message = (f"{what}: {len(lengths)} values have more than the limit of {limit} characters "
                           f"(the longest {max(lengths)}); {outcome}")
            issues.append(make_issue(IssueCode.VALUE_TOO_LONG, path, message))
        return issues

    # single values

    def cut(self, text: str | None, limit: int, path: str, what: str) -> str | None:
        if text is None or len(text) <= limit:
            return text
        self._long.setdefault((path, what, limit, False), []).append(len(text))
        return truncate_text(text, limit)

    def drop(self, text: str | None, limit: int, path: str, what: str) -> str | None:
        if text is None or len(text) <= limit:
            return text
        self._long.setdefault((path, what, limit, True), []).append(len(text))
        return None

    def first(self, values: Sequence[_T], limit: int, path: str, what: str) -> Sequence[_T]:
        if len(values) <= limit:
            return values
        self._counted.append(make_issue(
            IssueCode.TOO_MANY_VALUES, path,
            f"{len(values)} {what} values, more than the limit of {limit}; the first {limit} are kept"))
        return values[:limit]

    # fields

    def titles(self, titles: Mapping[str, str]) -> Mapping[str, str]:
        if len(titles) <= LANGUAGES_MAX and all(
                len(lang) <= VALUE_MAX and len(text) <= TITLE_MAX for lang, text in titles.items()):
            return titles
        limited: dict[str, str] = {}
        for lang, text in self.first(list(titles.items()), LANGUAGES_MAX, "general/title", "title"):
            if self.drop(lang, VALUE_MAX, "general/title", "title language") is not None:
                limited[lang] = self.cut(text, TITLE_MAX, "general/title", "title") or ""
        return limited

    def keywords(self, keywords: tuple[str, ...]) -> tuple[str, ...]:
        kept = self.first(keywords, KEYWORDS_MAX, "general/keyword", "keyword")
        cut = _each(kept, lambda word: self.cut(word, KEYWORD_MAX, "general/keyword", "keyword"), keywords)
        # Two keywords cut to the same text are one keyword.
        return keywords if cut is keywords else dedupe(cut)

    def codes(self, values: tuple[str, ...], limit: int, path: str, what: str) -> tuple[str, ...]:
        kept = self.first(values, limit, path, what)
        return _each(kept, lambda value: self.drop(value, VALUE_MAX, path, what), original=values)

    def links(self, values: tuple[str, ...], path: str, what: str) -> tuple[str, ...]:
        kept = self.first(values, VALUES_MAX, path, what)
        return _each(kept, lambda value: self.drop(value, LINK_MAX, path, what), original=values)

    def identifiers(self, identifiers: tuple[Identifier, ...]) -> tuple[Identifier, ...]:
        path = "general/catalogentry"
        kept = self.first(identifiers, IDENTIFIERS_MAX, path, "identifier")

        def one(identifier: Identifier) -> Identifier | None:
            if self.drop(identifier.catalog, VALUE_MAX, f"{path}/catalog", "catalog") is None:
                return None
            if self.drop(identifier.entry, LINK_MAX, f"{path}/entry", "identifier") is None:
                return None
            return identifier

        return _each(kept, one, original=identifiers)

    def terms(self, terms: tuple[Term, ...], purpose: str) -> tuple[Term, ...]:
        path = f"classification[{purpose}]/taxonpath/taxon"
        kept = self.first(terms, TERMS_MAX, path, purpose)

        def one(term: Term) -> Term | None:
            if self.drop(term.id, VALUE_MAX, f"{path}/id", f"{purpose} id") is None:
                return None
            label = self.cut(term.label, LINE_MAX, f"{path}/entry", f"{purpose} label")
            return term if label is term.label else replace(term, label=label)

        return _each(kept, one, original=terms)

    def licence(self, licence: Licence | None) -> Licence | None:
        if licence is None:
            return None
        if self.drop(licence.code, VALUE_MAX, "rights/copyrightandotherrestrictions", "licence") is None:
            return None
        url = self.drop(licence.url, LINK_MAX, "rights/description", "licence URL")
        return licence if url is licence.url else replace(licence, url=url)

    def contributors(self, contributors: tuple[Contributor, ...]) -> tuple[Contributor, ...]:
        path = "lifecycle/contribute"
        kept = self.first(contributors, CONTRIBUTORS_MAX, path, "contributor")

        def one(contributor: Contributor) -> Contributor:
            role = self.drop(contributor.role, VALUE_MAX, f"{path}/role", "contributor role")
            name = self.cut(contributor.name, LINE_MAX, f"{path}/centity", "contributor name")
            date = self.drop(contributor.date, VALUE_MAX, f"{path}/date", "contributor date")
            if role is contributor.role and name is contributor.name and date is contributor.date:
                return contributor
            return Contributor(role=role or "", name=name, date=date)

        return _each(kept, one, original=contributors)

    def relations(self, relations: tuple[Relation, ...]) -> tuple[Relation, ...]:
        kept = self.first(relations, RELATIONS_MAX, "relation", "relation")

        def one(relation: Relation) -> Relation | None:
            if self.drop(relation.target, LINK_MAX, "relation/resource", "relation target") is None:
                return None
            kind = self.drop(relation.kind, VALUE_MAX, "relation/kind", "relation kind")
            return relation if kind is relation.kind else replace(relation, kind=kind or "")

        return _each(kept, one, original=relations)

    def annotations(self, annotations: tuple[Annotation, ...]) -> tuple[Annotation, ...]:
        path = "annotation"
        kept = self.first(annotations, ANNOTATIONS_MAX, path, "annotation")

        def one(annotation: Annotation) -> Annotation:
            limited = Annotation(
                name=self.cut(annotation.name, LINE_MAX, f"{path}/person", "annotator name"),
                role=self.cut(annotation.role, LINE_MAX, f"{path}/person", "annotator role"),
                date=self.drop(annotation.date, VALUE_MAX, f"{path}/date", "annotation date"),
                description=self.cut(annotation.description, ANNOTATION_MAX, f"{path}/description",
                                     "annotation"),
            )
            return annotation if limited == annotation else limited

        return _each(kept, one, original=annotations)


def _each(values: Sequence[_T], limit_one: Callable[[_T], _T | None],
          original: tuple[_T, ...]) -> tuple[_T, ...]:
    """`limit_one` applied to each of `values` (the first ones of `original`), None results left out.

    `original` itself when that changes nothing, so an unchanged field stays the same object.
    """
    limited = [limit_one(value) for value in values]
    if len(values) == len(original) and all(a is b for a, b in zip(limited, values, strict=True)):
        return original
    return tuple(value for value in limited if value is not None)
