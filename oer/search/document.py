"""What the index holds for one resource, and how a Record is flattened into it. Pure; no I/O.

A `SearchDocument` is the same for every backend. Its filter/facet fields carry
plain strings (vocabulary codes and OBK ids), named as the record's JSON keys,
so `--filter educational_levels=<uuid>` means the same everywhere. Labels for
OBK ids travel along in `labels` for display; they are not indexed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from metadata.licence import licence_family
from metadata.record import Record
from oer.search.errors import SearchQueryError

# The filter and facet fields, in the order they are shown. Every one is a
# multi-valued string field in every backend; single-valued ones simply hold
# at most one value.
FACET_FIELDS: tuple[str, ...] = (
    "contexts",
    "educational_levels",
    "disciplines",
    "learning_resource_types",
    "licence",
    "licence_family",
    "languages",
    "source",
    "aggregation_level",
    "access_rights",
    "cost",
)

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


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """One resource as the search index sees it; `to_dict` is its stored JSON form."""

    id: str
    title: str
    updated_at: datetime
    description: str | None = None
    keywords: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    url: str | None = None
    contexts: tuple[str, ...] = ()
    educational_levels: tuple[str, ...] = ()
    disciplines: tuple[str, ...] = ()
    learning_resource_types: tuple[str, ...] = ()
    licence: tuple[str, ...] = ()
    licence_family: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    aggregation_level: tuple[str, ...] = ()
    access_rights: tuple[str, ...] = ()
    cost: tuple[str, ...] = ()
    # OBK id -> label, for educational_levels and disciplines (display only).
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.updated_at.tzinfo is None:
            raise ValueError("SearchDocument.updated_at must be timezone-aware")

    def facet_values(self, name: str) -> tuple[str, ...]:
        values: tuple[str, ...] = getattr(self, name)
        return values

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "updated_at": self.updated_at.astimezone(UTC).isoformat(),
            "description": self.description,
            "keywords": list(self.keywords),
            "authors": list(self.authors),
            "url": self.url,
        }
        for name in FACET_FIELDS:
            data[name] = list(self.facet_values(name))
        data["labels"] = dict(self.labels)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SearchDocument:
        return cls(
            id=str(data["id"]),
            title=str(data.get("title") or ""),
            updated_at=datetime.fromisoformat(str(data["updated_at"])),
            description=data.get("description"),
            keywords=tuple(data.get("keywords") or ()),
            authors=tuple(data.get("authors") or ()),
            url=data.get("url"),
            labels=dict(data.get("labels") or {}),
            **{name: tuple(data.get(name) or ()) for name in FACET_FIELDS},
        )


def document_from_record(
    resource_id: str,
    record: Record,
    *,
    sources: Sequence[str],
    updated_at: datetime,
    author_roles: Iterable[str] = ("author",),
) -> SearchDocument:
    """Flatten a record into the fields the index needs.

    `sources` are the names of the harvest sources (or `local`) that serve the
    resource; `updated_at` is when the resource last changed in this
    repository and is what "sort by date" orders on. Authors are the names of
    contributors with one of `author_roles`.
    """
    roles = frozenset(author_roles)
    levels = record.educational_levels
    disciplines = record.disciplines
    labels = {term.id: term.label for term in (*levels, *disciplines) if term.label}
    licence_code = record.licence.code if record.licence else None
    return SearchDocument(
        id=resource_id,
        title=_title(record),
        updated_at=updated_at if updated_at.tzinfo else updated_at.replace(tzinfo=UTC),
        description=record.description or None,
        keywords=_unique(record.keywords),
        authors=_unique(c.name for c in record.contributors if c.name and c.role in roles),
        url=record.location,
        contexts=_unique(record.contexts),
        educational_levels=_unique(term.id for term in levels),
        disciplines=_unique(term.id for term in disciplines),
        learning_resource_types=_unique(record.learning_resource_types),
        licence=(licence_code,) if licence_code else (),
        licence_family=tuple(family.value for family in licence_family(licence_code)),
        languages=_unique(record.languages),
        source=_unique(sources),
        aggregation_level=(
            (str(record.aggregation_level),) if record.aggregation_level is not None else ()
        ),
        access_rights=(record.access_rights,) if record.access_rights else (),
        cost=() if record.cost is None else ("yes" if record.cost else "no",),
        labels=labels,
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


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            text = value.strip()
            if text:
                seen.setdefault(text, None)
    return tuple(seen)
