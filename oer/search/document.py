"""What the index holds for one resource, and how a Record is flattened into it. Pure; no I/O.

A `SearchDocument` is the same for every backend. Its filter/facet fields are
the ones `metadata.facets.FACETS` declares: plain strings (vocabulary codes and
OBK ids), named as the record's JSON keys, so `--filter educational_levels=<uuid>`
means the same everywhere. Labels for OBK ids travel along in `labels` for
display; they are not indexed.

A document has two dates. `updated_at` is when the resource last changed in
this repository (a harvest that found a new version, an edit): bookkeeping,
not shown to teachers. `date` is the material's own date, what results show
and "newest first" sorts by (`material_date`): its publication date from the
record's lifecycle (the publisher's contribution, else the author's), or a
later lifecycle contribution (a change at the source), else the source's OAI
datestamp (its last change there), else `updated_at`. Its `kind` says which,
so the result card can say "gepubliceerd" or "gewijzigd bij de bron", and its
`precision` how much of it is known ("2017" stays a year).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from metadata.dublin_core import publication_date
from metadata.facets import FACET_FIELDS, FACETS, unique_values
from metadata.record import Record
from oer.search.errors import SearchQueryError

# The version of the index schema, the same for both backends: the facet table
# (`metadata.facets.FACETS`), the text fields below and each backend's analysis.
# Bump it when any of them changes; an index of another version is reported as
# needing `oer reindex` instead of being read wrongly.
INDEX_SCHEMA_VERSION = 8

# Full-text fields and their boosts: a match in the title counts more than
# one in the keywords, which counts more than one in the description (the
# weights SURF edusources uses for the same Edurep records).
TEXT_FIELD_BOOSTS: Mapping[str, float] = {
    "title": 5.0,
    "keywords": 4.0,
    "description": 3.0,
    "authors": 2.0,
}

HIGHLIGHT_FIELDS: tuple[str, ...] = ("title", "description")


class DateKind(enum.StrEnum):
    """What a material's date (`MaterialDate`) is."""

    PUBLISHED = "published"  # the publisher's (else the author's) lifecycle contribution date
    CHANGED = "changed"  # a later lifecycle contribution, or the source's OAI datestamp
    STORED = "stored"  # nothing from the source: when it last changed in this repository


class DatePrecision(enum.StrEnum):
    """How much of a date the source gave: LOM dates may be a year or a month only."""

    YEAR = "year"
    MONTH = "month"
    DAY = "day"


@dataclass(frozen=True, slots=True)
class MaterialDate:
    """The material's own date: a UTC moment (the start of the year or month when only
    that is known), what it is, and how precise."""

    moment: datetime
    kind: DateKind
    precision: DatePrecision = DatePrecision.DAY


# A W3CDTF date (year, year-month or full date) at the start of a LOM dateTime or datestamp.
_DATE_PART = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def parse_material_date(text: str | None) -> tuple[datetime, DatePrecision] | None:
    """The start (UTC) of the date `text` begins with, and its precision; None if it has none.

    Only the date is read: a lifecycle date's time and offset say nothing a teacher needs.
    """
    match = _DATE_PART.match(text.strip()) if text else None
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        moment = datetime(int(year), int(month or 1), int(day or 1), tzinfo=UTC)
    except ValueError:
        return None
    precision = DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
    return moment, precision


def material_date(record: Record, stored: datetime) -> MaterialDate:
    """The material's own date (see the module's docstring); `stored` is the last resort."""
    published = parse_material_date(publication_date(record))
    latest: tuple[datetime, DatePrecision] | None = None
    for contributor in record.contributors:
        found = parse_material_date(contributor.date)
        if found is not None and (latest is None or found[0] > latest[0]):
            latest = found
    if published is not None:
        if latest is not None and latest[0] > published[0]:
            return MaterialDate(latest[0], DateKind.CHANGED, latest[1])
        return MaterialDate(published[0], DateKind.PUBLISHED, published[1])
    if latest is not None:
        return MaterialDate(latest[0], DateKind.CHANGED, latest[1])
    datestamp = parse_material_date(record.datestamp)
    if datestamp is not None:
        return MaterialDate(datestamp[0], DateKind.CHANGED, datestamp[1])
    return MaterialDate(stored.astimezone(UTC), DateKind.STORED)


@dataclass(frozen=True, slots=True, init=False)
class SearchDocument:
    """One resource as the search index sees it; `to_dict` is its stored JSON form.

    `facets` holds every facet field of `metadata.facets.FACETS`, in table
    order; each is also an attribute (`document.contexts`) and a keyword of
    the constructor (`SearchDocument(..., contexts=("PO",))`).
    """

    id: str
    title: str
    updated_at: datetime
    description: str | None
    keywords: tuple[str, ...]
    authors: tuple[str, ...]
    url: str | None
    facets: Mapping[str, tuple[str, ...]]
    # OBK id -> label, for educational_levels and disciplines (display only).
    labels: Mapping[str, str]
    # The material's own date (`material_date`); `updated_at`, as STORED, when none is given.
    date: MaterialDate
    # The typical learning time in seconds (display only, for the result card).
    learning_time: int | None

    def __init__(
        self,
        id: str,
        title: str,
        updated_at: datetime,
        description: str | None = None,
        keywords: tuple[str, ...] = (),
        authors: tuple[str, ...] = (),
        url: str | None = None,
        labels: Mapping[str, str] | None = None,
        date: MaterialDate | None = None,
        learning_time: int | None = None,
        **facet_values: Iterable[str],
    ) -> None:
        unknown = sorted(set(facet_values) - set(FACET_FIELDS))
        if unknown:
            raise TypeError(f"SearchDocument has no field {unknown[0]!r}")
        self._assign(
            id,
            title,
            updated_at,
            description,
            keywords,
            authors,
            url,
            {name: tuple(facet_values.get(name, ())) for name in FACET_FIELDS},
            {} if labels is None else labels,
            date if date is not None else MaterialDate(updated_at, DateKind.STORED),
            learning_time,
        )

    def _assign(
        self,
        id: str,
        title: str,
        updated_at: datetime,
        description: str | None,
        keywords: tuple[str, ...],
        authors: tuple[str, ...],
        url: str | None,
        facets: Mapping[str, tuple[str, ...]],
        labels: Mapping[str, str],
        date: MaterialDate,
        learning_time: int | None,
    ) -> None:
        if updated_at.tzinfo is None or date.moment.tzinfo is None:
            raise ValueError("SearchDocument's dates must be timezone-aware")
        assign = object.__setattr__
        assign(self, "id", id)
        assign(self, "title", title)
        assign(self, "updated_at", updated_at)
        assign(self, "description", description)
        assign(self, "keywords", keywords)
        assign(self, "authors", authors)
        assign(self, "url", url)
        assign(self, "facets", facets)
        assign(self, "labels", labels)
        assign(self, "date", date)
        assign(self, "learning_time", learning_time)

    def __getattr__(self, name: str) -> tuple[str, ...]:
        # Only called when ordinary lookup fails: the facet fields.
        if name in FACET_FIELDS:
            return self.facet_values(name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def facet_values(self, name: str) -> tuple[str, ...]:
        return self.facets[name]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "updated_at": self.updated_at.astimezone(UTC).isoformat(),
            "description": self.description,
            "keywords": list(self.keywords),
            "authors": list(self.authors),
            "url": self.url,
            "date": self.date.moment.astimezone(UTC).isoformat(),
            "date_kind": self.date.kind.value,
            "date_precision": self.date.precision.value,
            "learning_time": self.learning_time,
        }
        facets = self.facets
        for name in FACET_FIELDS:
            data[name] = list(facets[name])
        data["labels"] = dict(self.labels)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SearchDocument:
        # Called for every hit of every search (the stored form of both
        # backends), so it fills the fields directly instead of going through
        # the keyword constructor: the keys are the ones `to_dict` writes.
        get = data.get
        updated_at = datetime.fromisoformat(str(data["updated_at"]))
        stored_date = get("date")
        date = MaterialDate(
            datetime.fromisoformat(str(stored_date)),
            DateKind(get("date_kind") or DateKind.STORED),
            DatePrecision(get("date_precision") or DatePrecision.DAY),
        ) if stored_date else MaterialDate(updated_at, DateKind.STORED)
        document = object.__new__(cls)
        document._assign(
            str(data["id"]),
            str(get("title") or ""),
            updated_at,
            get("description"),
            tuple(get("keywords") or ()),
            tuple(get("authors") or ()),
            get("url"),
            {name: tuple(get(name) or ()) for name in FACET_FIELDS},
            dict(get("labels") or {}),
            date,
            get("learning_time"),
        )
        return document


def document_from_record(
    resource_id: str,
    record: Record,
    *,
    sources: Sequence[str],
    updated_at: datetime,
    author_roles: Iterable[str] = ("author",),
    supplied: Mapping[str, Iterable[str]] | None = None,
) -> SearchDocument:
    """Flatten a record into the fields the index needs.

    `sources` are the names of the harvest sources (or `local`) that serve the
    resource; `updated_at` is when the resource last changed in this
    repository; the material's own `date` (what "sort by date" orders on) is
    `material_date`'s. Authors are the names of
    contributors with one of `author_roles`. `supplied` holds the values of
    the fields not read from the record (`FacetField.supplied`).
    """
    roles = frozenset(author_roles)
    terms = (*record.educational_levels, *record.disciplines, *record.educational_objectives)
    labels = {term.id: term.label for term in terms if term.label}
    stored = updated_at if updated_at.tzinfo else updated_at.replace(tzinfo=UTC)
    return SearchDocument(
        id=resource_id,
        title=_title(record),
        updated_at=stored,
        date=material_date(record, stored),
        learning_time=record.typical_learning_time,
        description=record.description or None,
        keywords=unique_values(record.keywords),
        authors=unique_values(
            c.name for c in record.contributors if c.name and c.role in roles),
        url=record.location,
        labels=labels,
        **{
            facet.name: unique_values((supplied or {}).get(facet.name, ())) if facet.supplied
            else facet.read(record, sources)
            for facet in FACETS
        },
    )


def check_field(name: str) -> str:
    """`name` if it is a filter/facet field, else a SearchQueryError listing the valid ones."""
    if name not in FACET_FIELDS:
        raise SearchQueryError(
            f"unknown search field {name!r}; use one of: {', '.join(FACET_FIELDS)}"
        )
    return name


def _title(record: Record) -> str:
    if record.title:
        return record.title
    for title in record.titles.values():
        if title:
            return title
    return ""
